# SPDX-License-Identifier: MIT
"""``new_zkey``: the initial Groth16 key of a circuit from a prepared powers-of-tau file,
byte-identical to ``snarkjs groth16 setup`` (docs/formats.md, .zkey and phase 2).

With n the circuit's domain size and L_i the size-n Lagrange blocks of the ptau's
prepared sections (sections 12–15: L_i(tau) times G1, G2, alpha·G1 and beta·G1), each
wire s gets

    A_s  = sum over its A terms of coef·L_row(tau)·G1     (plus the input row m + s)
    B1_s = sum over its B terms of coef·L_row(tau)·G1     B2_s likewise in G2
    IC_s / C_s = sum of coef·(beta·L_row) over A terms + coef·(alpha·L_row) over B
                 terms + coef·L_row over C terms          (IC for s <= nPublic)

and H_i = the odd points of section 12's size-2n block. Delta and gamma are the
generators (a contribution then randomises delta). Each point sum is one native sparse
product over the terms grouped by wire (``zkcx.curve.sparse_sums_by_output``), the
Lagrange blocks read in place from the mapped ptau.

The circuit hash is BLAKE2b-512 over alpha·G1, beta·G1, beta·G2 and the generators for
gamma_2, delta_1, delta_2, then IC, the H points' stand-ins ((tau^(n+i) - tau^i)·G1 from
the monomial section), C, A, B1 and B2, each section prefixed by its point count
(32-bit big-endian) and every point in uncompressed form. It is computed on a thread
of its own while the points are summed (``_CircuitHasher``), and ``write_new_zkey``
writes sections 1-9 before it is done (it enters only section 10, written last).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import queue
import struct
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from zkcx._bindings import set_local_threads
from zkcx.ceremony.ptau import LAGRANGE_SECTIONS, Ptau
from zkcx.ceremony.zkey_transcript import Phase2Transcript, transcript_bytes
from zkcx.curve import G1, G2, PointVector, sparse_sums, sparse_sums_by_output
from zkcx.curve.encoding import g1_to_evm, g2_to_evm, points_to_evm
from zkcx.errors import CeremonyError, PtauTooSmallError, UnpreparedPtauError
from zkcx.field import FrVec
from zkcx.groth16.keys import ProvingKey
from zkcx.groth16.setup import coefficients_of, domain_size_for
from zkcx.groth16.zkey import zkey_parts
from zkcx.io import binfile
from zkcx.params import FQ_MODULUS, FR_MODULUS
from zkcx.r1cs import R1CS

#: The section order snarkjs's ``groth16 setup`` writes.
SETUP_SECTION_ORDER = (1, 2, 4, 3, 9, 8, 5, 6, 7, 10)
#: snarkjs hashes the H stand-ins in chunks of this many points (see _h_hash_points).
_H_HASH_CHUNK = 1 << 14
#: Fr's two-adicity: snarkjs takes H from section 12 differently at this power.
_MAX_POWER = 28

Progress = Callable[[int, int, str], None]


def _ptau_checks(r1cs: R1CS, ptau: Ptau) -> int:
    n = domain_size_for(r1cs)
    power = n.bit_length() - 1
    if not ptau.is_prepared:
        raise UnpreparedPtauError("the powers-of-tau file is not prepared for phase 2 (no "
                                  "sections 12-15): run `zkcx ptau prepare` on it first")
    if power > ptau.power:
        raise PtauTooSmallError(
            f"the circuit needs a domain of 2^{power} (m + nPublic = "
            f"{r1cs.n_constraints + r1cs.n_public} rows and one more), the powers-of-tau "
            f"file has power {ptau.power}: use a ptau of power {power} or more")
    if power >= _MAX_POWER:
        raise PtauTooSmallError(f"a domain of 2^{power} is beyond what snarkjs supports")
    return n


def new_zkey(r1cs: R1CS, ptau: Ptau, *, progress: Progress | None = None) -> ProvingKey:
    """The initial proving key of ``r1cs`` from a prepared ``Ptau`` (``read_ptau``), as
    ``snarkjs groth16 setup`` makes it: delta = 1, no contribution yet (the key is unsafe
    until at least one ``contribute_zkey``). Raises ``UnpreparedPtauError`` or
    ``PtauTooSmallError``.

    The circuit hash is computed on a second thread while this one sums the points: it
    starts with the H section's stand-ins (which need only the ptau) and hashes each
    section as it is ready, in the hash's order (IC, H, C, A, B1, B2)."""
    pk, hasher = _unhashed_key(r1cs, ptau, progress)
    try:
        return _with_hash(pk, hasher.digest())
    finally:
        hasher.close()


def write_new_zkey(r1cs: R1CS, ptau: Ptau, target: str | os.PathLike, *,
                   progress: Progress | None = None) -> ProvingKey:
    """``new_zkey`` then ``write_zkey(pk, target)``, overlapped: sections 1–9 are written
    while the circuit hash is still being computed (it enters only section 10, written
    last). Returns the key written."""
    pk, hasher = _unhashed_key(r1cs, ptau, progress)
    placeholder = pk.contributions
    done: list[ProvingKey] = []

    def parts() -> Iterator[bytes | memoryview]:
        for part in zkey_parts(pk):
            if part is placeholder:
                done.append(_with_hash(pk, hasher.digest()))
                part = done[0].contributions
            yield part

    try:
        binfile.write_parts(target, parts())
    finally:
        hasher.close()
    if not done:  # section 10 not among the parts written: cannot happen for this key
        raise CeremonyError("the new key was written without its transcript section")
    return done[0]


def _with_hash(pk: ProvingKey, cs_hash: bytes) -> ProvingKey:
    return dataclasses.replace(pk, contributions=transcript_bytes(Phase2Transcript(cs_hash)))


def _unhashed_key(r1cs: R1CS, ptau: Ptau,
                  progress: Progress | None) -> tuple[ProvingKey, _CircuitHasher]:
    """The key with a placeholder transcript (a zero hash), and the thread computing the
    hash (its ``digest`` the real one; ``close`` it in any case)."""
    report = progress or (lambda done, total, step: None)
    n = _ptau_checks(r1cs, ptau)
    n_wires, npub = r1cs.n_wires, r1cs.n_public
    total = 6
    alpha_1 = ptau.section_points(4, 0, 1)[0]
    beta_1, beta_2 = ptau.section_points(5, 0, 1)[0], ptau.beta_g2
    hasher = _CircuitHasher(ptau, n, alpha_1, beta_1, beta_2)
    try:
        report(0, total, "coefficients")
        coefs = coefficients_of(r1cs)
        # the G1 Lagrange blocks L, alpha·L and beta·L, read in place: index i of
        # g1_lagrange is L_i, n + i alpha·L_i, 2n + i beta·L_i
        g1_lagrange = [ptau.lagrange_block(12, n), ptau.lagrange_block(14, n),
                       ptau.lagrange_block(15, n)]
        in_a = coefs.matrix == 0
        report(1, total, "IC and C points")
        # IC and C: beta·L over the A terms (the input rows m + s included), alpha·L
        # over the B terms, L over the C terms
        wires = np.concatenate([coefs.wire, r1cs.c.col.astype(np.int64)])
        index = np.concatenate([coefs.row + np.where(in_a, 2 * n, n),
                                r1cs.c.rows_of_terms()])
        values = FrVec.concatenate([coefs.value, r1cs.c.coef])
        combined = sparse_sums_by_output(g1_lagrange, wires, index, values, n_wires)
        del wires, index, values
        ic, c = combined[: npub + 1], combined[npub + 1 :]
        hasher.add(ic)
        hasher.add(c)
        report(2, total, "A points")
        a_wires = np.where(in_a, coefs.wire, -1)
        a = sparse_sums_by_output(g1_lagrange, a_wires, coefs.row, coefs.value, n_wires)
        hasher.add(a)
        report(3, total, "B1 points")
        b_wires = np.where(in_a, -1, coefs.wire)
        del a_wires, in_a
        b1 = sparse_sums_by_output(g1_lagrange, b_wires, coefs.row, coefs.value, n_wires)
        hasher.add(b1)
        report(4, total, "B2 points (G2)")
        b2 = sparse_sums_by_output(ptau.lagrange_block(13, n), b_wires, coefs.row,
                                   coefs.value, n_wires)
        del b_wires
        hasher.add(b2)
        report(5, total, "H points and the circuit hash")
        h = ptau.lagrange_block(12, 2 * n)[1::2]
    except BaseException:
        hasher.close()
        raise
    ptau.release_pages()
    g1, g2 = G1.generator(), G2.generator()
    pk = ProvingKey(
        n_wires=n_wires, n_public=npub, domain_size=n,
        alpha_1=alpha_1, beta_1=beta_1, beta_2=beta_2, gamma_2=g2, delta_1=g1, delta_2=g2,
        ic=ic, coefs=coefs, a=a, b1=b1, b2=b2, c=c, h=h,
        contributions=transcript_bytes(Phase2Transcript(bytes(64))),
        section_order=SETUP_SECTION_ORDER)
    report(total, total, "done")
    return pk, hasher


class _CircuitHasher:
    """snarkjs's csHash (module docstring) on a thread of its own: the fixed points and
    the H section's stand-ins first (they need only the ptau), then IC, C, A, B1 and B2
    as ``add`` hands them over, in that order. ``digest`` ends the input, waits for the
    hash and raises what the thread raised; ``close`` stops a thread left waiting (an
    error elsewhere)."""

    _STOP = object()

    def __init__(self, ptau: Ptau, n: int, alpha_1: G1, beta_1: G1, beta_2: G2) -> None:
        self._sections: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._result: list[Any] = []
        self._thread = threading.Thread(
            target=self._run, args=(ptau, n, alpha_1, beta_1, beta_2), daemon=True,
            name="zkcx-circuit-hash")
        self._thread.start()

    def add(self, points: PointVector) -> None:
        self._sections.put(points)

    def digest(self) -> bytes:
        self._sections.put(self._STOP)
        self._thread.join()
        result = self._result[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def close(self) -> None:
        if self._thread.is_alive():
            self._sections.put(self._STOP)
            self._thread.join()

    def _run(self, ptau: Ptau, n: int, alpha_1: G1, beta_1: G1, beta_2: G2) -> None:
        set_local_threads(1)  # native loops here stay on one core: the sums use them all
        try:
            h_part = list(_h_hash_points(ptau, n))
            sections = iter(self._sections.get, self._STOP)
            self._result.append(circuit_hash(alpha_1, beta_1, beta_2, sections, h_part))
        except BaseException as exc:  # handed to digest()
            self._result.append(exc)


def circuit_hash(alpha_1: G1, beta_1: G1, beta_2: G2, sections: Iterable[PointVector],
                 h_points: Iterable[bytes]) -> bytes:
    """snarkjs's csHash (module docstring) of the sections IC, C, A, B1, B2 (in that
    order; ``sections`` may stop early, then the hash is of what came); ``h_points`` is
    the H section's part of the hash input, count included, in pieces
    (``_h_hash_points``). Points are encoded a chunk at a time, so no section is copied
    whole."""
    g1, g2 = G1.generator(), G2.generator()
    h = hashlib.blake2b(digest_size=64)
    for part in (g1_to_evm(alpha_1), g1_to_evm(beta_1), g2_to_evm(beta_2), g2_to_evm(g2),
                 g1_to_evm(g1), g2_to_evm(g2)):
        h.update(part)
    vectors = iter(sections)
    for vec in vectors:  # IC
        _hash_counted(h, vec)
        break
    for part in h_points:
        h.update(part)
    for vec in vectors:  # C, A, B1, B2
        _hash_counted(h, vec)
    return h.digest()


def _hash_counted(h: Any, points: PointVector) -> None:
    h.update(struct.pack(">I", len(points)))
    for start in range(0, len(points), _H_HASH_CHUNK):
        h.update(points_to_evm(points[start : start + _H_HASH_CHUNK]))


def _h_hash_points(ptau: Ptau, n: int) -> Iterator[bytes]:
    """The H section's part of the circuit hash: the count n - 1, then
    (tau^(n+i) - tau^i)·G1 for i below n - 1 — or, as snarkjs reads the points in chunks
    of 2^14, below n when n > 2^14 (its last chunk runs one point over). When n is the
    ptau's full size that extra point's tau^(2n-1) lies past the tau·G1 section: snarkjs
    then reads the 64 bytes that follow in the file (``_past_tau_g1``) and subtracts with
    its field arithmetic on the unreduced values, which ``_wasm_sub_affine`` replays.
    Yielded a chunk of 2^14 points at a time."""
    count = n - 1
    if count > _H_HASH_CHUNK:
        count = -(-count // _H_HASH_CHUNK) * _H_HASH_CHUNK
    available = min(count, 2 * ptau.size - 1 - n)  # i + n must index tau·G1
    yield struct.pack(">I", n - 1)
    for start in range(0, available, _H_HASH_CHUNK):
        stop = min(start + _H_HASH_CHUNK, available)
        low, high = ptau.section_points(2, start, stop), ptau.section_points(2, start + n,
                                                                             stop + n)
        yield points_to_evm(sparse_sums([high, low], _pairs(stop - start),
                                        _pair_index(stop - start), _signs(stop - start)))
    for k in range(available, count):  # at most one point: n = N and k = n - 1
        yield _wasm_sub_affine(_past_tau_g1(ptau), ptau.section_points(2, k, k + 1)[0])


def _pairs(size: int) -> np.ndarray:
    return np.arange(0, 2 * size + 1, 2, dtype=np.int64)


def _pair_index(size: int) -> np.ndarray:
    """Output i sums points i (tau^(n+i)) and size + i (tau^i) of [high, low]."""
    i = np.arange(size, dtype=np.int64)
    return np.stack([i, i + size], axis=1).reshape(-1)


def _signs(size: int) -> FrVec:
    return FrVec._wrap(np.tile(FrVec.from_ints([1, FR_MODULUS - 1]).limbs, (size, 1)))


def _past_tau_g1(ptau: Ptau) -> bytes:
    """The 64 bytes after section 2's points in the ptau file: the next section's header
    (id, size) and the start of its points."""
    order = [s for s in (ptau.section_order or _PTAU_ORDER) if s != 1]
    following = order[order.index(2) + 1] if 2 in order and order[-1] != 2 else None
    if following not in (3, 4, 5, *LAGRANGE_SECTIONS) or (following in LAGRANGE_SECTIONS
                                                          and not ptau.is_prepared):
        raise CeremonyError(
            "a circuit using the ptau's full power hashes bytes past its tau·G1 section, "
            f"and section {following} follows it in this file (snarkjs writes section 3 "
            "there); rewrite the ptau in snarkjs's section order")
    n = ptau.size
    size = {12: 4 * n - 1, 13: 2 * n - 1, 14: 2 * n - 1, 15: 2 * n - 1}.get(following, n)
    point = ptau.first_point_bytes(following)
    return struct.pack("<IQ", following, size * len(point)) + point[:52]


_PTAU_ORDER = (1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15)
_Q = FQ_MODULUS
_WORD = 1 << 256
_Q_INV_NEG = (-pow(FQ_MODULUS, -1, _WORD)) % _WORD
_R_INV = pow(_WORD, -1, FQ_MODULUS)


def _f_add(x: int, y: int) -> int:
    r = x + y
    if r >= _WORD:
        return (r - _WORD - _Q) % _WORD
    return r - _Q if r >= _Q else r


def _f_sub(x: int, y: int) -> int:
    return x - y if x >= y else (x - y + _WORD + _Q) % _WORD


def _f_mul(x: int, y: int) -> int:
    t = x * y
    t = (t + (t * _Q_INV_NEG % _WORD) * _Q) >> 256
    return t - _Q if t >= _Q else t


def _wasm_sub_affine(garbage: bytes, p: G1) -> bytes:
    """snarkjs's g1m_subAffine(garbage, p) then batchToAffine and the uncompressed form,
    replaying its 256-bit Montgomery arithmetic exactly: its additions and subtractions
    are only congruent mod q for reduced inputs, and these coordinates are not."""
    x1 = int.from_bytes(garbage[:32], "little")
    y1 = int.from_bytes(garbage[32:], "little")
    limbs = p.montgomery_limbs()
    x2 = int.from_bytes(limbs[:32], "little")
    y2 = _f_sub(0, int.from_bytes(limbs[32:], "little"))
    h = _f_sub(x2, x1)
    y_diff = _f_sub(y2, y1)
    hh = _f_mul(h, h)
    i = _f_add(hh, hh)
    i = _f_add(i, i)
    j = _f_mul(h, i)
    r = _f_add(y_diff, y_diff)
    v = _f_mul(x1, i)
    x3 = _f_sub(_f_sub(_f_mul(r, r), j), _f_add(v, v))
    y1_j2 = _f_mul(y1, j)
    y1_j2 = _f_add(y1_j2, y1_j2)
    y3 = _f_sub(_f_mul(_f_sub(v, x3), r), y1_j2)
    z3 = _f_add(h, h)
    # to affine (congruent from here on: multiplications only), out of Montgomery form
    xv, yv, zv = (a * _R_INV % _Q for a in (x3, y3, z3))
    if zv == 0:
        return bytes(64)
    zinv = pow(zv, -1, _Q)
    x, y = xv * zinv * zinv % _Q, yv * zinv * zinv * zinv % _Q
    return x.to_bytes(32, "big") + y.to_bytes(32, "big")
