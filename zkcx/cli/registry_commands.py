# SPDX-License-Identifier: MIT
"""``zkcx kernel register`` and ``zkcx kernel list``: the kernels a chain accepts claims
for, kept in the chain file (``SQLiteChainStore.kernel_registry``). A kernel is its
verifying key (kernel id = the key's digest) with the work units a claim earns (the
circuit's constraint count), the one claim kind it is claimed as, and the positions of
its claim binding, its inputs and (training kernels) model commitments among the public
signals — all read from the kernel's spec when ``--kernel SPEC.toml`` is given.

A key is registered with its trusted setup: ``--zkey KEY.zkey --ptau FILE.ptau`` (the
circuit compiled from ``--kernel``, or ``--r1cs``) verifies the ptau's phase-1
transcript (``zkcx ptau verify``; at least one contribution that is not a beacon) and the
key's whole phase-2 transcript (``zkcx zkey verify``; ``zkcx.rollup.kernel_ceremony.
verified_ceremony``) and keeps its record (ptau hash, circuit hash, contributions) in
the entry; a spec's ``[ceremony]`` table is held against it. Without one the command
refuses, unless ``--unsafe-local-setup`` says the key was made locally (``zkcx setup``:
whoever ran it can forge its proofs); the entry then says so, and ``kernel list`` shows
it."""

from __future__ import annotations

import argparse
import sys

from zkcx import groth16
from zkcx.cli._args import add_chain_reader
from zkcx.cli._files import decode, read_json
from zkcx.cli._output import Reporter
from zkcx.cli.chain_commands import open_chain
from zkcx.cli.errors import UsageError
from zkcx.cli.proof_commands import read_circuit, read_zkey
from zkcx.cli.zkey_commands import read_prepared_ptau
from zkcx.errors import ZkcxError
from zkcx.kernels import PublicBounds
from zkcx.rewards.params import ClaimKind
from zkcx.rollup import Claim, MalformedClaimError, RejectReason, SQLiteChainStore
from zkcx.rollup.kernel_ceremony import ceremony_json, describe_ceremony, verified_ceremony

#: what ``kernel register`` says (on stderr) when it registers a key of a local setup
UNSAFE_WARNING = ("WARNING: registered with --unsafe-local-setup: no ceremony verified; "
                  "whoever made this key can forge proofs of this kernel. Never pay rewards "
                  "on it outside a test or a demo.")


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


def _transcript(args: argparse.Namespace):
    """The proving key and prepared ptau of ``--zkey``/``--ptau`` (None, None with
    ``--unsafe-local-setup``); a usage error says what to give when neither is."""
    if args.unsafe_local_setup:
        if args.zkey or args.ptau or args.r1cs:
            raise UsageError("--unsafe-local-setup registers a key without a transcript: "
                             "give it without --zkey, --ptau and --r1cs")
        return None, None
    if not (args.zkey and args.ptau):
        raise UsageError(
            "a kernel is registered with its trusted setup's transcript: give --zkey "
            "KEY.zkey --ptau FILE.ptau (the prepared ptau it was made from; the circuit "
            "comes from --kernel SPEC.toml or --r1cs), to be verified as `zkcx zkey verify` "
            "does; or, for a key made by `zkcx setup` in a test or a demo, "
            "--unsafe-local-setup (whoever made such a key can forge its proofs)")
    return read_zkey(args.zkey), read_prepared_ptau(args.ptau)


def cmd_kernel_register(args: argparse.Namespace, out: Reporter) -> int:
    """Add a kernel (its verifying key, terms and trusted setup) to the chain's registry."""
    units, binding, positions = args.units, args.binding_position, args.model_positions
    inputs = args.input_positions
    if args.kernel and (units is not None or binding is not None or positions is not None
                        or inputs is not None):
        raise UsageError("--kernel reads the work units and positions from the spec: give "
                         "it without --units, --binding-position, --model-positions and "
                         "--input-positions")
    pk, ptau = _transcript(args)
    if args.vk is None and pk is None:
        raise UsageError("give the kernel's verification_key.json (or --zkey, whose key it "
                         "is)")
    vk = pk.verifying_key if args.vk is None else decode(
        args.vk, "verifying key", groth16.read_verifying_key,
        read_json(args.vk, "verifying key"))
    key_name = args.vk or args.zkey
    kind = ClaimKind(args.kind)
    kernel = None
    if args.kernel:
        from zkcx.cli.kernel_commands import load_kernel

        kernel = load_kernel(args.kernel)
        if vk.n_public != len(kernel.public_inputs):
            raise UsageError(f"verifying key {key_name!r} has {vk.n_public} public signals "
                             f"but kernel {kernel.spec.name!r} has "
                             f"{len(kernel.public_inputs)}: it is not this kernel's key")
        if args.r1cs:
            raise UsageError("--kernel compiles the circuit from the spec: give it without "
                             "--r1cs")
    elif pk is not None and not args.r1cs:
        raise UsageError("without --kernel, give the circuit the key was made for: --r1cs "
                         "CIRCUIT.r1cs (its constraint count is the work units)")
    elif units is None and pk is None:
        raise UsageError("give --kernel SPEC.toml (work units and positions from the spec) "
                         "or --units N")
    r1cs = None  # the circuit the transcript is verified against
    if pk is not None:
        r1cs = kernel.circuit() if kernel is not None else read_circuit(args.r1cs)
        if kernel is None:
            if units is None:
                units = r1cs.n_constraints
            elif units != r1cs.n_constraints:
                raise UsageError(f"--units {units} is not the circuit's constraint count "
                                 f"({r1cs.n_constraints}): a claim earns the circuit's "
                                 "constraints")
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
        record = None
        if pk is not None:
            with out.step("verifying the key's ceremony") as progress:
                try:
                    record = verified_ceremony(r1cs, ptau, pk, vk, progress=progress)
                except ZkcxError as exc:
                    raise UsageError(f"kernel {key_name!r} cannot be registered: "
                                     f"{exc}") from None
        setup = {"ceremony": record, "unsafe_local_setup": record is None}
        try:
            if kernel is not None:
                registry.register_kernel(kernel, vk, kind, **setup)
            else:  # a circuit of one's own: no ranges known for its public signals
                registry.register(vk, units, kind, model_positions=positions,
                                  binding_position=binding, input_positions=inputs,
                                  public_bounds=PublicBounds.unbounded(vk.n_public), **setup)
        except ZkcxError as exc:  # the registry's checks of units, kind, positions, setup
            raise UsageError(f"kernel {key_name!r} cannot be registered: {exc}") from None
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
    _setup_lines(entry.ceremony, out)
    out.line(f"registered in   {args.chain} ({len(registry)} kernels)")
    out.set(kernel_id=kernel_id, work_units=entry.work_units, kind=entry.kind.value,
            binding_position=binding,
            input_positions=None if inputs is None else list(inputs),
            task_ready=entry.task_ready,
            model_positions=list(entry.model_positions) if entry.model_positions else None,
            ceremony=ceremony_json(entry.ceremony),
            unsafe_local_setup=entry.unsafe_local_setup, kernels=len(registry))
    if entry.unsafe_local_setup:
        print(UNSAFE_WARNING, file=sys.stderr, flush=True)
    return 0


def _setup_lines(record, out: Reporter) -> None:
    """The registered key's setup: its ceremony's hashes and contributions, or UNSAFE."""
    if record is None:
        out.line("setup           UNSAFE LOCAL SETUP (--unsafe-local-setup): no ceremony; "
                 "whoever made the key can forge its proofs")
        return
    out.line(f"ptau hash       {record.ptau_hash.hex()}")
    out.line(f"circuit hash    {record.circuit_hash.hex()}")
    for number, step in enumerate(record.contributions, 1):
        out.line(f"{step.kind:<15} #{number} {step.name!r}: {step.hash.hex()}")


def cmd_kernel_list(args: argparse.Namespace, out: Reporter) -> int:
    """The kernels registered in a chain."""
    with open_chain(args.chain) as store:
        registry = store.kernel_registry()
    rows, items = [], []
    for e in registry:
        rows.append([e.kernel_id, e.work_units, e.kind.value, e.n_public,
                     "-" if e.binding_position is None else e.binding_position,
                     "yes" if e.task_ready else "no", describe_ceremony(e.ceremony)])
        items.append({"kernel_id": e.kernel_id, "work_units": e.work_units,
                      "kind": e.kind.value, "n_public": e.n_public,
                      "binding_position": e.binding_position,
                      "input_positions": (None if e.input_positions is None
                                          else list(e.input_positions)),
                      "task_ready": e.task_ready, "ceremony": ceremony_json(e.ceremony),
                      "unsafe_local_setup": e.unsafe_local_setup})
    if rows:
        out.table(["kernel id", "work units", "kind", "public", "binding", "task-ready",
                   "setup"], rows)
    else:
        out.line("no kernels registered")
    out.set(kernels=items)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register kernel register and kernel list."""
    p = sub.add_parser("kernel", help="register kernels with a chain, or list them")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="{register,list}")
    q = verbs.add_parser(
        "register", help="add a kernel's verifying key to a chain's registry",
        description="Register a kernel's verifying key with its trusted setup: --zkey and "
                    "--ptau verify the ptau's and the key's ceremony transcripts and "
                    "record the key's; "
                    "--unsafe-local-setup registers a locally made key, marked unsafe.")
    q.add_argument("vk", nargs="?",
                   help="the kernel's verification_key.json (default: --zkey's key)")
    q.add_argument("--chain", required=True, help="the chain: an SQLite file or a "
                   "postgresql:// URL (`zkcx chain init`)")
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
    q.add_argument("--zkey", help="the key's .zkey, its phase-2 ceremony transcript "
                                  "included (zkcx zkey contribute/beacon)")
    q.add_argument("--ptau", help="the prepared powers-of-tau file the key was made from")
    q.add_argument("--r1cs", help="without --kernel: the circuit the key was made for")
    q.add_argument("--unsafe-local-setup", action="store_true",
                   help="register a key without a ceremony (zkcx setup: whoever made it "
                        "can forge its proofs), for tests and demos; the entry says so")
    q.set_defaults(run=cmd_kernel_register)
    q = add_chain_reader(verbs, "list", "the kernels registered in a chain", cmd_kernel_list)
