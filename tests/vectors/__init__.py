# SPDX-License-Identifier: MIT
"""The test data shipped in this folder (where each file comes from: SOURCES.md beside
this module). Every test that reads a vector takes its path from here."""

from __future__ import annotations

import pathlib

#: This folder: one subfolder per snarkjs vector, and evm/.
VECTORS = pathlib.Path(__file__).resolve().parent
#: The snarkjs/circom Groth16 runs, smallest circuit first.
SNARKJS_VECTORS = ("multiplier", "matmul4", "poseidon2")
#: go-ethereum's test vectors for the BN254 precompiles (0x06, 0x07, 0x08).
EVM_VECTORS = VECTORS / "evm"
