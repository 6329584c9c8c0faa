# SPDX-License-Identifier: MIT
"""``zkcx task post|cancel|list|show`` and ``zkcx node register``: the compute market
(``zkcx.market``) from the command line (``zkcx node run``: ``zkcx.cli.node_commands``).

A requester posts a task: a registered, task-ready kernel (every input committed or
public, and a claim binding), the values of its inputs among the proof's public inputs
(computed here from the kernel's spec and the input files: for a committed tensor its
Poseidon commitment), the SHA-256 of the input files (the data travels off chain; an
optional ``--data-uri`` says where), a fee escrowed from the poster's balance, an
optional bond the executing node locks, the lowest tier that may execute it and a
deadline. A node registers a capacity profile measured by ``zkcx bench`` (its JSON
record, ``--bench FILE``) or measured here (``--measure``: a chain circuit proved on
this machine). ``post``, ``cancel`` and ``register`` sign a transaction file
(``zkcx-tx-v1``) for ``zkcx block build --tx``, like ``zkcx tx``; ``list`` and ``show``
only read the chain. The scheduler assigns each task at the end of the block that posts
it (or a later one); ``zkcx claim make --task ID`` answers it with a proof."""

from __future__ import annotations

import argparse
import hashlib
import math
import os
from typing import Any

from zkcx import groth16
from zkcx.cli._args import add_chain_reader, int_in, nonnegative, parse_tokens
from zkcx.cli._capacity import _profile, measure_profile
from zkcx.cli._files import decode, read_bytes, read_json
from zkcx.cli._inputs import read_kernel_inputs
from zkcx.cli._output import Reporter
from zkcx.cli.chain_commands import load_market, tokens
from zkcx.cli.errors import UsageError
from zkcx.cli.node_commands import add_run_parser
from zkcx.cli.tx_commands import (
    add_signing_arguments,
    chain_id_and_nonce,
    sign_and_write,
    sign_operation,
    signing_key,
)
from zkcx.errors import KernelInputError
from zkcx.market import CancelTask, CapacityProfile, MarketOperationError, PostTask, RegisterNode
from zkcx.market.tasks import MAX_URI_BYTES, TaskStatus
from zkcx.rollup import UnknownKernelError

#: blocks a task may take when neither --deadline nor --window is given
DEFAULT_WINDOW = 10


_POSITIVE_BLOCKS = int_in(1, (1 << 62) - 1, "a positive number of blocks")

def _kernel_id(text: str) -> str:
    value = text.lower().removeprefix("0x")
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a kernel id (64 hex digits, as "
                                         "`zkcx kernel list` shows)")
    return value


def _tokens_or_zero(text: str) -> int:
    return 0 if text.strip() in ("0", "0.0") else parse_tokens(text)



def task_inputs_from_files(kernel, items: list[str], quantized: bool):
    """(the (position, value) pairs a task fixes, the SHA-256 of the input files' bytes)
    for ``--input`` arguments (as ``zkcx prove`` reads them)."""
    inputs = read_kernel_inputs(items, quantized=quantized)
    try:
        pairs = kernel.task_inputs(**inputs)
    except KernelInputError as exc:
        sources = ", ".join(repr(item) for item in items)
        raise UsageError(f"--input {sources}: {type(exc).__name__}: {exc}") from None
    digest = hashlib.sha256()
    for item in items:
        path = item.split("=", 1)[1] if "=" in item and not os.path.exists(item) else item
        digest.update(read_bytes(path, "input file"))
    return pairs, digest.digest()


def cmd_task_post(args: argparse.Namespace, out: Reporter) -> int:
    """Sign a PostTask of the key's account into a transaction file."""
    from zkcx.cli.kernel_commands import load_kernel

    if (args.kernel_id is None) == (args.vk is None):
        raise UsageError("name the task's kernel: its id (`zkcx kernel list`) or --vk "
                         "verification_key.json (its id is the key's digest)")
    if args.vk is not None:
        args.kernel_id = decode(args.vk, "verifying key", groth16.read_verifying_key,
                                read_json(args.vk, "verifying key")).digest()
    signer = signing_key(args)
    poster = str(signer.address)
    chain_id, market, registry = load_market(args.chain)
    try:
        entry = registry.get(args.kernel_id)
    except UnknownKernelError:
        raise UsageError(f"kernel {args.kernel_id} is not registered in {args.chain!r} "
                         "(`zkcx kernel list`)") from None
    why = entry.why_not_task_ready()
    if why:
        raise UsageError(f"kernel {args.kernel_id[:16]}… cannot be named by a task: {why}")
    kernel = load_kernel(args.kernel)
    if (len(kernel.public_inputs) != entry.n_public
            or kernel.input_positions() != entry.input_positions
            or kernel.n_constraints != entry.work_units):
        raise UsageError(f"kernel spec {args.kernel!r} is not kernel {args.kernel_id[:16]}…'s "
                         "(its public inputs or size differ)")
    pairs, data_hash = task_inputs_from_files(kernel, args.input, args.quantized)
    if args.data_uri is not None and len(args.data_uri.encode("utf-8", "replace")) > \
            MAX_URI_BYTES:
        raise UsageError(f"--data-uri is longer than {MAX_URI_BYTES} bytes")
    params = market.params()
    fee = args.fee
    minimum = entry.work_units * params.min_fee_per_unit
    if fee < minimum:
        raise UsageError(f"--fee {tokens(fee)} is below the chain's minimum for "
                         f"{entry.work_units} work units ({tokens(minimum)} tokens)")
    if args.min_tier >= len(params.tiers):
        raise UsageError(f"--min-tier {args.min_tier}: the tiers are 0 to "
                         f"{len(params.tiers) - 1}")
    next_height = market.height + 1
    deadline = args.deadline if args.deadline is not None else next_height + args.window
    if deadline <= next_height:
        raise UsageError(f"--deadline {deadline} is not after the next block ({next_height})")
    try:
        op = PostTask(poster, entry.kernel_id, entry.kind, entry.work_units, pairs, data_hash,
                      args.data_uri or "", fee, args.bond, args.min_tier, deadline)
    except MarketOperationError as exc:
        raise UsageError(f"bad task: {exc}") from None
    sign_operation(args, out, signer, op, (chain_id, market))
    task_id = len(market.tasks)
    out.line(f"task id         {task_id} (if the next block takes it first)")
    out.line(f"fee             {tokens(fee)} tokens, escrowed when the block applies it")
    out.line(f"deadline        block {deadline}")
    out.set(expected_task_id=task_id, fee=str(fee), bond=str(args.bond), deadline=deadline,
            data_hash=data_hash.hex())
    return 0


def cmd_task_cancel(args: argparse.Namespace, out: Reporter) -> int:
    """Sign a CancelTask of the key's account (the poster) into a transaction file."""
    signer = signing_key(args)
    poster = str(signer.address)
    loaded = None
    if args.chain:
        chain_id, market, _ = load_market(args.chain)
        task = market.task_or_none(args.task_id)
        if task is None:
            raise UsageError(f"there is no task {args.task_id} in {args.chain!r}")
        if task.poster != poster:
            raise UsageError(f"task {args.task_id} was posted by {task.poster}, not by "
                             f"{poster}: only the poster may cancel it")
        if task.status is not TaskStatus.UNASSIGNED:
            raise UsageError(f"task {args.task_id} is {task.status.value}: only an "
                             "unassigned task is cancelled")
        loaded = (chain_id, market)
    sign_operation(args, out, signer, CancelTask(poster, args.task_id), loaded)
    return 0


def task_view(task) -> dict[str, Any]:
    """A task as JSON (``Task.to_dict``)."""
    return task.to_dict()


def cmd_task_list(args: argparse.Namespace, out: Reporter) -> int:
    """The chain's tasks (optionally of one status)."""
    _, market, _ = load_market(args.chain)
    tasks = [t for t in market.tasks if args.status is None or t.status.value == args.status]
    rows = [[t.task_id, t.status.value, t.kind.value, t.work_units, tokens(t.fee),
             tokens(t.bond), t.assignee or "-", t.deadline, t.kernel_id[:16]] for t in tasks]
    if rows:
        out.table(["task", "status", "kind", "units", "fee", "bond", "assignee", "deadline",
                   "kernel"], rows)
    else:
        out.line("no tasks")
    out.set(height=market.height, tasks=[task_view(t) for t in tasks])
    return 0


def cmd_task_show(args: argparse.Namespace, out: Reporter) -> int:
    """One task, every field."""
    _, market, _ = load_market(args.chain)
    task = market.task_or_none(args.task_id)
    if task is None:
        raise UsageError(f"there is no task {args.task_id} in {args.chain!r} "
                         f"({len(market.tasks)} tasks)")
    view = task_view(task)
    for key, value in view.items():
        shown = value if key not in ("fee", "bond") else f"{tokens(int(value))} tokens"
        if key == "inputs":
            shown = f"{len(value)} public inputs fixed: positions {[p for p, _ in value]}"
        out.line(f"{key:<15} {shown}")
    out.set(task=view, height=market.height)
    return 0


def profile_from_bench(path: str) -> CapacityProfile:
    """The capacity profile in a ``zkcx --json bench`` record: zkcx's proving time of the
    largest case it proved; the record's SHA-256 is kept for audit."""
    record = read_json(path, "benchmark record")
    where = f"benchmark record {path!r}"
    if not isinstance(record, dict) or not isinstance(record.get("cases"), list):
        raise UsageError(f"{where}: not a `zkcx --json bench` record (no \"cases\" list)")
    best = None
    for case in record["cases"]:
        try:
            mine = case["results"]["zkcx"]
            seconds, units, name = float(mine["prove"]), int(case["constraints"]), \
                str(case["name"])
        except (KeyError, TypeError, ValueError):
            continue
        if math.isfinite(seconds) and seconds > 0 and units > 0 and \
                (best is None or units > best[1]):
            best = (name, units, seconds)
    if best is None:
        raise UsageError(f"{where}: no case with a zkcx proving time")
    machine = record.get("machine") if isinstance(record.get("machine"), dict) else {}
    cores = machine.get("cores")
    threads = cores if isinstance(cores, int) and 1 <= cores < 1 << 16 else 1
    name, units, seconds = best
    return _profile(name, units, seconds, threads, read_bytes(path, "benchmark record"))


def cmd_node_register(args: argparse.Namespace, out: Reporter) -> int:
    """Sign a RegisterNode of the key's account with its measured capacity."""
    signer = signing_key(args)
    node = str(signer.address)
    if (args.bench is None) == (not args.measure):
        raise UsageError("the capacity profile is measured, not declared: give --bench "
                         "FILE (a `zkcx --json bench` record) or --measure")
    chain_id, nonce = chain_id_and_nonce(args, node)  # before a measurement that takes time
    if args.bench is not None:
        profile = profile_from_bench(args.bench)
    else:
        with out.step(f"proving a chain of 2^{args.measure_size} rows"):
            profile = measure_profile(args.measure_size)
    sign_and_write(args, out, signer, RegisterNode(node, profile), chain_id, nonce)
    out.line(f"capacity        {profile.units_per_second:,} work units/s ({profile.circuit}: "
             f"{profile.circuit_units:,} constraints in {profile.prove_millis} ms, "
             f"{profile.threads} threads)")
    out.set(profile=profile.to_dict(), units_per_second=profile.units_per_second)
    return 0


def _task_id(text: str) -> int:
    return nonnegative(text)


def add_node_terms(parser: argparse.ArgumentParser, what: str) -> None:
    """--bond and --min-tier: what posted work (``what``, in the help: "it", "its
    tasks") asks of the node that executes it."""
    parser.add_argument("--bond", type=_tokens_or_zero, default=0,
                        help="tokens the executing node locks while assigned (default 0)")
    parser.add_argument("--min-tier", type=nonnegative, default=0,
                        help=f"lowest tier index that may execute {what} (default 0)")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register task post|cancel|list|show and node register."""
    p = sub.add_parser("task", help="post, cancel, list or show compute-market tasks")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="{post,cancel,list,show}")
    q = verbs.add_parser("post", help="sign a task (kernel, inputs, fee, deadline) into a "
                                      "transaction file")
    q.add_argument("kernel_id", type=_kernel_id, nargs="?",
                   help="a registered task-ready kernel's id (or --vk)")
    q.add_argument("--vk", help="the kernel's verification_key.json, instead of its id")
    q.add_argument("--kernel", required=True,
                   help="the kernel's spec (.toml): its inputs' public values come from it")
    q.add_argument("--input", action="append", required=True, metavar="FILE",
                   help="the task's input data, as `zkcx prove` reads it (in.json or "
                        "NAME=FILE.npy; repeatable); its SHA-256 is the task's data hash")
    q.add_argument("--quantized", action="store_true",
                   help="input numbers are fixed-point integers already")
    q.add_argument("--data-uri", help="where executors fetch the input data (text)")
    q.add_argument("--fee", required=True, type=parse_tokens,
                   help="tokens paid to the node that delivers (escrowed when posted)")
    add_node_terms(q, "it")
    q.add_argument("--deadline", type=_POSITIVE_BLOCKS, help="the block by which it is delivered")
    q.add_argument("--window", type=_POSITIVE_BLOCKS, default=DEFAULT_WINDOW,
                   help=f"blocks after the next one, without --deadline (default "
                        f"{DEFAULT_WINDOW})")
    add_signing_arguments(q, needs_chain=True, account_help="the poster (a key of --keystore)")
    q.set_defaults(run=cmd_task_post)
    q = verbs.add_parser("cancel", help="sign the cancellation of an unassigned task")
    q.add_argument("task_id", type=_task_id, help="the task's number")
    add_signing_arguments(q)
    q.set_defaults(run=cmd_task_cancel)
    q = add_chain_reader(verbs, "list", "the chain's tasks", cmd_task_list)
    q.add_argument("--status", choices=[s.value for s in TaskStatus])
    q = add_chain_reader(verbs, "show", "one task", cmd_task_show)
    q.add_argument("task_id", type=_task_id, help="the task's number")

    p = sub.add_parser("node", help="register a node's measured capacity, or run a node "
                                    "against an operator")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="{register,run}")
    q = verbs.add_parser("register", help="sign a node registration into a transaction file")
    q.add_argument("--bench", metavar="FILE",
                   help="a `zkcx --json bench` record: zkcx's proving time of its largest case")
    q.add_argument("--measure", action="store_true",
                   help="measure here: prove a benchmark chain and time it")
    q.add_argument("--measure-size", type=int, default=12, choices=range(6, 17),
                   metavar="K", help="with --measure: the chain of 2^K rows (default 12)")
    add_signing_arguments(q)
    q.set_defaults(run=cmd_node_register)
    add_run_parser(verbs)
