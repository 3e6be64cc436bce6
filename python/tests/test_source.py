"""The replay source host's conversion of what generators yield (beamloom.source.to_wire)."""

import unittest

import numpy as np

from beamloom.source import NotAMessage, to_wire
from dranspose.data.stream1 import Stream1Data, Stream1Start
from dranspose.event import Frame, InternalWorkerMessage, StreamData


class ToWireTest(unittest.TestCase):
    def test_messages_dicts_and_frame_kinds(self) -> None:
        img = np.arange(6, dtype=np.uint16).reshape(2, 3)
        data = Stream1Data(msg_number=1, frame=0, shape=img.shape, type="uint16", compression="none", data=img)
        message = InternalWorkerMessage(event_number=1, streams={"cam": data.to_stream_data()})
        number, streams = to_wire(message)
        self.assertEqual(number, 1)
        typ, frames = streams["cam"]
        self.assertEqual(typ, "STINS")
        self.assertEqual(
            frames[0],
            b'{"msg_number": 1, "htype": "image", "frame": 0, "shape": [2, 3], "type": "uint16", "compression": "none"}',
        )
        self.assertEqual(frames[1], img.tobytes())
        text = {"event_number": 0, "streams": {"n": {"typ": "t", "frames": ["é", bytearray(b"x"), memoryview(b"y"), Frame(b"z")]}}}
        self.assertEqual(to_wire(text), [0, {"n": ["t", ["é".encode(), b"x", b"y", b"z"]]}])
        start = Stream1Start(msg_number=0, filename="f.h5").to_stream_data()
        self.assertEqual(start.frames, [b'{"msg_number": 0, "htype": "header", "filename": "f.h5"}'])

    def test_what_is_not_a_message(self) -> None:
        cases = [
            ({"streams": {}}, "no 'event_number'"),
            (InternalWorkerMessage(event_number=-1), "whole number"),
            ({"event_number": True, "streams": {}}, "whole number"),
            ({"event_number": 1, "streams": []}, "streams must be a dict"),
            ({"event_number": 1, "streams": {"": StreamData(typ="t", frames=[])}}, "non-empty string"),
            ({"event_number": 1, "streams": {"a": StreamData(typ=3, frames=[])}}, "typ must be a string"),
            ({"event_number": 1, "streams": {"a": StreamData(typ="t", frames=b"x")}}, "frames must be a list"),
            ({"event_number": 1, "streams": {"a": StreamData(typ="t", frames=[42])}}, "got int"),
        ]
        for value, message in cases:
            with self.assertRaises(NotAMessage) as caught:
                to_wire(value)
            self.assertIn(message, str(caught.exception))


if __name__ == "__main__":
    unittest.main()
