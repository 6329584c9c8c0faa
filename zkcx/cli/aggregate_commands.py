# SPDX-License-Identifier: MIT
"""``zkcx aggregate`` and ``zkcx verify-aggregate``: SnarkPack aggregation of Groth16
proofs of one verifying key into one aggregate proof file, and its verification, one to
one onto ``groth16.aggregate`` / ``groth16.verify_aggregate``. The SRS comes from two
powers-of-tau files of independent ceremonies (``--ptau A --ptau B``), or, for demos
only, from a seed (``--unsafe-srs SEED``: anyone knowing it can forge aggregates). The
transcript label binds the aggregate to its context (a block hash): ``--label TEXT`` or
``--label-hex HEX``."""

from __future__ import annotations

import argparse

from zkcx import groth16
from zkcx.cli._files import decode, output_path, read_bytes
from zkcx.cli._output import Reporter
from zkcx.cli._proof_files import read_proof, read_public, read_vk
from zkcx.cli._startup import work_starts
from zkcx.cli.errors import UsageError

#: the largest aggregate file read (2^28 proofs would be 36 KB; this leaves room)
MAX_AGGREGATE_BYTES = 1 << 20


def _label(args: argparse.Namespace) -> bytes:
    if (args.label is None) == (args.label_hex is None):
        raise UsageError("give the transcript label once: --label TEXT or --label-hex HEX "
                         "(e.g. the hash of the block that carries the aggregate)")
    if args.label is not None:
        return args.label.encode()
    try:
        return bytes.fromhex(args.label_hex.removeprefix("0x"))
    except ValueError:
        raise UsageError(f"--label-hex {args.label_hex!r} is not hexadecimal") from None


def _srs(args: argparse.Namespace, n: int) -> groth16.AggregationSRS:
    """The SRS for ``n`` proofs (a power of two) from --ptau twice or --unsafe-srs."""
    if args.unsafe_srs is not None:
        if args.ptau:
            raise UsageError("give either two --ptau files or --unsafe-srs, not both")
        return groth16.unsafe_local_aggregation_srs(n, args.unsafe_srs)
    if len(args.ptau or []) != 2:
        raise UsageError("give two powers-of-tau files of independent ceremonies: --ptau A "
                         "--ptau B (or --unsafe-srs SEED for a demo)")
    from zkcx.cli.ptau_commands import read_ptau_file

    a, b = (read_ptau_file(path) for path in args.ptau)
    return decode(args.ptau[1], "powers of tau", groth16.aggregation_srs, a, b, n)


def _padded(count: int) -> int:
    return max(2, 1 << (count - 1).bit_length())


def cmd_aggregate(args: argparse.Namespace, out: Reporter) -> int:
    """Aggregate proof/public file pairs of one key into an aggregate proof file."""
    if not args.files or len(args.files) % 2:
        raise UsageError("give the proofs as pairs of files: PROOF PUBLIC [PROOF PUBLIC ...]")
    label = _label(args)
    work_starts()
    vk = read_vk(args.vk)
    proofs = [read_proof(path) for path in args.files[0::2]]
    publics = [read_public(path) for path in args.files[1::2]]
    for path, public in zip(args.files[1::2], publics):
        if len(public) != vk.n_public:
            raise UsageError(f"{path} has {len(public)} public signals but the verifying key "
                             f"expects {vk.n_public}")
    target = output_path(args.output, "aggregate file")
    srs = _srs(args, _padded(len(proofs)))
    with out.step(f"aggregating {len(proofs)} proofs"):
        agg = groth16.aggregate(srs, vk, proofs, publics, label)
    data = agg.to_bytes()
    target.write_bytes(data)
    out.line(f"aggregate of {len(proofs)} proofs  {args.output}  ({len(data)} bytes, "
             f"{256 * len(proofs)} bytes of proofs)")
    out.set(count=len(proofs), bytes=len(data), kernel_id=vk.digest(),
            unsafe_srs=srs.unsafe)
    return 0


def cmd_verify_aggregate(args: argparse.Namespace, out: Reporter) -> int:
    """Verify an aggregate proof file: exit 0 if valid, 1 if not."""
    label = _label(args)
    work_starts()
    vk = read_vk(args.vk)
    agg = decode(args.aggregate, "aggregate", groth16.AggregateProof.from_bytes,
                 read_bytes(args.aggregate, "aggregate", max_bytes=MAX_AGGREGATE_BYTES,
                            magic=b"zkcxagg"))
    publics = [read_public(path) for path in args.publics]
    if len(publics) != agg.count:
        raise UsageError(f"the aggregate covers {agg.count} proofs but {len(publics)} public "
                         "files were given (one per proof, in the aggregated order)")
    for path, public in zip(args.publics, publics):
        if len(public) != vk.n_public:
            raise UsageError(f"{path} has {len(public)} public signals but the verifying key "
                             f"expects {vk.n_public}")
    srs = _srs(args, _padded(agg.count))
    ok = groth16.verify_aggregate(srs.verifier_key(), vk, publics, agg, label)
    out.line(f"OK: the aggregate of {agg.count} proofs is valid" if ok
             else "INVALID: the aggregate does not verify")
    out.set(valid=ok, count=agg.count, kernel_id=vk.digest())
    return 0 if ok else 1


def _add_srs_and_label(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ptau", action="append", default=[],
                   help="a powers-of-tau file (.ptau); give two, of independent ceremonies, "
                        "each of power >= log2(proofs) + 1")
    p.add_argument("--unsafe-srs", metavar="SEED",
                   help="UNSAFE, demos only: an SRS derived from SEED instead of --ptau")
    p.add_argument("--label", help="the transcript label as text (e.g. a block id)")
    p.add_argument("--label-hex", help="the transcript label as hex bytes (e.g. a block hash)")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register aggregate and verify-aggregate."""
    p = sub.add_parser("aggregate", help="aggregate proofs of one key into one SnarkPack proof",
                       description="Aggregate Groth16 proofs of one verifying key (SnarkPack) "
                                   "into one proof of logarithmic size, bound to a label. "
                                   "A count that is not a power of two is padded by "
                                   "repeating the last proof.")
    p.add_argument("vk", help="verification_key.json")
    p.add_argument("files", nargs="*", metavar="PROOF PUBLIC",
                   help="proof.json and public.json of each proof, in order")
    p.add_argument("-o", "--output", default="aggregate.bin",
                   help="aggregate proof file to write (default aggregate.bin)")
    _add_srs_and_label(p)
    p.set_defaults(run=cmd_aggregate)

    p = sub.add_parser("verify-aggregate",
                       help="verify a SnarkPack aggregate proof (exit 1 if invalid)")
    p.add_argument("vk", help="verification_key.json")
    p.add_argument("aggregate", help="aggregate proof file (`zkcx aggregate`)")
    p.add_argument("publics", nargs="*", metavar="PUBLIC",
                   help="public.json of each proof, in the aggregated order")
    _add_srs_and_label(p)
    p.set_defaults(run=cmd_verify_aggregate)
