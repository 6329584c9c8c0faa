# SPDX-License-Identifier: MIT
"""Rollup figures (issues 6 and 13): building and verifying blocks of 10, 100 and 1000
signed claims over four kernels, against verifying the same proofs one by one, and what
the signatures cost.

The four kernels are small circuits made with ConstraintSystem (verification cost does
not depend on circuit size, only on the number of public inputs): ``cube`` (2 public
signals, 3 constraints), ``chain126`` and ``chain510`` (x -> x^(2^m), 1 public signal)
and ``step`` (3 public inputs). Every claim has its own statement (duplicates would be
rejected before verification), so 1000 distinct proofs are made once and cached, with
the verifying keys, in a temp directory (``--cache``). Claims come from 50 nodes, each
with its own key, signed with consecutive nonces.

Timed, best of ``--repeat`` runs each:

- build: ``BlockBuilder.build`` from claim bytes (decoding and point validation, the
  checks, batch verification per key with content-derived weights, the accountant,
  sealing);
- verify block: ``verify_chain([Block.from_bytes(data)])`` — what any node does to check
  a block it receives: decode it (every point validated), check body and roots, then
  rebuild it (every proof re-verified in batches);
- batch proofs only: ``groth16.batch_verify`` over the block's proofs, one call per key;
- one by one: ``groth16.verify`` for each proof;
- unsigned path: build and verify again with the signature check replaced by the nonce
  bookkeeping alone (the builder as it was before signed transactions, on the same
  bytes), and the ratio signed / unsigned-path, measured side by side in one run;
- signature recovery: ``accounts.recover`` over the block's digests (per second, one
  core), and ``Claim.signer`` (the EIP-712 digest plus the recovery).

    python benchmarks/rollup_report.py [--sizes 10,100,1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import pathlib
import pickle
import sys
import tempfile
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from zkcx import groth16  # noqa: E402
from zkcx.accounts import Signer, recover  # noqa: E402
from zkcx.field import FrVec  # noqa: E402
from zkcx.kernels import PublicBounds  # noqa: E402
from zkcx.params import FR_MODULUS  # noqa: E402
from zkcx.r1cs import ConstraintSystem  # noqa: E402
from zkcx.rewards import Accountant  # noqa: E402
from zkcx.rollup import (  # noqa: E402
    Block,
    BlockBuilder,
    Claim,
    KernelRegistry,
    chain_domain,
    genesis_hash,
    verify_chain,
)
from zkcx.rollup.block import RejectReason  # noqa: E402
from zkcx.rollup.builder import BlockBuilder as _Builder  # noqa: E402

KIND = "compute"
CHAIN_ID = 31337
NODES = [Signer(bytes([0] * 31 + [k + 1])) for k in range(50)]


def _cube():
    cs = ConstraintSystem("cube")
    x, a, out = cs.private_input("x"), cs.public_input("a"), cs.output("out")
    cs.assert_equal(x * x * x + x + a, out, "result")
    r1cs = cs.build()
    return r1cs, lambda i: r1cs.solve({x: i, a: i + 1, out: (i**3 + 2 * i + 1) % FR_MODULUS})


def _chain(m: int):
    cs = ConstraintSystem(f"chain{m}")
    out = cs.output("out")
    xs = cs.new_variables(m, "private", "x")
    rows = np.arange(m)
    nxt = np.concatenate([xs[1:], [out.index]])
    cs.add_constraints(m, a=(rows, xs, 1), b=(rows, xs, 1), c=(rows, nxt, 1), label="square")
    r1cs = cs.build()

    def witness(i: int):
        vals = [i + 2]
        for _ in range(m):
            vals.append(vals[-1] * vals[-1] % FR_MODULUS)
        return r1cs.solve([(xs, FrVec.from_ints(vals[:m])), (out, vals[-1])])

    return r1cs, witness


def _step():
    cs = ConstraintSystem("step")
    before, after, step = (cs.public_input(n) for n in ("before", "after", "step"))
    g = cs.private_input("g")
    cs.assert_equal(step * g, after - before, "sgd")
    r1cs = cs.build()
    return r1cs, lambda i: r1cs.solve({before: i, after: (i + 3 * (i + 7)) % FR_MODULUS,
                                       step: 3, g: i + 7})


def make_claims(n: int, cache: pathlib.Path):
    """(kernel registry, list of n claim bytes), from the cache when it has them."""
    path = cache / f"rollup-signed-claims-bounds-{n}.pkl"  # entries keep public bounds
    if path.exists():
        with open(path, "rb") as fh:
            return pickle.load(fh)
    makers = {"cube": _cube, "chain126": lambda: _chain(126), "chain510": lambda: _chain(510),
              "step": _step}
    kernels = KernelRegistry()
    keyed = []
    for make in makers.values():
        r1cs, witness = make()
        pk = groth16.setup(r1cs)
        kid = kernels.register(pk.verifying_key, r1cs.n_constraints, KIND,
                               public_bounds=PublicBounds.unbounded(r1cs.n_public))
        keyed.append((kid, pk, r1cs, witness))
    claims = []
    t0 = time.perf_counter()
    for i in range(n):
        kid, pk, r1cs, witness = keyed[i % 4]
        proof, public = groth16.prove(pk, witness(i // 4), r1cs)
        node = NODES[i % 50]
        claim = Claim(str(node.address), f"task{i}", kid, tuple(public), proof, "compute")
        claims.append(claim.signed(node, chain_domain(CHAIN_ID), i // 50).to_bytes())
        if (i + 1) % 100 == 0:
            print(f"  proved {i + 1}/{n} ({time.perf_counter() - t0:.0f} s)", flush=True)
    with open(path, "wb") as fh:
        pickle.dump((kernels, claims), fh)
    return kernels, claims


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cache", default=str(pathlib.Path(tempfile.gettempdir())
                                           / "zkcx-rollup-bench"))
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    cache = pathlib.Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    kernels, all_claims = make_claims(max(sizes), cache)
    from machine import describe

    print(describe())
    genesis = Accountant()
    state = genesis.to_bytes()
    parent = genesis_hash(state, CHAIN_ID)
    builder = BlockBuilder(kernels, CHAIN_ID)
    print("\n| claims | build (s) | build per claim (ms) | verify block (s) | verify per claim "
          "(ms) | batch proofs only (s) | one by one (s) | one by one / verify block "
          "| build, unsigned path (s) | verify, unsigned path (s) | signed / unsigned path "
          "(build, verify) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        claims = all_claims[:n]
        t_build, built = best(lambda c=claims: builder.build(parent, genesis,
                                                               c, timestamp=1), args.repeat)
        block = built.block
        assert len(block.accepted) == n, [r.detail for r in block.rejected][:3]
        data = block.to_bytes()
        t_verify, report = best(lambda d=data: verify_chain(
            [Block.from_bytes(d)], kernels, genesis=state, chain_id=CHAIN_ID), args.repeat)
        assert report.head_hash == block.hash
        decoded = list(block.accepted)
        groups: dict[str, list] = {}
        for c in decoded:
            groups.setdefault(c.kernel_id, []).append(
                (kernels.get(c.kernel_id).vk, c.public_inputs, c.proof))

        def batch_only(g=groups):
            return all(groth16.batch_verify(items, seed=b"bench").ok for items in g.values())

        t_batch, ok = best(batch_only, args.repeat)
        assert ok

        def one_by_one(d=decoded):
            return all(groth16.verify(kernels.get(c.kernel_id).vk, c.public_inputs, c.proof)
                       for c in d)

        t_single, ok = best(one_by_one, 1 if n >= 1000 else args.repeat)
        assert ok
        with unsigned_path():
            t_build0, _ = best(lambda c=claims: builder.build(
                parent, genesis, c, timestamp=1), args.repeat)
            t_verify0, _ = best(lambda d=data: verify_chain(
                [Block.from_bytes(d)], kernels, genesis=state, chain_id=CHAIN_ID), args.repeat)
        print(f"| {n} | {t_build:.3f} | {1e3 * t_build / n:.2f} | {t_verify:.3f} | "
              f"{1e3 * t_verify / n:.2f} | {t_batch:.3f} | {t_single:.3f} | "
              f"{t_single / t_verify:.1f}x | {t_build0:.3f} | {t_verify0:.3f} | "
              f"{t_build / t_build0:.2f}x, {t_verify / t_verify0:.2f}x |", flush=True)
    recovery_rates(all_claims[:max(sizes)], args.repeat)


class unsigned_path:
    """Within: the builder checks nonces but recovers no signature (the cost the
    signatures add is what is left out)."""

    def __enter__(self):
        self._saved = _Builder._authenticate
        self._saved_recovery = _Builder._recover_signers
        _Builder._recover_signers = lambda builder, claims: None

        def nonce_only(builder, tx, actor, accountant, nonces):
            expected = nonces.get(actor)
            if expected is None:
                expected = accountant.account(actor).nonce
            if tx.nonce != expected:
                return RejectReason.BAD_NONCE, ""
            nonces[actor] = expected + 1
            return None, ""

        _Builder._authenticate = nonce_only
        return self

    def __exit__(self, *exc):
        _Builder._authenticate = self._saved
        _Builder._recover_signers = self._saved_recovery


def recovery_rates(claim_bytes: list[bytes], repeat: int) -> None:
    """Signature recoveries per second: bare (digest known) and Claim.signer (digest
    and recovery; a fresh claim object each time, so nothing is cached)."""
    domain = chain_domain(CHAIN_ID)
    claims = [Claim.from_bytes(b) for b in claim_bytes]
    pairs = [(c.digest(domain), c.signature) for c in claims]
    t_recover, _ = best(lambda: [recover(d, s) for d, s in pairs], repeat)
    fresh = [[Claim.from_bytes(b) for b in claim_bytes] for _ in range(repeat)]
    it = iter(fresh)
    t_signer, _ = best(lambda: [c.signer(domain) for c in next(it)], repeat)
    n = len(claims)
    print(f"\nsignature recovery: {n / t_recover:,.0f}/s (accounts.recover, one core); "
          f"Claim.signer (EIP-712 digest + recovery): {n / t_signer:,.0f}/s; "
          f"target 10,000/s")


if __name__ == "__main__":
    main()
