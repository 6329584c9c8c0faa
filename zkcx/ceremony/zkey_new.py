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
product over the terms grouped by wire (``zkcx_g1_sparse_sum_coo``), the terms and
section 4's records built from the .r1cs's bytes in one native pass
(``zkcx_r1cs_zkey_terms``), the Lagrange blocks read in place from the mapped ptau.

The circuit hash is BLAKE2b-512 over alpha·G1, beta·G1, beta·G2 and the generators for
gamma_2, delta_1, delta_2, then IC, the H points' stand-ins ((tau^(n+i) - tau^i)·G1 from
the monomial section), C, A, B1 and B2, each section prefixed by its point count
(32-bit big-endian) and every point in uncompressed form (converted natively). It is
computed on a thread of its own while the points are summed (``_CircuitHasher``), and
the key's sections 1-9 are written before it is done (it enters only section 10,
written last).

This module loads no numpy: ``zkcx zkey new`` runs it on the numpy-free layouts of its
files (``zkcx.io.r1cs``, ``zkcx.io.ptau``), with only the standard library, cffi and
the native core. The Python API (``new_zkey``, ``write_new_zkey``: an ``R1CS`` and a
``Ptau`` in, a ``ProvingKey`` out) runs the same code on the same kind of inputs (the
R1CS serialised, the Ptau's blocks) and reads the key it wrote with ``read_zkey``.
"""

from __future__ import annotations

import io
import os
import queue
import struct
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from zkcx._bindings import (
    G1_BINDING,
    G2_BINDING,
    buffer_address,
    ffi,
    new_uncleared,
    points_gather,
    points_to_evm,
    r1cs_lc_totals,
    r1cs_zkey_terms,
    set_local_threads,
)
from zkcx.errors import CeremonyError, PtauTooSmallError, UnpreparedPtauError
from zkcx.groth16.zkey_layout import file_parts, header_bytes
from zkcx.io import binfile
from zkcx.io.ptau import (
    G1_GENERATOR_BYTES,
    G2_GENERATOR_BYTES,
    LAGRANGE_SECTIONS,
    PtauLayout,
    point_size,
)
from zkcx.io.r1cs import R1csLayout, checked_wire_map, coefficient_error, wire_error
from zkcx.params import FQ_MODULUS, FR_MODULUS

try:  # hashlib's own BLAKE2b, without the OpenSSL bindings hashlib imports (~3 ms)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter without the module
    from hashlib import blake2b

if TYPE_CHECKING:
    from zkcx.ceremony.ptau import Ptau
    from zkcx.groth16.keys import ProvingKey
    from zkcx.r1cs import R1CS

#: The section order snarkjs's ``groth16 setup`` writes.
SETUP_SECTION_ORDER = (1, 2, 4, 3, 9, 8, 5, 6, 7, 10)
#: snarkjs hashes the H stand-ins in chunks of this many points (see _h_hash_points).
_H_HASH_CHUNK = 1 << 14
#: Fr's two-adicity: snarkjs takes H from section 12 differently at this power.
_MAX_POWER = 28
_ONE_MONT = (pow(2, 256, FR_MODULUS)).to_bytes(32, "little")
_MINUS_ONE_MONT = (-pow(2, 256, FR_MODULUS) % FR_MODULUS).to_bytes(32, "little")

Progress = Callable[[int, int, str], None]


# -- the ptau's points, from a mapped file or a Ptau object ---------------------------


class _MappedPtau:
    """A ptau's points from its numpy-free layout (``zkcx.io.ptau.parse_ptau``): checked
    views of the mapped file, copied only where not 8-byte aligned (the native sums read
    points as words)."""

    def __init__(self, layout: PtauLayout) -> None:
        self.layout = layout
        self.power, self.is_prepared = layout.power, layout.is_prepared
        self.section_order = layout.section_order

    def points(self, section: int, start: int, stop: int) -> Any:
        return _aligned(self.layout.block(section, start, stop))

    def first_point_bytes(self, section: int) -> bytes:
        return bytes(self.layout.points[section][: point_size(section)])

    def beta_g2(self) -> bytes:
        return bytes(self.layout.beta_g2)

    def release_pages(self) -> None:
        if self.layout.mapped is not None:
            self.layout.mapped.release(0, self.layout.mapped.size)


class _ObjectPtau:
    """A ``Ptau``'s points (``section_points``: checked, aligned limbs)."""

    def __init__(self, ptau: Ptau) -> None:
        self.ptau = ptau
        self.power, self.is_prepared = ptau.power, ptau.is_prepared
        self.section_order = ptau.section_order or _PTAU_ORDER

    def points(self, section: int, start: int, stop: int) -> Any:
        return self.ptau.section_points(section, start, stop).limbs

    def first_point_bytes(self, section: int) -> bytes:
        return self.ptau.first_point_bytes(section)

    def beta_g2(self) -> bytes:
        return self.ptau.beta_g2.montgomery_limbs()

    def release_pages(self) -> None:
        self.ptau.release_pages()


_PtauPoints = _MappedPtau | _ObjectPtau


def _aligned(view: memoryview) -> Any:
    """``view`` where its address is 8-byte aligned, else a native copy."""
    if len(view) == 0 or buffer_address(view) % 8 == 0:
        return view
    copy = new_uncleared("uint64_t[]", len(view) // 8)
    ffi.memmove(copy, view, len(view))
    return copy


def _lagrange_block(ptau: _PtauPoints, section: int, size: int) -> Any:
    """The size-``size`` block of a prepared section (from index size - 1)."""
    return ptau.points(section, size - 1, 2 * size - 1)


# -- the computation ------------------------------------------------------------------


class _Vector(NamedTuple):
    """``count`` points (64 bytes each in G1, 128 in G2) from point ``start`` of a native
    buffer ``data``."""

    data: Any
    start: int
    count: int
    g2: bool

    def view(self, start: int = 0, stop: int | None = None) -> memoryview:
        """Points ``start``..``stop - 1`` of the vector, as bytes."""
        size = 128 if self.g2 else 64
        stop = self.count if stop is None else stop
        first = self.start + start
        return memoryview(ffi.buffer(self.data))[size * first : size * (first + stop - start)]


def _domain(circuit: R1csLayout, ptau: _PtauPoints) -> int:
    rows = circuit.m + circuit.n_public
    n = 1 << rows.bit_length()
    power = n.bit_length() - 1
    if not ptau.is_prepared:
        raise UnpreparedPtauError("the powers-of-tau file is not prepared for phase 2 (no "
                                  "sections 12-15): run `zkcx ptau prepare` on it first")
    if power > ptau.power:
        raise PtauTooSmallError(
            f"the circuit needs a domain of 2^{power} (m + nPublic = {rows} rows and one "
            f"more), the powers-of-tau file has power {ptau.power}: use a ptau of power "
            f"{power} or more")
    if power >= _MAX_POWER:
        raise PtauTooSmallError(f"a domain of 2^{power} is beyond what snarkjs supports")
    return n


def _terms(circuit: R1csLayout, n: int) -> tuple[Any, int, int]:
    """(native terms, records K, terms T) of the circuit (``zkcx_r1cs_zkey_terms``), every
    wire and coefficient checked before use; then the wire map."""
    m, npub = circuit.m, circuit.n_public
    n_a, n_b, n_c = r1cs_lc_totals(circuit.ks, m)
    records = n_a + n_b + npub + 1
    terms, bad, problem, offset = r1cs_zkey_terms(
        circuit.constraints, circuit.starts, circuit.ks, m, npub, n, circuit.n_wires, records,
        records + n_c)
    if bad >= 0:
        raw = bytes(circuit.constraints[offset : offset + 36])
        if problem == 1:
            raise wire_error(circuit.name, int.from_bytes(raw[:4], "little"), circuit.n_wires)
        raise coefficient_error(circuit.name, int.from_bytes(raw[4:], "little"),
                                f"a term of constraint {bad}")
    checked_wire_map(circuit)
    return terms, records, records + n_c


def _sums(binding: Any, wires: Any, index: Any, coef: Any, n_terms: int, n_out: int,
          tables: list[Any], table_len: int) -> Any:
    """out[w] = sum of [coef[t]] P(index[t]) over the terms t of wire w (native,
    ``zkcx_g?_sparse_sum_coo``), P(i) point i % table_len of table i / table_len; a
    native buffer of ``n_out`` points."""
    out = new_uncleared("uint64_t[]", binding.words * n_out)  # every output is written
    table = ffi.new("uint64_t *[]", [_words(t) for t in tables])
    binding.sparse_sum_coo(out, wires, index, coef, n_terms, n_out, table, table_len)
    return out


class _Key(NamedTuple):
    """The new key's sections (payload pieces by id) and the hash thread (its digest the
    circuit hash, section 10's first 64 bytes)."""

    sections: dict[int, Any]
    sizes: dict[int, int]
    hasher: _CircuitHasher


def _unhashed_key(circuit: R1csLayout, ptau: _PtauPoints, progress: Progress | None) -> _Key:
    """The key's sections but the last (section 10 waits for the hash), and the thread
    computing the hash (``close`` it in any case)."""
    report = progress or (lambda done, total, step: None)
    n = _domain(circuit, ptau)
    n_wires, npub = circuit.n_wires, circuit.n_public
    total = 6
    alpha_1, beta_1 = ptau.first_point_bytes(4), ptau.first_point_bytes(5)
    beta_2 = ptau.beta_g2()
    report(0, total, "coefficients")
    # the hash starts with the H stand-ins, which need only the ptau: beside the terms
    hasher = _CircuitHasher(ptau, n, alpha_1, beta_1, beta_2)
    try:
        terms, records, n_terms = _terms(circuit, n)
        # each term buffer is dropped once its last sum is done (tens of MB at 2^20)
        record_data = terms.records
        wire, index, row, coef = terms.wire, terms.index, terms.row, terms.coef
        wire_a, wire_b = terms.wire_a, terms.wire_b
        del terms
        # the G1 Lagrange blocks L, alpha·L and beta·L, read in place: index i of the
        # tables is L_i, n + i alpha·L_i, 2n + i beta·L_i
        g1_lagrange = [_lagrange_block(ptau, s, n) for s in (12, 14, 15)]
        report(1, total, "IC and C points")
        # IC and C: beta·L over the A terms (the input rows m + s included), alpha·L
        # over the B terms, L over the C terms
        combined = _sums(G1_BINDING, wire, index, coef, n_terms, n_wires, g1_lagrange, n)
        del wire, index
        ic = _Vector(combined, 0, npub + 1, False)
        c = _Vector(combined, npub + 1, n_wires - npub - 1, False)
        hasher.add(ic)
        hasher.add(c)
        report(2, total, "A points")
        a = _Vector(_sums(G1_BINDING, wire_a, row, coef, records, n_wires, g1_lagrange, n),
                    0, n_wires, False)
        del wire_a
        hasher.add(a)
        report(3, total, "B1 points")
        b1 = _Vector(_sums(G1_BINDING, wire_b, row, coef, records, n_wires, g1_lagrange, n),
                     0, n_wires, False)
        del g1_lagrange
        hasher.add(b1)
        report(4, total, "B2 points (G2)")
        b2 = _Vector(_sums(G2_BINDING, wire_b, row, coef, records, n_wires,
                           [_lagrange_block(ptau, 13, n)], n), 0, n_wires, True)
        del wire_b, row, coef
        hasher.add(b2)
        report(5, total, "H points and the circuit hash")
        odd = array("q", range(1, 2 * n, 2))
        h = _Vector(points_gather(_lagrange_block(ptau, 12, 2 * n),
                                  ffi.from_buffer("int64_t[]", odd), n, 8), 0, n, False)
    except BaseException:
        hasher.close()
        raise
    ptau.release_pages()
    header = {"alpha_1": alpha_1, "beta_1": beta_1, "beta_2": beta_2,
              "gamma_2": G2_GENERATOR_BYTES, "delta_1": G1_GENERATOR_BYTES,
              "delta_2": G2_GENERATOR_BYTES}
    sections: dict[int, Any] = {
        1: lambda: [struct.pack("<I", 1)],
        2: lambda: [header_bytes(n_wires, npub, n, header)],
        3: lambda: [ic.view()],
        4: lambda: [struct.pack("<I", records), ffi.buffer(record_data, 44 * records)],
        5: lambda: [a.view()], 6: lambda: [b1.view()], 7: lambda: [b2.view()],
        8: lambda: [c.view()], 9: lambda: [h.view()],
        10: lambda: [hasher.digest(), struct.pack("<I", 0)],  # no contribution yet
    }
    report(total, total, "done")
    return _Key(sections, {10: 68}, hasher)


def _write(circuit: R1csLayout, ptau: _PtauPoints, target: str | os.PathLike | Any,
           progress: Progress | None) -> bytes:
    """Write the new key to a path or a binary file object; returns the circuit hash.
    Sections 1–9 are written while the hash is still being computed."""
    key = _unhashed_key(circuit, ptau, progress)
    try:
        binfile.write_parts(target, file_parts(key.sections, key.sizes, SETUP_SECTION_ORDER))
        return key.hasher.digest()
    finally:
        key.hasher.close()


def write_zkey_from_files(circuit: R1csLayout, ptau: PtauLayout,
                          target: str | os.PathLike, *,
                          progress: Progress | None = None) -> bytes:
    """``zkcx zkey new``'s work, numpy-free: the new key of a parsed .r1cs
    (``zkcx.io.r1cs.parse_r1cs``) and a parsed prepared ptau (``zkcx.io.ptau.
    parse_ptau``) written to ``target``; returns the circuit hash. Raises
    ``UnpreparedPtauError``, ``PtauTooSmallError``, ``FileFormatError`` (a term's wire or
    coefficient out of range, a bad point of a block used: ``PtauPointError``)."""
    return _write(circuit, _MappedPtau(ptau), target, progress)


def _circuit_layout(r1cs: R1CS) -> R1csLayout:
    """An R1CS as the .r1cs layout the computation reads (``write_r1cs``'s bytes)."""
    from zkcx.io.r1cs import parse_r1cs
    from zkcx.r1cs import write_r1cs

    buffer = io.BytesIO()
    write_r1cs(r1cs, buffer)
    return parse_r1cs(buffer.getvalue(), r1cs.name or ".r1cs")


def new_zkey(r1cs: R1CS, ptau: Ptau, *, progress: Progress | None = None) -> ProvingKey:
    """The initial proving key of ``r1cs`` from a prepared ``Ptau`` (``read_ptau``), as
    ``snarkjs groth16 setup`` makes it: delta = 1, no contribution yet (the key is unsafe
    until at least one ``contribute_zkey``). Raises ``UnpreparedPtauError`` or
    ``PtauTooSmallError``. The key's file is assembled in memory and read back: the same
    computation as ``zkcx zkey new``."""
    buffer = io.BytesIO()
    _write(_circuit_layout(r1cs), _ObjectPtau(ptau), buffer, progress)
    return _read_made(buffer.getvalue())


def write_new_zkey(r1cs: R1CS, ptau: Ptau, target: str | os.PathLike, *,
                   progress: Progress | None = None) -> ProvingKey:
    """``new_zkey`` written to ``target`` (sections 1–9 while the circuit hash is still
    being computed: it enters only section 10, written last). Returns the key written
    (read from the file)."""
    _write(_circuit_layout(r1cs), _ObjectPtau(ptau), target, progress)
    return _read_made(target)


def _read_made(source: binfile.Source) -> ProvingKey:
    """The key just written, read as ``read_zkey`` reads it but for IC points at infinity
    (a ptau with tau = 1 gives them; snarkjs writes such a key too, and ``read_zkey``
    refuses it for proving)."""
    from zkcx.groth16.zkey import key_of_layout
    from zkcx.groth16.zkey_layout import parse_zkey

    return key_of_layout(parse_zkey(source, identity_ic_ok=True))


# -- the circuit hash -----------------------------------------------------------------


class _CircuitHasher:
    """snarkjs's csHash (module docstring) on a thread of its own: the fixed points and
    the H section's stand-ins first (they need only the ptau), then IC, C, A, B1 and B2
    as ``add`` hands them over, in that order. ``digest`` ends the input, waits for the
    hash and raises what the thread raised; ``close`` stops a thread left waiting (an
    error elsewhere)."""

    _STOP = object()

    def __init__(self, ptau: _PtauPoints, n: int, alpha_1: bytes, beta_1: bytes,
                 beta_2: bytes) -> None:
        self._sections: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._result: list[Any] = []
        self._thread = threading.Thread(
            target=self._run, args=(ptau, n, alpha_1, beta_1, beta_2), daemon=True,
            name="zkcx-circuit-hash")
        self._thread.start()

    def add(self, points: _Vector) -> None:
        self._sections.put(points)

    def digest(self) -> bytes:
        if not self._result:
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

    def _run(self, ptau: _PtauPoints, n: int, alpha_1: bytes, beta_1: bytes,
             beta_2: bytes) -> None:
        set_local_threads(1)  # native loops here stay on one core: the sums use them all
        try:
            h_part = list(_h_hash_points(ptau, n))
            sections = iter(self._sections.get, self._STOP)
            self._result.append(circuit_hash(alpha_1, beta_1, beta_2, sections, h_part))
        except BaseException as exc:  # handed to digest()
            self._result.append(exc)


def circuit_hash(alpha_1: bytes, beta_1: bytes, beta_2: bytes, sections: Iterable[_Vector],
                 h_points: Iterable[bytes]) -> bytes:
    """snarkjs's csHash (module docstring) of the sections IC, C, A, B1, B2 (in that
    order; ``sections`` may stop early, then the hash is of what came), the fixed points
    given as Montgomery bytes; ``h_points`` is the H section's part of the hash input,
    count included, in pieces (``_h_hash_points``). Points are encoded a chunk at a
    time, so no section is copied whole."""
    h = blake2b(digest_size=64)
    fixed = [(alpha_1, False), (beta_1, False), (beta_2, True), (G2_GENERATOR_BYTES, True),
             (G1_GENERATOR_BYTES, False), (G2_GENERATOR_BYTES, True)]
    for point, g2 in fixed:
        h.update(points_to_evm(point, 1, g2))
    vectors = iter(sections)
    for vec in vectors:  # IC
        _hash_counted(h, vec)
        break
    for part in h_points:
        h.update(part)
    for vec in vectors:  # C, A, B1, B2
        _hash_counted(h, vec)
    return h.digest()


def _hash_counted(h: Any, points: _Vector) -> None:
    h.update(struct.pack(">I", points.count))
    for start in range(0, points.count, _H_HASH_CHUNK):
        stop = min(start + _H_HASH_CHUNK, points.count)
        h.update(points_to_evm(points.view(start, stop), stop - start, points.g2))


def _h_hash_points(ptau: _PtauPoints, n: int) -> Iterator[bytes]:
    """The H section's part of the circuit hash: the count n - 1, then
    (tau^(n+i) - tau^i)·G1 for i below n - 1 — or, as snarkjs reads the points in chunks
    of 2^14, below n when n > 2^14 (its last chunk runs one point over). When n is the
    ptau's full size that extra point's tau^(2n-1) lies past the tau·G1 section: snarkjs
    then reads the 64 bytes that follow in the file (``_past_tau_g1``) and subtracts with
    its field arithmetic on the unreduced values, which ``_wasm_sub_affine`` replays.
    Yielded a chunk of 2^14 points at a time, each chunk's differences one native sparse
    sum (``zkcx_g1_sparse_sum``: output i = [1] tau^(n+i)·G1 + [-1] tau^i·G1)."""
    count = n - 1
    if count > _H_HASH_CHUNK:
        count = -(-count // _H_HASH_CHUNK) * _H_HASH_CHUNK
    available = min(count, 2 * (1 << ptau.power) - 1 - n)  # i + n must index tau·G1
    yield struct.pack(">I", n - 1)
    plans: dict[int, tuple[Any, Any, Any]] = {}
    for start in range(0, available, _H_HASH_CHUNK):
        stop = min(start + _H_HASH_CHUNK, available)
        size = stop - start
        if size not in plans:
            plans[size] = _difference_plan(size)
        starts, index, coef = plans[size]
        high = ptau.points(2, start + n, stop + n)
        low = ptau.points(2, start, stop)
        out = new_uncleared("uint64_t[]", 8 * size)
        tables = ffi.new("uint64_t *[]", [_words(high), _words(low)])
        G1_BINDING.sparse_sum(out, starts, index, coef, size, tables, size)
        yield points_to_evm(out, size, False)
    for k in range(available, count):  # at most one point: n = N and k = n - 1
        low = bytes(memoryview(ptau.points(2, k, k + 1)).cast("B"))
        yield _wasm_sub_affine(_past_tau_g1(ptau), low)


def _words(points: Any) -> Any:
    return ffi.cast("uint64_t *", points) if isinstance(points, ffi.CData) else \
        ffi.from_buffer("uint64_t[]", points)


def _difference_plan(size: int) -> tuple[Any, Any, Any]:
    """CSR terms of output i = point i of table 0 minus point i of table 1, i < size."""
    starts = array("q", range(0, 2 * size + 1, 2))
    index = array("q", bytes(16 * size))
    index[0::2] = array("q", range(size))
    index[1::2] = array("q", range(size, 2 * size))
    coef = bytearray((_ONE_MONT + _MINUS_ONE_MONT) * size)
    return (ffi.from_buffer("int64_t[]", starts), ffi.from_buffer("int64_t[]", index),
            ffi.from_buffer("uint64_t[]", coef))


def _past_tau_g1(ptau: _PtauPoints) -> bytes:
    """The 64 bytes after section 2's points in the ptau file: the next section's header
    (id, size) and the start of its points."""
    order = [s for s in ptau.section_order if s != 1]
    following = order[order.index(2) + 1] if 2 in order and order[-1] != 2 else None
    if following not in (3, 4, 5, *LAGRANGE_SECTIONS) or (following in LAGRANGE_SECTIONS
                                                          and not ptau.is_prepared):
        raise CeremonyError(
            "a circuit using the ptau's full power hashes bytes past its tau·G1 section, "
            f"and section {following} follows it in this file (snarkjs writes section 3 "
            "there); rewrite the ptau in snarkjs's section order")
    n = 1 << ptau.power
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


def _wasm_sub_affine(garbage: bytes, limbs: bytes) -> bytes:
    """snarkjs's g1m_subAffine(garbage, p) then batchToAffine and the uncompressed form,
    replaying its 256-bit Montgomery arithmetic exactly: its additions and subtractions
    are only congruent mod q for reduced inputs, and these coordinates are not. ``limbs``:
    p's Montgomery bytes, as the file stores it."""
    x1 = int.from_bytes(garbage[:32], "little")
    y1 = int.from_bytes(garbage[32:], "little")
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
