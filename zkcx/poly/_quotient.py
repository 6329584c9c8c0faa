# SPDX-License-Identifier: MIT
"""The Groth16 quotient exactly as snarkjs's prover computes it (docs/formats.md, QAP)."""

from __future__ import annotations

import numpy as np

from zkcx._bindings import fr_qap_quotient, ptr
from zkcx.errors import LengthMismatchError
from zkcx.field import Fr, FrVec
from zkcx.poly._domain import Domain
from zkcx.poly._transform import as_shift, check_frvec, domain_for


def qap_quotient(
    a_evals: FrVec, b_evals: FrVec, c_evals: FrVec, shift: Fr | int | None = None, *,
    overwrite: bool = False,
) -> FrVec:
    """snarkjs's H scalars from the evaluations of A, B, C on the n-domain H.

    With A, B, C the polynomials of degree < n through the given values (a_j = A(omega^j),
    ...) and g = omega_2n (``Domain(n).qap_shift``; 25 when n = 2^28):

        h_i = A(g omega^i) B(g omega^i) - C(g omega^i),   i = 0 .. n-1,

    the values of p = AB - C at the odd points omega_2n^(2i+1) of the 2n-domain, in that
    order, with no division by Z(X) = X^n - 1. p vanishes on H (for a satisfying witness)
    and has degree < 2n, so it is determined by these n values; the H section of a snarkjs
    zkey holds exactly the matching Lagrange points, and sum_i h_i H_i is the quotient
    term of the proof. ``shift`` overrides g (non-zero). The inputs are not modified,
    unless ``overwrite`` is true: then the work runs in their memory (no copies), the
    result is ``a_evals``'s memory and all three inputs are garbage afterwards (for a
    caller that made them for this call only, e.g. the prover).

    One native call: per polynomial an inverse NTT, the scaling by n^-1 g^j and a forward
    NTT, chained without permutation passes, the last stage fused with h = A'B' - C'.
    """
    a = check_frvec(a_evals, "a_evals")
    b = check_frvec(b_evals, "b_evals")
    c = check_frvec(c_evals, "c_evals")
    if not len(a) == len(b) == len(c):
        raise LengthMismatchError(
            f"a_evals, b_evals and c_evals must have equal lengths, got {len(a)}, {len(b)} "
            f"and {len(c)}"
        )
    domain: Domain = domain_for(a, None)
    g = domain.qap_shift if shift is None else as_shift(shift)
    x, y, z = _work_arrays((a.limbs, b.limbs, c.limbs), overwrite)  # y, z: scratch in C
    fr_qap_quotient(ptr(x), ptr(y), ptr(z), domain.size, g._c)
    return FrVec._wrap(x)


def _work_arrays(arrays: tuple[np.ndarray, ...], overwrite: bool) -> list[np.ndarray]:
    """The arrays the native quotient works in: copies, or with ``overwrite`` the given
    arrays themselves where that is safe (writable, contiguous, sharing no memory with
    another input), else a copy of that one."""
    out: list[np.ndarray] = []
    for arr in arrays:
        usable = (overwrite and arr.flags.writeable and arr.flags.c_contiguous
                  and not any(np.may_share_memory(arr, o) for o in out))
        out.append(arr if usable else arr.copy())
    return out
