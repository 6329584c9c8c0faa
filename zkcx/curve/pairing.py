# SPDX-License-Identifier: MIT
"""The optimal ate pairing e: G1 x G2 -> GT on BN254 (native Miller loop and final
exponentiation), products of pairings, and Ethereum's pairing check (EIP-197)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from zkcx import _bindings as native
from zkcx._bindings import new_words, ptr, words_bytes
from zkcx.curve._point import G1, G2, GT
from zkcx.errors import ArgumentTypeError


class G2Prepared:
    """A G2 point with the line coefficients of its Miller loop computed once (as
    arkworks' ``G2Prepared`` and gnark's precomputed lines): products of pairings that
    reuse a fixed Q, such as a verifying key's gamma and delta, then skip Q's G2
    arithmetic. Pass it wherever a pair takes a G2 point. Immutable; pickles as its
    point."""

    __slots__ = ("point", "_lines")

    def __init__(self, point: G2) -> None:
        if not isinstance(point, G2):
            raise ArgumentTypeError(f"G2Prepared takes a G2 point, got {type(point).__name__}")
        object.__setattr__(self, "point", point)
        lines = None
        if not point.is_identity():   # the identity's pairs contribute 1: no lines
            lines = new_words(native.g2_prepared_words())
            native.g2_prepare(lines, point._c)
        object.__setattr__(self, "_lines", lines)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("G2Prepared is immutable")

    def __reduce__(self) -> tuple:
        return (G2Prepared, (self.point,))

    def __repr__(self) -> str:
        return f"G2Prepared({self.point!r})"


def _pack(pairs: Iterable[tuple[G1, G2 | G2Prepared]]):
    """(ordinary G1 limbs, G2 limbs, n, prepared pairs' G1 limbs, their lines, m)."""
    g1s: list[bytes] = []
    g2s: list[bytes] = []
    pg1s: list[bytes] = []
    lines: list[bytes] = []
    for i, pair in enumerate(pairs):
        try:
            p, q = pair
        except (TypeError, ValueError):
            raise ArgumentTypeError(f"pair {i} is not a (G1, G2) tuple") from None
        if not isinstance(p, G1) or not isinstance(q, (G2, G2Prepared)):
            raise ArgumentTypeError(
                f"pair {i} must be (G1, G2), got ({type(p).__name__}, {type(q).__name__})"
            )
        if isinstance(q, G2Prepared):
            if q._lines is not None:
                pg1s.append(p.montgomery_limbs())
                lines.append(words_bytes(q._lines))
            continue
        g1s.append(p.montgomery_limbs())
        g2s.append(q.montgomery_limbs())
    a = np.frombuffer(b"".join(g1s), dtype=np.uint64).copy()
    b = np.frombuffer(b"".join(g2s), dtype=np.uint64).copy()
    c = np.frombuffer(b"".join(pg1s), dtype=np.uint64).copy()
    d = np.frombuffer(b"".join(lines), dtype=np.uint64).copy()
    return a, b, len(g1s), c, d, len(pg1s)


def _product(pairs: Iterable[tuple[G1, G2 | G2Prepared]]) -> GT:
    a, b, n, c, d, m = _pack(pairs)
    out = new_words(native.GT_WORDS)
    if n == 0 and m == 0:
        native.fq12_one(out)
    elif m == 0:
        native.multi_pairing(out, ptr(a), ptr(b), n)
    else:
        native.multi_pairing_prepared(out, ptr(a), ptr(b), n, ptr(c), ptr(d), m)
    return GT._wrap(out)


def pairing(p: G1, q: G2) -> GT:
    """e(P, Q) = f_{6u+2,Q}(P)^((p^12 - 1)/r), the reduced optimal ate pairing (the
    textbook value, as py_ecc computes it; snarkjs prints a fixed power of it)."""
    if not isinstance(p, G1) or not isinstance(q, G2):
        raise ArgumentTypeError(f"pairing takes (G1, G2), got ({type(p).__name__}, "
                                f"{type(q).__name__})")
    out = new_words(native.GT_WORDS)
    native.pairing(out, p._c, q._c)  # the points' own buffers: no packing for one pair
    return GT._wrap(out)


def multi_pairing(pairs: Iterable[tuple[G1, G2 | G2Prepared]]) -> GT:
    """prod_i e(P_i, Q_i), sharing one Miller loop's squarings and one final
    exponentiation; each Q_i a G2 point or a ``G2Prepared``. The empty product is
    GT.one()."""
    return _product(pairs)


def pairing_check(pairs: Iterable[tuple[G1, G2 | G2Prepared]]) -> bool:
    """Whether prod_i e(P_i, Q_i) = 1, as Ethereum's pairing precompile (0x08)
    defines it; True for an empty list. Each Q_i a G2 point or a ``G2Prepared``."""
    return _product(pairs).is_one()
