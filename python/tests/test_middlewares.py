"""The parse middlewares against the shared MAX IV recordings; expected values are read from
the raw bytes with json/numpy/pickle (on trusted fixtures) in the test, not by the parsers."""

import json
import pickle
import unittest
from datetime import datetime, timezone

import numpy as np

from dranspose.data.contrast import ContrastFinished, ContrastHeartbeat, ContrastRunning, ContrastStarted
from dranspose.data.eiger_legacy import EigerLegacyEnd, EigerLegacyHeader, EigerLegacyImage
from dranspose.data.lecroy import LECROY_TYPE, LecroyEnd, LecroyParsed
from dranspose.data.pcap import PCAPData, PCAPEnd, PCAPStart
from dranspose.data.positioncap import PositionCapEnd, PositionCapStart, PositionCapValues
from dranspose.data.sardana import SardanaDataDescription, SardanaRecordData, SardanaRecordEnd
from dranspose.data.stream1 import Stream1Data, Stream1End, Stream1Start
from dranspose.data.xspress3 import XspressEnd, XspressImage, XspressStart
from dranspose.event import Frame, StreamData
from dranspose.middlewares import albaem, contrast, eiger_legacy, lecroy, pcap, sardana, stream1, xspress
from dranspose.middlewares.positioncap import PositioncapParser
from tests.fixtures import capture, recording


class MiddlewareTest(unittest.TestCase):
    def test_stream1_dump_xrd(self) -> None:
        kinds = []
        for _number, streams in recording("dump_xrd.cbors"):
            typ, frames = streams["xrd"]
            packet = stream1.parse(StreamData(typ=typ, frames=[Frame(f) for f in frames]))
            kinds.append(type(packet))
            if isinstance(packet, Stream1Start):
                self.assertEqual(packet.filename, "output/xrd.h5")
            if isinstance(packet, Stream1Data):
                header = json.loads(frames[0])
                expected = np.frombuffer(frames[1], dtype=header["type"]).reshape(header["shape"])
                self.assertEqual((packet.frame, packet.shape, packet.type), (header["frame"], [10, 10], "uint16"))
                np.testing.assert_array_equal(packet.data, expected)
        self.assertEqual(kinds, [Stream1Start] + [Stream1Data] * 9 + [Stream1End])

    def test_xspress3_three_message_dump(self) -> None:
        messages = capture("xspress3-dump.cbors")
        first = xspress.parse(StreamData(typ="xspress", frames=messages[0]))
        self.assertIsInstance(first, XspressStart)
        self.assertTrue(first.filename.endswith("scan_000002_xspress3.hdf5"))
        images = 0
        for i in range(1, len(messages) - 1, 3):
            parts = [messages[i][0], messages[i + 1][0], messages[i + 2][0]]
            packet = xspress.parse(StreamData(typ="xspress", frames=parts))
            self.assertIsInstance(packet, XspressImage)
            self.assertEqual(packet.frame, images)
            np.testing.assert_array_equal(packet.data, np.frombuffer(parts[1], dtype="<u4").reshape(4, 4096))
            reference = pickle.loads(parts[2])  # trusted fixture: the stdlib is the oracle
            self.assertEqual(list(packet.meta)[:2], ["ocr", "AllEvents"])
            for ours, theirs in zip(packet.meta.values(), reference):
                np.testing.assert_array_equal(ours, theirs)
            images += 1
        self.assertEqual(images, 20)
        self.assertIsInstance(xspress.parse(StreamData(typ="xspress", frames=messages[-1])), XspressEnd)

    def test_xspress3_multipart(self) -> None:
        messages = capture("xspress3-multipart.cbors")
        packets = [xspress.parse(StreamData(typ="xspress", frames=m)) for m in messages]
        self.assertEqual([p.frame for p in packets if isinstance(p, XspressImage)], [0, 1, 2, 3, 4])
        self.assertEqual(len(packets[1].meta), 9)

    def test_contrast_mesh(self) -> None:
        packets = [contrast.parse(StreamData(typ="contrast", frames=m)) for m in capture("contrast-dump.cbors")]
        started = [p for p in packets if isinstance(p, ContrastStarted)]
        running = [p for p in packets if isinstance(p, ContrastRunning)]
        self.assertEqual(len(started), 1)
        self.assertIn("mesh", started[0].description)
        self.assertEqual(len(running), 20)
        self.assertEqual(sum(isinstance(p, ContrastFinished) for p in packets), 1)
        self.assertTrue(any(isinstance(p, ContrastHeartbeat) for p in packets))
        raw = [pickle.loads(m[0]) for m in capture("contrast-dump.cbors")]
        raw_running = [r for r in raw if r["status"] == "running"]
        for ours, theirs in zip(running, raw_running):
            self.assertEqual(ours.dt, theirs["dt"])
            for key, value in theirs["pseudo"].items():
                np.testing.assert_array_equal(ours.pseudo[key], value)

    def test_pcap_zmq(self) -> None:
        messages = capture("pcap-zmq.cbors")
        packets = [pcap.parse(StreamData(typ="PCAP", frames=m)) for m in messages]
        self.assertIsInstance(packets[0], PCAPStart)
        self.assertEqual(packets[0].arm_time, datetime(2024, 10, 7, 8, 49, 10, 627000, tzinfo=timezone.utc))
        self.assertIsInstance(packets[-1], PCAPEnd)
        data = [p for p in packets if isinstance(p, PCAPData)]
        self.assertEqual(len(data), 100)
        self.assertEqual(sum(len(p.energy) for p in data), 1500)
        self.assertEqual(data[1].frame_number, json.loads(messages[2][0])["frame_number"])

    def test_albaem(self) -> None:
        packets = [albaem.parse(StreamData(typ="albaem", frames=m)) for m in capture("albaem-dump.cbors")]
        self.assertEqual([p.message_type for p in packets], ["series-start"] + ["data"] * 4 + ["series-end"])
        self.assertEqual(packets[1].channel1, json.loads(capture("albaem-dump.cbors")[1][0])["channel1"])

    def test_eiger_legacy(self) -> None:
        messages = capture("eiger-small.cbors")
        packets = [eiger_legacy.parse(StreamData(typ="EIGER_LEGACY", frames=m)) for m in messages]
        self.assertIsInstance(packets[0], EigerLegacyHeader)
        self.assertEqual(packets[0].info["bit_depth_image"], 32)
        images = [p for p in packets if isinstance(p, EigerLegacyImage)]
        self.assertEqual([p.frame for p in images], [0, 1, 2])
        self.assertEqual(images[0].data["shape"], [3108, 3262])
        self.assertEqual(images[0].data["buffer"], messages[1][2])
        self.assertIsInstance(packets[-1], EigerLegacyEnd)

    def test_sardana_and_positioncap(self) -> None:
        def one(doc: dict) -> StreamData:
            return StreamData(typ="sardana", frames=[json.dumps(doc).encode()])

        self.assertIsInstance(sardana.parse(one({"type": "DataDescription", "serialno": 3, "scandir": "/d", "title": "ascan"})), SardanaDataDescription)
        record = sardana.parse(one({"type": "RecordData", "timestamp": 1.5, "point_nb": 0, "mot": 2.0}))
        self.assertEqual((type(record), record.mot), (SardanaRecordData, 2.0))
        self.assertIsInstance(sardana.parse(one({"type": "RecordEnd"})), SardanaRecordEnd)
        parser = PositioncapParser()
        header = b"arm_time: 2024-10-07T08:49:10.627Z\nmissed: 0\nprocess: Scaled\nformat: ASCII\nfields:\n COUNTER1.OUT double Value\n PCAP.TS_TRIG uint32 Value\n"
        start = parser.parse(StreamData(typ="PCAP_RAW", frames=[header]))
        self.assertIsInstance(start, PositionCapStart)
        values = parser.parse(StreamData(typ="PCAP_RAW", frames=[b" 2.5 17\n"]))
        self.assertIsInstance(values, PositionCapValues)
        self.assertEqual({k: v.value for k, v in values.fields.items()}, {"COUNTER1.OUT.Value": 2.5, "PCAP.TS_TRIG.Value": 17})
        self.assertIsInstance(parser.parse(StreamData(typ="PCAP_RAW", frames=[b"END 1 Ok\n"])), PositionCapEnd)

    def test_lecroy_sequence(self) -> None:
        traces = np.arange(16, dtype="<f8").reshape(2, 8)
        meta = {"htype": "traces", "ch": 2, "ts": 1.0, "frame": 0, "shape": [2, 8], "horiz_offset": -1e-7, "horiz_interval": 1e-11, "dtype": "float64"}
        frames = [
            json.dumps({"htype": "msg", "what": 1, "frame": 0, "ntriggers": -1, "seqno": 0, "channels": [2]}).encode(),
            json.dumps(meta).encode(),
            traces.tobytes(),
            pickle.dumps([0.5, 0.75]),
            json.dumps({"htype": "msg", "what": 2, "frame": 0}).encode(),
        ]
        parsed = lecroy.parse(StreamData(typ=LECROY_TYPE, frames=frames))
        self.assertIsInstance(parsed, LecroyParsed)
        np.testing.assert_array_equal(parsed.data[0], traces)
        self.assertEqual((parsed.meta[0].ch, parsed.timestamps[0]), (2, [0.5, 0.75]))
        end = lecroy.parse(StreamData(typ=LECROY_TYPE, frames=[json.dumps({"htype": "msg", "what": 3, "frame": 5, "frames": 5}).encode()]))
        self.assertIsInstance(end, LecroyEnd)

    def test_errors_name_the_problem(self) -> None:
        with self.assertRaisesRegex(ValueError, "expected a 'STINS' stream"):
            stream1.parse(StreamData(typ="xspress", frames=[b"{}"]))
        bad = json.dumps({"htype": "image", "msg_number": 1, "frame": 0, "shape": [10, 10], "type": "uint16", "compression": "none"}).encode()
        with self.assertRaisesRegex(ValueError, "does not hold"):
            stream1.parse(StreamData(typ="STINS", frames=[bad, b"\x00" * 10]))


if __name__ == "__main__":
    unittest.main()
