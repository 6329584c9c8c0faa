# SPDX-License-Identifier: MIT
"""A quick self-check of the native core against the pure-Python reference, run by
``python -m zkcx`` so a fresh install can show that its build computes correctly."""

from __future__ import annotations

from zkcx.field import FqVec, FrVec
from zkcx.field import reference as ref


def field_selfcheck(n: int = 257, seed: int = 2026) -> list[tuple[str, bool]]:
    """Compare native and reference results for each vector operation on both fields.

    Returns (check name, passed) pairs; n = 257 crosses no thread threshold, so a
    second pass at 5000 elements exercises the multi-threaded loops too."""
    results: list[tuple[str, bool]] = []
    for native_cls, ref_cls in ((FrVec, ref.FrVec), (FqVec, ref.FqVec)):
        name = native_cls.binding.name
        for size in (n, 5000):
            a, b = native_cls.random(size, seed=seed), native_cls.random(size, seed=seed + 1)
            ra, rb = ref_cls(a.to_ints()), ref_cls(b.to_ints())
            checks = {
                "add": (a + b).to_ints() == (ra + rb).to_ints(),
                "sub": (a - b).to_ints() == (ra - rb).to_ints(),
                "mul": (a * b).to_ints() == (ra * rb).to_ints(),
                "dot": int(a @ b) == int(ra @ rb),
                "inverse": a.inverse(zeros="zero").to_ints()
                == ra.inverse(zeros="zero").to_ints(),
            }
            if size == n:  # the reference's ChaCha20 is pure Python: the small size only
                checks["random"] = a.to_ints() == ref_cls.random(size, seed=seed).to_ints()
            for check, ok in checks.items():
                results.append((f"{name} {check} (n={size})", ok))
    return results
