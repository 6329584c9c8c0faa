# SPDX-License-Identifier: MIT
"""``zkcx claim make``: a node's proof.json and public.json, with its node id, task id,
kernel id and kind, turned into a claim file (``zkcx-claim-v2`` JSON) for ``zkcx block
build``, signed with the node's key (``--key-file``, or ``--keystore`` and ``--account``;
the node id is the key's address) in the chain's domain (``--chain``'s chain id, else
``--chain-id``) with the account's next nonce (``--chain``'s state, else ``--nonce``).
With ``--vk`` or ``--chain`` the claim is checked first, as the block builder
will check it (the proof verifies; with ``--chain``: the kernel is registered, allows
the kind, has this many public signals, when bound the binding names this node and task,
and the claim answers its task: assigned to this node, open, the task's kernel and
inputs), so that a node learns of a mistake before submitting."""

from __future__ import annotations

import argparse
import json

from zkcx import groth16
from zkcx.cli._files import decode, output_path, read_json
from zkcx.cli._keys import KeyRing, add_key_arguments, has_keys
from zkcx.cli._output import EXIT_INVALID, Reporter
from zkcx.cli.errors import UsageError
from zkcx.rewards.params import ClaimKind
from zkcx.rollup import (
    DEFAULT_CHAIN_ID,
    Claim,
    MalformedClaimError,
    UnknownKernelError,
    chain_domain,
    claim_binding,
)


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
    if not has_keys(args):
        raise UsageError("a claim is signed by its node: pass --key-file FILE, or --keystore "
                         "DIR and --account ADDRESS (password: --password-file or "
                         "ZKCX_PASSWORD)")
    signer = KeyRing(args).signer(args.node)
    node = str(signer.address)
    if args.node is not None and args.node != node:
        raise UsageError(f"--node {args.node} is not the key's account {node}")
    args.node = node
    try:
        claim = Claim(node, args.task, kernel_id, tuple(public), proof, args.kind,
                      model_id, model_version)
    except MalformedClaimError as exc:  # a bad --task, --kernel-id or --model
        raise UsageError(f"cannot make a claim: {exc}") from None
    problem = None
    chain_id, nonce = args.chain_id, args.nonce
    if args.chain:
        from zkcx.cli.chain_commands import open_chain

        with open_chain(args.chain) as store:
            registry = store.kernel_registry()
            if chain_id is not None and chain_id != store.chain_id():
                raise UsageError(f"--chain-id {chain_id} is not the chain's "
                                 f"({store.chain_id()})")
            chain_id = store.chain_id()
            market = store.load_state()[0]
            if nonce is None:
                nonce = market.account(node).nonce
        try:
            entry = registry.get(kernel_id)
        except UnknownKernelError:
            raise UsageError(f"kernel {kernel_id} is not registered in {args.chain!r}") from None
        vk = entry.vk
        if claim.kind is not entry.kind:
            problem = (f"kernel {kernel_id[:16]}… is claimed as {entry.kind.value!r}, not "
                       f"{claim.kind.value!r}")
        elif len(public) != entry.n_public:
            problem = (f"{args.public!r} has {len(public)} public signals but the kernel has "
                       f"{entry.n_public}")
        elif entry.binding_position is not None and \
                public[entry.binding_position] != claim_binding(args.node, args.task):
            problem = (f"the proof is bound to another node or task (prove with --node "
                       f"{args.node} --task {args.task})")
        else:
            problem = _task_problem(market, registry, claim)
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
    chain_id = DEFAULT_CHAIN_ID if chain_id is None else chain_id
    claim = claim.signed(signer, chain_domain(chain_id), 0 if nonce is None else nonce)
    target = output_path(args.output, "claim file")
    target.write_text(json.dumps(claim.to_json(), indent=1))
    out.line(f"claim           {target}")
    out.line(f"node / task     {claim.node_id} / {claim.task_id}")
    out.line(f"signed          chain id {chain_id}, nonce {claim.nonce}")
    out.line(f"kernel id       {claim.kernel_id}")
    out.line(f"claim hash      {claim.claim_hash.hex()}")
    out.line("checked         " + ("against the chain's registry" if args.chain else
                                   "the proof verifies" if vk is not None else
                                   "not checked (give --vk or --chain)"))
    out.set(claim=str(target), claim_hash=claim.claim_hash.hex(), kernel_id=kernel_id,
            checked=vk is not None, node_id=node, nonce=claim.nonce, chain_id=chain_id)
    return 0


def _task_problem(market, registry, claim: Claim) -> str | None:
    """Why the next block would not pay ``claim`` for its task (the builder's own check,
    ``MarketDraft.check_claim``, on the state after the head), or None."""
    from zkcx.rollup.builder import task_number

    task_id = task_number(claim.task_id)
    if task_id is None:
        return f"task {claim.task_id!r} is not a task number (`zkcx task list`)"
    draft = market.preview(market.height + 1, kernels=registry.terms())
    found = draft.check_claim(claim.node_id, task_id, claim.kernel_id, claim.public_inputs)
    return None if found is None else f"{found.code}: {found.detail}"


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register claim make."""
    p = sub.add_parser("claim", help="make a claim file from a proof for `block build`")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="{make}")
    q = verbs.add_parser("make", help="proof.json + public.json -> claim.json")
    q.add_argument("proof", help="proof.json (from `zkcx prove`)")
    q.add_argument("public", help="public.json (from `zkcx prove`)")
    q.add_argument("--node", help="the claiming node's account address (default: the "
                                  "key's; if given, it must be the key's)")
    q.add_argument("--task", required=True, help="the task id (the same as at `zkcx prove`)")
    q.add_argument("--kind", required=True, choices=[k.value for k in ClaimKind],
                   help="what the claim proves")
    q.add_argument("--vk", help="the kernel's verification_key.json: its digest is the kernel "
                                "id, and the proof is verified first")
    q.add_argument("--kernel-id", help="the kernel id (instead of --vk)")
    q.add_argument("--chain", help="check the claim against this chain's kernel registry "
                                   "(read only)")
    q.add_argument("--chain-id", type=int, help="the chain the claim is for (default: "
                   f"--chain's, else {DEFAULT_CHAIN_ID})")
    q.add_argument("--nonce", type=int, help="the node's nonce (default: its next one on "
                                             "--chain, else 0)")
    add_key_arguments(q, account_help="the node's account in --keystore")
    q.add_argument("--model", type=_model, metavar="MODEL_ID:VERSION",
                   help="training claims: the model and the version the step starts from")
    q.add_argument("-o", "--output", default="claim.json",
                   help="claim file to write (default claim.json)")
    q.set_defaults(run=cmd_claim_make)
