# SPDX-License-Identifier: MIT
"""Evaluation domains: the subgroups of 2-power order of Fr*, with the roots of unity of
snarkjs/ffjavascript (docs/formats.md, "Roots of unity")."""

from __future__ import annotations

from zkcx.field import MAX_LOG_SIZE, Fr, FrVec, log2_of_size
from zkcx.params import FR_MODULUS, FR_ROOT_OF_UNITY_GENERATOR

#: ffjavascript's ``shift = nqr^2``: the coset shift snarkjs's prover takes when the
#: domain already has size 2^28 and omega_(2n) does not exist (docs/formats.md, QAP).
QAP_SHIFT_AT_MAX_SIZE = FR_ROOT_OF_UNITY_GENERATOR**2


def root_of_unity(size: int) -> int:
    """omega_N = 5^((r-1)/N) mod r as a plain integer: ffjavascript's primitive N-th root
    of unity (its w[k] = w[28]^(2^(28-k)) with w[28] = 5^((r-1)/2^28) is the same number).
    """
    return pow(FR_ROOT_OF_UNITY_GENERATOR, (FR_MODULUS - 1) // size, FR_MODULUS)


class Domain:
    """The multiplicative subgroup H = {omega^i : 0 <= i < n} of Fr*, n = 2^k <= 2^28.

    ``omega`` is snarkjs's generator omega_n = 5^((r-1)/n) (5 is the least quadratic
    non-residue of Fr), so index i of a vector over the domain always means the point
    omega^i, the same Lagrange basis snarkjs uses. The vanishing polynomial of H is
    Z(X) = X^n - 1.
    """

    __slots__ = ("_log", "_omega")

    def __init__(self, size: int) -> None:
        self._log = log2_of_size(size)
        self._omega = Fr(root_of_unity(size))

    @property
    def size(self) -> int:
        """n, the number of points."""
        return 1 << self._log

    @property
    def log_size(self) -> int:
        """k = log2(n)."""
        return self._log

    @property
    def omega(self) -> Fr:
        """omega_n, the generator of the domain: omega^n = 1, omega^(n/2) = -1."""
        return self._omega

    @property
    def generator(self) -> Fr:
        """The same as ``omega``."""
        return self._omega

    @property
    def omega_inv(self) -> Fr:
        """omega^-1 = omega^(n-1)."""
        return self._omega.inverse()

    @property
    def size_inv(self) -> Fr:
        """n^-1 in Fr, the scale of the inverse transform."""
        return Fr(self.size).inverse()

    @property
    def qap_shift(self) -> Fr:
        """The coset shift g of snarkjs's Groth16 quotient (docs/formats.md, QAP): omega_2n, so
        that g omega^i = omega_2n^(2i+1) are the odd points of the 2n-domain; 25 when
        n = 2^28, where omega_2n does not exist."""
        if self._log == MAX_LOG_SIZE:
            return Fr(QAP_SHIFT_AT_MAX_SIZE)
        return Fr(root_of_unity(2 * self.size))

    def element(self, i: int) -> Fr:
        """omega^i (any integer i, taken mod n)."""
        return self._omega ** (i % self.size)

    def elements(self) -> FrVec:
        """[1, omega, omega^2, ..., omega^(n-1)], the points in index order."""
        return FrVec.powers(self._omega, self.size)

    def vanishing(self, x: Fr | int) -> Fr:
        """Z(x) = x^n - 1, zero exactly on the domain."""
        return Fr(x) ** self.size - Fr.one()

    def __len__(self) -> int:
        return self.size

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Domain):
            return NotImplemented
        return self._log == other._log

    def __hash__(self) -> int:
        return hash(("Domain", self._log))

    def __repr__(self) -> str:
        return f"Domain(2^{self._log})"
