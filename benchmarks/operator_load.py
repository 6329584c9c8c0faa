# SPDX-License-Identifier: MIT
"""Operator load test (issue 18): how many signed claim submissions per second the
operator service accepts on this machine, with their latency, over loopback only.

It makes a chain in a temporary folder (one small task-ready kernel kept with it), starts
``zkcx operator serve`` on 127.0.0.1 as its own process, and submits pre-signed claims
from this process with ``--connections`` concurrent HTTP connections until ``--count``
submissions or ``--seconds`` have passed, whichever first. The claims come from
``--accounts`` accounts (nonces 0, 1, … each) and the operator runs with its rate
limits off, so no limit binds: what is measured is the submission path (JSON decoding,
the schema, signature recovery, the nonce checks, the durable ``store.submit``) while
the sealer seals blocks of ``--block-size`` beside it (batch verification included;
the claims name tasks that do not exist, so blocks reject them after verifying them).

Reported: submissions, accepted (202) and refused by status, sustained accepted
submissions per second (accepted / wall time of the submission phase), latency p50 /
p99 / max per request, blocks sealed; as JSON (``--json``) and Markdown
(``--markdown``), both on stdout when no file is named.

    python benchmarks/operator_load.py [--connections 16] [--accounts 64] \\
        [--count 5000] [--seconds 30] [--block-size 256] [--block-interval 2] \\
        [--json out.json] [--markdown out.md] [--verify]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import json
import os
import pathlib
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import numpy as np  # noqa: E402

from zkcx import groth16  # noqa: E402
from zkcx.accounts import Signer  # noqa: E402
from zkcx.kernels import PublicBounds  # noqa: E402
from zkcx.market import Market  # noqa: E402
from zkcx.params import FR_MODULUS  # noqa: E402
from zkcx.r1cs import ConstraintSystem  # noqa: E402
from zkcx.rewards.params import ClaimKind  # noqa: E402
from zkcx.rollup import (  # noqa: E402
    Claim,
    KernelRegistry,
    SQLiteChainStore,
    chain_domain,
    claim_binding,
    verify_chain,
)

CHAIN_ID = 9001


def make_chain(path: pathlib.Path) -> tuple[str, tuple[int, ...], groth16.Proof]:
    """A chain at ``path`` with one task-ready kernel (out = x² + bind) kept with it;
    returns (kernel id, public inputs, proof) of one proof."""
    cs = ConstraintSystem("square")
    out = cs.output("out")
    x, bind = cs.public_input("x"), cs.public_input("bind")
    cs.assert_equal(x * x + bind, out, "result")
    r1cs = cs.build()
    pk = groth16.setup(r1cs)
    registry = KernelRegistry()
    kernel_id = registry.register(pk.verifying_key, r1cs.n_constraints, ClaimKind.COMPUTE,
                                  None, 2, public_bounds=PublicBounds.unbounded(r1cs.n_public),
                                  input_positions=(1,), unsafe_local_setup=True)
    b = claim_binding("0x" + "00" * 20, "0")
    proof, public = groth16.prove(pk, r1cs.solve({x: 3, bind: b, out: (9 + b) % FR_MODULUS}),
                                  r1cs)
    with SQLiteChainStore.create(path, Market(), chain_id=CHAIN_ID) as store:
        store.save_kernel_registry(registry)
    return kernel_id, tuple(public), proof


def signed_claims(kernel_id: str, public, proof, accounts: int, count: int) -> list[dict]:
    """``count`` claims as JSON documents, round-robin over ``accounts`` accounts, each
    account's nonces 0, 1, … in order, each for its own task id."""
    domain = chain_domain(CHAIN_ID)
    keys = [Signer(hashlib.sha256(b"zkcx-load:%d" % i).digest()) for i in range(accounts)]
    nonces = [0] * accounts
    out = []
    for k in range(count):
        i = k % accounts
        draft = Claim(str(keys[i].address), str(k), kernel_id, public, proof,
                      ClaimKind.COMPUTE, nonce=nonces[i])
        nonces[i] += 1
        claim = dataclasses.replace(draft, signature=keys[i].sign(draft.digest(domain)))
        out.append(claim.to_json())
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_operator(chain: pathlib.Path, port: int, args) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "zkcx", "--quiet", "operator", "serve", "--chain", str(chain),
         "--port", str(port), "--rate", "off", "--client-rate", "off",
         "--block-size", str(args.block_size), "--block-interval", str(args.block_interval)],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"the operator exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/status", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("the operator did not start within 60 s")
        time.sleep(0.1)


async def load(url: str, claims: list[dict], connections: int, seconds: float) -> dict:
    """Submit ``claims`` over ``connections`` concurrent connections for at most
    ``seconds``; per-request latencies and status counts."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    next_index = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    start = time.perf_counter()
    stop_at = start + seconds
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        async def worker() -> None:
            nonlocal next_index
            while next_index < len(claims) and time.perf_counter() < stop_at:
                body = claims[next_index]
                next_index += 1
                t0 = time.perf_counter()
                try:
                    response = await client.post("/v1/claims", json=body)
                    key = str(response.status_code)
                except httpx.TransportError as exc:
                    key = type(exc).__name__
                latencies.append(time.perf_counter() - t0)
                statuses[key] = statuses.get(key, 0) + 1

        await asyncio.gather(*(worker() for _ in range(connections)))
    return {"seconds": time.perf_counter() - start, "latencies": latencies,
            "statuses": statuses}


def markdown(result: dict) -> str:
    lat = result["latency_ms"]
    refused = ", ".join(f"{k}: {v}" for k, v in sorted(result["refused"].items())) or "none"
    return "\n".join([
        f"Operator load test ({result['machine']}; loopback, {result['connections']} "
        f"connections, {result['accounts']} accounts, blocks of {result['block_size']} "
        f"every {result['block_interval']:g} s, rate limits off)",
        "",
        "| submissions | accepted | refused | wall s | accepted/s | p50 ms | p99 ms | max ms "
        "| blocks |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|",
        f"| {result['submissions']} | {result['accepted']} | {refused} | "
        f"{result['seconds']:.2f} | {result['accepted_per_second']:.1f} | {lat['p50']:.2f} | "
        f"{lat['p99']:.2f} | {lat['max']:.2f} | {result['blocks_sealed']} |",
        ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--accounts", type=int, default=64)
    parser.add_argument("--count", type=int, default=5000, help="most submissions")
    parser.add_argument("--seconds", type=float, default=30.0, help="most seconds of load")
    parser.add_argument("--block-size", type=int, default=256)
    parser.add_argument("--block-interval", type=float, default=2.0)
    parser.add_argument("--json", help="write the result here (default: stdout)")
    parser.add_argument("--markdown", help="write the table here (default: stdout)")
    parser.add_argument("--verify", action="store_true",
                        help="verify the chain after the operator stopped")
    args = parser.parse_args(argv)
    if min(args.connections, args.accounts, args.count) < 1 or args.seconds <= 0:
        parser.error("--connections, --accounts, --count and --seconds must be positive")
    with tempfile.TemporaryDirectory(prefix="zkcx-load-") as folder:
        chain = pathlib.Path(folder) / "chain.db"
        kernel_id, public, proof = make_chain(chain)
        claims = signed_claims(kernel_id, public, proof, args.accounts, args.count)
        port = free_port()
        proc = start_operator(chain, port, args)
        try:
            url = f"http://127.0.0.1:{port}"
            run = asyncio.run(load(url, claims, args.connections, args.seconds))
            status = httpx.get(f"{url}/v1/status", timeout=30).json()
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(120)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
        if code != 0:
            print(f"the operator exited with code {code}: "
                  f"{proc.stderr.read().decode()[-2000:]}", file=sys.stderr)
        if args.verify:
            with SQLiteChainStore.open(chain, read_only=True) as store:
                verify_chain(store, store.kernel_registry())
    statuses = run["statuses"]
    accepted = statuses.get("202", 0)
    lat = np.asarray(run["latencies"]) * 1000 if run["latencies"] else np.zeros(1)
    result = {
        "submissions": sum(statuses.values()), "accepted": accepted,
        "refused": {k: v for k, v in statuses.items() if k != "202"},
        "seconds": run["seconds"], "accepted_per_second": accepted / run["seconds"],
        "latency_ms": {"p50": float(np.percentile(lat, 50)),
                       "p99": float(np.percentile(lat, 99)), "max": float(lat.max()),
                       "mean": float(lat.mean())},
        "connections": args.connections, "accounts": args.accounts,
        "block_size": args.block_size, "block_interval": args.block_interval,
        "blocks_sealed": status["height"] + 1, "pending_left": status["pending"],
        "operator_exit_code": code, "verified": bool(args.verify),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
    }
    text = json.dumps(result, indent=1)
    if args.json:
        pathlib.Path(args.json).write_text(text + "\n")
    else:
        print(text)
    table = markdown(result)
    if args.markdown:
        pathlib.Path(args.markdown).write_text(table)
    else:
        print(table)
    return 0 if code == 0 and accepted == result["submissions"] else 1


if __name__ == "__main__":
    sys.exit(main())
