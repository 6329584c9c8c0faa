# SPDX-License-Identifier: MIT
"""Groth16 keys and proofs as zkcx holds them (docs/formats.md: .zkey, JSON).

The proving key mirrors a snarkjs ``.zkey``: header points, IC, the A and B matrix
coefficients (with snarkjs's extra input-consistency rows), and the point vectors A, B1,
B2, C and H, each a native ``G1Vec``/``G2Vec`` — no Python object per point.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from zkcx.curve import G1, G2, GT, G1Vec, G2Prepared, G2Vec, pairing
from zkcx.errors import InvalidKeyError
from zkcx.field import FrVec
from zkcx.params import BN_U
from zkcx.r1cs import SparseMatrix


@dataclass(frozen=True)
class Coefficients:
    """zkey section 4: entries (matrix 0 = A / 1 = B, row, wire, coefficient)."""

    matrix: np.ndarray  # uint8
    row: np.ndarray  # int64
    wire: np.ndarray  # int64
    value: FrVec  # the coefficient (Montgomery limbs as always in FrVec)

    def __len__(self) -> int:
        return self.row.size

    def matrices(self, rows: int, wires: int) -> tuple[SparseMatrix, SparseMatrix]:
        """The A and B matrices (``rows`` x ``wires``) in CSR form."""
        out = []
        for which in (0, 1):
            sel = self.matrix == which
            out.append(SparseMatrix.from_coo([(self.row[sel], self.wire[sel],
                                               self.value[sel])], rows, wires))
        return out[0], out[1]


@dataclass(frozen=True, eq=False)
class VerifyingKey:
    """alpha_1, beta_2, gamma_2, delta_2 and IC (n_public + 1 points)."""

    alpha_1: G1
    beta_2: G2
    gamma_2: G2
    delta_2: G2
    ic: tuple[G1, ...]

    @property
    def n_public(self) -> int:
        return len(self.ic) - 1

    def alphabeta(self):
        """snarkjs's vk_alphabeta_12: e(alpha, beta)^(2u(6u^2 + 3u + 1)), a fixed power
        of the textbook pairing that its final exponentiation returns (docs/formats.md, JSON)."""
        u = BN_U
        return pairing(self.alpha_1, self.beta_2) ** (2 * u * (6 * u * u + 3 * u + 1))

    def digest(self) -> str:
        """Kernel id: SHA-256 over the key's points in zkey encoding (hex). Computed once
        per key (the key is immutable)."""
        cached = self.__dict__.get("_digest")
        if cached is None:
            h = hashlib.sha256(b"zkcx-groth16-vk-v1")
            for p in (self.alpha_1, self.beta_2, self.gamma_2, self.delta_2, *self.ic):
                h.update(p.montgomery_limbs())
            cached = h.hexdigest()
            object.__setattr__(self, "_digest", cached)
        return cached

    def __getstate__(self) -> dict:
        """Pickle the key's fields, not the caches (the pairing value is native memory)."""
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def prepared_g2(self) -> tuple[G2Prepared, G2Prepared, G2Prepared]:
        """beta_2, gamma_2 and delta_2 as ``G2Prepared``, once per key: the verifier's
        Miller loops for gamma and delta (and a batch's for beta) then skip their G2
        arithmetic."""
        cached = self.__dict__.get("_prepared")
        if cached is None:
            cached = (G2Prepared(self.beta_2), G2Prepared(self.gamma_2),
                      G2Prepared(self.delta_2))
            object.__setattr__(self, "_prepared", cached)
        return cached

    def alpha_beta_pairing(self) -> GT:
        """e(alpha_1, beta_2) as ``zkcx.curve.pairing`` computes it, once per key: the
        verifier compares against it instead of pairing alpha and beta every time."""
        cached = self.__dict__.get("_alpha_beta")
        if cached is None:
            cached = pairing(self.alpha_1, self.beta_2)
            object.__setattr__(self, "_alpha_beta", cached)
        return cached

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VerifyingKey):
            return NotImplemented
        return self.digest() == other.digest()

    def __hash__(self) -> int:
        return hash(self.digest())


def check_verifying_key(vk: VerifyingKey, what: str = "verifying key") -> None:
    """Refuse (``InvalidKeyError``, naming the point) a key under which false statements
    verify: alpha_1, beta_2, gamma_2 or delta_2 at infinity (with gamma at infinity the
    proof (alpha, beta, infinity) verifies for every public input; with alpha or beta at
    infinity, (infinity, anything, infinity) whenever the IC sum's pairing term is 1...),
    gamma_2 = delta_2 (C = -IC sum and (alpha, beta) verify anything) or gamma_2 = beta_2
    (A = alpha + IC sum, B = beta, C = infinity), or an IC point at infinity (its public
    input is not bound by the proof)."""
    for name, point in (("alpha_1", vk.alpha_1), ("beta_2", vk.beta_2),
                        ("gamma_2", vk.gamma_2), ("delta_2", vk.delta_2)):
        if point.is_identity():
            raise InvalidKeyError(f"{what}: {name} is the point at infinity; proofs of false "
                                  f"statements would verify under this key")
    if vk.gamma_2 == vk.delta_2:
        raise InvalidKeyError(f"{what}: gamma_2 equals delta_2 (a phase-2 key without a "
                              f"contribution?); any statement would verify under this key")
    if vk.gamma_2 == vk.beta_2:
        raise InvalidKeyError(f"{what}: gamma_2 equals beta_2; any statement would verify "
                              f"under this key")
    check_no_identity(vk.ic, "IC", what)


def check_no_identity(points, section: str, what: str) -> None:
    """``InvalidKeyError`` naming the first point at infinity among ``points`` (IC points:
    one at infinity leaves its public input unbound; an honest setup never makes one)."""
    for i, point in enumerate(points):
        if point.is_identity():
            raise InvalidKeyError(f"{what}: {section}[{i}] is the point at infinity; its "
                                  f"public signal would not be bound by the proof")


@dataclass(frozen=True, eq=False)
class ProvingKey:
    """Everything a prover needs (zkey sections 1–9) plus the MPC transcript
    (section 10) kept as bytes so a key read from a file writes back identically."""

    n_wires: int
    n_public: int
    domain_size: int
    alpha_1: G1
    beta_1: G1
    beta_2: G2
    gamma_2: G2
    delta_1: G1
    delta_2: G2
    ic: G1Vec
    coefs: Coefficients
    a: G1Vec
    b1: G1Vec
    b2: G2Vec
    c: G1Vec
    h: G1Vec
    contributions: bytes = b""
    section_order: tuple[int, ...] = field(default=tuple(range(1, 11)))

    def __getstate__(self) -> dict:
        """Pickle the key's fields (the point sections' values, also for a key mapped from
        a file), not the caches nor the mapped file."""
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def attach_source(self, source) -> None:
        """Record the file this key's sections are views of (``read_zkey`` of a path):
        an object whose ``check_unchanged()`` raises once the file changed on disk."""
        object.__setattr__(self, "_source", source)

    def check_unchanged(self) -> None:
        """For a key read by mapping its file: ``KeyFileChangedError`` if the file's size
        or modification time changed since (its points are used in place, and a truncated
        mapped file kills the reading process with SIGBUS). One ``fstat``; nothing to do
        for keys held in memory."""
        source = self.__dict__.get("_source")
        if source is not None:
            source.check_unchanged()

    def release_pages(self) -> None:
        """For a key read by mapping its file: drop the file's pages from this process's
        resident memory (``madvise(MADV_DONTNEED)``; they stay in the page cache, shared
        with other processes, and are mapped in again on the next read at the cost of a
        minor page fault). ``read_zkey`` calls it after validating the points, so a
        prover's peak memory holds only the sections read since; a prover may call it
        between its MSMs. Nothing to do for keys held in memory."""
        source = self.__dict__.get("_source")
        if source is not None:
            source.release_pages()

    def coefficient_matrices(self) -> tuple[SparseMatrix, SparseMatrix]:
        """The A and B coefficient matrices (zkey section 4, snarkjs's input-consistency
        rows included) in CSR form, rows = domain rows; built once per key (in C straight
        from section 4's bytes for a key read from a zkey) and cached. Checks first that a
        mapped key's file did not change (``check_unchanged``): the prover calls this
        before every proof."""
        self.check_unchanged()
        cached = self.__dict__.get("_matrices")
        if cached is None:
            cached = self.coefs.matrices(self.domain_size, self.n_wires)
            object.__setattr__(self, "_matrices", cached)
        return cached

    @property
    def verifying_key(self) -> VerifyingKey:
        """The verifying key, made once per proving key (so its caches, the digest and
        e(alpha, beta), serve every proof's self-check)."""
        vk = self.__dict__.get("_verifying_key")
        if vk is None:
            vk = VerifyingKey(self.alpha_1, self.beta_2, self.gamma_2, self.delta_2,
                              tuple(self.ic))
            object.__setattr__(self, "_verifying_key", vk)
        return vk


@dataclass(frozen=True)
class Proof:
    """pi_a (G1), pi_b (G2), pi_c (G1)."""

    a: G1
    b: G2
    c: G1
