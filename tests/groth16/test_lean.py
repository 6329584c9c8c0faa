# SPDX-License-Identifier: MIT
"""The numpy-free prover (``zkcx.groth16.lean``, what ``zkcx prove KEY WTNS`` runs)
against the numpy path: the same proofs for the same blinding (and snarkjs's
deterministic proof for r = s = 0), the same files byte for byte, the same errors for
the same bad keys and witnesses, and prove-then-verify on random small circuits."""

from __future__ import annotations

import dataclasses
import json
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.groth16.conftest import zkey_sections
from zkcx.curve import G2Vec
from zkcx.errors import (
    FileFormatError,
    InconsistentKeyError,
    InvalidKeyError,
    KeyFileChangedError,
    UnsatisfiedWitnessError,
    WitnessError,
)
from zkcx.field import FqVec, FrVec
from zkcx.groth16 import prove, read_zkey, setup, verify, write_proof, write_public, zkey_bytes
from zkcx.groth16.json_files import proof_json
from zkcx.groth16.lean import prove_lean, read_key, read_witness
from zkcx.groth16.prove import _proof
from zkcx.params import FR_MODULUS
from zkcx.r1cs import ConstraintSystem, read_wtns, write_wtns


def _wtns(values: FrVec) -> bytes:
    import io

    buf = io.BytesIO()
    write_wtns(values, buf)
    return buf.getvalue()


def test_lean_proofs_equal_the_numpy_paths_for_the_same_blinding(keyed):
    r1cs, witness, pk = keyed
    key, wit = read_key(zkey_bytes(pk)), read_witness(_wtns(witness.values))
    for blinding in ((0, 0), (1, 2), (FR_MODULUS - 1, 12345), (2**255, 7)):
        lean = prove_lean(key, wit, blinding=blinding)
        proof, public = prove(pk, witness, blinding=blinding)
        assert _proof(lean.points) == proof
        assert lean.public == public
        assert verify(pk.verifying_key, lean.public, _proof(lean.points))
    fresh = [prove_lean(key, wit).points for _ in range(2)]
    assert fresh[0] != fresh[1]  # fresh blinding every time


def test_lean_reproduces_snarkjs_deterministic_proof_and_files(vector, tmp_path):
    key = read_key(vector / "circuit_final.zkey")
    proof = prove_lean(key, read_witness(vector / "witness.wtns"), blinding=(0, 0))
    assert proof_json(_proof(proof.points)) == json.loads(
        (vector / "deterministic" / "proof_r0_s0.json").read_text())
    # the files byte for byte as write_proof and write_public write them
    proof.write(tmp_path / "proof.json", tmp_path / "public.json")
    write_proof(_proof(proof.points), tmp_path / "numpy_proof.json")
    write_public(proof.public, tmp_path / "numpy_public.json")
    assert (tmp_path / "proof.json").read_bytes() == (tmp_path / "numpy_proof.json").read_bytes()
    assert (tmp_path / "public.json").read_bytes() == (
        tmp_path / "numpy_public.json").read_bytes()
    assert json.loads((tmp_path / "public.json").read_text()) == json.loads(
        (vector / "public.json").read_text())


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 6), st.integers(0, 3), st.lists(st.integers(0, 2**256), min_size=8,
                                                      max_size=8),
       st.tuples(st.integers(0, FR_MODULUS - 1), st.integers(0, FR_MODULUS - 1)))
def test_random_small_circuits_prove_and_verify_through_the_native_prover(steps, publics,
                                                                          raw, blinding):
    """A chain of products x_{i+1} = x_i · y_i (+ some public outputs), random values:
    the lean proof verifies and equals the numpy path's."""
    cs = ConstraintSystem("chain")
    outs = [cs.output(f"o{i}") for i in range(publics)]
    xs = [cs.private_input("x0")]
    ys = [cs.private_input(f"y{i}") for i in range(steps)]
    for i in range(steps):
        nxt = cs.private_input(f"x{i + 1}")
        cs.constrain(xs[-1], ys[i], nxt)
        xs.append(nxt)
    for o in outs:
        cs.constrain(xs[-1], 1, o)
    r1cs = cs.build()
    values = {xs[0]: raw[0] % FR_MODULUS}
    acc = values[xs[0]]
    for i in range(steps):
        values[ys[i]] = raw[1 + i] % FR_MODULUS
        acc = acc * values[ys[i]] % FR_MODULUS
        values[xs[i + 1]] = acc
    for o in outs:
        values[o] = acc
    witness = r1cs.solve(values)
    pk = setup(r1cs)
    lean = prove_lean(read_key(zkey_bytes(pk)), read_witness(_wtns(witness.values)),
                      blinding=blinding)
    assert verify(pk.verifying_key, lean.public, _proof(lean.points))
    assert _proof(lean.points) == prove(pk, witness, blinding=blinding)[0]


def _error(call, *args):
    try:
        call(*args)
    except Exception as exc:  # noqa: BLE001 - compared by class and message
        return type(exc), str(exc)
    return None


def _corruptions(data: bytes) -> dict[str, bytes]:
    """Bad variants of a zkey: each section's payload offset found by its header."""
    sections = zkey_sections(data)
    out = {"truncated": data[:-5], "magic": b"zkez" + data[4:], "extra": data + b"\0",
           "short": data[:40]}
    flip = bytearray(data)
    flip[sections[5] + 64 + 3] ^= 0x40  # an A point off the curve
    out["A point"] = bytes(flip)
    header = bytearray(data)
    header[sections[2] + 84 : sections[2] + 84 + 64] = bytes(64)  # alpha_1 at infinity
    out["alpha at infinity"] = bytes(header)
    coefs = bytearray(data)
    coefs[sections[4] + 4 + 8 : sections[4] + 4 + 12] = struct.pack("<I", 1 << 30)  # a wire
    out["coef wire"] = bytes(coefs)
    ic = bytearray(data)
    ic[sections[3] : sections[3] + 64] = bytes(64)
    out["IC at infinity"] = bytes(ic)
    b2 = bytearray(data)
    b2[sections[7] + 128 * 1 + 5] ^= 1
    out["B2 point"] = bytes(b2)
    return out


def test_bad_keys_raise_the_errors_read_zkey_raises(keyed):
    _, _, pk = keyed
    for what, data in _corruptions(zkey_bytes(pk)).items():
        expected = _error(read_zkey, data)
        assert expected is not None, what
        assert expected[0] in (FileFormatError, InvalidKeyError), what
        assert _error(read_key, data) == expected, what


def test_bad_witnesses_raise_the_errors_read_wtns_and_prove_raise(keyed):
    _, witness, pk = keyed
    key, good = read_key(zkey_bytes(pk)), _wtns(witness.values)
    above = bytearray(good)
    above[-32:] = FR_MODULUS.to_bytes(32, "little")
    for data in (good[:-1], b"wtnx" + good[4:], bytes(above)):
        expected = _error(read_wtns, data)
        assert expected is not None and expected[0] is FileFormatError
        assert _error(read_witness, data) == expected
    short = FrVec.from_ints(witness.values.to_ints()[:-1])
    for values in (short, FrVec.from_ints([2, *witness.values.to_ints()[1:]])):
        expected = _error(prove, pk, values)
        assert expected is not None and expected[0] is WitnessError
        assert _error(prove_lean, key, read_witness(_wtns(values))) == expected
    wrong = witness.values.to_ints()
    wrong[-1] += 1
    with pytest.raises(UnsatisfiedWitnessError, match="B2 points were checked"):
        prove_lean(key, read_witness(_wtns(FrVec.from_ints(wrong))))


def test_a_bad_b2_point_is_named(keyed, curve_twist_point):
    _, witness, pk = keyed
    values = witness.values.to_ints()
    wire = max(i for i in range(pk.n_wires) if values[i] and pk.b2.limbs[i].any())
    limbs = pk.b2.limbs.copy()
    limbs[wire] = FqVec.from_ints(list(curve_twist_point)).limbs.reshape(-1)
    bad = zkey_bytes(dataclasses.replace(pk, b2=G2Vec(limbs, check_subgroup=False)))
    with pytest.raises(InconsistentKeyError, match=f"B2 point {wire} "):
        prove_lean(read_key(bad), read_witness(_wtns(witness.values)))


def test_a_key_file_changed_on_disk_is_refused(keyed, tmp_path):
    _, witness, pk = keyed
    path = tmp_path / "k.zkey"
    path.write_bytes(zkey_bytes(pk))
    key, wit = read_key(path), read_witness(_wtns(witness.values))
    prove_lean(key, wit)
    with open(path, "ab") as fh:
        fh.write(b"\0" * 8)
    with pytest.raises(KeyFileChangedError, match="changed on disk"):
        prove_lean(key, wit)


def test_a_mapped_key_proves_the_same_after_its_pages_are_dropped(keyed, tmp_path):
    """Each MSM drops its section's pages (madvise on the mapping): they come back from
    the page cache, so the next proof is the same; memory the process owns is never
    handed to C as droppable."""
    from zkcx._bindings import ffi

    _, witness, pk = keyed
    path = tmp_path / "k.zkey"
    path.write_bytes(zkey_bytes(pk))
    mapped, in_memory = read_key(path), read_key(zkey_bytes(pk))
    wit = read_witness(_wtns(witness.values))
    assert mapped.prover._key.mapped_start != ffi.NULL
    assert in_memory.prover._key.mapped_start == ffi.NULL
    proofs = [prove_lean(key, wit, blinding=(3, 4)).points
              for key in (mapped, mapped, in_memory, mapped)]
    assert len(set(proofs)) == 1
