# SPDX-License-Identifier: MIT
"""The one Groth16 prover of both Python paths, without numpy: a key's tables for the
native orchestration ``zkcx_groth16_prove`` (native/src/groth16_prove.c: A·w and B·w,
the quotient, the five MSMs and their combination in one call, the GIL released), the
proof's self-check under the key's own verifying key (one native pairing check), the
diagnosis of a failed proof, and the blinding.

``zkcx.groth16.prove`` builds a ``NativeProver`` from a ``ProvingKey``'s numpy arrays
(cached on the key); ``zkcx.groth16.lean`` builds one from a mapped zkey's sections
(``zkey_layout``), so ``zkcx prove`` never imports numpy. The prover keeps a reference
to every buffer it points into (the key's arrays or the file's mapping).

A prover proving many times builds fixed-base tables of its key's H points
(``NativeProver.use_h_tables``, ``zkcx.curve.MsmTables``' layout): the H MSM, about two
thirds of a proof's work with a small witness, then takes about a fifth less CPU. The
tables cost about as much CPU as TABLES_AFTER proofs save (docs/performance.md), so, as
in the ski-rental rule, ``prove`` builds them at a key's TABLES_AFTER-th proof in the
process, and ``prove_many`` before a batch that reaches that count; never beyond
``get_table_memory()`` bytes for all live provers' tables together (default 256 MiB,
about 1 kB a domain point: one key up to a 2^17 domain, or several smaller ones; a
prover's tables are freed with it). ``zkcx prove`` proves once and never builds them."""

from __future__ import annotations

import mmap
import os
import threading
import weakref
from typing import Any

from zkcx._bindings import (
    FR_BINDING,
    G1_BINDING,
    G2_BINDING,
    GT_WORDS,
    aligned_words,
    ffi,
    fq12_is_one,
    g2_prepare,
    g2_prepared_words,
    g2_vec_first_invalid,
    groth16_prove,
    msm_tables_count,
    msm_tables_window,
    multi_pairing_prepared,
    new_groth16_key,
    new_words,
    pointer,
    points_gather,
    points_nonidentity,
    words_from_bytes,
)
from zkcx._config import SETTINGS
from zkcx.errors import InconsistentKeyError, InvalidArgumentError, UnsatisfiedWitnessError
from zkcx.params import FR_MODULUS

#: a key's header points the prover and its self-check use (Montgomery bytes)
KEY_POINTS = ("alpha_1", "beta_1", "beta_2", "gamma_2", "delta_1", "delta_2")

_table_memory = SETTINGS.table_memory  # ZKCX_TABLE_MEMORY_MB, 256 MiB by default
_tables_held = 0  # bytes of H tables that live provers hold
_TABLES_LOCK = threading.Lock()  # one build at a time; guards _tables_held

#: proofs of one key after which its H tables are built (their CPU cost in proofs saved:
#: ~0.9 s against ~13 ms a proof at 2^16 on the development machine, session 12)
TABLES_AFTER = 64


def set_table_memory(nbytes: int) -> None:
    """The most memory the H tables of all live provers may take together
    (``NativeProver.use_h_tables``); 0 turns the tables off for keys that have none yet
    (tables already built are kept until their prover goes). The environment's
    ``ZKCX_TABLE_MEMORY_MB`` sets it at import (docs/configuration.md)."""
    global _table_memory
    if not isinstance(nbytes, int) or isinstance(nbytes, bool) or nbytes < 0:
        raise InvalidArgumentError(f"the table memory is a number of bytes >= 0, got "
                                   f"{nbytes!r}")
    _table_memory = nbytes


def get_table_memory() -> int:
    """The most memory all H tables may take together, in bytes (``set_table_memory``)."""
    return _table_memory


def table_memory_held() -> int:
    """Bytes of H tables the live provers hold now."""
    return _tables_held


def _release_tables(nbytes: int) -> None:
    global _tables_held
    with _TABLES_LOCK:
        _tables_held -= nbytes


def random_scalar() -> int:
    """A uniform integer in [0, r) from the operating system's CSPRNG (``os.urandom``, as
    ``secrets`` draws; ``secrets`` itself would load hashlib and OpenSSL at start-up):
    254 random bits, drawn again when not below r (about one time in five)."""
    while True:
        value = int.from_bytes(os.urandom(32), "little") >> 2
        if value < FR_MODULUS:
            return value


def blinding_pair(blinding: tuple[int, int] | None) -> tuple[int, int]:
    """(r, s): fresh (``random_scalar``), or the given pair reduced mod r (tests only)."""
    if blinding is None:
        return random_scalar(), random_scalar()
    return blinding[0] % FR_MODULUS, blinding[1] % FR_MODULUS


class NativeProver:
    """One key's tables for ``zkcx_groth16_prove``: sizes, header points, the A and B
    coefficient matrices (CSR: row_ptr, col, Montgomery coef), the point vectors A, B1,
    B2, C, H and IC (buffers: numpy arrays, views of a mapping or native buffers). A, B1
    and B2 are kept as their non-identity points when those are at most half of them (a
    circom circuit's A and B vectors are about 95% identities): gathered once here, in C.
    ``mapping``, the file mapping (``mmap``) the vectors are views of, lets C drop each
    vector's pages from resident memory after its MSM (a buffer the process owns is never
    handed over: DONTNEED would zero it). ``sparse=False`` keeps the whole vectors (tests:
    the proof must not change)."""

    def __init__(self, *, n_wires: int, n_public: int, domain_size: int,
                 points: dict[str, bytes], matrices: tuple[Any, ...], a: Any, b1: Any,
                 b2: Any, c: Any, h: Any, ic: Any, mapping: Any = None,
                 sparse: bool = True) -> None:
        self.n_wires, self.n_public, self.domain_size = n_wires, n_public, domain_size
        keep: list[Any] = [a, b1, b2, c, h, ic, matrices, mapping]
        key = new_groth16_key()
        key.n_wires, key.n_public, key.domain = n_wires, n_public, domain_size
        self._points = {what: words_from_bytes(points[what], 16 if what.endswith("2") else 8)
                        for what in KEY_POINTS}
        for what in ("alpha_1", "beta_1", "beta_2", "delta_1", "delta_2"):
            setattr(key, what, self._points[what])
        a_row, a_col, a_coef, b_row, b_col, b_coef = (
            pointer(m, "int64_t[]" if k % 3 != 2 else "uint64_t[]")
            for k, m in enumerate(matrices))
        keep += [a_row, a_col, a_coef, b_row, b_col, b_coef]
        key.a_row_ptr, key.a_col, key.a_coef = a_row, a_col, a_coef
        key.b_row_ptr, key.b_col, key.b_coef = b_row, b_col, b_coef
        self.sparse: dict[str, bool] = {}
        for name, vec, words in (("a", a, 8), ("b1", b1, 8), ("b2", b2, 16)):
            index, count = points_nonidentity(vec, n_wires, words)
            self.sparse[name] = sparse and 2 * count <= n_wires
            if self.sparse[name]:
                vec_ptr = points_gather(vec, index, count, words)
                setattr(key, f"{name}_index", index)
            else:
                vec_ptr, count = pointer(vec), n_wires
            keep += [vec_ptr, index]
            setattr(key, f"{name}_points", vec_ptr)
            setattr(key, f"{name}_count", count)
        c_ptr, h_ptr, ic_ptr = pointer(c), pointer(h), pointer(ic)
        keep += [c_ptr, h_ptr, ic_ptr]
        key.c_points, key.h_points, key.ic_points = c_ptr, h_ptr, ic_ptr
        if isinstance(mapping, mmap.mmap):
            span = ffi.from_buffer(mapping)
            keep.append(span)
            key.mapped_start, key.mapped_length = span, len(span)
        self._b2 = b2
        self._key, self._keep = key, keep
        self.proofs = 0  # proofs started: H's tables are built at TABLES_AFTER
        self._prepare_check()

    @property
    def h_table_bytes(self) -> int:
        """The memory of H's tables, 0 when the prover has none."""
        if self._key.h_tables == ffi.NULL:
            return 0
        return 64 * msm_tables_count(self._key.h_table_c) * self.domain_size

    def use_h_tables(self, limit: int | None = None) -> bool:
        """Build the fixed-base tables of the key's H points once, when they fit within
        ``limit`` bytes (default ``get_table_memory()``) together with the tables other
        live provers hold: row i = [2^(c j)] H_i for the ceil(255/c) windows of a scalar,
        so that every later proof's H MSM fills one bucket set (``zkcx.curve.MsmTables``);
        a proof is the same group element either way. Returns whether the prover has
        them. Tables come from the points the key was validated with, and every proof is
        still checked by ``holds``."""
        global _tables_held
        limit = get_table_memory() if limit is None else limit
        with _TABLES_LOCK:
            if self._key.h_tables != ffi.NULL:
                return True
            n = self.domain_size
            c = msm_tables_window(n)
            words = msm_tables_count(c) * n * 8
            if _tables_held + 8 * words > limit:
                return False
            owner, tables = aligned_words(words)
            G1_BINDING.msm_tables_build(tables, self._key.h_points, n, c)
            self._keep.append(owner)
            # c before the pointer: a proof running in another thread reads both (x86
            # keeps stores in order), and a pointer without its c would be refused
            self._key.h_table_c = c
            self._key.h_tables = tables
            _tables_held += 8 * words
            weakref.finalize(self, _release_tables, 8 * words)
            return True

    def _prepare_check(self) -> None:
        """The self-check's per-key part (``holds``): the Miller-loop lines of the fixed
        G2 points gamma, delta and beta, computed once (``zkcx_g2_prepare``), and
        -alpha_1. A pair whose G2 point is the identity contributes 1 and is left out,
        as ``curve.G2Prepared`` does."""
        words = g2_prepared_words()
        self._fixed = [what for what in ("gamma_2", "delta_2", "beta_2")
                       if any(self._points[what])]
        self._lines = new_words(max(1, len(self._fixed)) * words)
        for k, what in enumerate(self._fixed):
            g2_prepare(self._lines + k * words, self._points[what])
        self._neg_alpha = new_words(8)
        G1_BINDING.neg(self._neg_alpha, self._points["alpha_1"])

    def prove(self, w: Any, r: int, s: int) -> tuple[bytes, bytes, bytes, bytes]:
        """(pi_a, pi_b, pi_c, vk_x) as Montgomery limbs, from the witness (a buffer of
        n_wires Montgomery scalars, checked by the caller: w_0 = 1) and the blinding (ints
        < r); vk_x = IC_0 + sum w_i IC_i is for ``holds`` (computed in the same native
        call, beside the witness MSMs)."""
        return groth16_prove(self._key, pointer(w), r, s)

    def holds(self, proof: tuple[bytes, bytes, bytes, bytes]) -> bool:
        """Whether the proof ``prove`` returned verifies under the key's own verifying key
        for its public values (vk_x, the fourth element):
        e(A, B) e(-vk_x, gamma) e(-C, delta) e(-alpha, beta) = 1, one native
        multi-pairing whose gamma, delta and beta pairs use the lines prepared once per
        key."""
        pi_a, pi_b, pi_c, vk_x = proof
        negated = {"gamma_2": vk_x, "delta_2": pi_c}
        g1p = new_words(8 * max(1, len(self._fixed)))
        for k, what in enumerate(self._fixed):
            if what == "beta_2":
                ffi.memmove(g1p + 8 * k, self._neg_alpha, 64)
            else:
                G1_BINDING.neg(g1p + 8 * k, words_from_bytes(negated[what], 8))
        out = new_words(GT_WORDS)
        multi_pairing_prepared(out, words_from_bytes(pi_a, 8), words_from_bytes(pi_b, 16), 1,
                               g1p, self._lines, len(self._fixed))
        return bool(fq12_is_one(out))

    def first_b2_outside_subgroup(self) -> int | None:
        """``first_b2_outside_subgroup`` of the key's B2 points."""
        return first_b2_outside_subgroup(self._b2, self.n_wires)


def first_b2_outside_subgroup(b2: Any, n: int) -> int | None:
    """The index of the first of the n B2 points (zkey section 7; any buffer) outside the
    subgroup G2, or None. The readers check every point's curve equation but B2's
    subgroup only on request (a scalar multiplication a point); here one G2 MSM with
    random weights (native ChaCha20 under a key from ``os.urandom``) decides first: a sum of
    subgroup points stays in the subgroup, and a point outside it survives random weights
    but with probability about 1/10069 (the cofactor's smallest prime); only then are the
    points checked one by one to name the bad one."""
    if n == 0:
        return None
    points = pointer(b2)
    weights = ffi.new("uint64_t[]", 4 * n)
    FR_BINDING.vec_random(weights, n, os.urandom(32), 0)
    total = new_words(16)
    G2_BINDING.msm(total, points, weights, n)
    if g2_vec_first_invalid(total, True, 1) < 0:
        return None
    bad = g2_vec_first_invalid(points, True, n)
    return None if bad < 0 else bad


def proof_failure(bad_b2: int | None, checked_witness: bool) -> Exception:
    """The error for a proof that failed its self-check: a bad B2 point named (the index
    ``first_b2_outside_subgroup`` found), else a corrupt key (the witness was checked
    against the R1CS), else the witness blamed."""
    if bad_b2 is not None:
        return InconsistentKeyError(
            f"the proving key is invalid: its B2 point {bad_b2} (zkey section 7) is on the "
            f"twist but not in the subgroup G2; regenerate or re-download the key")
    if checked_witness:
        return InconsistentKeyError(
            "the witness satisfies the circuit but the proof fails under the proving "
            "key's own verifying key: the proving key is corrupt or mismatched (its "
            "points are valid, so one does not match the others)"
        )
    return UnsatisfiedWitnessError(
        "the witness does not satisfy the circuit (its proof does not verify), or the "
        "proving key's points do not match its verifying key (its B2 points were "
        "checked and are valid); pass the R1CS to prove() to tell which and to name "
        "the failing constraint"
    )
