import pickle
import unittest

import numpy as np

from beamloom.pickle_data import PickleError, read_pickle
from tests.fixtures import capture


class Boom:
    def __reduce__(self):
        import os

        return (os.system, ("echo should-never-run",))


class PickleDataTest(unittest.TestCase):
    def test_plain_data_and_numpy_in_every_protocol(self) -> None:
        value = {
            "a": np.arange(6, dtype=">u2").reshape(2, 3),
            "f": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
            "b": [1, -2**70, 2.5, "text", b"bytes", None, True, (1, 2)],
            "s": np.float32(2.5),
            "i": np.int64(-3),
            "set": {1, 2},
            "nested": {"x": [np.zeros(0, dtype="f8")]},
        }
        for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1):
            with self.subTest(protocol=protocol):
                out = read_pickle(pickle.dumps(value, protocol=protocol))
                self.assertEqual(out.keys(), value.keys())
                for key in ("a", "f"):
                    np.testing.assert_array_equal(out[key], value[key])
                    self.assertEqual(out[key].dtype, value[key].dtype)
                self.assertEqual(out["b"], value["b"])
                self.assertEqual((out["s"], type(out["s"])), (value["s"], np.float32))
                self.assertEqual((out["i"], type(out["i"])), (value["i"], np.int64))
                self.assertEqual(out["set"], value["set"])
                self.assertEqual(out["nested"]["x"][0].shape, (0,))

    def test_refuses_globals_outside_the_allow_list_without_running_them(self) -> None:
        for protocol in (0, 2, 4):
            with self.assertRaisesRegex(PickleError, "not allowed"):
                read_pickle(pickle.dumps(Boom(), protocol=protocol))

    def test_refuses_object_arrays_and_truncation(self) -> None:
        with self.assertRaises(PickleError):
            read_pickle(pickle.dumps(np.array([object()], dtype=object)))
        data = pickle.dumps({"a": list(range(100))}, protocol=4)
        with self.assertRaisesRegex(PickleError, "truncated"):
            read_pickle(data[:-10])
        with self.assertRaises(PickleError):
            read_pickle(data, max_bytes=10)

    def test_reads_every_contrast_message_of_the_recording_as_pickle_does(self) -> None:
        messages = capture("contrast-dump.cbors")
        self.assertGreater(len(messages), 20)
        for parts in messages:
            ours = read_pickle(parts[0])
            # The reference: the standard library on bytes we trust (a fixture of this checkout).
            theirs = pickle.loads(parts[0])
            self.assertEqual(ours.keys(), theirs.keys())
            for key, value in theirs.items():
                if isinstance(value, dict):
                    for k, v in value.items():
                        np.testing.assert_array_equal(ours[key][k], v)
                else:
                    self.assertEqual(ours[key], value)


if __name__ == "__main__":
    unittest.main()
