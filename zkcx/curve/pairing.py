# SPDX-License-Identifier: MIT
"""The optimal ate pairing e: G1 x G2 -> GT on BN254 (native Miller loop and final
exponentiation), products of pairings, and Ethereum's pairing check (EIP-197)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from zkcx._lib import ffi, lib
from zkcx.curve._point import G1, G2, GT
from zkcx.field._binding import ptr as _ptr


def _pack(pairs: Iterable[tuple[G1, G2]]) -> tuple[np.ndarray, np.ndarray, int]:
    g1s: list[bytes] = []
    g2s: list[bytes] = []
    for i, pair in enumerate(pairs):
        try:
            p, q = pair
        except (TypeError, ValueError):
            raise TypeError(f"pair {i} is not a (G1, G2) tuple") from None
        if not isinstance(p, G1) or not isinstance(q, G2):
            raise TypeError(
                f"pair {i} must be (G1, G2), got ({type(p).__name__}, {type(q).__name__})"
            )
        g1s.append(p.montgomery_limbs())
        g2s.append(q.montgomery_limbs())
    a = np.frombuffer(b"".join(g1s), dtype=np.uint64).copy()
    b = np.frombuffer(b"".join(g2s), dtype=np.uint64).copy()
    return a, b, len(g1s)


def pairing(p: G1, q: G2) -> GT:
    """e(P, Q) = f_{6u+2,Q}(P)^((p^12 - 1)/r), the reduced optimal ate pairing (the
    textbook value, as py_ecc computes it; snarkjs prints a fixed power of it)."""
    if not isinstance(p, G1) or not isinstance(q, G2):
        raise TypeError(f"pairing takes (G1, G2), got ({type(p).__name__}, {type(q).__name__})")
    out = ffi.new("uint64_t[48]")
    # The points' own native buffers: no packing for the single pair.
    if lib.zkcx_pairing(out, p._c, q._c) != 0:  # pragma: no cover - validated points
        raise ValueError("native pairing rejected its input")
    return GT._wrap(out)


def multi_pairing(pairs: Iterable[tuple[G1, G2]]) -> GT:
    """prod_i e(P_i, Q_i), sharing one Miller loop's squarings and one final
    exponentiation. The empty product is GT.one()."""
    a, b, n = _pack(pairs)
    out = ffi.new("uint64_t[48]")
    if n == 0:
        lib.zkcx_fq12_one(out)
        return GT._wrap(out)
    rc = lib.zkcx_multi_pairing(out, _ptr(a), _ptr(b), n)
    if rc != 0:  # pragma: no cover - points are validated on construction
        raise ValueError("native pairing rejected its input")
    return GT._wrap(out)


def pairing_check(pairs: Iterable[tuple[G1, G2]]) -> bool:
    """Whether prod_i e(P_i, Q_i) = 1, as Ethereum's pairing precompile (0x08)
    defines it; True for an empty list."""
    a, b, n = _pack(pairs)
    if n == 0:
        return True
    rc = lib.zkcx_pairing_check(_ptr(a), _ptr(b), n)
    if rc < 0:  # pragma: no cover - points are validated on construction
        raise ValueError("native pairing check rejected its input")
    return rc == 1
