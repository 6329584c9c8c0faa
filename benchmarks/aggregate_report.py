# SPDX-License-Identifier: MIT
"""SnarkPack aggregation (issue 19): for n proofs of one key, the time to aggregate them
(``groth16.aggregate``), to verify the aggregate (``groth16.verify_aggregate``; its
public-input part, the conversion of the n public-input vectors and the MSM over the
key's IC points, also timed on its own) and the aggregate's size, side by side with
``groth16.batch_verify`` of the same n proofs and their 256 n bytes. The rounds are
interleaved (aggregate, verify, batch verify, public inputs, again), medians and ranges
over the rounds; every verdict is checked.

The proofs are of a small circuit (out = x·y·k + x, two public signals): aggregation
and its verification do not depend on the circuit's size, only on n and the number of
public inputs. The SRS is ``unsafe_local_aggregation_srs`` (its making is not timed; an
SRS from two .ptau files holds the same points).

    python benchmarks/aggregate_report.py [--proofs 1024 8192] [--rounds 3] [--json]

Targets: 1,024 proofs aggregated in <= 5 s and 8,192 in <= 40 s on 2 cores; the
1,024-proof aggregate verified in <= 15 ms without the public inputs and >= 5x faster
than batch verification with them; <= 25 KB for 1,024. The machine may be shared: the
load line says how busy it was.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from zkcx import _bindings, groth16  # noqa: E402
from zkcx.field import FrVec  # noqa: E402
from zkcx.params import FR_MODULUS  # noqa: E402
from zkcx.r1cs import ConstraintSystem  # noqa: E402

LABEL = b"aggregate_report block"


def _circuit():
    cs = ConstraintSystem("aggregate_report")
    x, y = cs.private_input("x"), cs.private_input("y")
    k = cs.public_input("k")
    out = cs.output("out")
    cs.assert_equal(cs.mul(x, y) * k + x, out, "out")
    return cs.build(), (x, y, k, out)


def make_proofs(n: int):
    """(vk, proofs, public inputs) of n distinct statements, proved by prove_many."""
    r1cs, (x, y, k, out) = _circuit()
    pk = groth16.setup(r1cs)
    witnesses = []
    for i in range(n):
        xv, yv, kv = i + 2, 3 * i + 1, 5 + 7 * i
        witnesses.append(r1cs.solve({x: xv, y: yv, k: kv,
                                     out: (xv * yv * kv + xv) % FR_MODULUS}))
    results = groth16.prove_many(pk, witnesses)
    proofs = [proof for proof, _ in results]
    publics = [list(public) for _, public in results]
    return pk.verifying_key, proofs, publics


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _public_part(vk, publics, n_padded: int) -> None:
    """What verify_aggregate spends on the public inputs: their conversion to Fr and the
    MSM over the IC points (with the challenge's powers)."""
    values = [v for row in publics for v in row]
    values += list(publics[-1]) * (n_padded - len(publics))
    matrix = FrVec.from_ints(values)
    groth16.public_input_point(vk, matrix, FrVec.powers(7, n_padded))


def measure(n: int, rounds: int) -> dict:
    vk, proofs, publics = make_proofs(n)
    n_padded = max(2, 1 << (n - 1).bit_length())
    srs = groth16.unsafe_local_aggregation_srs(n_padded, b"aggregate_report")
    key = srs.verifier_key()
    items = [(vk, public, proof) for public, proof in zip(publics, proofs)]
    times: dict[str, list[float]] = {"aggregate": [], "verify": [], "public inputs": [],
                                     "batch_verify": []}
    size = 0
    for _ in range(rounds):
        seconds, agg = _timed(lambda: groth16.aggregate(srs, vk, proofs, publics, LABEL))
        times["aggregate"].append(seconds)
        size = len(agg.to_bytes())
        seconds, ok = _timed(lambda agg=agg: groth16.verify_aggregate(key, vk, publics, agg,
                                                                     LABEL))
        if not ok:
            raise SystemExit("the aggregate did not verify")
        times["verify"].append(seconds)
        seconds, _ = _timed(lambda: _public_part(vk, publics, n_padded))
        times["public inputs"].append(seconds)
        seconds, result = _timed(lambda: groth16.batch_verify(items, seed=b"report"))
        if not result.ok:
            raise SystemExit("batch verification failed")
        times["batch_verify"].append(seconds)
    med = {name: statistics.median(values) for name, values in times.items()}
    return {
        "proofs": n, "padded": n_padded, "rounds": rounds, "threads": _bindings.get_threads(),
        "median_s": med,
        "range_s": {name: [min(v), max(v)] for name, v in times.items()},
        "verify_without_public_s": med["verify"] - med["public inputs"],
        "speedup_vs_batch_verify": med["batch_verify"] / med["verify"],
        "aggregate_bytes": size, "proof_bytes": 256 * n,
    }


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def table(results: list[dict]) -> str:
    lines = ["| proofs | aggregate | verify (all) | of which public inputs | verify w/o public "
             "| batch_verify | speed-up | aggregate size | proofs' size |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        med = r["median_s"]
        lines.append(
            f"| {r['proofs']} | {_ms(med['aggregate'])} | {_ms(med['verify'])} | "
            f"{_ms(med['public inputs'])} | {_ms(r['verify_without_public_s'])} | "
            f"{_ms(med['batch_verify'])} | {r['speedup_vs_batch_verify']:.1f}x | "
            f"{r['aggregate_bytes'] / 1024:.1f} KB | {r['proof_bytes'] / 1024:.0f} KB |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proofs", type=int, nargs="+", default=[1024, 8192])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.proofs) or args.rounds < 1:
        parser.error("--proofs and --rounds take positive integers")
    results = [measure(n, args.rounds) for n in args.proofs]
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"threads: {_bindings.get_threads()}, load average: {load:.2f}, "
              f"rounds: {args.rounds}")
        print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
