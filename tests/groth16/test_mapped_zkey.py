# SPDX-License-Identifier: MIT
"""A zkey read from a path is mapped and its points used in place: the views are
read-only, the key is the same as one read from bytes, the CSR matrices built in C from
section 4 equal the ones built from the decoded entries, and a key file changed on disk
after loading never yields a wrong proof: prove refuses it (KeyFileChangedError, or the
self-check's InconsistentKeyError when the change hides its modification time), and a
replaced file leaves the mapped key proving correctly."""

from __future__ import annotations

import dataclasses
import os
import pickle
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.groth16.conftest import zkey_sections
from zkcx.errors import (
    BufferLayoutError,
    FileFormatError,
    InconsistentKeyError,
    KeyFileChangedError,
)
from zkcx.field import FrVec
from zkcx.groth16 import prove, read_zkey, setup, verify, write_zkey, zkey_bytes
from zkcx.groth16.keys import Coefficients
from zkcx.r1cs import read_wtns, write_wtns
from zkcx.r1cs.matrix import SparseMatrix


@pytest.fixture
def key_file(keyed, tmp_path):
    path = tmp_path / "circuit.zkey"
    write_zkey(keyed[2], path)
    return path


def _rewrite(path, offset: int, payload: bytes, keep_mtime: bool) -> None:
    """Overwrite bytes of a file in place (same inode), optionally restoring its
    modification time so that only the content tells the change."""
    st_before = os.stat(path)
    with open(path, "r+b") as fh:
        fh.seek(offset)
        fh.write(payload)
    if keep_mtime:
        os.utime(path, ns=(st_before.st_atime_ns, st_before.st_mtime_ns))


def _used_wire(witness, pk) -> int:
    """A private wire with a nonzero value and a nonzero A point (its change shows)."""
    values = witness.values.to_ints()
    return max(i for i in range(pk.n_public + 1, pk.n_wires)
               if values[i] and pk.a.limbs[i].any())


def test_a_mapped_key_uses_the_file_in_place_and_equals_the_key_read_from_bytes(keyed,
                                                                                 key_file):
    r1cs, witness, pk = keyed
    mapped = read_zkey(key_file)
    for vec in (mapped.a, mapped.b1, mapped.b2, mapped.c, mapped.h):
        assert not vec.limbs.flags.writeable
        assert not vec.limbs.flags.owndata
    with pytest.raises(ValueError):
        mapped.a.limbs[0, 0] = 1
    assert zkey_bytes(mapped) == key_file.read_bytes() == zkey_bytes(pk)
    assert mapped.verifying_key == pk.verifying_key
    proof, public = prove(mapped, witness, r1cs)
    assert verify(pk.verifying_key, public, proof)


def test_the_matrices_built_from_section_4_equal_the_decoded_entries(keyed, key_file):
    _, witness, _ = keyed
    mapped = read_zkey(key_file)
    decoded = Coefficients(mapped.coefs.matrix, mapped.coefs.row, mapped.coefs.wire,
                           mapped.coefs.value)
    reference = decoded.matrices(mapped.domain_size, mapped.n_wires)
    built = mapped.coefficient_matrices()
    assert mapped.coefficient_matrices() is built  # cached on the key
    w = FrVec.random(mapped.n_wires, seed=5)
    for mine, theirs in zip(built, reference):
        assert isinstance(mine, SparseMatrix)
        assert np.array_equal(mine.row_ptr, theirs.row_ptr)
        assert mine.matvec(w).equals(theirs.matvec(w))
        assert mine.matvec(witness.values).equals(theirs.matvec(witness.values))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 7), st.integers(0, 4),
                          st.integers(0, 2**256 - 1)), max_size=40))
def test_csr_of_any_coefficient_records_matches_numpy(entries):
    """Records in any order (rows and wires repeated, any values below r) give the same
    matrices through the C builder as through the decoded arrays."""
    from zkcx._bindings import ffi, zkey_coefs_csr
    from zkcx.params import FR_MODULUS

    rows, wires = 8, 5
    records = b"".join(struct.pack("<III", m, r, c) + (v % FR_MODULUS).to_bytes(32, "little")
                       for m, r, c, v in entries)
    for which in (0, 1):
        row_ptr, col, coef, nnz = zkey_coefs_csr(records, len(entries), which, rows, wires)
        row_ptr = np.frombuffer(ffi.buffer(row_ptr), dtype=np.int64)
        col = np.frombuffer(ffi.buffer(col), dtype=np.int64)[:nnz]
        coef = np.frombuffer(ffi.buffer(coef), dtype=np.uint64).reshape(-1, 4)[:nnz].copy()
        mine = [e for e in entries if e[0] == which]
        assert np.array_equal(np.diff(row_ptr),
                              np.bincount([e[1] for e in mine], minlength=rows))
        # stored coef·R² (v) taken out of Montgomery form once is Montgomery coef·R: as a
        # plain value, coef = v / R² mod r
        r_inv = pow(2**256, -1, FR_MODULUS)
        expected = sorted((e[1], e[2], (e[3] % FR_MODULUS) * r_inv * r_inv % FR_MODULUS)
                          for e in mine)
        rows_of = np.repeat(np.arange(rows), np.diff(row_ptr))
        got = sorted(zip(rows_of.tolist(), col.tolist(), FrVec._wrap(coef).to_ints()))
        assert got == expected


def test_a_point_changed_in_place_after_loading_is_refused(keyed, key_file):
    r1cs, witness, pk = keyed
    mapped = read_zkey(key_file)
    prove(mapped, witness, r1cs)
    data = key_file.read_bytes()
    wire = _used_wire(witness, pk)
    other = next(i for i in range(pk.n_wires) if i != wire and pk.a.limbs[i].any()
                 and not np.array_equal(pk.a.limbs[i], pk.a.limbs[wire]))
    a_at = zkey_sections(data)[5]
    _rewrite(key_file, a_at + 64 * wire, data[a_at + 64 * other : a_at + 64 * other + 64],
             keep_mtime=False)
    with pytest.raises(KeyFileChangedError, match="changed on disk.*read the key again"):
        prove(mapped, witness, r1cs)


def test_a_point_changed_with_its_mtime_restored_gives_no_wrong_proof(keyed, key_file):
    """The size and mtime check misses this change; the proof's self-check does not: the
    changed A point (a valid point, another wire's) makes the proof fail, and prove names
    the key, never returning the wrong proof."""
    r1cs, witness, pk = keyed
    mapped = read_zkey(key_file)
    data = key_file.read_bytes()
    wire = _used_wire(witness, pk)
    other = next(i for i in range(pk.n_wires) if i != wire and pk.a.limbs[i].any()
                 and not np.array_equal(pk.a.limbs[i], pk.a.limbs[wire]))
    a_at = zkey_sections(data)[5]
    _rewrite(key_file, a_at + 64 * wire, data[a_at + 64 * other : a_at + 64 * other + 64],
             keep_mtime=True)
    mapped.check_unchanged()  # the disguise works on the cheap check...
    assert not np.array_equal(mapped.a.limbs[wire], pk.a.limbs[wire])  # ...the view sees it
    with pytest.raises(InconsistentKeyError, match="corrupt or mismatched"):
        prove(mapped, witness, r1cs)


def test_a_coefficient_changed_before_the_matrices_are_built_is_refused(keyed, key_file):
    """Section 4 is checked at load and read again, in C, when the matrices are built:
    an entry changed in between (mtime restored) is refused, never used as an index."""
    _, witness, _ = keyed
    mapped = read_zkey(key_file)
    coefs_at = zkey_sections(key_file.read_bytes())[4]
    _rewrite(key_file, coefs_at + 4 + 8, struct.pack("<I", 10**6), keep_mtime=True)
    with pytest.raises(KeyFileChangedError, match="section 4"):
        mapped.coefficient_matrices()
    with pytest.raises(KeyFileChangedError, match="coefs entry 0"):
        mapped.coefs.wire  # noqa: B018 - decoding re-checks too


def test_a_truncated_key_file_is_refused_before_any_point_is_read(keyed, key_file):
    """Truncation would make reading the lost pages kill the process (SIGBUS); prove
    checks the file's size first, so a file truncated between proofs is refused."""
    r1cs, witness, _ = keyed
    mapped = read_zkey(key_file)
    with open(key_file, "r+b") as fh:
        fh.truncate(os.path.getsize(key_file) // 2)
    with pytest.raises(KeyFileChangedError, match="size went from"):
        prove(mapped, witness, r1cs)


def test_a_key_file_rewritten_in_place_is_refused(keyed, key_file):
    """``cp new.zkey circuit.zkey`` and other tools write into the same inode."""
    r1cs, witness, pk = keyed
    mapped = read_zkey(key_file)
    other = zkey_bytes(setup(r1cs))
    assert len(other) == len(zkey_bytes(pk))
    with open(key_file, "wb") as fh:  # truncates, then writes another key of the same size
        fh.write(other)
    with pytest.raises(KeyFileChangedError):
        prove(mapped, witness, r1cs)


def test_write_zkey_over_a_mapped_key_replaces_the_file(keyed, key_file, tmp_path):
    """write_zkey writes beside the file and renames over it: the mapped key (e.g. the
    input of ``zkey contribute in.zkey in.zkey``) keeps its bytes, the permissions stay,
    a symbolic link keeps pointing at the new file, and no temporary file is left."""
    r1cs, witness, pk = keyed
    os.chmod(key_file, 0o640)
    link = tmp_path / "link.zkey"
    link.symlink_to(key_file)
    mapped = read_zkey(link)
    fresh = setup(r1cs)
    write_zkey(fresh, link)
    assert link.is_symlink() and (os.stat(key_file).st_mode & 0o777) == 0o640
    assert key_file.read_bytes() == zkey_bytes(fresh)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["circuit.zkey", "link.zkey"]
    mapped.check_unchanged()
    proof, public = prove(mapped, witness, r1cs)
    assert verify(pk.verifying_key, public, proof)


def test_a_replaced_key_file_leaves_the_mapped_key_proving_correctly(keyed, key_file):
    """Replacing the file (a new inode, as os.replace, editors and package managers do)
    is not seen by the mapping, which keeps the old file: proofs stay correct under the
    key that was loaded."""
    r1cs, witness, pk = keyed
    mapped = read_zkey(key_file)
    fresh = key_file.with_name("fresh.zkey")
    write_zkey(setup(r1cs), fresh)
    os.replace(fresh, key_file)
    mapped.check_unchanged()
    proof, public = prove(mapped, witness, r1cs)
    assert verify(pk.verifying_key, public, proof)
    assert not verify(read_zkey(key_file).verifying_key, public, proof)


def test_a_mapped_key_pickles_to_an_in_memory_copy(keyed, key_file):
    r1cs, witness, pk = keyed
    mapped = read_zkey(key_file)
    mapped.coefficient_matrices()
    copy = pickle.loads(pickle.dumps(mapped))
    assert zkey_bytes(copy) == zkey_bytes(pk)
    assert type(copy.coefs) is Coefficients
    proof, public = prove(copy, witness, r1cs)
    assert verify(pk.verifying_key, public, proof)
    replaced = dataclasses.replace(mapped, contributions=b"")
    assert zkey_bytes(replaced) == zkey_bytes(dataclasses.replace(pk, contributions=b""))


def test_a_witness_read_from_a_path_equals_the_one_read_from_bytes(keyed, tmp_path):
    _, witness, _ = keyed
    path = tmp_path / "witness.wtns"
    write_wtns(witness, path)
    assert read_wtns(path).equals(witness.values)
    assert read_wtns(path.read_bytes()).equals(witness.values)
    data = bytearray(path.read_bytes())
    from zkcx.params import FR_MODULUS

    data[-32:] = FR_MODULUS.to_bytes(32, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match=f"index {len(witness.values) - 1} .*not below"):
        read_wtns(path)
    empty = tmp_path / "empty.wtns"
    empty.write_bytes(b"")
    with pytest.raises(FileFormatError, match="too short"):
        read_wtns(empty)


_CHILD = """
import mmap, os, sys
from zkcx.groth16 import read_zkey
pk = read_zkey(sys.argv[1])
os.truncate(sys.argv[1], 0)
if sys.argv[2] == "other":
    with open(sys.argv[3], "wb") as fh:
        fh.write(bytes(1 << 16))
    m = mmap.mmap(os.open(sys.argv[3], os.O_RDONLY), 0, access=mmap.ACCESS_READ)
    os.truncate(sys.argv[3], 10)
    print(m[1 << 15])
else:
    print(int(pk.h.limbs[-1].sum()))
"""


def _run_child(*args: str):
    import pathlib
    import subprocess
    import sys

    root = pathlib.Path(__file__).resolve().parents[2]
    return subprocess.run([sys.executable, "-c", _CHILD, *args], cwd=root,
                          capture_output=True, text=True, timeout=120)


def test_a_key_file_truncated_while_read_stops_the_process_with_a_message(key_file):
    """Reading a page a truncation took raises SIGBUS: no recovery is possible mid-read,
    but the process says which file and why, and exits with status 2 (not silently)."""
    done = _run_child(str(key_file), "key")
    assert done.returncode == 2, done
    assert f"{key_file} was truncated on disk" in done.stderr
    assert done.stdout == ""


def test_a_sigbus_elsewhere_keeps_its_default_action(key_file, tmp_path):
    import signal

    done = _run_child(str(key_file), "other", str(tmp_path / "other.bin"))
    assert done.returncode == -signal.SIGBUS, done
    assert "truncated on disk" not in done.stderr


@pytest.mark.parametrize("n", [1, 7, 300, 5000])
def test_points_at_any_alignment_give_the_same_results(n):
    """A mapped section starts wherever the file puts it (4 mod 8 for half of snarkjs's
    keys): validation and MSMs over such views, identity points and small scalars mixed
    in, equal the results over aligned copies. The MSM tags addresses in their low bit,
    so an odd address is refused by the vector types and copied by from_zkey_bytes."""
    from zkcx.curve import G1, G2, G1Vec, G2Vec, fixed_base_mul, msm

    scalars = FrVec.random(n, seed=n)
    small = FrVec.from_int64(np.arange(n, dtype=np.int64) % 7 - 3)
    for base, vec_type in ((G1.generator(), G1Vec), (G2.generator(), G2Vec)):
        points = fixed_base_mul(base, FrVec.random(n, seed=n + 1)).limbs.copy()
        points[::3] = 0  # identities, as in real keys
        raw = points.tobytes()
        for shift in (4, 1):
            buffer = bytes(shift) + raw
            view = vec_type.from_zkey_bytes(memoryview(buffer)[shift:], copy=False,
                                            check_subgroup=False)
            # 4 mod 8 is used in place; an odd address (no file section has one) copied
            assert view.limbs.flags.owndata == (shift % 4 != 0)
            aligned = vec_type(points, check_subgroup=False)
            for s in (scalars, small):
                assert msm(view, s) == msm(aligned, s)
            odd = np.frombuffer(memoryview(buffer)[1:], dtype=np.uint64).reshape(
                -1, vec_type.words) if shift == 1 else None
            if odd is not None:
                with pytest.raises(BufferLayoutError, match="aligned to 4 bytes"):
                    vec_type(odd, check_subgroup=False)


def test_a_mapped_key_written_back_onto_its_own_file(keyed, key_file):
    """write_zkey streams the point sections from the mapping itself (as ``zkey
    contribute in.zkey in.zkey`` does with the sections it keeps): writing beside and
    renaming means the views are never read from a truncated file."""
    r1cs, witness, pk = keyed
    before = key_file.read_bytes()
    mapped = read_zkey(key_file)
    write_zkey(mapped, key_file)
    write_zkey(dataclasses.replace(mapped, contributions=b""), str(key_file))
    write_zkey(mapped, key_file)
    assert key_file.read_bytes() == before
    proof, public = prove(mapped, witness, r1cs)
    assert verify(pk.verifying_key, public, proof)
