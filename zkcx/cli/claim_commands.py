# SPDX-License-Identifier: MIT
"""``zkcx claim make``: a node's proof.json and public.json, with its node id, task id,
kernel id and kind, turned into a claim file (``zkcx-claim-v1`` JSON) for ``zkcx block
build``. With ``--vk`` or ``--chain`` the claim is checked first, as the block builder
will check it (the proof verifies; with ``--chain``: the kernel is registered, allows
the kind, has this many public signals and, when bound, the binding names this node and
task), so that a node learns of a mistake before submitting."""

from __future__ import annotations

import argparse
import json

from zkcx import groth16
from zkcx.cli._files import decode, output_path, read_json
from zkcx.cli._output import EXIT_INVALID, Reporter, UsageError
from zkcx.rewards.params import ClaimKind
from zkcx.rollup import Claim, MalformedClaimError, UnknownKernelError, claim_binding


def _model(text: str) -> tuple[str, int]:
    model_id, _, version = text.rpartition(":")
    try:
        value = int(version)
    except ValueError:
        value = -1
    if not model_id or not 0 <= value < 1 << 64:
        raise argparse.ArgumentTypeError(f"{text!r} is not MODEL_ID:VERSION")
    return model_id, value


def cmd_claim_make(args: argparse.Namespace, out: Reporter) -> int:
    """Write a claim file from a proof and its public signals."""
    proof = decode(args.proof, "proof", groth16.read_proof, read_json(args.proof, "proof"))
    public = decode(args.public, "public signals", groth16.read_public,
                    read_json(args.public, "public signals"))
    vk = None
    if args.vk:
        vk = decode(args.vk, "verifying key", groth16.read_verifying_key,
                    read_json(args.vk, "verifying key"))
    kernel_id = args.kernel_id or (vk.digest() if vk else None)
    if kernel_id is None:
        raise UsageError("name the kernel: --vk verification_key.json or --kernel-id ID "
                         "(`zkcx kernel list --chain ...` shows the ids)")
    if vk is not None and args.kernel_id and args.kernel_id != vk.digest():
        raise UsageError(f"--kernel-id {args.kernel_id} is not the digest of {args.vk!r} "
                         f"({vk.digest()})")
    model_id, model_version = args.model if args.model else (None, None)
    try:
        claim = Claim(args.node, args.task, kernel_id, tuple(public), proof, args.kind,
                      model_id, model_version)
    except MalformedClaimError as exc:  # a bad --node, --task, --kernel-id or --model
        raise UsageError(f"cannot make a claim: {exc}") from None
    problem = None
    if args.chain:
        from zkcx.cli.chain_commands import open_chain

        with open_chain(args.chain) as store:
            registry = store.kernel_registry()
        try:
            entry = registry.get(kernel_id)
        except UnknownKernelError:
            raise UsageError(f"kernel {kernel_id} is not registered in {args.chain!r}") from None
        vk = entry.vk
        if claim.kind not in entry.kinds:
            problem = (f"kernel {kernel_id[:16]}… may be claimed as "
                       f"{sorted(k.value for k in entry.kinds)}, not {claim.kind.value!r}")
        elif len(public) != entry.n_public:
            problem = (f"{args.public!r} has {len(public)} public signals but the kernel has "
                       f"{entry.n_public}")
        elif entry.binding_position is not None and \
                public[entry.binding_position] != claim_binding(args.node, args.task):
            problem = (f"the proof is bound to another node or task (prove with --node "
                       f"{args.node} --task {args.task})")
    if problem is None and vk is not None:
        if len(public) != vk.n_public:
            problem = (f"{args.public!r} has {len(public)} public signals but the key "
                       f"expects {vk.n_public}")
        elif not groth16.verify(vk, public, proof):
            problem = "the proof does not verify against the kernel's key"
    if problem is not None:
        out.line(f"INVALID: {problem}; no claim written")
        out.set(valid=False, error=problem)
        return EXIT_INVALID
    target = output_path(args.output, "claim file")
    target.write_text(json.dumps(claim.to_json(), indent=1))
    out.line(f"claim           {target}")
    out.line(f"node / task     {claim.node_id} / {claim.task_id}")
    out.line(f"kernel id       {claim.kernel_id}")
    out.line(f"claim hash      {claim.claim_hash.hex()}")
    out.line("checked         " + ("against the chain's registry" if args.chain else
                                   "the proof verifies" if vk is not None else
                                   "not checked (give --vk or --chain)"))
    out.set(claim=str(target), claim_hash=claim.claim_hash.hex(), kernel_id=kernel_id,
            checked=vk is not None)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register claim make."""
    p = sub.add_parser("claim", help="make a claim file from a proof for `block build`")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="{make}")
    q = verbs.add_parser("make", help="proof.json + public.json -> claim.json")
    q.add_argument("proof", help="proof.json (from `zkcx prove`)")
    q.add_argument("public", help="public.json (from `zkcx prove`)")
    q.add_argument("--node", required=True, help="the claiming node's id")
    q.add_argument("--task", required=True, help="the task id (the same as at `zkcx prove`)")
    q.add_argument("--kind", required=True, choices=[k.value for k in ClaimKind],
                   help="what the claim proves")
    q.add_argument("--vk", help="the kernel's verification_key.json: its digest is the kernel "
                                "id, and the proof is verified first")
    q.add_argument("--kernel-id", help="the kernel id (instead of --vk)")
    q.add_argument("--chain", help="check the claim against this chain's kernel registry "
                                   "(read only)")
    q.add_argument("--model", type=_model, metavar="MODEL_ID:VERSION",
                   help="training claims: the model and the version the step starts from")
    q.add_argument("-o", "--output", default="claim.json",
                   help="claim file to write (default claim.json)")
    q.set_defaults(run=cmd_claim_make)
