# SPDX-License-Identifier: MIT
"""``prepare_ptau``: the Lagrange sections 12–15 phase 2 reads, byte-identical to
``snarkjs powersoftau prepare phase2``.

For every domain size M = 2^k (k = 0 … p, and k = p + 1 for section 12) the block of M
points L_i^(M)(tau)·Base is the inverse group NTT of the first M powers
(``zkcx.curve.ifft``, in C); the blocks are concatenated smallest first. Section 2 has
only 2N − 1 powers, so section 12's block of size 2N takes tau^(2N−1) as the identity,
as snarkjs does (docs/formats.md, .ptau)."""

from __future__ import annotations

from collections.abc import Callable

from zkcx.ceremony.ptau import Ptau
from zkcx.curve import PointVector, ifft
from zkcx.errors import ArgumentTypeError, InvalidArgumentError

Progress = Callable[[int, int, str], None]

#: the largest power whose section 12 (blocks up to 2^(p+1)) fits Fr's 2^28 roots
MAX_PREPARED_POWER = 27


def lagrange_section(powers: PointVector, top: int, extra_block: bool = False,
                     progress: Progress | None = None, what: str = "") -> PointVector:
    """The blocks ifft(powers[:2^k]) for k = 0 … top, concatenated (2^(top+1) − 1 points);
    with ``extra_block`` one more of size 2^(top+1) built from all the powers followed by
    the identity (section 12)."""
    vec_type = type(powers)
    sizes = [1 << k for k in range(top + 1)] + ([1 << (top + 1)] if extra_block else [])
    total = 2 * sizes[-1] - 1
    blocks = []
    for m in sizes:
        block = powers[:m]
        if len(block) < m:  # section 12's top block: tau^(2N-1) is not in the file
            block = vec_type.concatenate([block, vec_type.identities(m - len(block))])
        blocks.append(ifft(block))
        if progress:
            progress(2 * m - 1, total, what)
    return vec_type.concatenate(blocks)


def prepare_ptau(ptau: Ptau, progress: Progress | None = None) -> Ptau:
    """The ptau with its Lagrange sections 12–15 (re)computed from its powers; sections
    2–7 are kept and the header's ceremony power becomes the power, as snarkjs writes
    it. Powers up to 27 (section 12 then needs the 2^28-point domain)."""
    if not isinstance(ptau, Ptau):
        raise ArgumentTypeError(f"expected a Ptau, got {type(ptau).__name__}")
    if ptau.power > MAX_PREPARED_POWER:
        raise InvalidArgumentError(f"a ptau of power {ptau.power} cannot be prepared: its "
                                   f"section 12 would need a domain of 2^{ptau.power + 1} "
                                   f"points, beyond Fr's 2^28")
    p = ptau.power

    def step(what: str) -> Progress | None:
        if progress is None:
            return None
        return lambda done, total, _: progress(done, total, what)

    return Ptau(
        power=p, ceremony_power=p, tau_g1=ptau.tau_g1, tau_g2=ptau.tau_g2,
        alpha_tau_g1=ptau.alpha_tau_g1, beta_tau_g1=ptau.beta_tau_g1, beta_g2=ptau.beta_g2,
        contributions=ptau.contributions,
        lagrange_g1=lagrange_section(ptau.tau_g1, p, True, step("Lagrange tau·G1")),
        lagrange_g2=lagrange_section(ptau.tau_g2, p, False, step("Lagrange tau·G2")),
        lagrange_alpha_g1=lagrange_section(ptau.alpha_tau_g1, p, False,
                                           step("Lagrange alpha·tau·G1")),
        lagrange_beta_g1=lagrange_section(ptau.beta_tau_g1, p, False,
                                          step("Lagrange beta·tau·G1")),
    )
