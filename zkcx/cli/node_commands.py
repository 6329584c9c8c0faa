# SPDX-License-Identifier: MIT
"""``zkcx node run``: a node of the compute market working for an operator over HTTP
(``zkcx.node.NodeClient``).

    zkcx node run --operator http://127.0.0.1:8545 --account KEYFILE_OR_ADDRESS \\
        [--keystore DIR] [--password-file F] [--kernels DIR] [--cache DIR] \\
        [--scheduler tcp://host:port | --workers N] [--once | --max-tasks N]

The node registers its capacity (measured here: a benchmark chain proved and timed, as
``zkcx node register --measure`` does) unless the operator knows it as a node, then
proves the tasks assigned to it and submits their claims, riding out the operator's
restarts. Progress goes to stderr (JSON lines with ``--json``); the summary (tasks
proved, claims accepted and rejected) to stdout at the end. SIGTERM stops it after the
round in progress; ``--once`` ends once the tasks assigned at the first round are
settled, ``--max-tasks N`` once N tasks are."""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import signal
import sys
import threading

from zkcx.cli._args import int_in, nonnegative, seconds_in
from zkcx.cli._capacity import measure_profile
from zkcx.cli._keys import PASSWORD_ENV, KeyRing
from zkcx.cli._output import Reporter
from zkcx.cli.errors import UsageError

#: where fetched kernel specs and keys are kept without --cache
DEFAULT_CACHE = pathlib.Path(os.environ.get("XDG_CACHE_HOME") or
                             pathlib.Path.home() / ".cache") / "zkcx" / "kernels"


_POSITIVE_COUNT = int_in(1, 1 << 20, "a positive count")
_POLL_SECONDS = seconds_in(0, 3600, "a number of seconds in [0, 3600]")

def _url(text: str) -> str:
    if not text.startswith(("http://", "https://")) or len(text) > 2048 \
            or "://" in text[8:] or text.rstrip("/").endswith(("://", ":")):
        raise argparse.ArgumentTypeError(f"{text!r} is not an operator URL "
                                         "(http://host:port)")
    return text.rstrip("/")




def _signer(args: argparse.Namespace):
    """The node's key: --account names a keystore v3 file, or an address of --keystore."""
    if os.path.isfile(args.account) and not args.keystore:
        keys = argparse.Namespace(key_file=args.account, keystore=None, account=None,
                                  password_file=args.password_file)
    elif args.keystore:
        keys = argparse.Namespace(key_file=None, keystore=args.keystore,
                                  account=args.account, password_file=args.password_file)
    else:
        raise UsageError(f"--account {args.account!r} is neither a key file nor, without "
                         "--keystore DIR, an address a keystore holds")
    return KeyRing(keys).signer()


def _printer(args: argparse.Namespace, address: str):
    """The event log: JSON lines (--json) or a line of text each, on stderr."""
    def show(event: dict) -> None:
        if args.quiet:
            return
        if args.json:
            print(json.dumps(event, default=str), file=sys.stderr, flush=True)
            return
        fields = " ".join(f"{k}={v}" for k, v in event.items() if k != "event")
        print(f"node {address[:10]}…: {event['event']} {fields}".rstrip(), file=sys.stderr,
              flush=True)
    return show


def cmd_node_run(args: argparse.Namespace, out: Reporter) -> int:
    """Run the node until stopped (or --once / --max-tasks)."""
    from zkcx.node import NodeClient

    if args.kernels is not None and not os.path.isdir(args.kernels):
        raise UsageError(f"--kernels {args.kernels!r} is not a directory")
    signer = _signer(args)
    address = str(signer.address)
    cache = args.cache or str(DEFAULT_CACHE)
    log = _printer(args, address)

    def measure():
        log({"event": "measuring", "chain": f"2^{args.measure_size}"})
        return measure_profile(args.measure_size)

    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set()) \
        if threading.current_thread() is threading.main_thread() else None
    cluster = _cluster(args)
    try:
        client = NodeClient(args.operator, signer, args.kernels, cluster, profile=measure,
                            cache_dir=cache, poll_interval=args.poll, log=log)
        try:
            summary = client.run(max_tasks=args.max_tasks, once=args.once, stop=stop)
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.__exit__(None, None, None)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    out.line(f"node {address}: {summary.proved} tasks proved, {len(summary.accepted)} "
             f"claims accepted, {len(summary.rejected)} rejected, {len(summary.refused)} "
             f"tasks refused, {summary.resubmitted} claims signed again")
    out.set(node=address, **summary.to_dict())
    return 0


def _cluster(args: argparse.Namespace):
    """The Dask cluster to prove on (--scheduler / --workers), entered; else None."""
    if args.scheduler is None and args.workers is None:
        return None
    try:
        from zkcx.cluster import Cluster
    except ImportError as exc:
        raise UsageError(f"--scheduler/--workers need the extra zkcx[cluster] "
                         f"(pip install 'zkcx[cluster]'): {exc}") from None
    cluster = Cluster(scheduler=args.scheduler, workers=args.workers or 2)
    cluster.__enter__()
    return cluster


def add_run_parser(verbs: argparse._SubParsersAction) -> None:
    """Register ``node run`` under the ``node`` noun."""
    q = verbs.add_parser("run", help="run a node against an operator: register, prove the "
                                     "assigned tasks, submit their claims")
    q.add_argument("--operator", required=True, type=_url,
                   help="the operator's URL (http://host:port)")
    q.add_argument("--account", required=True, metavar="KEYFILE_OR_ADDRESS",
                   help="the node's key: a keystore v3 file, or an address of --keystore")
    q.add_argument("--keystore", metavar="DIR", help="keystore directory holding the key")
    q.add_argument("--password-file", metavar="FILE",
                   help=f"file whose first line is the key password (default: the "
                        f"{PASSWORD_ENV} environment variable)")
    q.add_argument("--kernels", metavar="DIR",
                   help="kernel specs and keys here (NAME.toml + NAME.zkey), tried before "
                        "the operator's")
    q.add_argument("--cache", metavar="DIR",
                   help=f"where fetched specs and keys are kept (default {DEFAULT_CACHE})")
    where = q.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="prove on this Dask cluster (zkcx[cluster])")
    where.add_argument("--workers", type=_POSITIVE_COUNT,
                       help="prove on a local Dask cluster of N workers (zkcx[cluster])")
    until = q.add_mutually_exclusive_group()
    until.add_argument("--once", action="store_true",
                       help="take the tasks assigned now, wait for their claims, stop")
    until.add_argument("--max-tasks", type=nonnegative, metavar="N",
                       help="stop once N tasks are taken and their claims settled")
    q.add_argument("--poll", type=_POLL_SECONDS, default=0.5, metavar="SECONDS",
                   help="pause between rounds (default 0.5)")
    q.add_argument("--measure-size", type=int, default=10, choices=range(6, 17),
                   metavar="K", help="the capacity is measured on a chain of 2^K rows "
                                     "(default 10)")
    q.set_defaults(run=cmd_node_run)
