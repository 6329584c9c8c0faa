# SPDX-License-Identifier: MIT
"""Scale-out figures (issue 18): proving and block verification on a Dask cluster
(``zkcx.cluster``) against the plain in-process loop.

(a) Proving: ``--proofs`` (200) distinct ``matmul_16x16x16`` jobs (circuits/, 19,712
    constraints; random integer inputs), each a witness then a proof:
    - plain: in this process, ``kernel.witness`` then ``groth16.prove`` one by one, the
      native loops on every core (what a node does without a cluster);
    - cluster, N workers (``--workers``, 1 and 2): ``Cluster(workers=N).prove(jobs)``,
      the key's bytes scattered once to each worker, witnesses on the workers. The
      first round on a fresh cluster is "cold" (key shipped and loaded, circuit built,
      once per worker); the next rounds are "warm". Cluster start-up (worker processes)
      is reported apart.
(b) Verification: a block of ``--claims`` (10,000) signed task claims over four small
    task-ready kernels, each claim a proof of its own statement (``market_report.py``'s
    workload: N tasks posted and assigned in block 0, block 1 the N claims of their
    assignees, each proved once with its own claim binding; the proofs are cached in
    ``--cache``, since 10,000 proofs take minutes to make), verified:
    - plain: ``BlockBuilder.build`` with the default in-process ``batch_verifier``;
    - cluster, N workers: the same build with ``verifier=cluster.verifier()`` (each
      key's batch split in one chunk per worker);
    and the verification alone (the verifier called on the block's batches), where the
    cluster's overhead shows undiluted. Every build must give the same block hash.

The overhead of the cluster over the plain loop is stated per case: (cluster time /
plain time) - 1 (negative: the cluster is faster). Per-task bytes (pickled arguments
and results) are measured, not timed. Markdown goes to stdout (and ``--markdown``),
the figures as JSON to ``--json``.

    python benchmarks/cluster_report.py [--proofs 200] [--claims 10000] [--workers 1,2]
        [--rounds 3] [--spec circuits/matmul_16x16x16.toml] [--cache DIR]
        [--json out.json] [--markdown out.md]

The machine may be shared: run it on a quiet one (the load line says how busy it was).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import pickle
import statistics
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from kernels_report import inputs_for  # noqa: E402
from machine import describe  # noqa: E402
from market_report import CHAIN_ID, setup  # noqa: E402

import zkcx.kernels as K  # noqa: E402
from zkcx import groth16  # noqa: E402
from zkcx._bindings import max_threads  # noqa: E402
from zkcx.cluster import Cluster, ProofJob  # noqa: E402
from zkcx.rollup import BlockBuilder, batch_verifier  # noqa: E402

SPEC = ROOT / "circuits" / "matmul_16x16x16.toml"


def overhead(cluster_seconds: float, plain_seconds: float) -> float:
    """(cluster / plain) - 1: the share of time the cluster adds (negative: saves)."""
    return cluster_seconds / plain_seconds - 1.0


# -- (a) proving ------------------------------------------------------------------------------
def proving_workload(n: int, spec: pathlib.Path):
    kernel = K.load(spec)
    r1cs = kernel.circuit()
    pk = groth16.setup(r1cs)
    inputs = [inputs_for(kernel, seed) for seed in range(1, n + 1)]
    return kernel, r1cs, pk, groth16.zkey_bytes(pk), inputs


def plain_proving(kernel, r1cs, pk, inputs) -> tuple[float, list]:
    started = time.perf_counter()
    out = [groth16.prove(pk, kernel.witness(**x), r1cs) for x in inputs]
    return time.perf_counter() - started, out


def cluster_proving(cluster: Cluster, zkey: bytes, spec_text: str, inputs,
                    tag: str) -> tuple[float, list]:
    jobs = [ProofJob(f"{tag}-{i}", zkey, spec_text, x) for i, x in enumerate(inputs)]
    started = time.perf_counter()
    results = list(cluster.prove(jobs))
    seconds = time.perf_counter() - started
    bad = [r.error for r in results if not r.ok]
    if bad:
        raise SystemExit(f"cluster proving failed: {bad[:3]}")
    return seconds, [(r.proof, list(r.public)) for r in results]


def check_proofs(pk, proofs) -> None:
    result = groth16.batch_verify([(pk.verifying_key, public, proof) for proof, public in proofs])
    if not result.ok:
        raise SystemExit(f"{len(result.failed)} proofs do not verify")


def proving(args, workers: list[int]) -> dict:
    kernel, r1cs, pk, zkey, inputs = proving_workload(args.proofs, args.spec)
    spec_text = args.spec.read_text()
    job = ProofJob("size", zkey, spec_text, inputs[0])
    out: dict = {"kernel": kernel.spec.name, "constraints": r1cs.n_constraints,
                 "proofs": args.proofs, "zkey_bytes": len(zkey),
                 "task_argument_bytes": len(pickle.dumps((job.job_id, spec_text,
                                                          dict(job.inputs), None))),
                 "plain": [], "cluster": {}}
    groth16.prove(pk, kernel.witness(**inputs[0]), r1cs)  # warm: matrices, caches
    for _ in range(args.rounds):
        seconds, proofs = plain_proving(kernel, r1cs, pk, inputs)
        check_proofs(pk, proofs)
        out["plain"].append(seconds)
    for n in workers:
        started = time.perf_counter()
        with Cluster(workers=n, progress=False) as cluster:
            start_up = time.perf_counter() - started
            rounds = []
            for r in range(args.rounds + 1):  # the first round is the cold one
                seconds, proofs = cluster_proving(cluster, zkey, spec_text, inputs, f"r{r}")
                check_proofs(pk, proofs)
                rounds.append(seconds)
            stats = cluster.worker_stats()
            result_bytes = len(pickle.dumps(next(iter(cluster.prove([job])))))
        out["cluster"][str(n)] = {"start_up": start_up, "cold": rounds[0], "warm": rounds[1:],
                                  "keys_loaded": sum(s["keys_loaded"] for s in stats.values()),
                                  "result_bytes": result_bytes}
    return out


# -- (b) verification -------------------------------------------------------------------------
def verification(args, workers: list[int]) -> dict:
    kernels, _genesis, block0, market, claims = setup(args.claims, args.cache)
    groups: list = []

    def capture(batches):
        groups.extend(batches)
        return batch_verifier(batches)

    reference = BlockBuilder(kernels, CHAIN_ID, verifier=capture).build(
        block0.hash, market, claims, timestamp=2).block
    if reference.rejected:
        raise SystemExit(f"the workload's block rejects {len(reference.rejected)} claims")
    out: dict = {"claims": args.claims, "keys": len(groups),
                 "claim_argument_bytes": len(pickle.dumps(
                     [(tuple(p), q) for _i, p, q in groups[0][2][:1]])),
                 "plain": {"build": [], "verify": []}, "cluster": {}}

    def timed_build(verifier) -> float:
        started = time.perf_counter()
        built = BlockBuilder(kernels, CHAIN_ID, verifier=verifier).build(
            block0.hash, market, claims, timestamp=2)
        seconds = time.perf_counter() - started
        if built.block.hash != reference.hash:
            raise SystemExit("a build gave another block")
        return seconds

    def timed_verify(verifier) -> float:
        started = time.perf_counter()
        bad = verifier(groups)
        seconds = time.perf_counter() - started
        if bad:
            raise SystemExit("the verifier rejects valid claims")
        return seconds

    for _ in range(args.rounds):
        out["plain"]["build"].append(timed_build(None))
        out["plain"]["verify"].append(timed_verify(batch_verifier))
    for n in workers:
        with Cluster(workers=n, progress=False) as cluster:
            verifier = cluster.verifier()
            timed_verify(verifier)  # warm: the keys sent, their caches filled on the workers
            entry: dict = {"build": [], "verify": []}
            for _ in range(args.rounds):
                entry["build"].append(timed_build(verifier))
                entry["verify"].append(timed_verify(verifier))
        out["cluster"][str(n)] = entry
    return out


# -- report -----------------------------------------------------------------------------------
def markdown(figures: dict) -> str:
    med = statistics.median
    p = figures["proving"]
    plain = med(p["plain"])
    lines = [figures["machine"], "",
             f"### (a) {p['proofs']} proofs of {p['kernel']} ({p['constraints']:,} "
             f"constraints)", "",
             f"key {p['zkey_bytes']:,} bytes, sent once per worker; per task "
             f"{p['task_argument_bytes']:,} bytes of arguments (spec text and inputs) and "
             f"a result of {next(iter(p['cluster'].values()), {}).get('result_bytes', 0):,} "
             "bytes", "",
             "| way | seconds (median) | proofs/s | overhead over plain |",
             "|---|---:|---:|---:|",
             f"| plain in-process loop | {plain:.2f} | {p['proofs'] / plain:.1f} | - |"]
    for n, c in p["cluster"].items():
        warm = med(c["warm"])
        lines.append(f"| cluster, {n} worker(s), warm | {warm:.2f} | {p['proofs'] / warm:.1f} "
                     f"| {100 * overhead(warm, plain):+.0f}% |")
        lines.append(f"| cluster, {n} worker(s), cold (first batch) | {c['cold']:.2f} | "
                     f"{p['proofs'] / c['cold']:.1f} | {100 * overhead(c['cold'], plain):+.0f}% |")
    lines.append("")
    lines.append("cluster start-up (worker processes): " + ", ".join(
        f"{n} worker(s) {c['start_up']:.1f} s" for n, c in p["cluster"].items()))
    v = figures["verification"]
    lines += ["", f"### (b) a block of {v['claims']:,} claims ({v['keys']} keys) verified", "",
              f"per claim {v['claim_argument_bytes']:,} bytes sent (proof and public inputs)",
              "", "| way | block build, s | verification alone, s | overhead (build) | "
              "overhead (verification) |", "|---|---:|---:|---:|---:|"]
    pb, pv = med(v["plain"]["build"]), med(v["plain"]["verify"])
    lines.append(f"| plain, in process | {pb:.2f} | {pv:.2f} | - | - |")
    for n, c in v["cluster"].items():
        cb, cv = med(c["build"]), med(c["verify"])
        lines.append(f"| cluster, {n} worker(s) | {cb:.2f} | {cv:.2f} | "
                     f"{100 * overhead(cb, pb):+.0f}% | {100 * overhead(cv, pv):+.0f}% |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--proofs", type=int, default=200)
    ap.add_argument("--claims", type=int, default=10_000)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--spec", type=pathlib.Path, default=SPEC)
    ap.add_argument("--cache", type=pathlib.Path,
                    default=pathlib.Path(tempfile.gettempdir()) / "zkcx-market-bench")
    ap.add_argument("--json", type=pathlib.Path)
    ap.add_argument("--markdown", type=pathlib.Path)
    args = ap.parse_args(argv)
    workers = [int(w) for w in args.workers.split(",")]
    args.cache.mkdir(parents=True, exist_ok=True)
    figures = {"machine": describe(), "cores": max_threads(),
               "proving": proving(args, workers), "verification": verification(args, workers)}
    text = markdown(figures)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
