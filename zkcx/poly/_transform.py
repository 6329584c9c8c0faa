# SPDX-License-Identifier: MIT
"""Number-theoretic transforms of ``FrVec`` over a domain, in the native core.

With omega the domain's generator, n its size and a vector a_0 .. a_(n-1):

* ``ntt``:        A_i = sum_j a_j omega^(ij)             (coefficients -> evaluations)
* ``intt``:       a_j = n^-1 sum_i A_i omega^(-ij)       (evaluations -> coefficients)
* ``coset_ntt``:  A_i = sum_j a_j (g omega^i)^j = P(g omega^i), P(X) = sum_j a_j X^j
* ``coset_intt``: the coefficients of P from its values on the coset g H.

Each returns a new vector; the input is not modified. The work runs in C (radix-2,
cache-blocked, multi-threaded with ``zkcx.set_threads``, AVX-512 IFMA where the CPU has
it), with the GIL released.
"""

from __future__ import annotations

from zkcx._bindings import fr_coset_ntt, fr_ntt, ptr
from zkcx.errors import ArgumentTypeError, DomainError, FieldMismatchError
from zkcx.field import Fq, FqVec, Fr, FrVec
from zkcx.poly._domain import Domain


def check_frvec(vec: object, what: str = "vector") -> FrVec:
    """``vec`` itself if it is an FrVec; FieldMismatchError for an FqVec, else TypeError."""
    if isinstance(vec, FrVec):
        return vec
    if isinstance(vec, FqVec):
        raise FieldMismatchError(f"{what} is an FqVec; transforms work over Fr (FrVec)")
    raise ArgumentTypeError(f"{what} must be an FrVec, got {type(vec).__name__}")


def domain_for(vec: FrVec, domain: Domain | None) -> Domain:
    """The domain a transform of ``vec`` runs over: ``domain`` if given (its size must
    equal the length), else the domain of size len(vec) (a power of two)."""
    n = len(vec)
    if domain is None:
        try:
            return Domain(n)
        except DomainError as exc:
            raise DomainError(f"cannot transform a vector of length {n}: {exc}") from None
    if not isinstance(domain, Domain):
        raise ArgumentTypeError(f"domain must be a Domain or None, got {type(domain).__name__}")
    if domain.size != n:
        raise DomainError(f"vector of length {n} does not match {domain!r} of size {domain.size}")
    return domain


def as_shift(shift: object) -> Fr:
    """A coset shift as an Fr: an Fr or a canonical int, and never zero."""
    if isinstance(shift, Fr):
        g = shift
    elif isinstance(shift, int) and not isinstance(shift, bool):
        g = Fr(shift)  # FieldRangeError outside [0, r)
    elif isinstance(shift, Fq):
        raise FieldMismatchError("the coset shift is an Fq element; it must be an Fr")
    else:
        raise ArgumentTypeError(f"the coset shift must be an Fr or int, got {type(shift).__name__}")
    if g.is_zero():
        raise DomainError("the coset shift must be non-zero (g H is a coset only for g != 0)")
    return g


def _transform(
    vec: object, domain: Domain | None, inverse: bool, coset: bool = False, shift: object = None
) -> FrVec:
    v = check_frvec(vec)
    d = domain_for(v, domain)
    g = as_shift(shift) if coset else None
    out = v.limbs.copy()  # the native transform works in place (arguments are checked
    # above, so the bindings raise only if its twiddle tables cannot be allocated)
    if g is None:
        fr_ntt(ptr(out), d.size, d.omega._c, int(inverse))
    else:
        fr_coset_ntt(ptr(out), d.size, d.omega._c, g._c, int(inverse))
    return FrVec._wrap(out)


def ntt(vec: FrVec, domain: Domain | None = None) -> FrVec:
    """Evaluate on the domain: A_i = sum_j a_j omega^(ij) = P(omega^i), i < n, where
    P(X) = sum_j a_j X^j. ``domain`` defaults to Domain(len(vec))."""
    return _transform(vec, domain, inverse=False)


def intt(vec: FrVec, domain: Domain | None = None) -> FrVec:
    """Interpolate: the coefficients a_j = n^-1 sum_i A_i omega^(-ij) of the polynomial
    of degree < n with P(omega^i) = A_i. The inverse of ``ntt``."""
    return _transform(vec, domain, inverse=True)


def coset_ntt(vec: FrVec, shift: Fr | int, domain: Domain | None = None) -> FrVec:
    """Evaluate on the coset g H: A_i = P(g omega^i) = sum_j (a_j g^j) omega^(ij), the
    NTT of the coefficients scaled by powers of g (non-zero)."""
    return _transform(vec, domain, inverse=False, coset=True, shift=shift)


def coset_intt(vec: FrVec, shift: Fr | int, domain: Domain | None = None) -> FrVec:
    """The coefficients of the polynomial of degree < n whose values on g H are ``vec``:
    a_j = g^-j n^-1 sum_i A_i omega^(-ij). The inverse of ``coset_ntt``."""
    return _transform(vec, domain, inverse=True, coset=True, shift=shift)
