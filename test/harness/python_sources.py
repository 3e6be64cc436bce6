"""Replay source classes in Python (``replay -s``), written against Dranspose's API: generators
yielding ``InternalWorkerMessage``s built with the data models' ``to_stream_data()`` and, as
Dranspose's HDF5 guide does, by hand (JSON text and raw bytes in a ``StreamData``)."""

import datetime
import itertools

import numpy as np

from dranspose.data.contrast import ContrastFinished, ContrastRunning, ContrastStarted
from dranspose.data.positioncap import PositionCapEnd, PositionCapField, PositionCapStart, PositionCapValues
from dranspose.data.stream1 import Stream1Data, Stream1End, Stream1Start
from dranspose.data.xspress3 import XspressEnd, XspressImage, XspressStart
from dranspose.event import InternalWorkerMessage, StreamData

POINTS = 6


def image(frame: int) -> np.ndarray:
    return (np.arange(12, dtype=np.uint16) * 3 + 100 * frame).reshape(3, 4)


def spectra(frame: int) -> np.ndarray:
    return (np.arange(8, dtype=np.float64) + 0.5 * frame).reshape(2, 4)


class MeshSource:
    """A STINS camera, Contrast positions, Xspress3 spectra and PandABox rows, POINTS points."""

    def get_source_generators(self):
        return [self.cam(), self.contrast(), self.xspress3(), self.pcap()]

    def cam(self):
        msg = itertools.count(0)
        start = Stream1Start(filename="mesh.h5", msg_number=next(msg))
        yield InternalWorkerMessage(event_number=0, streams={"cam": start.to_stream_data()})
        for f in range(POINTS):
            img = image(f)
            if f % 2 == 0:
                data = Stream1Data(msg_number=next(msg), frame=f, shape=list(img.shape), type="uint16", compression="none", data=img)
                stream = data.to_stream_data()
            else:
                header = Stream1Data(msg_number=next(msg), frame=f, shape=img.shape, type="uint16", compression="none")
                stream = StreamData(typ="STINS", frames=[header.model_dump_json(), img.tobytes()])
            yield InternalWorkerMessage(event_number=f + 1, streams={"cam": stream})
        end = Stream1End(msg_number=next(msg))
        yield InternalWorkerMessage(event_number=POINTS + 1, streams={"cam": end.to_stream_data()})

    def contrast(self):
        started = ContrastStarted(path="/data/mesh", scannr=7, description="mesh sx 0 1 2 sy 0 1 1 0.1")
        yield InternalWorkerMessage(event_number=0, streams={"contrast": started.to_stream_data()})
        for i in range(POINTS):
            point = ContrastRunning(dt=0.1 * i, sx=float(i % 3), sy=float(i // 3) + 0.25)
            yield InternalWorkerMessage(event_number=i + 1, streams={"contrast": point.to_stream_data()})
        finished = ContrastFinished(path="/data/mesh", scannr=7, description="mesh sx 0 1 2 sy 0 1 1 0.1")
        yield InternalWorkerMessage(event_number=POINTS + 1, streams={"contrast": finished.to_stream_data()})

    def xspress3(self):
        yield InternalWorkerMessage(event_number=0, streams={"xspress3": XspressStart(filename="x.h5").to_stream_data()})
        for f in range(POINTS):
            spec = spectra(f)
            meta = {
                "ocr": np.full(2, 10.0 + f),
                "icr": np.full(2, 20.0 + f),
            }
            msg = XspressImage(frame=f, shape=spec.shape, exptime=0.1, type=str(spec.dtype), compression="none", data=spec, meta=meta)
            yield InternalWorkerMessage(event_number=f + 1, streams={"xspress3": msg.to_stream_data()})
        yield InternalWorkerMessage(event_number=POINTS + 1, streams={"xspress3": XspressEnd().to_stream_data()})

    def pcap(self):
        fields = [
            PositionCapField(name="PCAP.BITS0.Value", type="uint32"),
            PositionCapField(name="INENC1.VAL.Mean", type="double"),
        ]
        start = PositionCapStart(arm_time=datetime.datetime(2026, 12, 7, 8, 0, tzinfo=datetime.timezone.utc))
        yield InternalWorkerMessage(event_number=0, streams={"pcap": start.to_stream_data(fields)})
        for i in range(POINTS):
            fields[0].value = i
            fields[1].value = i * 0.5
            values = PositionCapValues(fields={f.name: f for f in fields})
            yield InternalWorkerMessage(event_number=i + 1, streams={"pcap": values.to_stream_data()})
        yield InternalWorkerMessage(event_number=POINTS + 1, streams={"pcap": PositionCapEnd().to_stream_data()})


class CountingSource:
    """Plain dicts, as a source may yield them; prints, as Dranspose's examples do."""

    def __init__(self):
        self.count = 3

    def get_source_generators(self):
        return [self.numbers()]

    def numbers(self):
        for i in range(self.count):
            print(f"counting {i}")
            yield {"event_number": i, "streams": {"n": {"typ": "text", "frames": [str(i)]}}}


class BadMessageSource:
    def get_source_generators(self):
        return [self.gen()]

    def gen(self):
        yield InternalWorkerMessage(event_number=0, streams={"n": StreamData(typ="text", frames=[b"0"])})
        yield {"streams": {}}


class RaisingSource:
    def get_source_generators(self):
        return [self.gen()]

    def gen(self):
        yield InternalWorkerMessage(event_number=0, streams={"n": StreamData(typ="text", frames=[b"0"])})
        yield InternalWorkerMessage(event_number=1, streams={"n": StreamData(typ="text", frames=[b"1"])})
        raise RuntimeError("the source ran dry")


class NotGenerators:
    def get_source_generators(self):
        return [42]
