# SPDX-License-Identifier: MIT
"""The ``zkcx`` command: a noun-verb CLI mapping one to one onto library calls.

Exit codes: 0 ok, 1 a proof/block/chain failed verification, 2 bad arguments or bad
input files (a one-line message on stderr says which and why; with ``--json`` also a
JSON object ``{"error": ..., "exit_code": 2}`` on stdout), 3 an internal error (a bug),
130 interrupted, 141 stdout closed early (``zkcx export calldata ... | head``)."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable
from types import ModuleType

from zkcx import __version__
from zkcx.cli._output import EXIT_INTERNAL, EXIT_PIPE, EXIT_USAGE, Reporter
from zkcx.cli.errors import UsageError
from zkcx.errors import InternalError, ZkcxError

#: The command modules, imported only when one of their commands runs (``zkcx prove``
#: imports nothing of the rollup); the names are literals so that the layering check
#: (tests/test_layering.py) reads them.
_MODULES: dict[str, Callable[[], ModuleType]] = {
    "kernel_commands": lambda: importlib.import_module("zkcx.cli.kernel_commands"),
    "proof_commands": lambda: importlib.import_module("zkcx.cli.proof_commands"),
    "aggregate_commands": lambda: importlib.import_module("zkcx.cli.aggregate_commands"),
    "ptau_commands": lambda: importlib.import_module("zkcx.cli.ptau_commands"),
    "zkey_commands": lambda: importlib.import_module("zkcx.cli.zkey_commands"),
    "chain_commands": lambda: importlib.import_module("zkcx.cli.chain_commands"),
    "registry_commands": lambda: importlib.import_module("zkcx.cli.registry_commands"),
    "claim_commands": lambda: importlib.import_module("zkcx.cli.claim_commands"),
    "account_commands": lambda: importlib.import_module("zkcx.cli.account_commands"),
    "tx_commands": lambda: importlib.import_module("zkcx.cli.tx_commands"),
    "gov_commands": lambda: importlib.import_module("zkcx.cli.gov_commands"),
    "market_commands": lambda: importlib.import_module("zkcx.cli.market_commands"),
    "model_commands": lambda: importlib.import_module("zkcx.cli.model_commands"),
    "job_commands": lambda: importlib.import_module("zkcx.cli.job_commands"),
    "bench_commands": lambda: importlib.import_module("zkcx.cli.bench_commands"),
    "demo_commands": lambda: importlib.import_module("zkcx.cli.demo_commands"),
    "operator_commands": lambda: importlib.import_module("zkcx.cli.operator_commands"),
}

#: Every command, in ``zkcx --help``'s order (snarkjs's order of work: compile, setup,
#: prove, verify, export; then the ceremonies and the rollup): its module, the function
#: there that registers it, and its one-line help, which ``zkcx --help`` shows without
#: importing the module (tests/cli/test_startup.py checks it against the module's).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "compile": ("kernel_commands", "add_parsers",
                "compile a kernel spec (circuits/*.toml) to .r1cs"),
    "input": ("kernel_commands", "add_parsers", "write a sample input file for a kernel"),
    "setup": ("proof_commands", "add_parsers",
              "Groth16 setup of a circuit (.r1cs) into a .zkey"),
    "prove": ("proof_commands", "add_parsers",
              "prove from a .zkey and a witness (.wtns) or kernel inputs"),
    "verify": ("proof_commands", "add_parsers", "verify a proof (exit 1 if invalid)"),
    "export": ("proof_commands", "add_parsers", "export a Solidity verifier or its calldata"),
    "aggregate": ("aggregate_commands", "add_parsers",
                  "aggregate proofs of one key into one SnarkPack proof"),
    "verify-aggregate": ("aggregate_commands", "add_parsers",
                         "verify a SnarkPack aggregate proof (exit 1 if invalid)"),
    "ptau": ("ptau_commands", "add_parsers",
             "powers-of-tau ceremony (phase 1), snarkjs's .ptau files"),
    "zkey": ("zkey_commands", "add_parsers",
             "phase-2 ceremony of a circuit's key (snarkjs-compatible)"),
    "chain": ("chain_commands", "add_chain_parser",
              "create a rollup chain (a file or a PostgreSQL database)"),
    "kernel": ("registry_commands", "add_parsers",
               "register kernels with a chain, or list them"),
    "claim": ("claim_commands", "add_parsers",
              "make a claim file from a proof for `block build`"),
    "block": ("chain_commands", "add_parsers", "build, verify or show rollup blocks"),
    "rewards": ("chain_commands", "add_parsers", "the accountant's state"),
    "account": ("account_commands", "add_parsers", "node keys (keystore v3) and account state"),
    "tx": ("tx_commands", "add_parsers",
           "sign a stake, unstake or transfer into a transaction file"),
    "gov": ("gov_commands", "add_parsers",
            "propose and vote on parameter changes; show proposals"),
    "task": ("market_commands", "add_parsers",
             "post, cancel, list or show compute-market tasks"),
    "node": ("market_commands", "add_parsers",
             "register a node's measured capacity, or run a node against an operator"),
    "model": ("model_commands", "add_parsers",
              "register, show, price, freeze or retire a model"),
    "job": ("job_commands", "add_parsers", "post, show or cancel sharded training jobs"),
    "bench": ("bench_commands", "add_parsers",
              "compare the zkcx prover with rapidsnark ($RAPIDSNARK), groth16py and snarkjs "
              "on the same circuits"),
    "demo": ("demo_commands", "add_parsers",
             "the compute market end to end: tasks, proofs, blocks, fees and rewards"),
    "operator": ("operator_commands", "add_parsers",
                 "run the rollup operator as an HTTP service"),
}

#: the global flags, accepted anywhere on the command line
_GLOBAL_FLAGS = ("--json", "--quiet", "-q")


def cmd_info(args: argparse.Namespace, out: Reporter) -> int:
    """Version, native build features and a self-check of the native field."""
    import zkcx
    from zkcx.cli._startup import work_starts
    from zkcx.cli.selfcheck import field_selfcheck

    work_starts()
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


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``zkcx`` parser. Only ``command``'s module is imported and registers its real
    parser (with those of the other commands it defines); every other command gets a
    placeholder with its help line, enough for ``zkcx --help`` and for argparse to name
    the choices. ``command="*"`` imports every module: the full parser."""
    parser = _Parser(
        prog="zkcx",
        description="Zero-knowledge proof-of-compute on BN254 (Groth16, snarkjs-compatible).",
        epilog="Exit codes: 0 ok; 1 a proof, block or chain failed verification; 2 bad "
               "arguments or input files; 3 an internal error; 141 stdout closed early. "
               "With --json, results and "
               "errors are JSON objects on stdout.",
    )
    parser.add_argument("--version", action="version", version=f"zkcx {__version__}")
    parser.add_argument("--json", action="store_true",
                        help="machine-readable output on stdout (errors too)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    registered: set[tuple[str, str]] = set()
    wanted = {(module, register) for name, (module, register, _) in COMMANDS.items()
              if command in ("*", name)}
    for name, (module, register, help_line) in COMMANDS.items():
        if (module, register) not in wanted:
            sub.add_parser(name, help=help_line)
        elif (module, register) not in registered:  # it registers all its commands at once
            getattr(_MODULES[module](), register)(sub)
            registered.add((module, register))
    p = sub.add_parser("info", help="version, native build and a self-check")
    p.set_defaults(run=cmd_info)
    return parser


def _command_named(argv: list[str]) -> str | None:
    """The command a command line runs (its first word that is not an option), if it
    is one of COMMANDS."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


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


def _database_error() -> type[Exception] | tuple[()]:
    """sqlite3's error class if a command loaded sqlite3 (the chain commands), else
    nothing to catch: ``zkcx prove`` does not import it."""
    sqlite3 = sys.modules.get("sqlite3")
    return sqlite3.DatabaseError if sqlite3 is not None else ()


def _internal_error(command: str) -> int:
    """The exception being handled is a bug in zkcx: its traceback and exit code 3."""
    import traceback

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


def _one_blas_thread() -> None:
    """Ask numpy's OpenBLAS for one thread, unless the user chose (``OPENBLAS_NUM_THREADS``)
    or numpy is loaded already. OpenBLAS starts a thread per core when numpy is imported,
    and they spin for a while: on two cores that costs every command tens of milliseconds
    of start-up and takes a core from the native prover's threads, and no command does
    float linear algebra large enough to gain from more threads (the native core has
    its own threads, ``ZKCX_THREADS``)."""
    if "numpy" not in sys.modules and "OPENBLAS_NUM_THREADS" not in os.environ:
        os.environ["OPENBLAS_NUM_THREADS"] = "1"


def _hide_chain_password(args: argparse.Namespace) -> None:
    """A ``--chain`` postgresql:// URL kept as a ``ChainURL``, which shows itself
    without its password in every message (the rollup is imported only then)."""
    for name in ("chain", "chain_option"):
        value = getattr(args, name, None)
        if isinstance(value, str) and "://" in value:
            from zkcx.cli.chain_commands import chain_location

            setattr(args, name, chain_location(value))


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default: sys.argv[1:]); returns the exit code."""
    _one_blas_thread()
    try:
        return _main(sys.argv[1:] if argv is None else list(argv))
    except BrokenPipeError:
        return _stdout_closed()


#: Commands that leave nothing running or to clean up once they return (no server, no
#: worker, no temporary folder; the files they write closed): ``run`` ends their process
#: without tearing the interpreter down (``zkey``: ~20 ms of it with numpy loaded).
_QUICK_EXIT = frozenset({"prove", "verify", "zkey"})


def run() -> None:
    """The ``zkcx`` console script and ``python -m zkcx``: ``main()``, then exit with its
    code. After a command of ``_QUICK_EXIT`` the process ends with ``os._exit`` once
    stdout and stderr are flushed (its files are closed by then): unloading the modules
    and the native library at interpreter shutdown cost ~6 ms, a tenth of a small
    proof's whole run (benchmarks/RESULTS.md, session 10)."""
    code = main()
    argv = [a for a in sys.argv[1:] if a not in _GLOBAL_FLAGS]
    if _command_named(argv) in _QUICK_EXIT:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:  # a closed pipe: nothing more can be said
            code = code or EXIT_PIPE
        os._exit(code)
    sys.exit(code)


def _main(argv: list[str]) -> int:
    # argparse wants global flags first; accept them anywhere, as users type them
    flags = [a for a in argv if a in _GLOBAL_FLAGS]
    rest = [a for a in argv if a not in _GLOBAL_FLAGS]
    parser = build_parser(_command_named(rest))
    as_json = "--json" in flags
    try:
        args = parser.parse_args(flags + rest)
    except SystemExit as exc:  # --help, --version
        return int(exc.code or 0)
    except UsageError as exc:
        return _report_error(getattr(exc, "command", None), exc, as_json)
    _hide_chain_password(args)
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
    except _database_error() as exc:  # a chain file whose pages do not read
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
