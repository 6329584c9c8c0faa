# SPDX-License-Identifier: MIT
"""Every Python-to-C call of zkcx goes through this module (as pynacl's ``nacl.bindings``).

* One explicitly named binding per C function of ``native/include/zkcx.h``'s cdef, so a
  search for a C name finds its one Python caller: the field and group functions are
  gathered per field (``FR_BINDING``, ``FQ_BINDING``) and per group (``G1_BINDING``,
  ``G2_BINDING``), the rest are module functions. A C function that returns nothing
  and cannot fail is bound as it is (no Python frame on hot paths); one that returns a
  status code is wrapped so that a failure raises, through ``STATUS_ERRORS``, the one
  table from C codes to zkcx errors. ``DELIBERATELY_UNUSED`` names the cdef functions
  Python does not call (tests/test_bindings.py checks both lists against the header).
* The buffer helpers: zero-copy pointers into numpy arrays (``ptr``, ``byte_ptr``,
  ``int64_ptr``; the C code works on the caller's memory, and cffi releases the GIL
  for every call) and small native buffers (``new_words``, ``words_from_bytes``...).
* The range and layout checks every vector passes before C sees it.
* The native runtime: threads, SIMD, the MULX/ADX switch, build info, and the settings
  of ``zkcx._config`` applied once, when this module is imported.

No other module imports ``zkcx._lib`` (which loads the library) or ``zkcx._native``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, NoReturn

from zkcx._config import SETTINGS
from zkcx._lib import WAIT_POLICY, ffi, lib
from zkcx.errors import (
    BufferLayoutError,
    DomainError,
    FieldRangeError,
    FieldZeroDivisionError,
    InternalError,
    InvalidArgumentError,
    LengthMismatchError,
    NativeArgumentError,
    NativeMemoryError,
    PointError,
    ZkcxError,
)
from zkcx.params import FQ_MODULUS, FR_MODULUS


class _Numpy:
    """numpy, imported on first use: this module loads no numpy itself, so the numpy-free
    prover (``zkcx.groth16.lean``, what ``zkcx prove`` runs) can use the native core
    without paying numpy's import (~14 MB and tens of ms). The first attribute read
    imports numpy and puts the module itself in this module's ``np``."""

    def __getattr__(self, name: str) -> Any:
        import numpy

        globals()["np"] = numpy
        return getattr(numpy, name)


np: Any = _Numpy()

# ------------------------------------------------------------------ status codes

OK: int = lib.ZKCX_OK
ERR_ARG: int = lib.ZKCX_ERR_ARG
ERR_ZERO_INVERSE: int = lib.ZKCX_ERR_ZERO_INVERSE
ERR_NOMEM: int = lib.ZKCX_ERR_NOMEM

#: C status code -> (error raised, what it means). A wrapper may name a more specific
#: class for ZKCX_ERR_ARG (DomainError for a transform, PointError for the group law).
STATUS_ERRORS: dict[int, tuple[type[ZkcxError], str]] = {
    ERR_ARG: (NativeArgumentError, "the native core refused its arguments"),
    ERR_ZERO_INVERSE: (FieldZeroDivisionError, "zero has no inverse"),
    ERR_NOMEM: (NativeMemoryError, "the native core could not allocate its scratch memory"),
}


def raise_status(status: int, what: str, arg_error: type[ZkcxError] = NativeArgumentError
                 ) -> NoReturn:
    """Raise the zkcx error of a failing C status code, naming the operation."""
    error, meaning = STATUS_ERRORS.get(int(status), (NativeArgumentError, "unknown status"))
    if status == ERR_ARG:
        error = arg_error
    raise error(f"{what}: {meaning} (code {int(status)})")


def _checked(c_function: Any, what: str, arg_error: type[ZkcxError] = NativeArgumentError
             ) -> Callable[..., None]:
    """``c_function`` raising through STATUS_ERRORS when it returns a failing status."""

    def call(*args: Any) -> None:
        status = c_function(*args)
        if status != OK:
            raise_status(status, what, arg_error)

    return call


def _counted(c_function: Any, what: str) -> Callable[..., int]:
    """``c_function`` returning a count (>= 0), or a negative status that raises."""

    def call(*args: Any) -> int:
        count = c_function(*args)
        if count < 0:
            raise_status(count, what)
        return int(count)

    return call


# ----------------------------------------------------------------- buffer helpers

_LIMB_TYPES = {n: ffi.typeof(f"uint64_t[{n}]") for n in (4, 8, 16, 48)}


def ptr(array: np.ndarray) -> Any:
    """Zero-copy pointer to a numpy buffer for a uint64_t* parameter."""
    return ffi.from_buffer("uint64_t[]", array)


def byte_ptr(data: Any) -> Any:
    """Zero-copy pointer to a bytes-like buffer for a uint8_t* parameter."""
    return ffi.from_buffer("uint8_t[]", data)


def ptr_table(arrays: list[np.ndarray]) -> tuple[Any, list[Any]]:
    """A uint64_t*[] of zero-copy pointers to numpy buffers, and the buffer handles that
    must stay referenced while the table is used."""
    handles = [ptr(a) for a in arrays]
    return ffi.new("uint64_t *[]", handles), handles


def int64_ptr(array: np.ndarray) -> Any:
    """Zero-copy pointer to a numpy int64 buffer for an int64_t* parameter."""
    return ffi.from_buffer("int64_t[]", array)


#: cffi's allocator without the zero fill: for large buffers C overwrites whole
_UNCLEARED = ffi.new_allocator(should_clear_after_alloc=False)


def new_uncleared(ctype: str, n: int) -> Any:
    """A native array of ``n`` (at least 1) ``ctype`` (``"uint64_t[]"``...) left
    uninitialised: for outputs the native call fills entirely (no pass zeroing tens of
    MB first)."""
    return _UNCLEARED(ctype, max(n, 1))


def new_words(n: int) -> Any:
    """A zeroed native buffer of n uint64 words (a scalar, point or GT element)."""
    ctype = _LIMB_TYPES.get(n)
    return ffi.new(ctype) if ctype is not None else ffi.new("uint64_t[]", n)



def aligned_words(n: int) -> tuple[Any, Any]:
    """(owner, pointer): a zeroed native buffer of n uint64 words starting on a 64-byte
    cache line (a G1 point across two lines costs two misses in random access); keep the
    owner alive while the pointer is used."""
    owner = ffi.new("uint64_t[]", n + 8)
    address = int(ffi.cast("uintptr_t", owner))
    return owner, ffi.cast("uint64_t *", (address + 63) // 64 * 64)

def words_from_bytes(data: bytes, n: int) -> Any:
    """A native buffer of n uint64 words holding ``data`` (at most 8n bytes)."""
    out = new_words(n)
    ffi.memmove(out, data, len(data))
    return out


def words_from_int(value: int) -> Any:
    """Four little-endian uint64 limbs of a non-negative integer below 2^256."""
    out = ffi.new(_LIMB_TYPES[4])
    ffi.memmove(out, value.to_bytes(32, "little"), 32)
    return out


def words_bytes(words: Any) -> bytes:
    """The bytes of a native buffer (little-endian words)."""
    return bytes(ffi.buffer(words))


def words_are_zero(words: Any) -> bool:
    """Whether every word of a native buffer is zero."""
    data = bytes(ffi.buffer(words))
    return data == bytes(len(data))


# ------------------------------------------------------------ range and layout checks


def modulus_limbs(modulus: int) -> np.ndarray:
    """The four little-endian uint64 limbs of ``modulus``."""
    return np.array([(modulus >> (64 * k)) & (2**64 - 1) for k in range(4)], dtype=np.uint64)


def first_not_below(limbs: np.ndarray, modulus: int) -> int:
    """Index of the first row of canonical limbs (n, 4) that is >= modulus, or -1.

    A lexicographic comparison from the top limb down, vectorised over rows."""
    mod = modulus_limbs(modulus)
    below = np.zeros(limbs.shape[0], dtype=bool)
    equal = np.ones(limbs.shape[0], dtype=bool)
    for k in (3, 2, 1, 0):
        below |= equal & (limbs[:, k] < mod[k])
        equal &= limbs[:, k] == mod[k]
    bad = np.flatnonzero(~below)
    return int(bad[0]) if bad.size else -1


def check_canonical(limbs: np.ndarray, binding: FieldBinding, what: str = "value") -> None:
    """FieldRangeError naming the first row of ``limbs`` that is not below the modulus."""
    index = first_not_below(limbs, binding.modulus)
    if index >= 0:
        value = int.from_bytes(limbs[index].tobytes(), "little")
        raise FieldRangeError(
            f"{what} at index {index} is {value}, not below the {binding.name} modulus "
            f"{binding.modulus}; reduce it first (e.g. value % modulus) if that is intended"
        )


def check_limb_buffer(array: object, what: str = "buffer") -> np.ndarray:
    """Accept only a C-contiguous uint64 array of shape (n, 4), the layout C expects."""
    if not isinstance(array, np.ndarray):
        raise BufferLayoutError(f"{what} must be a numpy array, got {type(array).__name__}")
    if array.dtype != np.uint64:
        raise BufferLayoutError(f"{what} must have dtype uint64, got {array.dtype}")
    if array.ndim != 2 or array.shape[1] != 4:
        raise BufferLayoutError(f"{what} must have shape (n, 4), got {array.shape}")
    if not array.flags.c_contiguous:
        raise BufferLayoutError(
            f"{what} must be C-contiguous; pass np.ascontiguousarray(...) to copy it"
        )
    return array


def check_same_length(a: int, b: int) -> None:
    """LengthMismatchError unless two vector lengths are equal."""
    if a != b:
        raise LengthMismatchError(f"vectors have different lengths: {a} and {b}")


# ------------------------------------------------------------------------ runtime


def set_threads(n: int) -> None:
    """Set how many threads native loops use (at least 1)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise InvalidArgumentError(f"thread count must be a positive integer, got {n!r}")
    lib.zkcx_set_threads(n)


def get_threads() -> int:
    """The number of threads native loops use."""
    return int(lib.zkcx_get_threads())


def set_local_threads(n: int) -> None:
    """Set how many threads native loops use when called from the current thread (at
    least 1), or 0 to follow ``set_threads`` again. Workers that each run native code
    side by side (``groth16.prove_many``: one proof per thread) set 1, so the cores are
    not oversubscribed, without changing the process-wide count."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise InvalidArgumentError(f"thread count must be a non-negative integer, got {n!r}")
    lib.zkcx_set_local_threads(n)


def max_threads() -> int:
    """The number of cores OpenMP may use in this process (1 without OpenMP)."""
    return int(lib.zkcx_max_threads())


def set_simd(enabled: bool) -> bool:
    """Allow (default) or forbid the AVX-512 IFMA vector kernels; returns whether they
    are now in use (False on CPUs without them). Results are identical either way."""
    return bool(lib.zkcx_set_simd(1 if enabled else 0))


def simd_in_use() -> bool:
    """Whether vector loops currently use the AVX-512 IFMA kernels."""
    return bool(lib.zkcx_simd_in_use())


def cpu_has_ifma() -> bool:
    """Whether this CPU (and OS) supports the AVX-512 IFMA kernels."""
    return bool(lib.zkcx_cpu_has_ifma())


def set_adx(enabled: bool) -> bool:
    """Allow (default) or forbid the MULX/ADX assembly of every Fr/Fq multiplication;
    returns whether it is now in use (False on CPUs without BMI2 and ADX). Results are
    identical either way (``ZKCX_NO_ADX=1`` forbids it at import)."""
    return bool(lib.zkcx_set_adx(1 if enabled else 0))


def adx_in_use() -> bool:
    """Whether Fr/Fq multiplications currently use the MULX/ADX assembly."""
    return bool(lib.zkcx_cpu_has_adx())


def build_info() -> dict[str, str]:
    """Features of the native build: OpenMP, -march=native, compiler, CPU kernels."""
    text = ffi.string(lib.zkcx_build_info()).decode()
    info = dict(item.split("=", 1) for item in text.split())
    info["cpu_adx"] = str(int(adx_in_use()))
    info["simd"] = "avx512ifma" if simd_in_use() else "none"
    info["threads"] = str(get_threads())
    info["cores"] = str(max_threads())
    info["wait_policy"] = WAIT_POLICY
    return info


def chacha20_block(key: bytes, counter: int, nonce: bytes) -> bytes:
    """One 64-byte ChaCha20 block (RFC 8439) under a 32-byte key and 12-byte nonce."""
    out = ffi.new("uint8_t[64]")
    lib.zkcx_chacha20_block(out, key, counter, nonce)
    return bytes(ffi.buffer(out))


#: bytes of a resumable BLAKE2b state (native/src/blake2b.h: blake2b-wasm's layout)
BLAKE2B_STATE_BYTES: int = lib.ZKCX_BLAKE2B_STATE_BYTES


def blake2b_init(state: bytearray) -> None:
    """Start a BLAKE2b-512 hash in a writable 216-byte state."""
    lib.zkcx_blake2b_init(ffi.from_buffer("uint8_t[]", state, require_writable=True))


def blake2b_update(state: bytearray, data: Any) -> None:
    """Hash a bytes-like object (any contiguous buffer: bytes, memoryview, numpy array)
    into the state, without copying it (the GIL is released)."""
    lib.zkcx_blake2b_update(ffi.from_buffer("uint8_t[]", state, require_writable=True),
                            ffi.from_buffer("uint8_t[]", data), memoryview(data).nbytes)


def blake2b_final(state: bytes | bytearray) -> bytes:
    """The 64-byte digest of the bytes hashed into the state (left unchanged)."""
    out = ffi.new("uint8_t[64]")
    lib.zkcx_blake2b_final(ffi.from_buffer("uint8_t[]", state), out)
    return bytes(ffi.buffer(out))


def sha256_iterate(digest: bytes, rounds: int, sha_ni: bool = True) -> bytes:
    """SHA-256 applied ``rounds`` times to a 32-byte ``digest`` (one native loop, the GIL
    released), with the CPU's SHA extensions if it has them unless ``sha_ni`` is False
    (the portable code; the same result)."""
    if len(digest) != 32 or not 0 <= rounds < 1 << 64:
        raise InvalidArgumentError("sha256_iterate takes a 32-byte digest and 0 <= rounds "
                                   "< 2^64")
    out = ffi.new("uint8_t[32]", bytes(digest))
    lib.zkcx_sha256_iterate(out, rounds, 1 if sha_ni else 0)
    return bytes(ffi.buffer(out))


# ------------------------------------------------------------------------- fields

# FieldBinding and CurveBinding are named tuples made by the functional form from type
# objects: the class form, under ``from __future__ import annotations``, compiles each
# field's annotation string at import (~5 ms of every command's start-up for the two)
_RETURNS_NONE = Callable[..., None]
_RETURNS_INT = Callable[..., int]


class FieldBinding(NamedTuple):
    name: str
    modulus: int
    add: _RETURNS_NONE
    sub: _RETURNS_NONE
    neg: _RETURNS_NONE
    mul: _RETURNS_NONE
    sqr: _RETURNS_NONE
    inv: _RETURNS_NONE
    pow: _RETURNS_NONE
    eq: _RETURNS_INT
    vec_add: _RETURNS_NONE
    vec_sub: _RETURNS_NONE
    vec_neg: _RETURNS_NONE
    vec_add_scalar: _RETURNS_NONE
    vec_mul: _RETURNS_NONE
    vec_sqr: _RETURNS_NONE
    vec_scale: _RETURNS_NONE
    vec_dot: _RETURNS_NONE
    vec_sum: _RETURNS_NONE
    vec_batch_inv: _RETURNS_INT
    vec_powers: _RETURNS_NONE
    vec_random: _RETURNS_NONE
    vec_from_canonical: _RETURNS_NONE
    vec_to_canonical: _RETURNS_NONE
    vec_from_bytes: _RETURNS_NONE
    vec_to_bytes: _RETURNS_NONE
    vec_from_int64: _RETURNS_NONE
FieldBinding.__doc__ = (
    "Fr or Fq: its name, modulus and native functions. Scalars are ``uint64_t[4]`` Montgomery "
    "buffers; vector functions take pointers (``ptr``) and a length. (A named tuple: "
    "immutable and a third of a frozen dataclass's cost at every start-up.)"
)


FR_BINDING = FieldBinding(
    name="Fr", modulus=FR_MODULUS,
    add=lib.zkcx_fr_add, sub=lib.zkcx_fr_sub, neg=lib.zkcx_fr_neg, mul=lib.zkcx_fr_mul,
    sqr=lib.zkcx_fr_sqr, inv=_checked(lib.zkcx_fr_inv, "inverting Fr"), pow=lib.zkcx_fr_pow,
    eq=lib.zkcx_fr_eq,
    vec_add=lib.zkcx_fr_vec_add, vec_sub=lib.zkcx_fr_vec_sub, vec_neg=lib.zkcx_fr_vec_neg,
    vec_add_scalar=lib.zkcx_fr_vec_add_scalar, vec_mul=lib.zkcx_fr_vec_mul,
    vec_sqr=lib.zkcx_fr_vec_sqr, vec_scale=lib.zkcx_fr_vec_scale,
    vec_dot=lib.zkcx_fr_vec_dot, vec_sum=lib.zkcx_fr_vec_sum,
    vec_batch_inv=_counted(lib.zkcx_fr_vec_batch_inv, "Fr batch inversion"),
    vec_powers=lib.zkcx_fr_vec_powers, vec_random=lib.zkcx_fr_vec_random,
    vec_from_canonical=lib.zkcx_fr_vec_from_canonical,
    vec_to_canonical=lib.zkcx_fr_vec_to_canonical,
    vec_from_bytes=lib.zkcx_fr_vec_from_bytes, vec_to_bytes=lib.zkcx_fr_vec_to_bytes,
    vec_from_int64=lib.zkcx_fr_vec_from_int64,
)

FQ_BINDING = FieldBinding(
    name="Fq", modulus=FQ_MODULUS,
    add=lib.zkcx_fq_add, sub=lib.zkcx_fq_sub, neg=lib.zkcx_fq_neg, mul=lib.zkcx_fq_mul,
    sqr=lib.zkcx_fq_sqr, inv=_checked(lib.zkcx_fq_inv, "inverting Fq"), pow=lib.zkcx_fq_pow,
    eq=lib.zkcx_fq_eq,
    vec_add=lib.zkcx_fq_vec_add, vec_sub=lib.zkcx_fq_vec_sub, vec_neg=lib.zkcx_fq_vec_neg,
    vec_add_scalar=lib.zkcx_fq_vec_add_scalar, vec_mul=lib.zkcx_fq_vec_mul,
    vec_sqr=lib.zkcx_fq_vec_sqr, vec_scale=lib.zkcx_fq_vec_scale,
    vec_dot=lib.zkcx_fq_vec_dot, vec_sum=lib.zkcx_fq_vec_sum,
    vec_batch_inv=_counted(lib.zkcx_fq_vec_batch_inv, "Fq batch inversion"),
    vec_powers=lib.zkcx_fq_vec_powers, vec_random=lib.zkcx_fq_vec_random,
    vec_from_canonical=lib.zkcx_fq_vec_from_canonical,
    vec_to_canonical=lib.zkcx_fq_vec_to_canonical,
    vec_from_bytes=lib.zkcx_fq_vec_from_bytes, vec_to_bytes=lib.zkcx_fq_vec_to_bytes,
    vec_from_int64=lib.zkcx_fq_vec_from_int64,
)

#: out[r] = sum_k coef[k] w[col[k]] over a CSR Fr matrix (pointers: out, row_ptr, col,
#: coef, then the row count m and w)
fr_sparse_matvec = lib.zkcx_fr_sparse_matvec


# ------------------------------------------------- snarkjs payloads used in place

#: why a zkey coefficient record is refused (zkcx_zkey_coefs_first_invalid's reason)
COEF_PROBLEMS: dict[int, str] = {1: "names a matrix other than A (0) or B (1)",
                                 2: "names a row beyond the domain",
                                 3: "names a wire beyond nVars",
                                 4: "has a value not below r"}


def zkey_coefs_first_invalid(records: Any, count: int, rows: int, wires: int
                             ) -> tuple[int, str]:
    """The first of ``count`` 44-byte zkey coefficient records (any bytes-like buffer,
    read-only and unaligned allowed) that is out of range, and why; (-1, "") if none."""
    reason = ffi.new("int *")
    index = int(lib.zkcx_zkey_coefs_first_invalid(byte_ptr(records), count, rows, wires,
                                                   reason))
    return index, COEF_PROBLEMS.get(int(reason[0]), "")


def zkey_coefs_csr(records: Any, count: int, matrix: int, rows: int, wires: int
                   ) -> tuple[Any, Any, Any, int]:
    """(row_ptr, col, Montgomery coef limbs, nnz) of matrix 0 (A) or 1 (B) of ``count``
    zkey coefficient records, built in C straight from the bytes (two passes, no
    temporaries beyond the result) into native buffers (``int64_t[rows + 1]``,
    ``int64_t[nnz]``, ``uint64_t[4 nnz]``; numpy wraps them with ``np.frombuffer``).
    ``InvalidArgumentError`` if a record is out of range or the bytes changed between
    the passes."""
    row_ptr = ffi.new("int64_t[]", rows + 1)
    data, csr = byte_ptr(records), lib.zkcx_zkey_coefs_csr
    nnz = csr(data, count, matrix, rows, wires, row_ptr, ffi.NULL, ffi.NULL)
    if nnz < 0:
        raise InvalidArgumentError("the coefficient records are out of range")
    col = ffi.new("int64_t[]", max(nnz, 1))
    coef = ffi.new("uint64_t[]", 4 * max(nnz, 1))
    status = csr(data, count, matrix, rows, wires, row_ptr, col, coef)
    if status == ERR_NOMEM:
        raise_status(status, "building the coefficient matrix")
    if status != nnz:
        raise InvalidArgumentError("the coefficient records changed while being read")
    return row_ptr, col, coef, int(nnz)


def r1cs_lc_scan(data: Any, count: int) -> tuple[Any, Any, int, int]:
    """(starts, term counts, bytes used, first short combination or -1) of the ``count``
    linear combinations of a circom .r1cs constraints section (any bytes-like buffer);
    starts and counts are native ``int64_t[count]`` buffers."""
    starts = ffi.new("int64_t[]", max(count, 1))
    ks = ffi.new("int64_t[]", max(count, 1))
    end = ffi.new("size_t *")
    short = int(lib.zkcx_r1cs_lc_scan(byte_ptr(data), len(data), count, starts, ks, end))
    return starts, ks, int(end[0]), short


def r1cs_lc_totals(ks: Any, m: int) -> tuple[int, int, int]:
    """The term counts of matrices A, B and C of m scanned constraints (``ks`` from
    ``r1cs_lc_scan``)."""
    totals = ffi.new("int64_t[3]")
    lib.zkcx_r1cs_lc_totals(ks, m, totals)
    return int(totals[0]), int(totals[1]), int(totals[2])


def r1cs_lc_terms(data: Any, starts: Any, ks: Any, m: int, which: int, wires: int,
                  wire_out: Any, coef_out: Any) -> int:
    """Fill ``wire_out`` (nnz int64) and ``coef_out`` (nnz x 4 uint64: canonical limbs)
    with the terms of matrix ``which`` (0 A, 1 B, 2 C) of a scanned .r1cs constraints
    section; the first term naming a wire >= ``wires``, or -1."""
    return int(lib.zkcx_r1cs_lc_terms(byte_ptr(data), starts, ks, m, which, wires,
                                      pointer(wire_out, "int64_t[]"), pointer(coef_out)))


class ZkeyTerms(NamedTuple):
    """``r1cs_zkey_terms``'s native buffers (K records, T = K + nC terms)."""

    records: Any
    coef: Any
    wire: Any
    index: Any
    row: Any
    wire_a: Any
    wire_b: Any


def r1cs_zkey_terms(data: Any, starts: Any, ks: Any, m: int, n_public: int, domain: int,
                    wires: int, n_records: int, n_terms: int
                    ) -> tuple[ZkeyTerms, int, int, int]:
    """zkey new's section 4 records and point-sum terms of a scanned .r1cs constraints
    section (native/include/zkcx.h, ``zkcx_r1cs_zkey_terms``), and (-1, 0, 0) or the
    constraint, the problem (1 a wire >= ``wires``, 2 a coefficient >= r) and the byte
    offset of the first bad term."""
    terms = ZkeyTerms(
        records=new_uncleared("uint8_t[]", 44 * n_records),
        coef=new_uncleared("uint64_t[]", 4 * n_terms),
        wire=new_uncleared("int64_t[]", n_terms), index=new_uncleared("int64_t[]", n_terms),
        row=new_uncleared("int64_t[]", n_records),
        wire_a=new_uncleared("int64_t[]", n_records),
        wire_b=new_uncleared("int64_t[]", n_records))
    problem = ffi.new("int64_t[2]")
    bad = int(lib.zkcx_r1cs_zkey_terms(byte_ptr(data), starts, ks, m, n_public, domain, wires,
                                       *terms, problem))
    return terms, bad, int(problem[0]), int(problem[1])


def points_to_evm(points: Any, n: int, g2: bool) -> bytes:
    """snarkjs's uncompressed form of n affine Montgomery points (any buffer, any
    alignment): 64 bytes a G1 point, 128 a G2 point (imaginary parts first), big-endian,
    the identity all zeros."""
    out = new_uncleared("uint8_t[]", n * (128 if g2 else 64))
    source = (ffi.cast("uint8_t *", points) if isinstance(points, ffi.CData)
              else byte_ptr(points))
    lib.zkcx_points_to_evm(out, source, n, 1 if g2 else 0)
    return ffi.buffer(out, n * (128 if g2 else 64))[:]


def sigbus_guard(buffer: Any, message: str) -> int | None:
    """Turn a SIGBUS in the memory of ``buffer`` (a mapped file truncated while being
    read) into ``message`` on stderr and exit status 2, instead of a silent death; the
    handler is installed on first use and hands other SIGBUS to the previous one.
    Returns the range's address for ``sigbus_unguard``, or None when every slot is
    taken (the range then stays unguarded)."""
    with ffi.from_buffer(buffer) as start:
        status = lib.zkcx_sigbus_guard(start, len(start), message.encode()[:511])
        return int(ffi.cast("uintptr_t", start)) if status == OK else None


def sigbus_unguard(address: int) -> None:
    """Stop guarding the range ``sigbus_guard`` returned ``address`` for."""
    lib.zkcx_sigbus_unguard(ffi.cast("void *", address))


def fr_from_le_bytes_checked(out: np.ndarray, data: Any, n: int) -> int:
    """Fill ``out`` ((n, 4) uint64) with the Montgomery form of n 32-byte little-endian
    values read in place from ``data``; returns -1, or the index of the first value
    >= r (``out`` is then unspecified)."""
    return int(lib.zkcx_fr_vec_from_le_bytes_checked(pointer(out), byte_ptr(data), n))


# ------------------------------------------------------------------------- curves


class CurveBinding(NamedTuple):
    name: str
    words: int
    is_on_curve: _RETURNS_INT
    add: _RETURNS_NONE
    dbl: _RETURNS_NONE
    neg: _RETURNS_NONE
    eq: _RETURNS_INT
    mul: _RETURNS_NONE
    batch_normalize: _RETURNS_NONE
    msm: _RETURNS_NONE
    msm_tables_build: _RETURNS_NONE
    msm_tables: _RETURNS_NONE
    fixed_base_mul: _RETURNS_NONE
    mul_each: _RETURNS_NONE
    mul_all: _RETURNS_NONE
    fft: _RETURNS_NONE
    sparse_sum: _RETURNS_NONE
    sparse_sum_coo: _RETURNS_NONE
CurveBinding.__doc__ = (
    "G1 or G2: its name, affine point size in words and native functions. Points are native "
    "buffers (``new_words(words)``) or pointers into (n, words) arrays. (A named tuple, as "
    "FieldBinding.)"
)


G1_BINDING = CurveBinding(
    name="G1", words=8, is_on_curve=lib.zkcx_g1_is_on_curve,
    add=_checked(lib.zkcx_g1_add, "G1 addition", PointError),
    dbl=_checked(lib.zkcx_g1_dbl, "G1 doubling", PointError),
    neg=_checked(lib.zkcx_g1_neg, "G1 negation", PointError),
    eq=lib.zkcx_g1_eq,
    mul=_checked(lib.zkcx_g1_mul, "G1 scalar multiplication", PointError),
    batch_normalize=_checked(lib.zkcx_g1_batch_normalize, "G1 normalization"),
    msm=_checked(lib.zkcx_g1_msm, "G1 msm"),
    msm_tables_build=_checked(lib.zkcx_g1_msm_tables_build, "G1 msm tables"),
    msm_tables=_checked(lib.zkcx_g1_msm_tables, "G1 msm from tables"),
    fixed_base_mul=_checked(lib.zkcx_g1_fixed_base_mul, "G1 fixed-base multiplication"),
    mul_each=_checked(lib.zkcx_g1_mul_each, "G1 mul_each"),
    mul_all=_checked(lib.zkcx_g1_mul_all, "G1 mul_all"),
    fft=_checked(lib.zkcx_g1_fft, "G1 fft", DomainError),
    sparse_sum=_checked(lib.zkcx_g1_sparse_sum, "G1 sparse point sums"),
    sparse_sum_coo=_checked(lib.zkcx_g1_sparse_sum_coo, "G1 sparse point sums"),
)

G2_BINDING = CurveBinding(
    name="G2", words=16, is_on_curve=lib.zkcx_g2_is_on_curve,
    add=_checked(lib.zkcx_g2_add, "G2 addition", PointError),
    dbl=_checked(lib.zkcx_g2_dbl, "G2 doubling", PointError),
    neg=_checked(lib.zkcx_g2_neg, "G2 negation", PointError),
    eq=lib.zkcx_g2_eq,
    mul=_checked(lib.zkcx_g2_mul, "G2 scalar multiplication", PointError),
    batch_normalize=_checked(lib.zkcx_g2_batch_normalize, "G2 normalization"),
    msm=_checked(lib.zkcx_g2_msm, "G2 msm"),
    msm_tables_build=_checked(lib.zkcx_g2_msm_tables_build, "G2 msm tables"),
    msm_tables=_checked(lib.zkcx_g2_msm_tables, "G2 msm from tables"),
    fixed_base_mul=_checked(lib.zkcx_g2_fixed_base_mul, "G2 fixed-base multiplication"),
    mul_each=_checked(lib.zkcx_g2_mul_each, "G2 mul_each"),
    mul_all=_checked(lib.zkcx_g2_mul_all, "G2 mul_all"),
    fft=_checked(lib.zkcx_g2_fft, "G2 fft", DomainError),
    sparse_sum=_checked(lib.zkcx_g2_sparse_sum, "G2 sparse point sums"),
    sparse_sum_coo=_checked(lib.zkcx_g2_sparse_sum_coo, "G2 sparse point sums"),
)


def msm_tables_window(n: int) -> int:
    """The window c of least cost for fixed-base MSM tables of n bases on the current
    threads (``zkcx_msm_tables_window``)."""
    return int(lib.zkcx_msm_tables_window(n))


def msm_tables_count(c: int) -> int:
    """Points a base in tables of window c: ceil(255/c), or 0 for a c out of [4, 16]."""
    return int(lib.zkcx_msm_tables_count(c))


def g2_in_subgroup(point: Any) -> bool:
    """Whether a G2 point (on the curve) lies in the order-r subgroup."""
    return bool(lib.zkcx_g2_in_subgroup(point))


def g1_vec_first_invalid(points: Any, n: int | None = None) -> int:
    """Index of the first row of (n, 8) points off G1 or with a coordinate >= p, or -1
    (``points`` a numpy array, or any buffer of ``n`` points)."""
    count = points.shape[0] if n is None else n
    return int(lib.zkcx_g1_vec_first_invalid(pointer(points), count))


def g2_vec_first_invalid(points: Any, check_subgroup: bool, n: int | None = None) -> int:
    """The same for (n, 16) G2 points, also requiring subgroup membership if asked."""
    count = points.shape[0] if n is None else n
    return int(lib.zkcx_g2_vec_first_invalid(pointer(points), count,
                                             1 if check_subgroup else 0))


# ------------------------------------------------------------- pairing and GT (Fq12)

GT_WORDS = 48

fq12_one = lib.zkcx_fq12_one
fq12_mul = lib.zkcx_fq12_mul
fq12_sqr = lib.zkcx_fq12_sqr
fq12_inv = _checked(lib.zkcx_fq12_inv, "inverting a GT (Fq12) element")
fq12_pow = lib.zkcx_fq12_pow
fq12_conj = lib.zkcx_fq12_conj
fq12_frobenius = lib.zkcx_fq12_frobenius
fq12_eq = lib.zkcx_fq12_eq
fq12_is_one = lib.zkcx_fq12_is_one

pairing = _checked(lib.zkcx_pairing, "pairing", PointError)
multi_pairing = _checked(lib.zkcx_multi_pairing, "multi-pairing", PointError)
multi_pairing_prepared = _checked(lib.zkcx_multi_pairing_prepared, "multi-pairing", PointError)
pairing_miller_loop = _checked(lib.zkcx_pairing_miller_loop, "Miller loop", PointError)
pairing_final_exp = _checked(lib.zkcx_pairing_final_exp, "final exponentiation")
g2_prepare = _checked(lib.zkcx_g2_prepare, "G2 preparation", PointError)


def pairing_check(g1s: Any, g2s: Any, n: int) -> bool:
    """Whether prod e(g1s[i], g2s[i]) = 1 (pointers to n packed points each)."""
    result = lib.zkcx_pairing_check(g1s, g2s, n)
    if result < 0:
        raise_status(result, "pairing check", PointError)
    return bool(result)


def g2_prepared_words() -> int:
    """The size in words of one G2 point's precomputed Miller-loop lines."""
    return int(lib.zkcx_g2_prepared_words())


# ------------------------------------------------------- SnarkPack aggregation (GT, Fr)


def _check_rows(array: np.ndarray, words: int, what: str) -> int:
    if (not isinstance(array, np.ndarray) or array.dtype != np.uint64 or array.ndim != 2
            or array.shape[1] != words or not array.flags.c_contiguous):
        raise BufferLayoutError(f"{what} must be a C-contiguous uint64 array of shape "
                                f"(n, {words})")
    return int(array.shape[0])


def gt_multi_pow(bases: np.ndarray, scalars: np.ndarray) -> Any:
    """prod_i bases_i^scalars_i for (n, 48) GT elements (Montgomery Fq12, in GT) and
    (n, 4) plain 256-bit scalars, in C over the runtime's threads; a GT_WORDS buffer."""
    n = _check_rows(bases, GT_WORDS, "GT bases")
    check_same_length(n, _check_rows(scalars, 4, "scalars"))
    out = new_words(GT_WORDS)
    status = lib.zkcx_gt_multi_pow(out, ptr(bases), ptr(scalars), n)
    if status != OK:
        raise_status(status, "GT multi-exponentiation")
    return out


def gt_compress(elements: np.ndarray) -> np.ndarray:
    """(n, 24) torus forms of (n, 48) GT elements; InvalidArgumentError for an element
    outside GT with a zero w-part."""
    n = _check_rows(elements, GT_WORDS, "GT elements")
    out = np.empty((n, 24), dtype=np.uint64)
    if lib.zkcx_gt_compress(ptr(out), ptr(elements), n) != OK:
        raise InvalidArgumentError("a GT element to compress has a zero w-part and is not 1")
    return out


def gt_decompress(forms: np.ndarray) -> np.ndarray:
    """(n, 48) elements of (n, 24) torus forms, whose 6n Fq coordinates (Montgomery) are
    checked below p first (FieldRangeError)."""
    n = _check_rows(forms, 24, "torus forms")
    check_canonical(forms.reshape(-1, 4), FQ_BINDING, "a GT coordinate")
    out = np.empty((n, GT_WORDS), dtype=np.uint64)
    if lib.zkcx_gt_decompress(ptr(out), ptr(forms), n) != OK:
        raise InternalError("GT decompression met a non-invertible c^2 - v")
    return out


def pairing_vector_products(g1_vectors: np.ndarray, g2_vectors: np.ndarray,
                            products: list[tuple[int, int]]) -> np.ndarray:
    """(T, 48) GT values prod_i e(g1_vectors[a][i], g2_vectors[b][i]) for each (a, b) of
    ``products``, from (n1, k, 8) and (n2, k, 16) arrays of trusted points (validated by
    their vectors): each G2 point's lines are computed once for all its products."""
    for array, words, what in ((g1_vectors, 8, "G1 vectors"), (g2_vectors, 16, "G2 vectors")):
        if (not isinstance(array, np.ndarray) or array.dtype != np.uint64 or array.ndim != 3
                or array.shape[2] != words or not array.flags.c_contiguous):
            raise BufferLayoutError(f"{what} must be a C-contiguous uint64 array of shape "
                                    f"(vectors, k, {words})")
    check_same_length(g1_vectors.shape[1], g2_vectors.shape[1])
    n1, k, n2 = g1_vectors.shape[0], g1_vectors.shape[1], g2_vectors.shape[0]
    a = np.array([p[0] for p in products], dtype=np.int32)
    b = np.array([p[1] for p in products], dtype=np.int32)
    if a.size and (a.min() < 0 or a.max() >= n1 or b.min() < 0 or b.max() >= n2):
        raise InvalidArgumentError(f"a product names a vector beyond the {n1} G1 and {n2} G2 "
                                   "vectors")
    out = np.empty((len(products), GT_WORDS), dtype=np.uint64)
    status = lib.zkcx_pairing_vector_products(
        ptr(out), ptr(g1_vectors), n1, ptr(g2_vectors), n2, k,
        ffi.from_buffer("int32_t[]", a), ffi.from_buffer("int32_t[]", b), len(products))
    if status != OK:
        raise_status(status, "pairing products of vectors")
    return out


def fr_poly_divide_linear(coefficients: np.ndarray, z: Any) -> tuple[np.ndarray, Any]:
    """((f(X) - f(z)) / (X - z) as (n - 1, 4) Montgomery limbs, f(z) as a 4-word buffer)
    for f given by (n, 4) Montgomery coefficients, constant first, n >= 1; ``z`` a
    4-word Montgomery buffer."""
    n = _check_rows(coefficients, 4, "coefficients")
    if n < 1:
        raise InvalidArgumentError("dividing an empty polynomial")
    q = np.zeros((n - 1, 4), dtype=np.uint64) if n > 1 else np.zeros((1, 4), np.uint64)
    value = new_words(4)
    lib.zkcx_fr_poly_divide_linear(ptr(q), value, ptr(coefficients), n, z)
    return q[: n - 1], value


# ----------------------------------------------------------------------- Groth16


def pointer(buffer: Any, ctype: str = "uint64_t[]") -> Any:
    """A C pointer to ``buffer``: a native buffer (cffi cdata) as it is, anything else
    with the buffer protocol (a numpy array, a memoryview of a mapping) without a copy.
    The caller keeps ``buffer`` alive while C uses the pointer."""
    if isinstance(buffer, ffi.CData):
        return buffer
    return ffi.from_buffer(ctype, buffer)


def new_groth16_key() -> Any:
    """A zeroed ``zkcx_groth16_key`` (native/include/zkcx.h) for ``groth16_prove``."""
    return ffi.new("zkcx_groth16_key *")


def groth16_prove(key: Any, w: Any, r: int, s: int) -> tuple[bytes, bytes, bytes, bytes]:
    """One Groth16 proof (native/src/groth16_prove.c): the Montgomery limbs of (pi_a,
    pi_b, pi_c) and of vk_x = IC_0 + sum w_i IC_i (for the proof's self-check) from a
    filled ``zkcx_groth16_key``, the witness ``w`` (a pointer to n_wires Montgomery
    scalars) and the blinding r, s (ints below the Fr modulus)."""
    pi_a, pi_b, pi_c, vk_x = new_words(8), new_words(16), new_words(8), new_words(8)
    status = lib.zkcx_groth16_prove(pi_a, pi_b, pi_c, vk_x, key, w, words_from_int(r),
                                    words_from_int(s))
    if status != OK:
        raise_status(status, "Groth16 proof")
    return words_bytes(pi_a), words_bytes(pi_b), words_bytes(pi_c), words_bytes(vk_x)


def points_nonidentity(points: Any, n: int, words: int) -> tuple[Any, int]:
    """(indices, count) of the non-identity points among n points of ``words`` words
    (any buffer): an ``int64_t[n]`` buffer whose first ``count`` entries are set."""
    index = ffi.new("int64_t[]", max(n, 1))
    count = int(lib.zkcx_points_nonidentity(index, pointer(points), n, words))
    return index, count


def points_gather(points: Any, index: Any, count: int, words: int) -> Any:
    """A native buffer of the ``count`` points ``points[index[k]]`` (``words`` each)."""
    out = new_uncleared("uint64_t[]", count * words)
    lib.zkcx_points_gather(out, pointer(points), index, count, words)
    return out


def buffer_address(buffer: Any) -> int:
    """The address of a buffer's first byte (to place a view within a mapping)."""
    with ffi.from_buffer(buffer) as view:
        return int(ffi.cast("uintptr_t", view))


# ------------------------------------------------------------------ NTT and quotient

fr_ntt = _checked(lib.zkcx_fr_ntt, "ntt", DomainError)
fr_coset_ntt = _checked(lib.zkcx_fr_coset_ntt, "coset ntt", DomainError)
fr_qap_quotient = _checked(lib.zkcx_fr_qap_quotient, "qap_quotient", DomainError)
fr_root_of_unity = _checked(lib.zkcx_fr_root_of_unity, "root of unity", DomainError)

#: the cdef functions Python does not call, and why (the loader ``zkcx._lib`` calls the
#: first two)
DELIBERATELY_UNUSED: dict[str, str] = {
    "zkcx_abi_version": "called by zkcx._lib when it loads the library",
    "zkcx_limbs": "called by zkcx._lib when it loads the library",
}

# ------------------------------------------------------ settings, applied once at import

set_threads(SETTINGS.threads if SETTINGS.threads is not None else max(1, max_threads()))
set_simd(SETTINGS.simd)
set_adx(SETTINGS.adx)
