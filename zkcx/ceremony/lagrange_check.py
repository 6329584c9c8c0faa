# SPDX-License-Identifier: MIT
"""Whether a prepared ptau's Lagrange sections (12–15) are the Lagrange transform of its
powers (sections 2–5): the one check ``verify_ptau`` runs on every block and
``verify_zkey`` on the blocks a key is made from.

A block of size M of section 10 + k holds L_i = (1/M) sum_(j<M) omega_M^(-ij) T_j for
i < M, the T_j the powers of section k, a power past the section's end taken as the
identity (section 12's block of size 2N, whose top power tau^(2N−1) the file lacks).
For any r in Fr^M and s = ntt(r) (s_i = sum_j r_j omega^(ij)),

    sum_i s_i L_i = sum_j (1/M sum_i s_i omega^(-ij)) T_j = sum_(j present) r_j T_j,

so a wrong block (in any of its M points, the top one of a truncated block included)
makes the two sides differ by sum_j r_j D_j for some nonzero D: with r_j drawn from
2^RANDOM_BITS values it passes with probability at most 2^-RANDOM_BITS (and the MSM over
the powers takes short scalars).
Several blocks of one section are checked at once with independent r per block, one
MSM a side; only when that fails are the blocks checked one by one to name the wrong
one. Random values come from the OS (``secrets``): a cheater cannot predict them.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import numpy as np

from zkcx.ceremony.ptau import LAGRANGE_SECTIONS, Ptau
from zkcx.curve import PointVector, msm
from zkcx.errors import InvalidArgumentError, LagrangeSectionError, UnpreparedPtauError
from zkcx.field import FrVec
from zkcx.poly import ntt

#: Bits of the random coefficients of the checks here and in zkey_verify (a wrong
#: block or section passes with probability about 2^-RANDOM_BITS).
RANDOM_BITS = 128


def random_scalars(n: int) -> FrVec:
    """n uniform random scalars of ``RANDOM_BITS`` bits, from the OS."""
    words = RANDOM_BITS // 64
    limbs = np.zeros((n, 4), dtype=np.uint64)
    limbs[:, :words] = np.frombuffer(secrets.token_bytes(8 * words * n),
                                     dtype="<u8").reshape(n, words)
    return FrVec.from_canonical_limbs(limbs)


def lagrange_sizes(ptau: Ptau, section: int) -> tuple[int, ...]:
    """Every block size of a prepared section: 1, 2, 4, ... up to 2N for section 12 and
    N for sections 13–15."""
    largest = 2 * ptau.size if section == 12 else ptau.size
    return tuple(1 << k for k in range(largest.bit_length()))


def check_lagrange_blocks(ptau: Ptau, section: int, sizes: Sequence[int]) -> None:
    """Raise ``LagrangeSectionError``, naming the section and the first wrong block, if
    a block of one of ``sizes`` (distinct powers of two) of the prepared ``section``
    (12–15) of ``ptau`` is not the Lagrange transform of the section's powers (module
    docstring); ``UnpreparedPtauError`` for a file without sections 12–15."""
    if section not in LAGRANGE_SECTIONS:
        raise InvalidArgumentError(f"a Lagrange section is one of 12, 13, 14, 15, got "
                                   f"{section!r}")
    if not ptau.is_prepared:
        raise UnpreparedPtauError("this ptau has no Lagrange sections 12-15 to check; run "
                                  "`zkcx ptau prepare` first")
    sizes = sorted(set(sizes))
    if not sizes:
        return
    # the powers the blocks use (a block of section 12 of size 2N lacks tau^(2N-1))
    available = 2 * ptau.size - 1 if section == 12 else ptau.size
    powers: PointVector = ptau.section_points(section - 10, 0, min(sizes[-1], available))
    blocks = [ptau.lagrange_block(section, m) for m in sizes]
    combined = FrVec.zeros(len(powers))
    checks = []
    for m, block in zip(sizes, blocks):
        r = random_scalars(m)
        present = min(m, len(powers))
        combined[:present] = combined[:present] + r[:present]
        checks.append((m, block, r[:present], ntt(r)))
    if sizes == [1 << k for k in range(len(sizes))]:  # every block up to the largest
        points = ptau.section_points(section, 0, 2 * sizes[-1] - 1)
    else:
        points = type(powers).concatenate(blocks)
    weights = FrVec.concatenate([s for _, _, _, s in checks])
    if msm(powers[: len(combined)], combined) == msm(points, weights):
        return
    for m, block, r, s in checks:
        if msm(powers[: len(r)], r) != msm(block, s):
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
