# SPDX-License-Identifier: MIT
"""The snarkjs vectors (tests/vectors) and the small demo circuit, for the Groth16 tests."""

from __future__ import annotations

import pathlib
import struct

import pytest

from tests.vectors import SNARKJS_VECTORS, VECTORS, curve_vector_generator
from zkcx.r1cs import ConstraintSystem


def demo_circuit(name: str = "demo"):
    """out = x·y·k + x with k public (two public signals: out, k): the R1CS and its
    variables (x, y, k, out)."""
    cs = ConstraintSystem(name)
    x, y = cs.private_input("x"), cs.private_input("y")
    k = cs.public_input("k")
    out = cs.output("out")
    cs.assert_equal(cs.mul(x, y) * k + x, out, "out")
    return cs.build(), (x, y, k, out)


@pytest.fixture(params=SNARKJS_VECTORS)
def vector(request) -> pathlib.Path:
    return VECTORS / request.param


@pytest.fixture(scope="session")
def curve_twist_point():
    """A point of the twist curve outside G2 (from the curve tests' helper script)."""
    import random

    pytest.importorskip("py_ecc")
    return curve_vector_generator().random_twist_point(random.Random(8))


@pytest.fixture(scope="module")
def keyed():
    """(r1cs, its solved witness, a key from ``setup``) of the demo circuit; the test
    modules that need the circuit's variables instead define their own ``keyed``."""
    from zkcx.groth16 import setup

    r1cs, (x, y, k, out) = demo_circuit()
    witness = r1cs.solve({x: 3, y: 4, k: 5, out: 63})
    return r1cs, witness, setup(r1cs)


def zkey_sections(data: bytes) -> dict[int, int]:
    """Section id -> offset of its payload in a zkey's bytes, walking the container's
    section headers (id u32, size u64)."""
    out, off = {}, 12
    while off < len(data):
        sid, size = struct.unpack_from("<IQ", data, off)
        out[sid] = off + 12
        off += 12 + size
    return out
