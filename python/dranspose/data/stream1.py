"""STINS (MAX IV streaming-receiver) messages."""

from typing import Any, Literal

from dranspose._model import Model, PacketUnion


class Stream1(Model):
    msg_number: int


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
