# SPDX-License-Identifier: MIT
"""The ``zkcx`` command: a noun-verb CLI mapping one to one onto library calls.

Exit codes: 0 ok, 1 a proof/block/chain failed verification, 2 bad arguments or bad
input files (the message on stderr says which and why), 3 an internal error (a bug)."""

from __future__ import annotations

import argparse
import sys
import traceback

import zkcx
from zkcx.cli import bench_commands, chain_commands, demo, kernel_commands, proof_commands
from zkcx.cli._output import EXIT_INTERNAL, EXIT_USAGE, Reporter, UsageError
from zkcx.errors import ZkcxError


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zkcx",
        description="Zero-knowledge proof-of-compute on BN254 (Groth16, snarkjs-compatible).",
    )
    parser.add_argument("--version", action="version", version=f"zkcx {zkcx.__version__}")
    parser.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # snarkjs's order of work: compile, setup, prove, verify, export; then the rollup
    for module in (kernel_commands, proof_commands, chain_commands, bench_commands, demo):
        module.add_parsers(sub)
    p = sub.add_parser("info", help="version, native build and a self-check")
    p.set_defaults(run=cmd_info)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default: sys.argv[1:]); returns the exit code."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    # argparse wants global flags first; accept them anywhere, as users type them
    flags = [a for a in argv if a in ("--json", "--quiet", "-q")]
    rest = [a for a in argv if a not in ("--json", "--quiet", "-q")]
    args = parser.parse_args(flags + rest)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE if rest else 0
    out = Reporter(as_json=args.json, quiet=args.quiet or args.json)
    try:
        code = args.run(args, out)
    except UsageError as exc:
        print(f"zkcx {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ZkcxError, OSError) as exc:
        kind = type(exc).__name__
        print(f"zkcx {args.command}: error: {kind}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"zkcx {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception:  # a bug, not a verdict: keep exit code 1 for "verification failed"
        traceback.print_exc()
        print(f"zkcx {args.command}: internal error (a bug in zkcx; please report it)",
              file=sys.stderr)
        return EXIT_INTERNAL
    out.set(exit_code=code)
    out.finish()
    return code
