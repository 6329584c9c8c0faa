# SPDX-License-Identifier: MIT
"""``zkcx zkey new|contribute|beacon|verify|export``: the phase-2 ceremony of a circuit's
key, one to one onto ``zkcx.ceremony`` calls, with snarkjs's argument order (``zkey new``
is snarkjs's ``groth16 setup``). Exit codes: 0 ok, 1 a key that does not verify, 2 bad
arguments or unreadable files."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from zkcx.cli._args import add_beacon_arguments, add_contributor_options
from zkcx.cli._files import checked_path, decode, mappable_path, output_path, read_head
from zkcx.cli._startup import work_starts
from zkcx.cli.errors import UsageError
from zkcx.cli.ptau_commands import ptau_points_checked
from zkcx.errors import CeremonyError, FileFormatError, PtauPointError

if TYPE_CHECKING:
    from zkcx import ceremony
    from zkcx.cli._output import Reporter


def read_prepared_ptau(path: str, reader=None):
    """A powers-of-tau (.ptau) argument (read through a memory map: prepared files are
    large), by ``reader`` (default ``read_ptau``; ``zkey new`` takes the numpy-free
    ``zkcx.io.ptau.parse_ptau``)."""
    if reader is None:
        from zkcx.ceremony.ptau import read_ptau as reader

    head = read_head(path, "powers of tau", 4)
    if head != b"ptau":
        raise UsageError(f"powers of tau {path!r} does not start with b'ptau', as every one "
                         f"does (it starts with {head!r})")
    try:
        return decode(path, "powers of tau", reader, checked_path(path, "powers of tau"))
    except OSError as exc:
        raise UsageError(f"powers of tau {path!r} cannot be read: "
                         f"{exc.strerror or exc}") from None


def _hash_lines(out: Reporter, title: str, digest: bytes) -> None:
    out.line(title)
    text = digest.hex()
    for i in range(0, len(text), 32):
        out.line("    " + " ".join(text[j : j + 8] for j in range(i, i + 32, 8)))


def cmd_new(args: argparse.Namespace, out: Reporter) -> int:
    """The initial key of a circuit from a prepared ptau (snarkjs ``groth16 setup``), with
    no numpy loaded: the files' numpy-free layouts (``zkcx.io.r1cs``, ``zkcx.io.ptau``)
    handed to ``zkcx.ceremony.zkey_new``'s native sums (the Python API's computation)."""
    from zkcx.ceremony.zkey_new import write_zkey_from_files
    from zkcx.io.ptau import parse_ptau
    from zkcx.io.r1cs import parse_r1cs

    work_starts()
    circuit = decode(args.circuit, "circuit", parse_r1cs,
                     mappable_path(args.circuit, "circuit", b"r1cs"), args.circuit)
    ptau = read_prepared_ptau(args.ptau, parse_ptau)
    target = output_path(args.zkey, "proving key")
    with (ptau_points_checked(args.ptau, "powers of tau"),
          out.step(f"zkey new ({circuit.m} constraints)") as progress):
        try:
            # written while the circuit hash is finished (it enters only the last section)
            cs_hash = write_zkey_from_files(circuit, ptau, target, progress=progress)
        except PtauPointError:
            raise  # the ptau's (ptau_points_checked names it)
        except FileFormatError as exc:  # a term of the circuit out of range
            raise UsageError(f"circuit {args.circuit!r} does not decode: "
                             f"{type(exc).__name__}: {exc}") from None
    _hash_lines(out, "Circuit hash:", cs_hash)
    out.line("the key has no contribution yet: run `zkcx zkey contribute` before using it")
    out.set(circuit_hash=cs_hash.hex(), contributions=0)
    return 0


def _write_contributed(pk, args: argparse.Namespace, out: Reporter) -> int:
    from zkcx import ceremony, groth16

    groth16.write_zkey(pk, args.target)
    last = ceremony.transcript_of(pk).contributions[-1]
    _hash_lines(out, "Contribution hash:", last.contribution_hash())
    out.set(contribution_hash=last.contribution_hash().hex(), name=last.name or "",
            kind="beacon" if last.is_beacon else "contribution")
    return 0


def cmd_contribute(args: argparse.Namespace, out: Reporter) -> int:
    """One more contribution, its secret from the OS (and ``--entropy``)."""
    from zkcx import ceremony
    from zkcx.cli.proof_commands import read_zkey

    work_starts()
    pk = read_zkey(args.zkey_in)
    args.target = output_path(args.zkey_out, "proving key")
    with out.step("contribution") as progress:
        pk = _checked(lambda: ceremony.contribute_zkey(pk, args.name, args.entropy,
                                                       progress=progress), args.zkey_in)
    return _write_contributed(pk, args, out)


def cmd_beacon(args: argparse.Namespace, out: Reporter) -> int:
    """The final, public contribution from a beacon's hash."""
    from zkcx import ceremony
    from zkcx.cli.proof_commands import read_zkey

    work_starts()
    pk = read_zkey(args.zkey_in)
    args.target = output_path(args.zkey_out, "proving key")
    with out.step(f"beacon (2^{args.iterations_exp} SHA-256 rounds)") as progress:
        pk = _checked(lambda: ceremony.beacon_zkey(pk, args.beacon_hash, args.iterations_exp,
                                                   args.name, progress=progress),
                      args.zkey_in)
    return _write_contributed(pk, args, out)


def _checked(make, path: str):
    """``make()``, a malformed transcript (section 10) reported as bad input."""
    try:
        return make()
    except PtauPointError:
        raise  # the ptau's, not the key's (ptau_points_checked names the ptau)
    except FileFormatError as exc:
        raise UsageError(f"proving key {path!r}: {exc}") from None


class _FileHash:
    """BLAKE2b-512 of a file's bytes (``Ptau.file_hash`` of a ptau read from it), read
    and hashed on a thread of its own a few MB at a time (hashlib and the reads release
    the GIL; nothing of the file stays resident): ``zkey verify`` starts it before its
    imports, whose single thread leaves the other core free."""

    _CHUNK = 1 << 22

    def __init__(self, path: str) -> None:
        import threading

        self._digest: bytes | None = None
        self._identity: tuple[int, int, int, int] | None = None
        self._thread = threading.Thread(target=self._run, args=(path,), daemon=True,
                                        name="ptau_hash")
        self._thread.start()

    def _run(self, path: str) -> None:
        import hashlib

        h = hashlib.blake2b(digest_size=64)
        buffer = bytearray(self._CHUNK)
        view = memoryview(buffer)
        try:
            with open(path, "rb", buffering=0) as f:
                before = _identity(os.fstat(f.fileno()))
                while count := f.readinto(buffer):
                    h.update(view[:count])
                if _identity(os.fstat(f.fileno())) != before:
                    return  # written to while hashed: hashed again from the mapping
        except OSError:
            return  # the handler names the file's problem when it reads it
        self._digest, self._identity = h.digest(), before

    def digest_of(self, ptau: ceremony.Ptau) -> bytes | None:
        """The digest if the file hashed is the one ``ptau`` is mapped from (the same
        inode, size and modification time: not replaced or written to in between), else
        None (``verify_zkey`` then hashes the mapping)."""
        self._thread.join()
        if self._identity is None or self._identity != ptau.file_identity():
            return None
        return self._digest


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def cmd_verify(args: argparse.Namespace, out: Reporter) -> int:
    """Check a key against its circuit and ptau; print its ceremony's hashes. The ptau
    file's hash enters only the record ``--json`` prints: only then is it computed."""
    # beside the imports: the ptau's only full read
    ptau_hash = _FileHash(args.ptau) if out.as_json else None
    from zkcx import ceremony
    from zkcx._threads import ThreadCall
    from zkcx.cli.proof_commands import read_circuit, read_zkey

    work_starts()
    # the key's point checks (native, without the GIL) beside the circuit's reading; its
    # errors are raised after the circuit's and the ptau's, as if read after them
    key = ThreadCall(read_zkey, args.zkey, name="zkey_read")
    try:
        r1cs = read_circuit(args.circuit)
        ptau = read_prepared_ptau(args.ptau)
    finally:
        key.wait()
    pk = key.result()
    try:
        with ptau_points_checked(args.ptau, "powers of tau"), out.step("zkey verify") as progress:
            if ptau_hash is None:
                record = None
                transcript = _checked(lambda: ceremony.check_zkey(
                    r1cs, ptau, pk, allow_unsafe=args.allow_unsafe, progress=progress),
                    args.zkey)
            else:
                record = _checked(lambda: ceremony.verify_zkey(
                    r1cs, ptau, pk, allow_unsafe=args.allow_unsafe, progress=progress,
                    ptau_hash=lambda: ptau_hash.digest_of(ptau)), args.zkey)
    except CeremonyError as exc:
        out.line(f"INVALID: {exc}")
        out.set(valid=False, error=type(exc).__name__, message=str(exc))
        return 1
    circuit_hash, contributions = ((record.circuit_hash, record.contributions) if record
                                   else (transcript.cs_hash,
                                         ceremony.contribution_records(transcript)))
    _hash_lines(out, "Circuit hash:", circuit_hash)
    for i, c in enumerate(contributions, start=1):
        _hash_lines(out, f"contribution #{i} {c.name} ({c.kind}):", c.hash)
    if not contributions:
        out.line("WARNING: no contribution: anyone holding the ptau can forge proofs")
    out.line("ZKey Ok!")
    out.set(valid=True, **({"record": record.to_json()} if record else {}))
    return 0


def cmd_export_vk(args: argparse.Namespace, out: Reporter) -> int:
    """verification_key.json of a key (as snarkjs ``zkey export verificationkey``)."""
    from zkcx import groth16
    from zkcx.cli.proof_commands import read_zkey

    work_starts()
    pk = read_zkey(args.zkey)
    target = output_path(args.output, "verifying key")
    groth16.write_verifying_key(pk.verifying_key, target)
    out.line(f"verifying key   {target}")
    out.set(kernel_id=pk.verifying_key.digest())
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``zkey`` and its verbs."""
    p = sub.add_parser("zkey", help="phase-2 ceremony of a circuit's key (snarkjs-compatible)")
    verbs = p.add_subparsers(dest="verb", required=True,
                             metavar="{new,contribute,beacon,verify,export}")
    q = verbs.add_parser("new", help="the initial key from a circuit and a prepared ptau "
                                     "(snarkjs groth16 setup)")
    q.add_argument("circuit", help="circuit (.r1cs)")
    q.add_argument("ptau", help="prepared powers of tau (.ptau, after `ptau prepare`)")
    q.add_argument("zkey", help="proving key to write (.zkey)")
    q.set_defaults(run=cmd_new)

    q = verbs.add_parser("contribute", help="add a contribution (secret from the OS)")
    q.add_argument("zkey_in", help="the key so far (.zkey)")
    q.add_argument("zkey_out", help="the key to write")
    add_contributor_options(q, entropy=True)
    q.set_defaults(run=cmd_contribute)

    q = verbs.add_parser("beacon", help="add the final contribution from a public beacon")
    q.add_argument("zkey_in", help="the key so far (.zkey)")
    q.add_argument("zkey_out", help="the key to write")
    add_beacon_arguments(q)
    q.set_defaults(run=cmd_beacon)

    q = verbs.add_parser("verify", help="check a key against its circuit and ptau "
                                        "(exit 1 if it does not verify)")
    q.add_argument("circuit", help="circuit (.r1cs)")
    q.add_argument("ptau", help="prepared powers of tau (.ptau)")
    q.add_argument("zkey", help="proving key (.zkey)")
    q.add_argument("--allow-unsafe", action="store_true",
                   help="accept a key with no contribution (anyone can forge its proofs)")
    q.set_defaults(run=cmd_verify)

    q = verbs.add_parser("export", help="export the verifying key")
    ex = q.add_subparsers(dest="what", required=True, metavar="{verificationkey}")
    r = ex.add_parser("verificationkey", help="verification_key.json of a .zkey")
    r.add_argument("zkey", help="proving key (.zkey)")
    r.add_argument("output", nargs="?", default="verification_key.json",
                   help="file to write (default verification_key.json)")
    r.set_defaults(run=cmd_export_vk)
