# SPDX-License-Identifier: MIT
"""``zkcx operator serve``: the rollup operator as an HTTP service (``zkcx.operator``).

It serves the chain (an SQLite file or a ``postgresql://`` URL) on ``--host``/``--port``:
nodes and requesters submit signed claims and transactions, read blocks, accounts,
tasks, models and jobs, and fetch kernels and input blobs; the operator seals a block
every ``--block-interval`` seconds or as soon as ``--block-size`` transactions wait.
With ``--scheduler`` or ``--workers`` it verifies blocks on a Dask cluster
(``zkcx.cluster``). SIGINT or SIGTERM stops it gracefully: it stops accepting, finishes
the block being sealed and closes the chain. It needs the ``network`` extra
(``pip install 'zkcx[network]'``), and the ``cluster`` extra for a cluster."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import re
import signal
import socket
import sys

from zkcx.cli._args import int_in, seconds_in
from zkcx.cli._output import Reporter
from zkcx.cli._startup import work_starts
from zkcx.cli.errors import UsageError

_SIZE = re.compile(r"^\s*(\d+)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$", re.IGNORECASE)
_UNITS = {None: 1, "b": 1, "kb": 1000, "kib": 1 << 10, "mb": 10**6, "mib": 1 << 20,
          "gb": 10**9, "gib": 1 << 30}


_POSITIVE_INT = int_in(1, (1 << 62) - 1, "a positive integer")
_POSITIVE_SECONDS = seconds_in(0, float("inf"), "a positive number of seconds", zero=False)

def size_arg(text: str) -> int:
    """A byte size: 1048576, 512KiB, 1MiB, 2MB."""
    match = _SIZE.match(text)
    if not match or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (like 1MiB, 512KiB or a "
                                         "number of bytes)")
    return int(match.group(1)) * _UNITS[(match.group(2) or "").lower() or None]


def rate_arg(text: str) -> float | None:
    """A rate: N or N/s (per second), or "off" for no limit."""
    if text.strip().lower() == "off":
        return None
    number = text.strip().removesuffix("/s")
    try:
        value = float(number)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a rate (N/s with N > 0, or off)")
    return value




def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0 to 65535; 0: any free "
                                         "one)")
    return value


def _network_modules():
    """(zkcx.operator.app, uvicorn), or a UsageError naming the extra to install."""
    try:
        return importlib.import_module("zkcx.operator.app"), importlib.import_module("uvicorn")
    except ImportError as exc:
        raise UsageError(f"zkcx operator serve needs the network extra ({exc.name} is "
                         "missing): pip install 'zkcx[network]'") from None


@contextlib.contextmanager
def _cluster(args: argparse.Namespace):
    """The cluster's block verifier for --scheduler/--workers (None without them)."""
    if args.scheduler is None and args.workers is None:
        yield None
        return
    try:
        cluster_module = importlib.import_module("zkcx.cluster")
        cluster_class = cluster_module.Cluster
    except (ImportError, AttributeError) as exc:
        raise UsageError(f"--scheduler/--workers need the cluster extra ({exc}): pip "
                         "install 'zkcx[cluster]'") from None
    with cluster_class(scheduler=args.scheduler, workers=args.workers or 2,
                       progress=False) as cluster:
        yield cluster.verifier()


def _listen(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(f"--host {host!r} does not resolve: {exc.strerror}") from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _aggregation_srs(args: argparse.Namespace):
    """The prover's aggregation SRS of a chain whose blocks carry aggregates (None for
    one without): --aggregation-ptau twice or --unsafe-aggregation-srs."""
    from zkcx.cli.chain_commands import chain_aggregation_srs
    from zkcx.rollup import open_store

    store = open_store(args.chain, read_only=True)
    try:
        return chain_aggregation_srs(store, args.aggregation_ptau,
                                     args.unsafe_aggregation_srs)
    finally:
        store.close()


def cmd_operator_serve(args: argparse.Namespace, out: Reporter) -> int:
    """Serve the chain until SIGINT/SIGTERM."""
    app_module, uvicorn = _network_modules()
    from zkcx.operator.config import OperatorConfig

    if args.kernels is not None and not os.path.isdir(args.kernels):
        raise UsageError(f"--kernels {args.kernels!r} is not a folder")
    work_starts()
    with _cluster(args) as verifier:
        config = OperatorConfig(
            chain=args.chain, host=args.host, port=args.port,
            block_interval=args.block_interval, block_size=args.block_size,
            kernels_dir=args.kernels, max_body=args.max_body, account_rate=args.rate,
            account_burst=max(1, int(2 * args.rate)) if args.rate else 1,
            client_rate=args.client_rate,
            client_burst=max(1, int(2 * args.client_rate)) if args.client_rate else 1,
            seal_empty=not args.no_empty_blocks, verifier=verifier,
            aggregation_srs=_aggregation_srs(args))
        app = app_module.create_app(config)
        sock = _listen(args.host, args.port)
        host, port = sock.getsockname()[:2]
        print(f"zkcx operator: serving {args.chain if '://' not in args.chain else 'the chain'}"
              f" on http://{host}:{port} (blocks every {args.block_interval:g} s or "
              f"{args.block_size} transactions)", file=sys.stderr, flush=True)
        server = uvicorn.Server(uvicorn.Config(
            app, log_level="warning" if out.quiet else "info", lifespan="on",
            timeout_graceful_shutdown=30))
        # uvicorn stops gracefully on SIGINT/SIGTERM, then raises the signal again for
        # the handler it found: this one notes it, so the command ends with exit code 0
        signals: list[int] = []
        previous = {sig: signal.signal(sig, lambda sig, _frame: signals.append(sig))
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            server.run(sockets=[sock])
        finally:
            sock.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    print("zkcx operator: stopped", file=sys.stderr, flush=True)
    out.set(host=host, port=port, stopped_by=[signal.Signals(s).name for s in signals])
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register operator serve."""
    p = sub.add_parser("operator", help="run the rollup operator as an HTTP service")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="{serve}")
    q = verbs.add_parser("serve", help="serve a chain over HTTP and seal its blocks")
    q.add_argument("--chain", required=True,
                   help="the chain: an SQLite chain file or a postgresql:// URL")
    q.add_argument("--host", default="127.0.0.1", help="address to listen on "
                   "(default 127.0.0.1)")
    q.add_argument("--port", type=_port, default=8545, help="port (default 8545; 0: any)")
    q.add_argument("--block-interval", type=_POSITIVE_SECONDS, default=2.0,
                   help="seconds between blocks (default 2)")
    q.add_argument("--block-size", type=_POSITIVE_INT, default=256,
                   help="most transactions in a block; a full pool seals at once "
                        "(default 256)")
    q.add_argument("--no-empty-blocks", action="store_true",
                   help="seal only when something is pending (deadlines then wait)")
    q.add_argument("--kernels", metavar="DIR",
                   help="a folder of <name>.toml kernel specs with their <name>.zkey keys "
                        "to serve to nodes")
    q.add_argument("--aggregation-ptau", action="append", default=[], metavar="PTAU",
                   help="on a chain whose blocks carry aggregates (`zkcx chain aggregation`): "
                        "a powers-of-tau file of its SRS (give both)")
    q.add_argument("--unsafe-aggregation-srs", metavar="SEED",
                   help="UNSAFE, demo chains only: the aggregation SRS derived from SEED")
    q.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="verify blocks on this Dask cluster (the cluster extra)")
    q.add_argument("--workers", type=_POSITIVE_INT,
                   help="verify blocks on a local Dask cluster of N workers")
    q.add_argument("--max-body", type=size_arg, default=1 << 20,
                   help="largest request body (default 1MiB; blobs up to the store's 16MiB)")
    q.add_argument("--rate", type=rate_arg, default=20.0, metavar="N/s",
                   help="submissions per second per account (default 20/s; off)")
    q.add_argument("--client-rate", type=rate_arg, default=500.0, metavar="N/s",
                   help="submissions per second per client address (default 500/s; off)")
    q.set_defaults(run=cmd_operator_serve)
