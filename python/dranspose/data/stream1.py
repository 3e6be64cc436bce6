"""STINS (MAX IV streaming-receiver) messages."""

from typing import Any, Literal

from dranspose._model import Model, PacketUnion
from dranspose.event import StreamData


def _data_bytes(data: Any) -> bytes:
    """An image or spectra as a frame: bytes as they are, a numpy array's raw bytes."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    return data.tobytes()


class Stream1(Model):
    msg_number: int

    def to_stream_data(self) -> StreamData:
        """The message as a STINS stream sends it: its JSON, then the image's bytes if any."""
        frames = [self.model_dump_json(exclude={"data"}).encode()]
        data = getattr(self, "data", None)
        if data is not None:
            frames.append(_data_bytes(data))
        return StreamData(typ="STINS", frames=frames)


class Stream1Start(Stream1):
    extra_allowed = True
    htype: Literal["header"] = "header"
    filename: str = ""


class Stream1Data(Stream1):
    """One image; ``data`` is the decoded numpy array (shape ``shape``, dtype ``type``)."""

    extra_allowed = True
    htype: Literal["image"] = "image"
    frame: int
    shape: list[int]
    type: str
    compression: str
    data: Any = None


class Stream1End(Stream1):
    extra_allowed = True
    htype: Literal["series_end"] = "series_end"


Stream1Packet = PacketUnion(Stream1Start, Stream1Data, Stream1End)
