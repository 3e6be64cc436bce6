"""Xspress3 messages."""

from typing import Any, Literal, Optional

from dranspose._model import Model, PacketUnion


class XspressBase(Model):
    extra_allowed = True


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
