# SPDX-License-Identifier: MIT
"""The test data shipped in this folder (where each file comes from: SOURCES.md beside
this module). Every test that reads a vector takes its path from here."""

from __future__ import annotations

import importlib.util
import pathlib
from types import ModuleType

#: This folder: one subfolder per snarkjs vector, and evm/.
VECTORS = pathlib.Path(__file__).resolve().parent
#: The snarkjs/circom Groth16 runs, smallest circuit first.
SNARKJS_VECTORS = ("multiplier", "matmul4", "poseidon2")
#: go-ethereum's test vectors for the BN254 precompiles (0x06, 0x07, 0x08).
EVM_VECTORS = VECTORS / "evm"


def curve_vector_generator() -> ModuleType:
    """native/tests/gen_curve_vectors.py loaded as a module: the plain-integer helpers the
    C harness's vectors come from (py_ecc must be installed; callers skip without it)."""
    path = VECTORS.parents[1] / "native" / "tests" / "gen_curve_vectors.py"
    spec = importlib.util.spec_from_file_location("gen_curve_vectors", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
