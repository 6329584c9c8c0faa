# SPDX-License-Identifier: MIT
"""``zkcx ptau new|contribute|beacon|verify|prepare``: the powers-of-tau ceremony (phase
1), one to one onto ``zkcx.ceremony`` calls, with snarkjs's arguments (``snarkjs
powersoftau new bn128 POWER OUT`` is ``zkcx ptau new POWER OUT``). The files are
snarkjs's ``.ptau``: a ceremony may mix zkcx and snarkjs contributions."""

from __future__ import annotations

import argparse
import contextlib
import os
import pathlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from zkcx.cli._args import add_beacon_arguments, add_contributor_options
from zkcx.cli._files import checked_path, decode, output_path
from zkcx.cli._startup import work_starts
from zkcx.cli.errors import UsageError
from zkcx.errors import CeremonyError, PtauPointError

if TYPE_CHECKING:  # the ceremony is imported by the handlers that use it
    from zkcx import ceremony
    from zkcx.cli._output import Reporter


def read_ptau_file(path: str) -> ceremony.Ptau:
    """A .ptau argument, read and validated (a bad file is a usage error naming it)."""
    from zkcx.ceremony import read_ptau

    checked_path(path, "ptau")
    return decode(path, "ptau", read_ptau, path, path)


@contextlib.contextmanager
def ptau_points_checked(path: str, what: str = "ptau") -> Iterator[None]:
    """Within it, a bad point of the ptau ``path``, found when first used (the file is
    read in place, each block checked when used), is a usage error naming the file."""
    try:
        yield
    except PtauPointError as exc:
        raise UsageError(f"{what} {path!r} does not decode: {exc}") from None


def _hash_text(digest: bytes) -> str:
    return digest.hex()


def _write(ptau: ceremony.Ptau, path: str, out: Reporter) -> None:
    """Write beside the target and rename, so an interrupted write leaves no half file."""
    from zkcx.ceremony import write_ptau

    target = pathlib.Path(path)
    partial = target.with_name(target.name + ".partial")
    with out.step("writing"):
        try:
            write_ptau(ptau, partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)


def _report_contribution(ptau: ceremony.Ptau, out: Reporter) -> None:
    last = ptau.contributions[-1]
    out.line(f"contribution #{len(ptau.contributions)}"
             + (f" ({last.name})" if last.name else ""))
    out.line(f"contribution hash  {_hash_text(last.response_hash)}")
    out.line(f"next challenge     {_hash_text(last.next_challenge)}")
    out.set(power=ptau.power, contributions=len(ptau.contributions),
            contribution_hash=_hash_text(last.response_hash),
            next_challenge=_hash_text(last.next_challenge))


def cmd_new(args: argparse.Namespace, out: Reporter) -> int:
    """A new ceremony: every point the generator, no contribution."""
    from zkcx import ceremony

    output_path(args.output, "ptau to write")
    work_starts()
    with out.step(f"new ptau of power {args.power}"):
        ptau = ceremony.new_ptau(args.power)
    _write(ptau, args.output, out)
    out.line(f"power {ptau.power}: {2 * ptau.size - 1} tau·G1 points, no contribution yet")
    out.set(power=ptau.power, contributions=0)
    return 0


def cmd_contribute(args: argparse.Namespace, out: Reporter) -> int:
    """Add a contribution with secrets from the OS (and optional --entropy text)."""
    from zkcx import ceremony

    work_starts()
    ptau = read_ptau_file(args.input)
    output_path(args.output, "ptau to write")
    entropy = args.entropy.encode() if args.entropy is not None else None
    with ptau_points_checked(args.input), out.step("contributing") as progress:
        ptau = ceremony.contribute_ptau(ptau, args.name, entropy, progress=progress)
    _write(ptau, args.output, out)
    _report_contribution(ptau, out)
    return 0


def cmd_beacon(args: argparse.Namespace, out: Reporter) -> int:
    """Add a beacon: secrets derived from a public random value."""
    from zkcx import ceremony

    work_starts()
    ptau = read_ptau_file(args.input)
    output_path(args.output, "ptau to write")
    with ptau_points_checked(args.input), out.step("beacon") as progress:
        ptau = ceremony.beacon_ptau(ptau, args.beacon_hash, args.iterations_exp, args.name,
                                    progress=progress)
    _write(ptau, args.output, out)
    _report_contribution(ptau, out)
    return 0


def cmd_verify(args: argparse.Namespace, out: Reporter) -> int:
    """Verify every contribution and the points: exit 0 if valid, 1 if not."""
    from zkcx import ceremony

    work_starts()
    ptau = read_ptau_file(args.input)
    try:
        with ptau_points_checked(args.input), out.step("verifying") as progress:
            transcript = ceremony.verify_ptau(ptau, progress=progress)
    except CeremonyError as exc:
        out.line(f"INVALID: {exc}")
        out.set(valid=False, error=f"{type(exc).__name__}: {exc}")
        return 1
    rows = [[c.index, c.kind, c.name or "", _hash_text(c.response_hash)[:32] + "…"]
            for c in transcript.contributions]
    out.table(["#", "kind", "name", "contribution hash"], rows)
    out.line(f"OK: power {transcript.power}, {len(rows)} contributions verified"
             + ("; Lagrange sections verified" if transcript.prepared
                else "; not prepared for phase 2 (run `zkcx ptau prepare`)"))
    out.set(valid=True, power=transcript.power, ceremony_power=transcript.ceremony_power,
            prepared=transcript.prepared,
            first_challenge=_hash_text(transcript.first_challenge),
            contributions=[{"index": c.index, "kind": c.kind, "name": c.name,
                            "contribution_hash": _hash_text(c.response_hash),
                            "next_challenge": _hash_text(c.next_challenge)}
                           for c in transcript.contributions],
            ptau_hash=_hash_text(ptau.file_hash))
    return 0


def cmd_prepare(args: argparse.Namespace, out: Reporter) -> int:
    """Compute the Lagrange sections phase 2 needs."""
    from zkcx import ceremony

    work_starts()
    ptau = read_ptau_file(args.input)
    output_path(args.output, "ptau to write")
    with ptau_points_checked(args.input), out.step("preparing phase 2") as progress:
        ptau = ceremony.prepare_ptau(ptau, progress=progress)
    _write(ptau, args.output, out)
    digest = ptau.file_hash
    out.line(f"prepared: power {ptau.power}, Lagrange sections up to size {2 * ptau.size}")
    out.line(f"ptau hash  {_hash_text(digest)}")
    out.set(power=ptau.power, ptau_hash=_hash_text(digest))
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``ptau`` and its verbs."""
    p = sub.add_parser("ptau", help="powers-of-tau ceremony (phase 1), snarkjs's .ptau files")
    verbs = p.add_subparsers(dest="verb", required=True,
                             metavar="{new,contribute,beacon,verify,prepare}")
    q = verbs.add_parser("new", help="start a ceremony (as snarkjs powersoftau new)")
    q.add_argument("power", type=int, help="log2 of the largest circuit size (1..28)")
    q.add_argument("output", help="ptau to write")
    q.set_defaults(run=cmd_new)

    q = verbs.add_parser("contribute", help="add a contribution (secrets from the OS)")
    q.add_argument("input", help="ptau to contribute to")
    q.add_argument("output", help="ptau to write")
    add_contributor_options(q, entropy=True)
    q.set_defaults(run=cmd_contribute)

    q = verbs.add_parser("beacon", help="add a beacon (secrets from a public random value)")
    q.add_argument("input", help="ptau to contribute to")
    q.add_argument("output", help="ptau to write")
    add_beacon_arguments(q)
    q.set_defaults(run=cmd_beacon)

    q = verbs.add_parser("verify", help="verify every contribution (exit 1 if invalid)")
    q.add_argument("input", help="ptau to verify")
    q.set_defaults(run=cmd_verify)

    q = verbs.add_parser("prepare", help="compute the Lagrange sections phase 2 needs "
                                         "(as snarkjs powersoftau prepare phase2)")
    q.add_argument("input", help="ptau whose ceremony is over (ends with a beacon)")
    q.add_argument("output", help="prepared ptau to write")
    q.set_defaults(run=cmd_prepare)
