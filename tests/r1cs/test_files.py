# SPDX-License-Identifier: MIT
"""circom .r1cs and .wtns: the snarkjs vectors, round trips and corrupt files."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import pytest

from tests.vectors import SNARKJS_VECTORS, VECTORS
from zkcx.errors import FileFormatError
from zkcx.field import FrVec
from zkcx.io import binfile
from zkcx.params import FR_MODULUS
from zkcx.r1cs import ConstraintSystem, read_r1cs, read_wtns, write_r1cs, write_wtns


@pytest.mark.parametrize("vector", SNARKJS_VECTORS)
def test_vectors_read_and_are_satisfied(vector):
    folder = VECTORS / vector
    expected = json.loads((folder / "expected.json").read_text())
    r1cs = read_r1cs(folder / "circuit.r1cs")
    w = read_wtns(folder / "witness.wtns")
    assert r1cs.n_constraints == expected["nConstraints"]
    assert r1cs.n_wires == expected["nVars"] == len(w)
    assert r1cs.n_public == expected["nPublic"]
    assert (r1cs.n_pub_out, r1cs.n_pub_in, r1cs.n_prv_in) == (
        expected["nOutputs"], expected["nPubInputs"], expected["nPrvInputs"])
    r1cs.check(w)
    assert w[1 : 1 + r1cs.n_public].to_ints() == [int(s) for s in expected["public_signals"]]
    # the JSON export of the same files agrees term by term
    exported = json.loads((folder / "circuit.r1cs.json").read_text())
    for row in (0, r1cs.n_constraints - 1):
        for mat, lc in zip((r1cs.a, r1cs.b, r1cs.c), exported["constraints"][row]):
            assert sorted(mat.row_terms(row)) == sorted((int(k), int(v)) for k, v in lc.items())
    values = json.loads((folder / "witness.json").read_text())
    assert w.to_ints() == [int(v) for v in values]
    bad = w.copy()
    bad[len(w) - 1] = bad[len(w) - 1] + 1
    assert not r1cs.is_satisfied(bad)


@pytest.mark.parametrize("vector", SNARKJS_VECTORS)
def test_writing_reproduces_circoms_sections(vector):
    folder = VECTORS / vector
    original = (folder / "circuit.r1cs").read_bytes()
    out = io.BytesIO()
    write_r1cs(read_r1cs(original), out)
    mine = binfile.parse(out.getvalue(), b"r1cs", 1)
    theirs = binfile.parse(original, b"r1cs", 1)
    for section in (1, 2, 3):  # circom writes section 2 first; the contents are equal
        assert bytes(mine.section(section)) == bytes(theirs.section(section))
    out = io.BytesIO()
    write_wtns(read_wtns(folder / "witness.wtns"), out)
    assert out.getvalue() == (folder / "witness.wtns").read_bytes()


def test_built_system_round_trips_through_files(tmp_path):
    cs = ConstraintSystem()
    x, y = cs.private_input(), cs.public_input()
    z = cs.mul(x, y + 3)
    out = cs.output()
    cs.assert_equal(z * 2 - 1, out)
    r1cs = cs.build()
    w = r1cs.solve({x: 4, y: 5, out: 63})
    r1cs.check(w)
    write_r1cs(r1cs, tmp_path / "c.r1cs")
    write_wtns(w, tmp_path / "w.wtns")
    back, wb = read_r1cs(tmp_path / "c.r1cs"), read_wtns(tmp_path / "w.wtns")
    assert (back.n_wires, back.n_public, back.n_constraints) == (5, 2, 2)
    back.check(wb)
    assert wb.equals(w.values)
    # coefficients come back canonical, negatives as r - k
    assert any(c == FR_MODULUS - 1 for _, c in back.c.row_terms(1) + back.a.row_terms(1))


def _corrupt(data: bytes, offset: int, value: bytes) -> bytes:
    return data[:offset] + value + data[offset + len(value):]


def test_corrupt_files_raise_clear_errors():
    data = (VECTORS / "multiplier" / "circuit.r1cs").read_bytes()
    cases = {
        "magic": _corrupt(data, 0, b"wtns"),
        "version": _corrupt(data, 4, struct.pack("<I", 9)),
        "truncated": data[:-5],
        "trailing": data + b"\x00",
        "section size": _corrupt(data, 16, struct.pack("<Q", 10**6)),
    }
    for what, bad in cases.items():
        with pytest.raises(FileFormatError):
            read_r1cs(bad)
        assert what
    r1cs = read_r1cs(data)
    w = io.BytesIO()
    write_r1cs(r1cs, w)
    good = w.getvalue()
    header_at = good.index(b"\x01\x00\x00\x00\x40\x00\x00\x00\x00\x00\x00\x00") + 12
    with pytest.raises(FileFormatError, match="not the BN254 scalar field"):
        read_r1cs(_corrupt(good, header_at + 4, b"\x02"))
    wt = (VECTORS / "multiplier" / "witness.wtns").read_bytes()
    with pytest.raises(FileFormatError, match="bytes of values"):
        read_wtns(_corrupt(wt, wt.index(b"\x04\x00\x00\x00", 40), struct.pack("<I", 5)))
    with pytest.raises(FileFormatError, match="not below r"):
        read_wtns(wt[:-32] + FR_MODULUS.to_bytes(32, "little"))
    with pytest.raises(FileFormatError):
        read_wtns(data)


def test_custom_gates_and_bad_wires_are_refused():
    cs = ConstraintSystem()
    a = cs.private_input()
    cs.constrain(a, a, a)
    buf = io.BytesIO()
    write_r1cs(cs.build(), buf)
    f = binfile.parse(buf.getvalue(), b"r1cs", 1)
    sections = [(k, bytes(v[0])) for k, v in f.sections.items()]
    with pytest.raises(FileFormatError, match="custom-gate"):
        read_r1cs(binfile.build(b"r1cs", 1, [*sections, (4, b"")]))
    body = bytearray(f.section(2))
    body[4:8] = struct.pack("<I", 77)  # first term's wire: out of range
    with pytest.raises(FileFormatError, match="wire 77"):
        read_r1cs(binfile.build(b"r1cs", 1, [(1, bytes(f.section(1))), (2, bytes(body))]))
    assert np.array_equal(FrVec.from_ints([1, 2]).to_canonical_limbs()[:, 0], [1, 2])


def test_bad_constraint_sections_name_what_is_wrong():
    """The constraint scan (native) refuses a term count running past the section, bytes
    after the last constraint and a coefficient not below r, and names each."""
    cs = ConstraintSystem()
    a = cs.private_input()
    cs.constrain(a, a, a)
    cs.constrain(a, a, a)
    buf = io.BytesIO()
    write_r1cs(cs.build(), buf)
    f = binfile.parse(buf.getvalue(), b"r1cs", 1)
    header, body = bytes(f.section(1)), bytes(f.section(2))
    rebuilt = [(k, bytes(v[0])) for k, v in f.sections.items() if k not in (1, 2)]

    def with_body(new_body: bytes) -> bytes:
        return binfile.build(b"r1cs", 1, [(1, header), (2, new_body), *rebuilt])

    assert read_r1cs(with_body(body)).n_constraints == 2
    second_c = len(body) - 40  # the last combination: u32 count 1, one 36-byte term
    assert struct.unpack_from("<I", body, second_c)[0] == 1
    with pytest.raises(FileFormatError, match="truncated in constraint 1"):
        read_r1cs(with_body(_corrupt(body, second_c, struct.pack("<I", 2))))
    with pytest.raises(FileFormatError, match="36 stray bytes"):
        read_r1cs(with_body(body + body[-36:]))
    with pytest.raises(FileFormatError, match="not below r"):
        read_r1cs(with_body(_corrupt(body, len(body) - 32, FR_MODULUS.to_bytes(32, "little"))))
