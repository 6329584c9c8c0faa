# SPDX-License-Identifier: MIT
"""Market figures (issue 14): a block of N task claims built and verified, and the part
of it that is the market's.

Four small task-ready kernels (every input a public input, a claim binding last; made
with ConstraintSystem: verification cost depends on the public inputs, not the circuit
size): ``cube`` (x, a), ``chain126`` and ``chain510`` (x -> x^(2^m)), ``step``. A
requester granted tokens at genesis posts N tasks in block 0, where 50 nodes (each with
its own key) register; the scheduler assigns them; each assignee proves its tasks, and
block 1 carries the N signed claims. Timed, best of ``--repeat``:

- build: ``BlockBuilder.build`` of block 1 from claim bytes on the market after block 0
  (decoding, signatures, checks, batch verification, the market's task checks and
  payments, the ledger's emission, the scheduler, sealing);
- verify: ``verify_chain`` of blocks 0 and 1 from genesis, less ``verify_chain`` of
  block 0 alone (what a node does to check block 1);
- the same block without the market: decoding, signatures, the stateless checks and
  the batch verification only (``BlockBuilder._precheck`` and ``_verify``), i.e. the
  block as the builder made it before tasks, without the accountant's payout; the ratio
  build / this is the market's and ledger's share.

Side by side with the chain before the market (``--before DIR``: a checkout of the
last commit without it, e.g. 60c65e5, with its native library built): in each of
``--rounds`` rounds, alternating, this checkout builds and verifies the block of N task
claims, then a subprocess (``PYTHONPATH=DIR``) builds and verifies that checkout's block
of N claims (``benchmarks/rollup_report.py``'s workload: the same four kernels, 50
nodes, from its proof cache); each side takes the best of ``--repeat`` per round, and
the table gives the medians over the rounds and their ratios (the machine may be shared:
alternating rounds spread its load over both sides).

    python benchmarks/market_report.py [--sizes 100,1000] [--repeat 3]
    python benchmarks/market_report.py --sizes 1000 --before /tmp/before-market --rounds 5
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import pathlib
import pickle
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import zkcx  # noqa: E402
from zkcx import groth16  # noqa: E402
from zkcx.accounts import Signer  # noqa: E402
from zkcx.field import FrVec  # noqa: E402
from zkcx.kernels import PublicBounds  # noqa: E402
from zkcx.market import CapacityProfile, Market, PostTask, RegisterNode  # noqa: E402
from zkcx.params import FR_MODULUS  # noqa: E402
from zkcx.r1cs import ConstraintSystem  # noqa: E402
from zkcx.rewards import TOKEN, ParamSchedule  # noqa: E402
from zkcx.rewards.params import DEFAULT_PARAMS  # noqa: E402
from zkcx.rollup import (  # noqa: E402
    Block,
    BlockBuilder,
    Claim,
    KernelRegistry,
    SignedOperation,
    chain_domain,
    claim_binding,
    genesis_hash,
    verify_chain,
)
from zkcx.rollup.claim import Claim as _Claim  # noqa: E402

CHAIN_ID = 31337
DOMAIN = chain_domain(CHAIN_ID)
NODES = [Signer(bytes([0] * 31 + [k + 1])) for k in range(50)]
REQUESTER = Signer(bytes([7] * 32))
PROFILE = CapacityProfile("bench", 10**9, 1, 1, bytes(32))


def _cube():
    cs = ConstraintSystem("cube")
    out = cs.output("out")
    x, a, bind = (cs.public_input(n) for n in ("x", "a", "bind"))
    cs.assert_equal(x * x * x + x + a, out, "result")
    r1cs = cs.build()
    return r1cs, (1, 2), 3, lambda i, b: r1cs.solve(
        {x: i, a: i + 1, bind: b, out: (i**3 + 2 * i + 1) % FR_MODULUS})


def _chain(m: int):
    cs = ConstraintSystem(f"chain{m}")
    out = cs.output("out")
    first = cs.new_variables(1, "public", "x")
    bind = cs.public_input("bind")
    xs = np.concatenate([first, cs.new_variables(m - 1, "private", "y")])
    rows = np.arange(m)
    nxt = np.concatenate([xs[1:], [out.index]])
    cs.add_constraints(m, a=(rows, xs, 1), b=(rows, xs, 1), c=(rows, nxt, 1), label="square")
    r1cs = cs.build()

    def witness(i: int, b: int):
        vals = [i + 2]
        for _ in range(m):
            vals.append(vals[-1] * vals[-1] % FR_MODULUS)
        return r1cs.solve([(xs, FrVec.from_ints(vals[:m])), (out, vals[-1]), (bind, b)])

    return r1cs, (1,), 2, witness


def _step():
    cs = ConstraintSystem("step")
    before, after, step, g, bind = (cs.public_input(n)
                                    for n in ("before", "after", "step", "g", "bind"))
    cs.assert_equal(step * g, after - before, "sgd")
    r1cs = cs.build()
    return r1cs, (0, 2, 3), 4, lambda i, b: r1cs.solve(
        {before: i, after: (i + 3 * (i + 7)) % FR_MODULUS, step: 3, g: i + 7, bind: b})


def _code_tag() -> str:
    """A digest of the package's Python sources: a cache made by other code (another
    block version, other pickled classes) is not read back."""
    digest = hashlib.sha256()
    for path in sorted(pathlib.Path(zkcx.__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def setup(n: int, cache: pathlib.Path | None = None):
    """(kernels, genesis market, setup block, market after it, claim bytes of block 1),
    from ``cache`` (a directory) when it holds them."""
    path = None if cache is None else cache / f"market-task-claims-{n}-{_code_tag()}.pkl"
    if path is not None and path.exists():
        with open(path, "rb") as fh:
            return pickle.load(fh)
    made = _setup(n)
    if path is not None:
        with open(path, "wb") as fh:
            pickle.dump(made, fh)
    return made


def _setup(n: int):
    kernels, keyed = KernelRegistry(), []
    for make in (_cube, lambda: _chain(126), lambda: _chain(510), _step):
        r1cs, inputs, binding, witness = make()
        pk = groth16.setup(r1cs)
        kid = kernels.register(pk.verifying_key, r1cs.n_constraints, "compute", None, binding,
                               public_bounds=PublicBounds.unbounded(r1cs.n_public),
                               input_positions=inputs, unsafe_local_setup=True)
        keyed.append((kid, pk, r1cs, witness, inputs))
    params = DEFAULT_PARAMS
    genesis = Market.genesis({str(REQUESTER.address): 10**7 * TOKEN},
                             ParamSchedule([(0, params)]))
    ops = [SignedOperation.sign(RegisterNode(str(k.address), PROFILE), 0, k, DOMAIN)
           for k in NODES]
    plans = []
    for i in range(n):
        kid, pk, r1cs, witness, inputs = keyed[i % 4]
        public = groth16.prove(pk, witness(i // 4, 0), r1cs)[1]  # the inputs' values
        entry = kernels.get(kid)
        task = PostTask(str(REQUESTER.address), kid, entry.kind, entry.work_units,
                        tuple((p, public[p]) for p in inputs),
                        hashlib.sha256(i.to_bytes(4, "big")).digest(), "",
                        entry.work_units * params.min_fee_per_unit * 10, 0, 0, 100)
        ops.append(SignedOperation.sign(task, i, REQUESTER, DOMAIN))
        plans.append(i)
    builder = BlockBuilder(kernels, CHAIN_ID)
    parent = genesis_hash(genesis.to_bytes(), CHAIN_ID)
    block0 = builder.build(parent, genesis, [], ops, timestamp=1)
    market = block0.market
    nonces = {str(k.address): 1 for k in NODES}
    keys = {str(k.address): k for k in NODES}
    claims = []
    t0 = time.perf_counter()
    for i in range(n):
        kid, pk, r1cs, witness, _inputs = keyed[i % 4]
        node = market.task(i).assignee
        proof, public = groth16.prove(pk, witness(i // 4, claim_binding(node, str(i))), r1cs)
        claim = _Claim(node, str(i), kid, tuple(public), proof, "compute")
        claims.append(claim.signed(keys[node], DOMAIN, nonces[node]).to_bytes())
        nonces[node] += 1
        if (i + 1) % 250 == 0:
            print(f"  proved {i + 1}/{n} ({time.perf_counter() - t0:.0f} s)", flush=True)
    return kernels, genesis, block0.block, market, claims


def best(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def without_market(builder: BlockBuilder, parent: bytes, height: int, claims: list[bytes]):
    """Decoding, signatures (no nonce state), the stateless checks and batch verification
    of ``claims``: the builder's work that does not depend on the market."""
    decoded = [Claim.from_bytes(b) for b in claims]
    builder._recover_signers(decoded)
    candidates = []
    for claim in decoded:
        claim.signer(builder.domain)
        reason, _ = builder._precheck(claim, lambda s: False)
        assert reason is None
        candidates.append((len(candidates), claim, claim.claim_hash,
                           builder.kernels.get(claim.kernel_id)))
    verified, invalid = builder._verify(candidates, parent, height)
    assert not invalid
    return verified


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100,1000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--before", default=None,
                    help="a checkout of the chain before the market, compared side by side")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--cache", default=str(pathlib.Path(tempfile.gettempdir())
                                           / "zkcx-market-bench"))
    args = ap.parse_args()
    from machine import describe

    cache = pathlib.Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(describe())
    if args.before:
        for n in sizes:
            compare(n, pathlib.Path(args.before), args.rounds, args.repeat, cache)
        return
    print("\n| task claims | build (s) | per claim (ms) | verify block (s) | without the market "
          "(s) | build / without |")
    print("|---|---|---|---|---|---|")
    for n in sizes:
        print(measure(n, args.repeat, cache), flush=True)


def timed(fn, repeat: int):
    """(best wall-clock seconds, best CPU seconds of this process, all threads; the last
    result) over ``repeat`` runs of ``fn``: CPU time is what the work costs, whatever
    else the machine runs meanwhile."""
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - w)
    return min(walls), min(cpus), out


#: Run in the checkout before the market (PYTHONPATH=that checkout): its rollup_report's
#: block of n claims from its proof cache, built and verified (``timed``, whose source is
#: appended, as above); prints the best times as JSON.
_BEFORE = inspect.getsource(timed) + """
import json, pathlib, sys, time
sys.path.insert(0, sys.argv[1] + "/benchmarks")
import rollup_report as rr
from zkcx.rewards import Accountant
from zkcx.rollup import Block, BlockBuilder, ModelRegistry, genesis_hash, verify_chain
n, repeat, cache = int(sys.argv[2]), int(sys.argv[3]), pathlib.Path(sys.argv[4])
cache.mkdir(parents=True, exist_ok=True)
kernels, claims = rr.make_claims(n, cache)
genesis = Accountant()
state = (genesis.to_bytes(), ModelRegistry().to_bytes())
parent = genesis_hash(*state, rr.CHAIN_ID)
builder = BlockBuilder(kernels, rr.CHAIN_ID)

w_build, c_build, built = timed(lambda: builder.build(parent, genesis, ModelRegistry(),
                                                      claims, timestamp=1), repeat)
assert len(built.block.accepted) == n
data = built.block.to_bytes()
w_verify, c_verify, _ = timed(lambda: verify_chain([Block.from_bytes(data)], kernels,
                                                   genesis=state, chain_id=rr.CHAIN_ID),
                              repeat)
print(json.dumps({"build": w_build, "verify": w_verify, "build_cpu": c_build,
                  "verify_cpu": c_verify}))
"""


def before_block(before: pathlib.Path, n: int, repeat: int) -> dict[str, float]:
    """Best build and verify times (wall, CPU) of the before-market checkout's block of
    ``n`` claims (a subprocess importing that checkout)."""
    env = {**os.environ, "PYTHONPATH": str(before)}
    cache = pathlib.Path(tempfile.gettempdir()) / "zkcx-rollup-bench"
    out = subprocess.run([sys.executable, "-c", _BEFORE, str(before), str(n), str(repeat),
                          str(cache)], env=env, cwd=before, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare(n: int, before: pathlib.Path, rounds: int, repeat: int,
            cache: pathlib.Path) -> None:
    """Alternating rounds of this checkout's block of ``n`` task claims and the
    before-market block of ``n`` claims; prints each round (wall-clock and CPU seconds)
    and the medians over the rounds with their ratios."""
    kernels, genesis, block0, market, claims = setup(n, cache)
    builder = BlockBuilder(kernels, CHAIN_ID)
    state = genesis.to_bytes()
    data0 = block0.to_bytes()
    names = ("build", "verify", "build_cpu", "verify_cpu")
    new_rows, old_rows = [], []
    print("\n| round | task claims: build (s) | verify (s) | before the market: build (s) "
          "| verify (s) | CPU s, task claims: build, verify | CPU s, before: build, verify "
          "| load average |")
    print("|---|---|---|---|---|---|---|---|")
    for r in range(rounds):
        w_build, c_build, built = timed(lambda: builder.build(
            block0.hash, market, claims, timestamp=2), repeat)
        assert len(built.block.accepted) == n, [x.detail for x in built.block.rejected][:3]
        data1 = built.block.to_bytes()
        w_both, c_both, _ = timed(lambda d=data1: verify_chain(
            [Block.from_bytes(data0), Block.from_bytes(d)], kernels, genesis=state,
            chain_id=CHAIN_ID), repeat)
        w_setup, c_setup, _ = timed(lambda: verify_chain(
            [Block.from_bytes(data0)], kernels, genesis=state, chain_id=CHAIN_ID), repeat)
        new = dict(zip(names, (w_build, w_both - w_setup, c_build, c_both - c_setup)))
        old = before_block(before, n, repeat)
        new_rows.append(new)
        old_rows.append(old)
        print(f"| {r + 1} | {new['build']:.3f} | {new['verify']:.3f} | {old['build']:.3f} | "
              f"{old['verify']:.3f} | {new['build_cpu']:.3f}, {new['verify_cpu']:.3f} | "
              f"{old['build_cpu']:.3f}, {old['verify_cpu']:.3f} | {os.getloadavg()[0]:.2f} |",
              flush=True)
    print(f"\nmedians over {rounds} alternating rounds, blocks of {n} claims "
          "(task claims / before the market = ratio):")
    for name in names:
        a = statistics.median(row[name] for row in new_rows)
        b = statistics.median(row[name] for row in old_rows)
        print(f"- {name.replace('_cpu', ' (CPU)')}: {a:.3f} s / {b:.3f} s = {a / b:.2f}x")


def measure(n: int, repeat: int, cache: pathlib.Path | None = None) -> str:
    """One table row for a block of ``n`` task claims."""
    kernels, genesis, block0, market, claims = setup(n, cache)
    builder = BlockBuilder(kernels, CHAIN_ID)
    t_build, built = best(lambda: builder.build(
        block0.hash, market, claims, timestamp=2), repeat)
    assert len(built.block.accepted) == n, [r.detail for r in built.block.rejected][:3]
    assert len(built.outcome.paid) == n
    state = genesis.to_bytes()
    data0, data1 = block0.to_bytes(), built.block.to_bytes()
    t_both, report = best(lambda: verify_chain(
        [Block.from_bytes(data0), Block.from_bytes(data1)], kernels, genesis=state,
        chain_id=CHAIN_ID), repeat)
    assert report.head_hash == built.block.hash
    t_setup, _ = best(lambda: verify_chain([Block.from_bytes(data0)], kernels,
                                           genesis=state, chain_id=CHAIN_ID), repeat)
    t_plain, _ = best(lambda: without_market(builder, block0.hash, 1, claims), repeat)
    return (f"| {n} | {t_build:.3f} | {1e3 * t_build / n:.2f} | {t_both - t_setup:.3f} | "
            f"{t_plain:.3f} | {t_build / t_plain:.2f}x |")

if __name__ == "__main__":
    main()
