# SPDX-License-Identifier: MIT
"""``zkcx kernel register`` and ``zkcx kernel list``: the kernels a chain accepts claims
for, kept in the chain file (``SQLiteChainStore.kernel_registry``). A kernel is its
verifying key (kernel id = the key's digest) with the work units a claim earns (the
circuit's constraint count), the one claim kind it is claimed as, and the positions of
its claim binding, its inputs and (training kernels) model commitments among the public
signals — all read from the kernel's spec when ``--kernel SPEC.toml`` is given."""

from __future__ import annotations

import argparse

from zkcx import groth16
from zkcx.cli._args import add_chain_reader
from zkcx.cli._files import decode, read_json
from zkcx.cli._output import Reporter
from zkcx.cli.chain_commands import open_chain
from zkcx.cli.errors import UsageError
from zkcx.errors import ZkcxError
from zkcx.kernels import PublicBounds
from zkcx.rewards.params import ClaimKind
from zkcx.rollup import Claim, MalformedClaimError, RejectReason, SQLiteChainStore


def _rejected_as_unknown(store: SQLiteChainStore, kernel_id: str) -> int | None:
    """The height of a block that rejected a claim of ``kernel_id`` as an unknown kernel
    (registering it now would make that block fail re-verification), or None."""
    for block in store.blocks():
        for rejected in block.rejected:
            if rejected.reason is not RejectReason.UNKNOWN_KERNEL:
                continue
            try:
                if Claim.from_bytes(rejected.data).kernel_id == kernel_id:
                    return block.header.height
            except MalformedClaimError:
                continue
    return None


def _positions(text: str) -> tuple[int, int]:
    try:
        before, after = (int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not BEFORE,AFTER (two public-signal "
                                         "indices)") from None
    return before, after


def _input_positions(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in text.split(",")) if text else ()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not I,J,... (public-signal indices "
                                         "carrying the kernel's inputs)") from None


def _task_ready_text(entry) -> str:
    why = entry.why_not_task_ready()
    return "yes" if why is None else f"no: {why}"


def cmd_kernel_register(args: argparse.Namespace, out: Reporter) -> int:
    """Add a kernel (its verifying key and terms) to the registry kept in the chain."""
    vk = decode(args.vk, "verifying key", groth16.read_verifying_key,
                read_json(args.vk, "verifying key"))
    units, binding, positions = args.units, args.binding_position, args.model_positions
    inputs = args.input_positions
    if args.kernel and (units is not None or binding is not None or positions is not None
                        or inputs is not None):
        raise UsageError("--kernel reads the work units and positions from the spec: give "
                         "it without --units, --binding-position, --model-positions and "
                         "--input-positions")
    kind = ClaimKind(args.kind)
    if args.kernel:
        from zkcx.cli.kernel_commands import load_kernel

        kernel = load_kernel(args.kernel)
        if vk.n_public != len(kernel.public_inputs):
            raise UsageError(f"verifying key {args.vk!r} has {vk.n_public} public signals but "
                             f"kernel {kernel.spec.name!r} has {len(kernel.public_inputs)}: "
                             "it is not this kernel's key")
    elif units is None:
        raise UsageError("give --kernel SPEC.toml (work units and positions from the spec) "
                         "or --units N")
    with open_chain(args.chain, write=True) as store:
        registry = store.kernel_registry()
        kernel_id = vk.digest()
        if kernel_id in registry:
            raise UsageError(f"kernel {kernel_id} is already registered in {args.chain!r}")
        height = _rejected_as_unknown(store, kernel_id)
        if height is not None:
            raise UsageError(f"block {height} rejected a claim of kernel {kernel_id} as "
                             "unknown; registering it now would make that block fail "
                             "re-verification")
        try:
            if args.kernel:
                registry.register_kernel(kernel, vk, kind)
            else:  # a circuit of one's own: no ranges known for its public signals
                registry.register(vk, units, kind, model_positions=positions,
                                  binding_position=binding, input_positions=inputs,
                                  public_bounds=PublicBounds.unbounded(vk.n_public))
        except ZkcxError as exc:  # the registry's checks of units, kind and positions
            raise UsageError(f"kernel {args.vk!r} cannot be registered: {exc}") from None
        store.save_kernel_registry(registry)
    entry = registry.get(kernel_id)
    binding, inputs = entry.binding_position, entry.input_positions
    out.line(f"kernel id       {kernel_id}")
    out.line(f"work units      {entry.work_units}")
    out.line(f"kind            {entry.kind.value}")
    out.line("binding         " + (f"public signal {binding}" if binding is not None else
                                   "none (a proof can be copied into another claim)"))
    out.line("inputs          " + ("not all fixed by the public signals" if inputs is None
                                   else f"public signals {list(inputs)}"))
    out.line(f"task-ready      {_task_ready_text(entry)}")
    out.line(f"registered in   {args.chain} ({len(registry)} kernels)")
    out.set(kernel_id=kernel_id, work_units=entry.work_units, kind=entry.kind.value,
            binding_position=binding,
            input_positions=None if inputs is None else list(inputs),
            task_ready=entry.task_ready,
            model_positions=list(entry.model_positions) if entry.model_positions else None,
            kernels=len(registry))
    return 0


def cmd_kernel_list(args: argparse.Namespace, out: Reporter) -> int:
    """The kernels registered in a chain."""
    with open_chain(args.chain) as store:
        registry = store.kernel_registry()
    rows, items = [], []
    for e in registry:
        rows.append([e.kernel_id, e.work_units, e.kind.value, e.n_public,
                     "-" if e.binding_position is None else e.binding_position,
                     "yes" if e.task_ready else "no"])
        items.append({"kernel_id": e.kernel_id, "work_units": e.work_units,
                      "kind": e.kind.value, "n_public": e.n_public,
                      "binding_position": e.binding_position,
                      "input_positions": (None if e.input_positions is None
                                          else list(e.input_positions)),
                      "task_ready": e.task_ready})
    if rows:
        out.table(["kernel id", "work units", "kind", "public", "binding", "task-ready"], rows)
    else:
        out.line("no kernels registered")
    out.set(kernels=items)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register kernel register and kernel list."""
    p = sub.add_parser("kernel", help="register kernels with a chain, or list them")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="{register,list}")
    q = verbs.add_parser("register", help="add a kernel's verifying key to a chain's registry")
    q.add_argument("vk", help="the kernel's verification_key.json (from `zkcx setup`)")
    q.add_argument("--chain", required=True, help="SQLite chain file (`zkcx chain init`)")
    q.add_argument("--kernel", help="the kernel's spec (.toml): work units, claim binding and "
                                    "model positions are read from it")
    q.add_argument("--units", type=int, help="work units a claim earns (without --kernel: "
                                             "the circuit's constraint count)")
    q.add_argument("--kind", required=True, choices=[k.value for k in ClaimKind],
                   help="the one claim kind the kernel is claimed as (several would let a "
                        "claimant pick the best-paid)")
    q.add_argument("--binding-position", type=int,
                   help="without --kernel: index of the claim binding among the public "
                        "signals")
    q.add_argument("--model-positions", type=_positions, metavar="BEFORE,AFTER",
                   help="without --kernel, for training kernels: indices of the model "
                        "commitments before and after the step")
    q.add_argument("--input-positions", type=_input_positions, metavar="I,J,...",
                   help="without --kernel: indices of the public signals carrying the "
                        "kernel's inputs (commitments or values), when every input is "
                        "fixed by them; a task can name only such a kernel")
    q.set_defaults(run=cmd_kernel_register)
    q = add_chain_reader(verbs, "list", "the kernels registered in a chain", cmd_kernel_list)
