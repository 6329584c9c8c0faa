# SPDX-License-Identifier: MIT
"""The ``zkcx`` command: a noun-verb CLI mapping one to one onto library calls.

Exit codes: 0 ok, 1 a proof/block/chain failed verification, 2 bad arguments or bad
input files (a one-line message on stderr says which and why; with ``--json`` also a
JSON object ``{"error": ..., "exit_code": 2}`` on stdout), 3 an internal error (a bug),
130 interrupted, 141 stdout closed early (``zkcx export calldata ... | head``)."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import traceback

import zkcx
from zkcx.cli import (
    account_commands,
    bench_commands,
    chain_commands,
    claim_commands,
    demo,
    gov_commands,
    job_commands,
    kernel_commands,
    market_commands,
    model_commands,
    proof_commands,
    ptau_commands,
    registry_commands,
    tx_commands,
    zkey_commands,
)
from zkcx.cli._output import EXIT_INTERNAL, EXIT_PIPE, EXIT_USAGE, Reporter
from zkcx.cli.errors import UsageError
from zkcx.errors import InternalError, ZkcxError


def cmd_info(args: argparse.Namespace, out: Reporter) -> int:
    """Version, native build features and a self-check of the native field."""
    from zkcx.cli.selfcheck import field_selfcheck

    info = zkcx.build_info()
    out.line(f"zkcx {zkcx.__version__}")
    out.line("native build: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    checks = field_selfcheck()
    for name, ok in checks:
        out.line(f"  {'ok  ' if ok else 'FAIL'} {name}")
    failures = sum(not ok for _, ok in checks)
    out.line("self-check passed" if not failures else f"self-check FAILED ({failures} checks)")
    out.set(version=zkcx.__version__, build=info, selfcheck_failures=failures)
    return 0 if not failures else 1


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors raised (so that ``--json`` reports them as JSON too)
    instead of printed with an exit."""

    def error(self, message: str) -> None:  # type: ignore[override]
        exc = UsageError(f"{message} (see `{self.prog} --help`)")
        exc.command = self.prog.removeprefix("zkcx").strip() or None  # type: ignore[attr-defined]
        raise exc


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="zkcx",
        description="Zero-knowledge proof-of-compute on BN254 (Groth16, snarkjs-compatible).",
        epilog="Exit codes: 0 ok; 1 a proof, block or chain failed verification; 2 bad "
               "arguments or input files; 3 an internal error; 141 stdout closed early. "
               "With --json, results and "
               "errors are JSON objects on stdout.",
    )
    parser.add_argument("--version", action="version", version=f"zkcx {zkcx.__version__}")
    parser.add_argument("--json", action="store_true",
                        help="machine-readable output on stdout (errors too)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # snarkjs's order of work: compile, setup, prove, verify, export; then the rollup
    for add in (kernel_commands.add_parsers, proof_commands.add_parsers,
                ptau_commands.add_parsers,
                zkey_commands.add_parsers,
                chain_commands.add_chain_parser, registry_commands.add_parsers,
                claim_commands.add_parsers, chain_commands.add_parsers,
                account_commands.add_parsers, tx_commands.add_parsers,
                gov_commands.add_parsers, market_commands.add_parsers,
                model_commands.add_parsers, job_commands.add_parsers,
                bench_commands.add_parsers, demo.add_parsers):
        add(sub)
    p = sub.add_parser("info", help="version, native build and a self-check")
    p.set_defaults(run=cmd_info)
    return parser


def _report_error(command: str | None, exc: BaseException, as_json: bool,
                  kind: str | None = None) -> int:
    """One line on stderr naming the command; with --json, also an object on stdout."""
    where = f"zkcx {command}" if command else "zkcx"
    message = str(exc) if kind is None else f"{kind}: {exc}"
    print(f"{where}: error: {message}", file=sys.stderr)
    if as_json:
        print(json.dumps({"error": {"command": command, "type": kind or "UsageError",
                                    "message": str(exc)}, "exit_code": EXIT_USAGE}))
    return EXIT_USAGE


def _internal_error(command: str) -> int:
    """The exception being handled is a bug in zkcx: its traceback and exit code 3."""
    traceback.print_exc()
    print(f"zkcx {command}: internal error (a bug in zkcx; please report it)",
          file=sys.stderr)
    return EXIT_INTERNAL


def _stdout_closed() -> int:
    """stdout's reader went away (``| head``): stop quietly, as ``cat`` does."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush is quiet
    except (OSError, ValueError):
        pass
    return EXIT_PIPE


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default: sys.argv[1:]); returns the exit code."""
    try:
        return _main(sys.argv[1:] if argv is None else list(argv))
    except BrokenPipeError:
        return _stdout_closed()


def _main(argv: list[str]) -> int:
    parser = build_parser()
    # argparse wants global flags first; accept them anywhere, as users type them
    flags = [a for a in argv if a in ("--json", "--quiet", "-q")]
    rest = [a for a in argv if a not in ("--json", "--quiet", "-q")]
    as_json = "--json" in flags
    try:
        args = parser.parse_args(flags + rest)
    except SystemExit as exc:  # --help, --version
        return int(exc.code or 0)
    except UsageError as exc:
        return _report_error(getattr(exc, "command", None), exc, as_json)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE if rest else 0
    command = " ".join(filter(None, [args.command, getattr(args, "verb", None)
                                     or getattr(args, "what", None)]))
    out = Reporter(as_json=args.json, quiet=args.quiet or args.json)
    try:
        code = args.run(args, out)
    except UsageError as exc:
        return _report_error(command, exc, as_json)
    except InternalError:  # zkcx caught itself breaking an invariant: a bug, exit code 3
        return _internal_error(command)
    except (ZkcxError, OSError) as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        return _report_error(command, exc, as_json, type(exc).__name__)
    except sqlite3.DatabaseError as exc:  # a chain file whose pages do not read
        chain = getattr(args, "chain", None)
        return _report_error(command, UsageError(f"chain file {chain!r} is corrupt: {exc}"),
                             as_json)
    except KeyboardInterrupt:
        print(f"zkcx {command}: interrupted", file=sys.stderr)
        return 130
    except Exception:  # a bug, not a verdict: keep exit code 1 for "verification failed"
        return _internal_error(command)
    out.set(exit_code=code)
    out.finish()
    return code
