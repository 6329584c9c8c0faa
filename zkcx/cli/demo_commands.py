# SPDX-License-Identifier: MIT
"""``zkcx demo [--dir D] [--seed N] [--network]``: the compute market end to end, in one
process on an embedded chain (``zkcx.cli.demo``) or, with ``--network``, through the
real operator service and node clients as processes on 127.0.0.1
(``zkcx.cli.demo_network``)."""

from __future__ import annotations

import argparse
import os
import pathlib
import tempfile
import time

from zkcx.cli._output import Reporter
from zkcx.cli.demo import cmd_demo
from zkcx.cli.errors import UsageError


def cmd_demo_network(args: argparse.Namespace, out: Reporter) -> int:
    """The network demo in ``--dir`` (kept: chain, kernels, keystore, logs) or a
    temporary folder (removed)."""
    from zkcx.cli.demo_network import run_network_demo  # imports the node client

    start = time.perf_counter()
    if args.dir:
        directory = pathlib.Path(args.dir)
        if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
            raise UsageError(f"--dir {args.dir!r} is not a new or empty folder (the demo "
                             "never overwrites a chain)")
        directory.mkdir(parents=True, exist_ok=True)
        run_network_demo(directory, out, args.seed)
        out.line(f"Kept in {directory}: chain.db, kernels{os.sep}, keystore{os.sep}, the "
                 "operator's and the nodes' logs; serve it again with: zkcx operator serve "
                 f"--chain {directory / 'chain.db'} --kernels {directory / 'kernels'}")
    else:
        with tempfile.TemporaryDirectory(prefix="zkcx-demo-network-") as tmp:
            run_network_demo(pathlib.Path(tmp), out, args.seed)
    out.line(f"demo finished in {time.perf_counter() - start:.1f} s")
    return 0


def _run(args: argparse.Namespace, out: Reporter) -> int:
    return cmd_demo_network(args, out) if args.network else cmd_demo(args, out)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register demo."""
    p = sub.add_parser("demo", help="the compute market end to end: tasks, proofs, blocks, "
                                    "fees and rewards")
    p.add_argument("--dir", help="a new or empty folder to keep the chain, kernel specs, keys, "
                                 "inputs and claims in (default: a temporary folder, removed)")
    p.add_argument("--seed", type=int, default=2026, help="seed of the keys and the inputs")
    p.add_argument("--network", action="store_true",
                   help="run it through the real service: an operator process on "
                        "127.0.0.1, three `zkcx node run` processes, a requester over HTTP")
    p.set_defaults(run=_run)
