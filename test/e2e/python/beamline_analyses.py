"""Analyses in Dranspose's style for the end-to-end tests of Python modules over the recorded
devices: PandABox (PCAP, zmq envelope) and Eiger Stream V1 (``bs32-lz4<`` images). Written
against Dranspose's API only (``dranspose.middlewares.*.parse``, ``dranspose.data.*``); the
Eiger blobs are decoded here with python3-lz4 and numpy (bitshuffle undone by hand, as
Dranspose leaves the images compressed)."""

from __future__ import annotations

import struct
from typing import Any

import lz4.block
import numpy as np

from dranspose.data.eiger_legacy import EigerLegacyEnd, EigerLegacyHeader, EigerLegacyImage
from dranspose.data.pcap import PCAPData, PCAPEnd, PCAPStart
from dranspose.event import EventData, ResultData
from dranspose.middlewares import eiger_legacy, pcap


class PandaWorker:
    """Per PandABox message (one row, or a batch of rows): the rows' numbers and values."""

    def __init__(self, **kwargs: Any) -> None:
        pass

    def process_event(self, event: EventData, parameters=None, tick=False):
        pkt = pcap.parse(event.streams["pcap"])
        if isinstance(pkt, PCAPStart):
            return {"kind": "start", "arm_time": pkt.arm_time.isoformat()}
        if isinstance(pkt, PCAPEnd):
            return {"kind": "end"}
        if isinstance(pkt, PCAPData):
            # A column is a list for a batch, a number for one row.
            energy = np.atleast_1d(np.asarray(pkt.energy, dtype=np.float64))
            inttime = np.atleast_1d(np.asarray(pkt.inttime, dtype=np.float64))
            rows = np.arange(pkt.frame_number, pkt.frame_number + len(energy), dtype=np.int64)
            return {"kind": "data", "rows": rows, "energy": energy, "inttime": inttime}
        return None


class PandaReducer:
    """Energy and integration time by PandA row number (float64, NaN until the row arrives)."""

    def __init__(self, **kwargs: Any) -> None:
        self.publish: dict[str, Any] = {
            "energy": np.full(0, np.nan),
            "inttime": np.full(0, np.nan),
            "rows": 0,
            "arm_time": "",
            "ends": 0,
        }

    def process_result(self, result: ResultData, parameters=None) -> None:
        p = result.payload
        if p["kind"] == "start":
            self.publish["arm_time"] = p["arm_time"]
        elif p["kind"] == "end":
            self.publish["ends"] += 1
        else:
            rows = p["rows"]
            size = max(len(self.publish["energy"]), int(rows.max()) + 1)
            for name in ("energy", "inttime"):
                if len(self.publish[name]) < size:
                    grown = np.full(size, np.nan)
                    grown[: len(self.publish[name])] = self.publish[name]
                    self.publish[name] = grown
                self.publish[name][rows] = p[name]
            self.publish["rows"] += len(rows)


def bslz4_prefix(blob: bytes, itemsize: int) -> np.ndarray:
    """The elements of a bitshuffle-LZ4 blob that its whole blocks hold (a cut blob stops at
    the last whole block): 12-byte big-endian header (total bytes, block bytes), then blocks
    of a big-endian u32 length and an LZ4 block of bit-transposed elements."""
    total, block_bytes = struct.unpack(">QI", blob[:12])
    block = block_bytes // itemsize
    left = total // itemsize
    out = []
    at = 12
    while left >= 8:
        n = min(block, left - left % 8)
        if at + 4 > len(blob):
            break
        (size,) = struct.unpack(">I", blob[at : at + 4])
        if at + 4 + size > len(blob):
            break
        raw = np.frombuffer(lz4.block.decompress(blob[at + 4 : at + 4 + size], uncompressed_size=n * itemsize), np.uint8)
        # Row b (bit b of each element, bytes little-endian) holds that bit of every element.
        bits = np.unpackbits(raw.reshape(itemsize * 8, n // 8), axis=1, bitorder="little")
        out.append(np.packbits(bits.T.reshape(n, itemsize, 8), axis=2, bitorder="little").reshape(-1))
        at += 4 + size
        left -= n
    return np.concatenate(out).view(f"<u{itemsize}") if out else np.zeros(0, f"<u{itemsize}")


class EigerWorker:
    """Header: the detector's description and image count; images: the decoded prefix."""

    def __init__(self, **kwargs: Any) -> None:
        pass

    def process_event(self, event: EventData, parameters=None, tick=False):
        pkt = eiger_legacy.parse(event.streams["eiger"])
        if isinstance(pkt, EigerLegacyHeader):
            return {"kind": "header", "description": pkt.info["description"], "nimages": pkt.info["nimages"]}
        if isinstance(pkt, EigerLegacyEnd):
            return {"kind": "end"}
        if isinstance(pkt, EigerLegacyImage):
            if pkt.data["encoding"] != "bs32-lz4<":
                raise ValueError(f"unexpected encoding {pkt.data['encoding']}")
            pixels = bslz4_prefix(pkt.data["buffer"], 4)
            saturated = pixels == np.uint32(0xFFFFFFFF)
            return {
                "kind": "image",
                "frame": pkt.frame,
                "shape": tuple(pkt.data["shape"]),
                "pixels": pixels.size,
                "saturated": int(saturated.sum()),
                "rest": pixels[~saturated].sum(dtype=np.uint64),
            }
        return None


class EigerReducer:
    """Per image frame: decoded pixels, saturated pixels and the sum of the others (uint64)."""

    def __init__(self, **kwargs: Any) -> None:
        self.publish: dict[str, Any] = {"header": {}, "images": {}, "ends": 0}

    def process_result(self, result: ResultData, parameters=None) -> None:
        p = result.payload
        if p["kind"] == "header":
            self.publish["header"] = {"description": p["description"], "nimages": p["nimages"]}
        elif p["kind"] == "end":
            self.publish["ends"] += 1
        else:
            self.publish["images"][str(p["frame"])] = np.array([p["pixels"], p["saturated"], p["rest"]], dtype=np.uint64)
            self.publish["shape"] = list(p["shape"])
