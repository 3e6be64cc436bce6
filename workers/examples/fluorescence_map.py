"""Example worker in Dranspose's style: X-ray fluorescence (XRF) mapping.

Each event of a mesh scan carries one Contrast ``running`` point (the motor positions) and one
Xspress3 frame (the spectra); the worker sums the counts of the spectra in a region of interest
and sends them with the positions. ``FluorescenceMapReducer`` (reducer/examples/
fluorescence_map.py) places them in the map. The same analysis as
workers/examples/fluorescence-map.ts, with the same results, so either worker feeds either
reducer.

Parameters:
- ``channel``: the detector channel to sum; ``-1`` (the default) sums every channel.
- ``roi``: the bins to sum, ``start:stop`` (numpy slice, stop exclusive); ``:`` (the default) is
  the whole spectrum. An emission line, e.g. Fe Kα at 6.40 keV with 10 eV bins, is ``620:660``.
- ``contrast_stream``, ``xspress3_stream``: the streams to read; default: the first stream of
  each protocol in the event.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from dranspose.data.contrast import ContrastRunning, ContrastStarted
from dranspose.data.xspress3 import XspressImage
from dranspose.event import EventData
from dranspose.middlewares import contrast, xspress
from dranspose.parameters import IntParameter, StrParameter

_BINS = re.compile(r"^\s*(-?\d*)\s*:\s*(-?\d*)\s*$")


def parse_bins(roi: str, bins: int) -> slice:
    """``start:stop`` as a slice of ``bins`` bins (negative bounds count from the end)."""
    match = _BINS.match(roi)
    if match is None:
        raise ValueError(f"roi {roi!r} must be start:stop bins, like 620:660 or :")
    start, stop = (int(g) if g else None for g in match.groups())
    return slice(*slice(start, stop).indices(bins)[:2])


def _stream(event: EventData, wanted: str, typ: str) -> Optional[str]:
    if wanted:
        return wanted if wanted in event.streams else None
    return next((name for name, data in event.streams.items() if data.typ == typ), None)


def _value(parameters: Any, name: str, default: Any) -> Any:
    return parameters[name].value if parameters and name in parameters else default


class FluorescenceMapWorker:
    @staticmethod
    def describe_parameters():
        return [
            IntParameter(name="channel", default=-1, description="detector channel to sum; -1 sums all channels"),
            StrParameter(name="roi", default=":", description="bins to sum, start:stop (stop exclusive); : is the whole spectrum"),
            StrParameter(name="contrast_stream", default="", description="Contrast stream (default: the first)"),
            StrParameter(name="xspress3_stream", default="", description="Xspress3 stream (default: the first)"),
        ]

    def __init__(self, parameters=None, context=None, state=None, **kwargs: Any) -> None:
        pass

    def process_event(self, event: EventData, parameters=None, tick: bool = False) -> Optional[dict]:
        contrast_name = _stream(event, _value(parameters, "contrast_stream", ""), "contrast")
        xspress_name = _stream(event, _value(parameters, "xspress3_stream", ""), "xspress")
        point = contrast.parse(event.streams[contrast_name]) if contrast_name else None
        if isinstance(point, ContrastStarted):
            return {"kind": "scan", "scannr": point.scannr, "description": point.description}
        frame = xspress.parse(event.streams[xspress_name]) if xspress_name else None
        if not isinstance(frame, XspressImage):
            return None
        spectra = frame.data
        if spectra.ndim != 2:
            raise ValueError(f"expected [channels, bins] spectra, got shape {list(spectra.shape)}")
        channels, bins = spectra.shape
        channel = int(_value(parameters, "channel", -1))
        if channel >= channels:
            raise ValueError(f"channel {channel} does not exist (the detector has {channels})")
        region = spectra[:, parse_bins(_value(parameters, "roi", ":"), bins)]
        counts = region.sum(dtype="u8") if channel < 0 else region[channel].sum(dtype="u8")
        positions = {}
        if isinstance(point, ContrastRunning):
            positions = {
                name: float(value)
                for name, value in point.model_dump().items()
                if name not in ("status", "dt") and isinstance(value, (int, float)) and not isinstance(value, bool)
            }
        return {"kind": "point", "frame": frame.frame, "positions": positions, "counts": int(counts)}
