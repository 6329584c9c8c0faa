# SPDX-License-Identifier: MIT
"""Groth16 figures (issue 4): setup, prove and verify for multiplication-chain circuits
(x_{i+1} = x_i^2, one public output) sized to fill a domain of 2^k rows, zkcx against
snarkjs 0.7.6 with the same .zkey and .wtns in the same run; and batch verification of
1, 16, 256 and 1024 proofs.

Each prover runs in a fresh child process so that its peak memory (ru_maxrss from
wait4) is its own. snarkjs times include node's start-up (about 0.3 s here), which is
how a user runs it; the zkcx child times are measured inside the child (import and key
loading excluded, like snarkjs's own `groth16 prove` includes reading its zkey: we
report both, see columns).

    python benchmarks/groth16_report.py [--logs 12,14,16,18] [--snarkjs PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import sys
import tempfile
import time

# the circuits and the measured child processes are shared with `zkcx bench` (compare.py)
from zkcx.cli._bench_cases import chain_circuit, chain_witness
from zkcx.cli._peers import python_child
from zkcx.cli._peers import run_child as measured_child

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


def run_child(cmd: list[str]) -> tuple[float, float, dict]:
    """(wall seconds, peak RSS in MB, JSON report) of a child process."""
    run = measured_child(cmd)
    return run.wall, run.peak_mb, run.report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--logs", default="12,14,16,18")
    parser.add_argument("--snarkjs", default=str(ROOT / ".ci-cache/npm/node_modules/.bin/snarkjs"))
    parser.add_argument("--batch", default="1,16,256,1024")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from machine import describe

    from zkcx.groth16 import read_proof, setup, verify, write_verifying_key, write_zkey
    from zkcx.r1cs import write_wtns

    snarkjs = args.snarkjs if shutil.which("node") and os.path.exists(args.snarkjs) else None
    print(describe())
    print()
    print("| constraints (domain) | zkcx setup | zkcx prove (child: prove / wall) | zkcx peak "
          "| snarkjs prove (wall) | snarkjs peak | snarkjs / zkcx (wall) | zkcx verify "
          "| snarkjs verify (wall) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for k in [int(v) for v in args.logs.split(",")]:
        with tempfile.TemporaryDirectory() as d:
            d = pathlib.Path(d)
            r1cs, x, out = chain_circuit(k)
            w = chain_witness(r1cs, x, out)
            t = time.perf_counter()
            pk = setup(r1cs)
            t_setup = time.perf_counter() - t
            write_zkey(pk, d / "c.zkey")
            write_wtns(w, d / "w.wtns")
            write_verifying_key(pk.verifying_key, d / "vk.json")
            files = [str(d / name) for name in ("c.zkey", "w.wtns", "p.json", "pub.json")]
            child = python_child("zkcx-prove", *files)
            wall, peak, inner = child.wall, child.peak_mb, child.report["prove"]
            proof = read_proof(d / "p.json")
            public = json.loads((d / "pub.json").read_text())
            public = [int(v) for v in public]
            vk = pk.verifying_key
            assert verify(vk, public, proof)
            t_verify = min(_timed(lambda vk=vk, public=public, proof=proof:
                                  verify(vk, public, proof)) for _ in range(10))
            sj = ("—", "—", "—", "—")
            if snarkjs:
                s_wall, s_peak, _ = run_child([snarkjs, "groth16", "prove", str(d / "c.zkey"),
                                               str(d / "w.wtns"), str(d / "sp.json"),
                                               str(d / "spub.json")])
                v_wall, _, _ = run_child([snarkjs, "groth16", "verify", str(d / "vk.json"),
                                          str(d / "spub.json"), str(d / "sp.json")])
                sj = (f"{s_wall:.2f} s", f"{s_peak:.0f} MB", f"{s_wall / wall:.1f}x",
                      f"{v_wall * 1e3:.0f} ms")
            print(f"| {r1cs.n_constraints:,} (2^{k}) | {t_setup:.2f} s | {inner:.3f} s / "
                  f"{wall:.2f} s | {peak:.0f} MB | {sj[0]} | {sj[1]} | {sj[2]} | "
                  f"{t_verify * 1e3:.2f} ms | {sj[3]} |")
    _batch_table([int(v) for v in args.batch.split(",")])


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _batch_table(sizes: list[int]) -> None:
    from zkcx.groth16 import batch_verify, prove, setup, verify
    from zkcx.r1cs import ConstraintSystem

    cs = ConstraintSystem("batch")
    a, b = cs.private_input("a"), cs.private_input("b")
    k = cs.public_input("k")
    out = cs.output("out")
    cs.assert_equal(a * b + k, out)
    r1cs = cs.build()
    pk = setup(r1cs)
    vk = pk.verifying_key
    distinct = []
    for i in range(64):
        wit = r1cs.solve({a: i + 2, b: i + 3, k: i, out: (i + 2) * (i + 3) + i})
        proof, public = prove(pk, wit, r1cs)
        distinct.append((vk, public, proof))
    one = min(_timed(lambda: verify(*distinct[0])) for _ in range(10))
    print()
    print("| proofs | batch verify | per proof | one-by-one (estimated from one verify) | "
          "speed-up |")
    print("|---|---|---|---|---|")
    for n in sizes:
        items = [distinct[i % len(distinct)] for i in range(n)]
        t = min(_timed(lambda items=items: batch_verify(items)) for _ in range(2 if n > 256 else 4))
        assert batch_verify(items).ok
        print(f"| {n} | {t * 1e3:.1f} ms | {t / n * 1e3:.2f} ms | {one * n * 1e3:.1f} ms | "
              f"{one * n / t:.1f}x |")


if __name__ == "__main__":
    main()
