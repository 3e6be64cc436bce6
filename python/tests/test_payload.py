import dataclasses
import unittest
from datetime import datetime, timezone

import cbor2
import numpy as np

from beamloom.payload import NDARRAY_TAG, PayloadDecoder, PayloadError, dataclasses_of, encode_payload


@dataclasses.dataclass
class Projection:
    axis: int
    values: np.ndarray

    @dataclasses.dataclass(frozen=True)
    class Meta:
        label: str


class PayloadTest(unittest.TestCase):
    def roundtrip(self, value):
        return PayloadDecoder(dataclasses_of(globals())).decode(encode_payload(value))

    def test_numpy_arrays_of_every_dtype_and_shape_come_back_equal(self) -> None:
        dtypes = ["u1", "i1", "<u2", "<i2", "<u4", "<i4", "<u8", "<i8", "<f4", "<f8", ">u2", ">f8", "f2", "?", "c8", "c16", "U3", "S2"]
        shapes = [(), (0,), (5,), (2, 3), (2, 0), (2, 3, 4)]
        for code in dtypes:
            for shape in shapes:
                with self.subTest(dtype=code, shape=shape):
                    size = int(np.prod(shape))
                    if code[-2:] in ("U3",):
                        array = np.array([f"s{i}" for i in range(size)], dtype=code).reshape(shape)
                    elif code == "S2":
                        array = np.array([b"ab"] * size, dtype=code).reshape(shape)
                    else:
                        array = (np.arange(size) % 7).astype(code).reshape(shape)
                    out = self.roundtrip(array)
                    np.testing.assert_array_equal(out, array)
                    if shape == ():
                        # 0-d arrays arrive as numpy scalars, which are always native-endian
                        self.assertIsInstance(out, array[()].__class__)
                        continue
                    self.assertEqual(np.asarray(out).dtype, array.dtype)
                    self.assertEqual(np.asarray(out).shape, shape)

    def test_fortran_and_strided_arrays_keep_their_values(self) -> None:
        base = np.arange(24, dtype="f4").reshape(4, 6)
        for array in (np.asfortranarray(base), base[::2, 1::2], base.T):
            np.testing.assert_array_equal(self.roundtrip(array), array)

    def test_scalars_tuples_dicts_and_dataclasses(self) -> None:
        value = {
            "f32": np.float32(1.5),
            "i8": np.int8(-3),
            "b": np.bool_(True),
            "t": (1, ("x", 2.5)),
            "d": {1: "int key", (1, 2): "tuple key"},
            "p": Projection(axis=1, values=np.arange(3.0)),
            "m": Projection.Meta(label="x"),
            "when": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
            "raw": b"\x00\x01",
            "none": None,
        }
        out = self.roundtrip(value)
        for key in ("f32", "i8", "b"):
            self.assertEqual((out[key], type(out[key])), (value[key], type(value[key])))
        self.assertEqual(out["t"], value["t"])
        self.assertIsInstance(out["t"][1], tuple)
        self.assertEqual(out["d"], value["d"])
        self.assertIsInstance(out["p"], Projection)
        self.assertEqual(out["p"].axis, 1)
        np.testing.assert_array_equal(out["p"].values, value["p"].values)
        self.assertEqual(out["m"], value["m"])
        self.assertEqual(out["when"], value["when"])
        self.assertEqual((out["raw"], out["none"]), (b"\x00\x01", None))

    def test_dataclasses_rebuild_only_from_the_given_classes(self) -> None:
        data = encode_payload(Projection(axis=2, values=np.zeros(1)))
        self.assertEqual(PayloadDecoder({}).decode(data)["axis"], 2)
        tagged = cbor2.dumps(cbor2.CBORTag(42886, ["os.system", {"x": 1}]))
        self.assertEqual(PayloadDecoder(dataclasses_of(globals())).decode(tagged), {"x": 1})

    def test_refuses_what_it_cannot_carry_naming_the_path(self) -> None:
        with self.assertRaisesRegex(PayloadError, r"a\.b\[1\]"):
            encode_payload({"a": {"b": [1, object()]}})
        with self.assertRaisesRegex(PayloadError, "dtype object"):
            encode_payload({"x": np.array([None], dtype=object)})
        with self.assertRaises(ValueError):
            PayloadDecoder().decode(cbor2.dumps(cbor2.CBORTag(NDARRAY_TAG, ["|O", [1], b"12345678"])))

    def test_typed_arrays_use_rfc8746_tags(self) -> None:
        self.assertEqual(cbor2.loads(encode_payload(np.arange(2, dtype="<u2"))).tag, 69)
        outer = cbor2.loads(encode_payload(np.zeros((2, 2), dtype="<f4")))
        self.assertEqual((outer.tag, outer.value[0], outer.value[1].tag), (40, [2, 2], 85))


if __name__ == "__main__":
    unittest.main()
