"""A worker over every device stream, in Dranspose's style, for the runner tests."""

from dranspose.data.contrast import ContrastRunning
from dranspose.data.eiger_legacy import EigerLegacyHeader, EigerLegacyImage
from dranspose.data.pcap import PCAPData
from dranspose.data.xspress3 import XspressImage
from dranspose.middlewares import contrast, eiger_legacy, pcap, xspress


class DeviceWorker:
    def __init__(self, *args, **kwargs):
        pass

    def process_event(self, event, parameters=None, tick=False):
        out = {}
        if "xspress3" in event.streams:
            pkt = xspress.parse(event.streams["xspress3"])
            if isinstance(pkt, XspressImage):
                out["spectra_sum"] = int(pkt.data.sum(dtype="u8"))
                out["shape"] = list(pkt.data.shape)
                out["ocr"] = pkt.meta["ocr"]
        if "contrast" in event.streams:
            pkt = contrast.parse(event.streams["contrast"])
            if isinstance(pkt, ContrastRunning):
                out["x"] = float(pkt.pseudo["x"][0])
                out["y"] = float(pkt.pseudo["y"][0])
        if "panda" in event.streams:
            pkt = pcap.parse(event.streams["panda"])
            if isinstance(pkt, PCAPData):
                out["rows"] = len(pkt.energy)
                out["energy"] = float(sum(pkt.energy))
        if "eiger" in event.streams:
            pkt = eiger_legacy.parse(event.streams["eiger"])
            if isinstance(pkt, EigerLegacyHeader):
                out["header"] = pkt.info["bit_depth_image"]
            if isinstance(pkt, EigerLegacyImage):
                out["frame"] = pkt.frame
                out["blob"] = len(pkt.data["buffer"])
        return out or None
