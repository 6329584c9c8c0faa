# SPDX-License-Identifier: MIT
"""zkey, verification_key.json, proof.json and public.json against snarkjs's own files."""

from __future__ import annotations

import io
import json
import struct

import pytest

from zkcx.errors import EncodingError, FileFormatError, PointError
from zkcx.field import FrVec
from zkcx.groth16 import read_zkey, write_zkey, zkey_bytes
from zkcx.groth16.json_files import (
    read_proof,
    read_public,
    read_verifying_key,
    write_proof,
    write_public,
    write_verifying_key,
)
from zkcx.params import FR_MODULUS
from zkcx.r1cs import read_r1cs


@pytest.mark.parametrize("name", ["circuit_0000.zkey", "circuit_final.zkey"])
def test_zkey_round_trips_byte_for_byte(vector, name):
    data = (vector / name).read_bytes()
    pk = read_zkey(data)
    assert zkey_bytes(pk) == data
    out = io.BytesIO()
    write_zkey(pk, out)
    assert out.getvalue() == data
    expected = json.loads((vector / "expected.json").read_text())
    assert (pk.n_wires, pk.n_public, pk.domain_size, len(pk.coefs)) == (
        expected["nVars"], expected["nPublic"], expected["domainSize"], expected["coefs_entries"])


def test_zkey_coefficients_are_the_r1cs_plus_input_rows(vector):
    """Section 4 = the A and B terms of the r1cs, then (0, m + s, s, 1) for s <= nPublic
    (docs/formats.md, .zkey): decoded from coef·R² back to the plain coefficients."""
    pk = read_zkey(vector / "circuit_final.zkey")
    r1cs = read_r1cs(vector / "circuit.r1cs")
    m = r1cs.n_constraints
    expected = []
    for row in range(m):
        expected += [(0, row, w, c) for w, c in r1cs.a.row_terms(row)]
        expected += [(1, row, w, c) for w, c in r1cs.b.row_terms(row)]
    expected += [(0, m + s, s, 1) for s in range(pk.n_public + 1)]
    c = pk.coefs
    got = list(zip(c.matrix.tolist(), c.row.tolist(), c.wire.tolist(), c.value.to_ints()))
    assert got == expected


def test_json_files_are_written_exactly_as_snarkjs(vector):
    vk_text = (vector / "verification_key.json").read_text()
    vk = read_verifying_key(vector / "verification_key.json")
    assert write_verifying_key(vk) == vk_text  # vk_alphabeta_12 included
    assert vk == read_zkey(vector / "circuit_final.zkey").verifying_key
    proof_text = (vector / "proof.json").read_text()
    assert write_proof(read_proof(vector / "proof.json")) == proof_text
    public_text = (vector / "public.json").read_text()
    assert write_public(read_public(vector / "public.json")) == public_text


def test_negative_json_cases_are_refused_at_parse_time(vector):
    with pytest.raises(PointError, match="pi_b"):
        read_proof(vector / "negative" / "proof_pi_b_fq2_swapped.json")
    with pytest.raises(EncodingError, match="not below r"):
        read_public(vector / "negative" / "public_noncanonical.json")


def test_corrupt_zkeys_raise_clear_errors(vector):
    data = (vector / "circuit_final.zkey").read_bytes()
    with pytest.raises(FileFormatError):
        read_zkey(data[:-1])
    with pytest.raises(FileFormatError, match="magic|not a zkey"):
        read_zkey(b"ptau" + data[4:])
    pk = read_zkey(data)
    # flip one byte of the first A point's y coordinate: off the curve
    sections = {}
    off = 12
    while off < len(data):
        sid, size = struct.unpack_from("<IQ", data, off)
        sections[sid] = off + 12
        off += 12 + size
    a_at = sections[5]
    bad = bytearray(data)
    nonzero = next(i for i in range(pk.n_wires) if any(data[a_at + 64 * i : a_at + 64 * i + 64]))
    bad[a_at + 64 * nonzero + 40] ^= 1
    with pytest.raises(FileFormatError, match="section 5"):
        read_zkey(bytes(bad))
    # a coefficient value of r or more
    bad = bytearray(data)
    first_value = sections[4] + 4 + 12
    bad[first_value : first_value + 32] = FR_MODULUS.to_bytes(32, "little")
    with pytest.raises(FileFormatError, match="coefs"):
        read_zkey(bytes(bad))
    # a coefficient naming a wire beyond nVars
    bad = bytearray(data)
    bad[sections[4] + 4 + 8 : sections[4] + 4 + 12] = struct.pack("<I", 10**6)
    with pytest.raises(FileFormatError, match="out of range"):
        read_zkey(bytes(bad))
    assert FrVec.ones(1).to_ints() == [1]


def test_bad_json_inputs():
    with pytest.raises(FileFormatError, match="not valid JSON"):
        read_proof(io.StringIO("{"))
    with pytest.raises(FileFormatError, match="missing field 'pi_c'"):
        read_proof({"pi_a": ["1", "2", "1"], "pi_b": [["0", "0"], ["1", "0"], ["0", "0"]],
                    "protocol": "groth16"})
    with pytest.raises(FileFormatError, match="protocol"):
        read_proof({"protocol": "plonk"})
    with pytest.raises(EncodingError, match="entry 1"):
        read_public(["1", "-2"])
    with pytest.raises(FileFormatError, match="list"):
        read_public({"a": 1})
