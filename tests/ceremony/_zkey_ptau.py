# SPDX-License-Identifier: MIT
"""The test vectors' prepared ptau files for the phase-2 tests, read with
``zkcx.ceremony.ptau.read_ptau``."""

from __future__ import annotations

import functools
import pathlib

import pytest

VECTORS = pathlib.Path(__file__).resolve().parents[1] / "vectors"
NAMES = ("multiplier", "matmul4", "poseidon2")


@functools.cache
def vector_ptau(name: str):
    """The prepared ptau of vector ``name`` (cached: the tests only read it)."""
    ptau_module = pytest.importorskip("zkcx.ceremony.ptau",
                                      reason="the ptau reader has not landed in this branch")
    return ptau_module.read_ptau(VECTORS / name / "pot_final.ptau")


def assert_matches_rebuilt_key(r1cs, ptau, pk):
    """The key is in every section the one ``zkey new`` rebuilds from ``ptau`` (and its
    contribution rescaled C and H rightly): only checking the ptau's blocks against
    its powers tells it apart."""
    from zkcx.ceremony import new_zkey, transcript_of
    from zkcx.ceremony import zkey_verify as zkey_verify_module

    init = new_zkey(r1cs, ptau)
    transcript = transcript_of(pk)
    zkey_verify_module._check_matches(pk, init, transcript, transcript_of(init).cs_hash)
    zkey_verify_module._check_deltas(pk, transcript)
    zkey_verify_module._check_scaled(pk.c, init.c, pk.delta_2, 8, "C")
    zkey_verify_module._check_scaled(pk.h, init.h, pk.delta_2, 9, "H")
