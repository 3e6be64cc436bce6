"""DECTRIS Eiger Stream V1 (legacy) messages."""

from typing import Any, Literal

from dranspose._model import Model, PacketUnion


class EigerLegacy(Model):
    extra_allowed = True
    series: int = 0


class EigerLegacyHeader(EigerLegacy):
    htype: Literal["dheader-1.0"]
    header_detail: str = "all"
    info: Any = None
    appendix: Any = None


class EigerLegacyImage(EigerLegacy):
    """``data`` is the dimage_d part with the blob under ``buffer``; ``config`` the dconfig part."""

    htype: Literal["dimage-1.0"]
    frame: int
    hash: str = ""
    data: Any = None
    config: Any = None


class EigerLegacyEnd(EigerLegacy):
    htype: Literal["dseries_end-1.0"]


EigerLegacyPacket = PacketUnion(EigerLegacyHeader, EigerLegacyImage, EigerLegacyEnd)
