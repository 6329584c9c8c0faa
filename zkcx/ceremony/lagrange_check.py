# SPDX-License-Identifier: MIT
"""Whether a prepared ptau's Lagrange sections (12–15) are the Lagrange transform of its
powers (sections 2–5): the one check ``verify_ptau`` runs on every block and
``verify_zkey`` on the blocks a key is made from.

A block of size M of section 10 + k holds L_i = (1/M) sum_(j<M) omega_M^(-ij) T_j for
i < M, the T_j the powers of section k, a power past the section's end taken as the
identity (section 12's block of size 2N, whose top power tau^(2N−1) the file lacks).
For any s in Fr^M and r = intt(s) (r_j = 1/M sum_i s_i omega^(-ij)),

    sum_i s_i L_i = sum_j (1/M sum_i s_i omega^(-ij)) T_j = sum_(j present) r_j T_j,

so a block that differs from the transform by D_i (in any of its M points, the top one
of a truncated block included) makes the two sides differ by sum_i s_i D_i, D_i in the
prime-order group: with the s_i drawn independently from 2^RANDOM_BITS values, fixing
all but one s_i whose D_i is nonzero leaves at most one value of it that passes, so a
wrong block passes with probability at most 2^-RANDOM_BITS. The random weights sit on
the blocks' side (short scalars: the blocks have more points than the powers), the
powers take r (full scalars). ``block_terms`` hands out both sides so that a caller
can fold several such identities (sections of the same base, other random checks over
the same powers) into one MSM a side: a sum of identities with independent weights is
again one, with the same bound (``verify_zkey``).

Several blocks of one section are checked at once (independent weights per block, one
MSM a side); only when that fails are the blocks checked one by one to name the wrong
one. Random values come from the OS (``secrets``): a cheater cannot predict them.

RANDOM_BITS is 64: a wrong block passes one verification with probability 2^-64, the
same bound as the G2 subgroup checks these files get (``zkcx.curve.subgroup``), and the
size of the random weights of common batch verifiers (blst's
``verify_multiple_aggregate_signatures`` with 64 random bits, as Ethereum's consensus
clients call it). The weights are drawn by the verifier after the file is fixed, so a
cheater cannot grind against them: each attempt is one verification someone runs.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import numpy as np

from zkcx.ceremony.ptau import LAGRANGE_SECTIONS, Ptau
from zkcx.curve import CurvePoint, msm
from zkcx.errors import InvalidArgumentError, LagrangeSectionError, UnpreparedPtauError
from zkcx.field import FrVec
from zkcx.params import FR_MODULUS
from zkcx.poly import intt

#: Bits of the random weights of the checks here and in zkey_verify (a wrong block or
#: section passes with probability at most 2^-RANDOM_BITS; module docstring); a
#: multiple of 64.
RANDOM_BITS = 64


def random_scalars(n: int) -> FrVec:
    """n uniform random scalars of ``RANDOM_BITS`` bits, from the OS."""
    words = RANDOM_BITS // 64
    limbs = np.zeros((n, 4), dtype=np.uint64)
    limbs[:, :words] = np.frombuffer(secrets.token_bytes(8 * words * n),
                                     dtype="<u8").reshape(n, words)
    return FrVec.from_canonical_limbs(limbs)


def random_multiplier() -> int:
    """A uniform nonzero scalar of Fr (below r, not ``RANDOM_BITS`` bits), from the OS:
    the multiplier of a whole combination, one scalar multiplication, so its size costs
    nothing (``verify_zkey``)."""
    return secrets.randbelow(FR_MODULUS - 1) + 1


def lagrange_sizes(ptau: Ptau, section: int) -> tuple[int, ...]:
    """Every block size of a prepared section: 1, 2, 4, ... up to 2N for section 12 and
    N for sections 13–15."""
    largest = 2 * ptau.size if section == 12 else ptau.size
    return tuple(1 << k for k in range(largest.bit_length()))


def _checked_sizes(ptau: Ptau, section: int, sizes: Sequence[int]) -> list[int]:
    if section not in LAGRANGE_SECTIONS:
        raise InvalidArgumentError(f"a Lagrange section is one of 12, 13, 14, 15, got "
                                   f"{section!r}")
    if not ptau.is_prepared:
        raise UnpreparedPtauError("this ptau has no Lagrange sections 12-15 to check; run "
                                  "`zkcx ptau prepare` first")
    return sorted(set(sizes))


class PowerCoefficients:
    """The side of a random identity over the first ``count`` powers T_j of a point
    section (2–5) of a ptau: sum_j c_j T_j, the c_j given directly (``add``) or as the
    values v on a domain of size M of the Lagrange points they weigh, sum_i v_i L_i^(M)
    = sum_(j < M) intt(v)_j T_j (``add_values``: summed per size, one inverse NTT each
    when the coefficients are taken; a power at or past ``count`` taken as the
    identity, as the prepared blocks take it)."""

    def __init__(self, ptau: Ptau, section: int, count: int) -> None:
        self.ptau, self.section, self.count = ptau, section, count
        self._coefficients = FrVec.zeros(count)
        self._values: dict[int, FrVec] = {}

    def add(self, coefficients: FrVec) -> None:
        """Add c to the coefficients of the first len(c) powers."""
        k = len(coefficients)
        self._coefficients[:k] = self._coefficients[:k] + coefficients

    def add_values(self, size: int, values: FrVec) -> None:
        """Add the coefficients of sum_i values_i L_i^(size) (values: ``size`` of them,
        kept as they are until the coefficients are taken: not to be changed after)."""
        held = self._values.get(size)
        self._values[size] = values if held is None else held + values

    def coefficients(self) -> FrVec:
        out = self._coefficients
        for size, values in self._values.items():
            k = min(size, self.count)
            out[:k] = out[:k] + intt(values)[:k]
        self._values.clear()
        return out

    def total(self) -> CurvePoint:
        """sum_j c_j T_j (the section's pages given back after)."""
        return weighted_total(self.ptau, [(self.section, 0, self.count, self.coefficients())])


def powers_used(ptau: Ptau, section: int, largest: int) -> int:
    """How many powers of section ``section - 10`` the blocks up to size ``largest`` of
    the Lagrange ``section`` are made from (a block of section 12 of size 2N lacks
    tau^(2N-1))."""
    return min(largest, 2 * ptau.size - 1 if section == 12 else ptau.size)


#: (section, start, stop, weights): sum_i weights_i P_(start + i) over points start..stop
#: - 1 of a point section of a ptau.
Weighted = tuple[int, int, int, FrVec]


def block_terms(ptau: Ptau, section: int, sizes: Sequence[int],
                powers: PowerCoefficients) -> list[Weighted]:
    """Both sides of the random identity (module docstring) of the blocks of ``sizes``
    (distinct powers of two) of the prepared ``section`` (12–15): returns the blocks'
    side, random weights s on their points (consecutive sizes as one run of the
    section's points, one weight vector), and adds s as values into ``powers`` (the
    side of section ``section - 10``, at least ``powers_used`` long). For a correct file
    ``weighted_total`` of the terms equals ``powers.total()``."""
    sizes = _checked_sizes(ptau, section, sizes)
    terms: list[Weighted] = []
    k = 0
    while k < len(sizes):
        run = [sizes[k]]
        while k + 1 < len(sizes) and sizes[k + 1] == 2 * run[-1]:
            k += 1
            run.append(sizes[k])
        k += 1
        weights = random_scalars(2 * run[-1] - run[0])
        terms.append((section, run[0] - 1, 2 * run[-1] - 1, weights))
        for m in run:
            powers.add_values(m, weights[m - run[0] : 2 * m - run[0]])
    return terms


def weighted_total(ptau: Ptau, terms: Sequence[Weighted]) -> CurvePoint:
    """The sum of the terms' MSMs (one group), each block of points read from the ptau
    just before its MSM and its pages given back after (``Ptau.release_pages``)."""
    total = None
    for section, start, stop, weights in terms:
        part = msm(ptau.section_points(section, start, stop), weights)
        ptau.release_pages()
        total = part if total is None else total + part
    if total is None:
        raise InvalidArgumentError("weighted_total takes at least one term")
    return total


def _blocks_hold(ptau: Ptau, section: int, sizes: Sequence[int]) -> bool:
    powers = PowerCoefficients(ptau, section - 10, powers_used(ptau, section, max(sizes)))
    return weighted_total(ptau, block_terms(ptau, section, sizes, powers)) == powers.total()


def check_lagrange_blocks(ptau: Ptau, section: int, sizes: Sequence[int]) -> None:
    """Raise ``LagrangeSectionError``, naming the section and the first wrong block, if
    a block of one of ``sizes`` (distinct powers of two) of the prepared ``section``
    (12–15) of ``ptau`` is not the Lagrange transform of the section's powers (module
    docstring); ``UnpreparedPtauError`` for a file without sections 12–15."""
    sizes = _checked_sizes(ptau, section, sizes)
    if not sizes or _blocks_hold(ptau, section, sizes):
        return
    for m in sizes:
        if not _blocks_hold(ptau, section, [m]):
            raise LagrangeSectionError(
                f"section {section}: the block of size {m} is not the "
                f"Lagrange basis of section {section - 10}'s powers (the file's prepared "
                f"sections were not computed from its powers: prepare it again)")
    raise LagrangeSectionError(f"section {section} is not the "
                               f"Lagrange basis of section {section - 10}'s powers")


def check_lagrange_sections(ptau: Ptau) -> None:
    """``check_lagrange_blocks`` on every block of sections 12–15."""
    for section in LAGRANGE_SECTIONS:
        check_lagrange_blocks(ptau, section, lagrange_sizes(ptau, section))
