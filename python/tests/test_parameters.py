import unittest

from dranspose.parameters import BinaryParameter, BoolParameter, FileParameter, FloatParameter, IntParameter, StrParameter


class ParametersTest(unittest.TestCase):
    def test_descriptions_the_engine_reads(self) -> None:
        self.assertEqual(IntParameter(name="n", default=3).describe(), {"name": "n", "dtype": "int", "default": 3})
        self.assertEqual(StrParameter(name="s", description="d").describe(), {"name": "s", "dtype": "str", "default": "", "description": "d"})
        self.assertEqual(FileParameter(name="f").describe()["dtype"], "binary")
        self.assertEqual(BoolParameter(name="b").describe()["default"], False)
        self.assertEqual(FloatParameter(name="x", default=1.5).describe()["default"], 1.5)

    def test_byte_conventions_match_dranspose(self) -> None:
        self.assertEqual(IntParameter.from_bytes(b"12"), 12)
        self.assertEqual(FloatParameter.from_bytes(b"nope"), 0.0)
        self.assertTrue(BoolParameter.from_bytes(b"True"))
        self.assertEqual(BinaryParameter.to_bytes(b"\x00"), b"\x00")
        self.assertEqual(IntParameter.to_bytes(5), b"5")


if __name__ == "__main__":
    unittest.main()
