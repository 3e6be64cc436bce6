"""Xspress3 messages."""

from typing import Any, Literal, Optional

import pickle

from dranspose._model import Model, PacketUnion
from dranspose.data.stream1 import _data_bytes
from dranspose.event import StreamData


class XspressBase(Model):
    extra_allowed = True

    def to_stream_data(self) -> StreamData:
        """The message as the Xspress3 stream sends it: its JSON, the spectra's bytes and the
        pickled list of metadata arrays (for an image)."""
        frames = [self.model_dump_json(exclude={"data", "meta"}).encode()]
        data, meta = getattr(self, "data", None), getattr(self, "meta", None)
        if data is not None:
            frames.append(_data_bytes(data))
        if meta is not None:
            frames.append(pickle.dumps(list(meta.values())))
        return StreamData(typ="xspress", frames=frames)


class XspressStart(XspressBase):
    htype: Literal["header"] = "header"
    filename: str = ""


class XspressImage(XspressBase):
    """``data``: the spectra (``shape``, dtype ``type``); ``meta``: the metadata arrays by name."""

    htype: Literal["image"] = "image"
    frame: int
    shape: list[int]
    exptime: Optional[float] = 1
    type: str
    compression: Optional[str] = "none"
    data: Any = None
    meta: Any = None


class XspressEnd(XspressBase):
    htype: Literal["series_end"] = "series_end"


XspressPacket = PacketUnion(XspressStart, XspressImage, XspressEnd)
