# SPDX-License-Identifier: MIT
"""The structured reference string of SnarkPack aggregation (eprint 2021/529, section 5):
powers of two independent secrets a and b, as Filecoin takes them from two independent
powers-of-tau ceremonies so that no new trusted setup is needed.

For n proofs the commitment keys are v_i = (h^(a^i), h^(b^i)) in G2 and w_i =
(g^(a^(n+i)), g^(b^(n+i))) in G1, i < n; the KZG openings of the final keys need
g^(a^j), g^(b^j) for j < 2n. A powers-of-tau file of power p holds tau^j·G1 for j <
2^(p+1) - 1 and tau^j·G2 for j < 2^p, so it serves up to n = 2^(p-1) proofs. The
verifier needs only g^a, h^a, g^b, h^b (``AggregationVerifierKey``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from zkcx.curve import G1, G2, G1Vec, G2Prepared, G2Vec, fixed_base_mul
from zkcx.errors import AggregationSRSError, ArgumentTypeError
from zkcx.field import Fr, FrVec
from zkcx.params import FR_MODULUS

#: sections of a .ptau file: tau^j·G1 and tau^j·G2 (zkcx.ceremony.ptau)
_TAU_G1_SECTION = 2
_TAU_G2_SECTION = 3


def _check_size(n: object, what: str = "n") -> int:
    if not isinstance(n, int) or isinstance(n, bool) or n < 2 or n & (n - 1):
        raise AggregationSRSError(f"{what} must be a power of two >= 2 (the largest number of "
                                  f"proofs to aggregate, rounded up), got {n!r}")
    return n


@dataclass(frozen=True, eq=False)
class AggregationVerifierKey:
    """What the verifier of an aggregate needs of the SRS: g^a, h^a, g^b, h^b and the
    largest number of proofs (``size``) the SRS serves."""

    size: int
    g_a: G1
    h_a: G2
    g_b: G1
    h_b: G2

    def prepared_g2(self) -> tuple[G2Prepared, G2Prepared, G2Prepared]:
        """h, h^a, h^b with their Miller-loop lines, made once per key (the verifier's
        fixed G2 points)."""
        cached = self.__dict__.get("_prepared")
        if cached is None:
            cached = (G2Prepared(G2.generator()), G2Prepared(self.h_a), G2Prepared(self.h_b))
            object.__setattr__(self, "_prepared", cached)
        return cached

    def digest(self) -> bytes:
        """SHA-256 of g^a, h^a, g^b, h^b (bound into every aggregate's transcript; not
        of ``size``: SRSs of any size from the same two ceremonies verify alike)."""
        h = hashlib.sha256(b"zkcx-snarkpack-srs-v1")
        for p in (self.g_a, self.h_a, self.g_b, self.h_b):
            h.update(p.montgomery_limbs())
        return h.digest()



@dataclass(frozen=True, eq=False)
class AggregationSRS:
    """The prover's SRS for up to ``size`` proofs: g^(a^j), g^(b^j) for j < 2·size and
    h^(a^j), h^(b^j) for j < size. ``unsafe`` when made by
    ``unsafe_local_aggregation_srs`` (its secrets follow from a seed)."""

    size: int
    g_a_powers: G1Vec
    g_b_powers: G1Vec
    h_a_powers: G2Vec
    h_b_powers: G2Vec
    unsafe: bool = False

    def __post_init__(self) -> None:
        _check_size(self.size, "AggregationSRS.size")
        n = self.size
        for name, cls, count in (("g_a_powers", G1Vec, 2 * n), ("g_b_powers", G1Vec, 2 * n),
                                 ("h_a_powers", G2Vec, n), ("h_b_powers", G2Vec, n)):
            value = getattr(self, name)
            if not isinstance(value, cls) or len(value) != count:
                raise AggregationSRSError(f"AggregationSRS.{name} must be a {cls.__name__} of "
                                          f"{count} points for size {n}")
        if self.g_a_powers[0] != G1.generator() or self.h_a_powers[0] != G2.generator() \
                or self.g_b_powers[0] != G1.generator() or self.h_b_powers[0] != G2.generator():
            raise AggregationSRSError("the SRS powers must start at the BN254 generators "
                                      "(tau^0·G1 and tau^0·G2)")
        if self.g_a_powers[1] == self.g_b_powers[1]:
            raise AggregationSRSError("the two powers-of-tau are the same: SnarkPack needs two "
                                      "independent ceremonies (a != b)")

    def verifier_key(self) -> AggregationVerifierKey:
        """The verifier's part of the SRS."""
        cached = self.__dict__.get("_verifier_key")
        if cached is None:
            cached = AggregationVerifierKey(self.size, self.g_a_powers[1], self.h_a_powers[1],
                                            self.g_b_powers[1], self.h_b_powers[1])
            object.__setattr__(self, "_verifier_key", cached)
        return cached


def aggregation_srs(ptau_a: Any, ptau_b: Any, n: int) -> AggregationSRS:
    """The SRS for up to ``n`` proofs (a power of two) from two powers-of-tau of
    independent ceremonies (``zkcx.ceremony.read_ptau`` objects, e.g. two public
    Hermez/Perpetual Powers of Tau files), each of power >= log2(n) + 1. Only the first
    2n G1 and n G2 powers of each file are read (and checked)."""
    _check_size(n)
    sections = []
    for name, ptau in (("first", ptau_a), ("second", ptau_b)):
        if not hasattr(ptau, "section_points") or not isinstance(getattr(ptau, "power", None),
                                                                  int):
            raise ArgumentTypeError(f"aggregation_srs takes two Ptau objects "
                                    f"(zkcx.ceremony.read_ptau), got {type(ptau).__name__}")
        if 2 * n > 2 * ptau.size - 1:
            raise AggregationSRSError(
                f"the {name} powers-of-tau has power {ptau.power}: it serves at most "
                f"{ptau.size // 2} proofs, {n} asked (use a ptau of power >= "
                f"{n.bit_length()})")
        sections.append((ptau.section_points(_TAU_G1_SECTION, 0, 2 * n),
                         ptau.section_points(_TAU_G2_SECTION, 0, n)))
    (g_a, h_a), (g_b, h_b) = sections
    return AggregationSRS(n, G1Vec.from_montgomery(g_a.limbs.copy()),
                          G1Vec.from_montgomery(g_b.limbs.copy()),
                          G2Vec.from_montgomery(h_a.limbs.copy()),
                          G2Vec.from_montgomery(h_b.limbs.copy()))


def _seeded_secret(seed: bytes, which: bytes) -> Fr:
    k = 0
    while True:
        d = hashlib.sha512(b"zkcx-unsafe-aggregation-srs" + which + seed + bytes([k])).digest()
        value = int.from_bytes(d, "big") % FR_MODULUS
        if value > 1:
            return Fr(value)
        k += 1


def unsafe_local_aggregation_srs(n: int, seed: bytes | str = b"") -> AggregationSRS:
    """UNSAFE, for tests and demos only: an SRS for up to ``n`` proofs whose secrets a, b
    are derived from ``seed``, so anyone who knows the seed can forge aggregates. Use
    ``aggregation_srs`` with two public powers-of-tau files for anything real."""
    _check_size(n)
    if isinstance(seed, str):
        seed = seed.encode()
    if not isinstance(seed, (bytes, bytearray)):
        raise ArgumentTypeError(f"seed is bytes or str, got {type(seed).__name__}")
    a, b = _seeded_secret(bytes(seed), b"a"), _seeded_secret(bytes(seed), b"b")
    pa, pb = FrVec.powers(a, 2 * n), FrVec.powers(b, 2 * n)
    return AggregationSRS(n, fixed_base_mul(G1.generator(), pa),
                          fixed_base_mul(G1.generator(), pb),
                          fixed_base_mul(G2.generator(), pa[:n]),
                          fixed_base_mul(G2.generator(), pb[:n]), unsafe=True)
