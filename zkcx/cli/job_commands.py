# SPDX-License-Identifier: MIT
"""``zkcx job post|show|cancel``: sharded training jobs (``zkcx.market.jobs``) from the
command line.

A requester posts a job: a registered, active model, its gradient and aggregation
kernels (registered training kernels), the K shards of data, each fixed by its Poseidon
commitment (given as ``--shard COMMITMENT``, or as ``--shard-file FILE.npy`` committed
here with the gradient kernel's spec ``--kernel``, tensor ``--data-tensor``), the
number of steps and the fees; the whole job's fee, steps · (K · gradient fee +
aggregation fee), is escrowed when the block applies it. The data travels off chain:
the job's data hash is the SHA-256 of the shard files (or of the commitments' 32-byte
encodings when only commitments are given). ``cancel`` (poster only, while running)
refunds what is not assigned yet. ``post`` and ``cancel`` sign a transaction file
(``zkcx-tx-v1``) for ``zkcx block build --tx``; ``show`` only reads the chain."""

from __future__ import annotations

import argparse
import hashlib

from zkcx.cli._args import add_chain_reader, nonnegative, parse_tokens
from zkcx.cli._files import read_bytes
from zkcx.cli._inputs import _read_npy
from zkcx.cli._output import Reporter
from zkcx.cli.chain_commands import kernel_of_kind, load_market, tokens
from zkcx.cli.errors import UsageError
from zkcx.cli.market_commands import (
    _POSITIVE_BLOCKS,
    DEFAULT_WINDOW,
    _kernel_id,
    add_node_terms,
)
from zkcx.cli.model_commands import _commitment, _model_id
from zkcx.cli.tx_commands import (
    add_signing_arguments,
    sign_operation,
    signing_key,
)
from zkcx.errors import ZkcxError
from zkcx.market import CancelJob, JobStatus, MarketOperationError, PostJob
from zkcx.rewards.params import ClaimKind


def shard_commitments(args: argparse.Namespace) -> tuple[tuple[int, ...], bytes]:
    """(the shards' commitments, the job's data hash) from --shard / --shard-file."""
    if bool(args.shard) == bool(args.shard_file):
        raise UsageError("give the shards as --shard COMMITMENT or as --shard-file FILE.npy "
                         "(repeatable), not both and not neither")
    if args.shard:
        return tuple(args.shard), hashlib.sha256(
            b"".join(c.to_bytes(32, "big") for c in args.shard)).digest()
    if args.kernel is None:
        raise UsageError("--shard-file is committed with the gradient kernel's spec: give "
                         "--kernel SPEC.toml")
    from zkcx.cli.kernel_commands import load_kernel
    from zkcx.kernels.commit import commit

    kernel = load_kernel(args.kernel)
    out, digest = [], hashlib.sha256()
    for path in args.shard_file:
        array = _read_npy(path, args.data_tensor)
        try:
            out.append(commit(array, kernel.spec, args.data_tensor))
        except ZkcxError as exc:
            raise UsageError(f"--shard-file {path!r}: not a {args.data_tensor!r} tensor of "
                             f"{args.kernel!r}: {exc}") from None
        digest.update(read_bytes(path, "shard file"))
    return tuple(out), digest.digest()


def cmd_job_post(args: argparse.Namespace, out: Reporter) -> int:
    """Sign a PostJob of the key's account (the poster)."""
    signer = signing_key(args)
    poster = str(signer.address)
    commitments, data_hash = shard_commitments(args)
    chain_id, market, registry = load_market(args.chain)
    model = market.models.get(args.model_id)
    if model is None:
        raise UsageError(f"there is no model {args.model_id!r} in {args.chain!r}")
    if model.status.value != "active":
        raise UsageError(f"model {args.model_id!r} is {model.status.value}: it takes no new "
                         "version")
    for flag, kernel_id in (("--gradient-kernel", args.gradient_kernel),
                            ("--aggregate-kernel", args.aggregate_kernel)):
        kernel_of_kind(registry, kernel_id, ClaimKind.TRAINING, flag, args.chain)
    try:
        op = PostJob(poster, args.model_id, args.gradient_kernel, args.aggregate_kernel,
                     commitments, data_hash, args.data_uri or "", args.steps,
                     args.gradient_fee, args.aggregate_fee, args.bond, args.min_tier,
                     args.window)
    except MarketOperationError as exc:
        raise UsageError(f"bad job: {exc}") from None
    sign_operation(args, out, signer, op, (chain_id, market))
    out.line(f"job id          {len(market.jobs)} (if the next block takes it first)")
    out.line(f"escrow          {tokens(op.escrow)} tokens ({op.steps} steps of {op.shards} "
             "shards)")
    out.set(expected_job_id=len(market.jobs), escrow=str(op.escrow),
            data_commitments=[str(c) for c in commitments], data_hash=data_hash.hex())
    return 0


def cmd_job_cancel(args: argparse.Namespace, out: Reporter) -> int:
    """Sign a CancelJob of the key's account (the poster)."""
    signer = signing_key(args)
    poster = str(signer.address)
    chain_id, market, _ = load_market(args.chain)
    if args.job_id >= len(market.jobs):
        raise UsageError(f"there is no job {args.job_id} in {args.chain!r} "
                         f"({len(market.jobs)} jobs)")
    job = market.jobs[args.job_id]
    if job.poster != poster:
        raise UsageError(f"job {args.job_id} was posted by {job.poster}, not by {poster}: "
                         "only the poster may cancel it")
    if job.status is not JobStatus.RUNNING:
        raise UsageError(f"job {args.job_id} is {job.status.value}: only a running job is "
                         "cancelled")
    sign_operation(args, out, signer, CancelJob(poster, args.job_id), (chain_id, market))
    return 0


def cmd_job_show(args: argparse.Namespace, out: Reporter) -> int:
    """One job, every field."""
    _, market, _ = load_market(args.chain)
    if args.job_id >= len(market.jobs):
        raise UsageError(f"there is no job {args.job_id} in {args.chain!r} "
                         f"({len(market.jobs)} jobs)")
    view = market.jobs[args.job_id].to_dict()
    for key, value in view.items():
        if key in ("data_commitments", "outputs"):
            value = f"{len(value)} values"
        out.line(f"{key:<18} {value}")
    out.set(job=view, height=market.height)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register job post|show|cancel."""
    p = sub.add_parser("job", help="post, show or cancel sharded training jobs")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="{post,show,cancel}")
    q = verbs.add_parser("post", help="sign a training job into a transaction file")
    q.add_argument("model_id", type=_model_id, help="the registered model to train")
    q.add_argument("--gradient-kernel", required=True, type=_kernel_id,
                   help="the per-shard gradient kernel's id")
    q.add_argument("--aggregate-kernel", required=True, type=_kernel_id,
                   help="the aggregation kernel's id (of K gradients)")
    q.add_argument("--shard", action="append", type=_commitment, default=[],
                   metavar="COMMITMENT", help="a shard's data commitment (repeatable)")
    q.add_argument("--shard-file", action="append", default=[], metavar="FILE.npy",
                   help="a shard's data, committed here with --kernel (repeatable)")
    q.add_argument("--kernel", help="the gradient kernel's spec (.toml), for --shard-file")
    q.add_argument("--data-tensor", default="data",
                   help="the gradient kernel's data tensor (default: data)")
    q.add_argument("--data-uri", help="where executors fetch the shards (text)")
    q.add_argument("--steps", required=True, type=_POSITIVE_BLOCKS, help="SGD steps")
    q.add_argument("--gradient-fee", required=True, type=parse_tokens,
                   help="tokens per gradient task")
    q.add_argument("--aggregate-fee", required=True, type=parse_tokens,
                   help="tokens per aggregation task")
    add_node_terms(q, "its tasks")
    q.add_argument("--window", type=_POSITIVE_BLOCKS, default=DEFAULT_WINDOW,
                   help=f"blocks each task is due after assignment (default {DEFAULT_WINDOW})")
    add_signing_arguments(q, needs_chain=True)
    q.set_defaults(run=cmd_job_post)
    q = add_chain_reader(verbs, "show", "one job", cmd_job_show)
    q.add_argument("job_id", type=nonnegative, help="the job's number")
    q = verbs.add_parser("cancel", help="sign the cancellation of a running job")
    q.add_argument("job_id", type=nonnegative, help="the job's number")
    add_signing_arguments(q, needs_chain=True)
    q.set_defaults(run=cmd_job_cancel)
