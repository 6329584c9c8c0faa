# SPDX-License-Identifier: MIT
"""``zkcx gov propose|vote|show``: parameter governance from the command line. A staked
node signs a proposal or a vote into a transaction file (``zkcx-tx-v1``, as ``zkcx tx``
does) for the operator's ``zkcx block build --tx``; ``gov show`` reads a chain's
proposals, votes, tallies and parameter schedule (read only).

A proposal names a whole parameter set: ``gov propose`` takes the chain's current set
(the one the next block runs under), applies ``--set FIELD=VALUE`` changes (and
``--pause``/``--unpause``) and validates the result. The rules (who may propose and vote,
voting periods, quorum, approval, activation) are the accountant's:
``zkcx.rewards.governance``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from zkcx.cli._args import add_chain_reader, nonnegative
from zkcx.cli._output import Reporter
from zkcx.cli.errors import UsageError
from zkcx.cli.tx_commands import (
    add_signing_arguments,
    load_chain,
    sign_operation,
    signing_key,
)
from zkcx.errors import InvalidOperationError, ParameterError
from zkcx.rewards import Propose, Vote
from zkcx.rewards.governance import OPEN
from zkcx.rewards.params import Params


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """A parameter set's dict as dotted paths -> leaf values (``kind_weights.compute``,
    ``tiers.1.min_stake``)."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(i), v) for i, v in enumerate(value))
    else:
        return {prefix: value}
    out: dict[str, Any] = {}
    for key, item in items:
        out.update(_flat(item, f"{prefix}.{key}" if prefix else str(key)))
    return out


def changed_fields(old: Params, new: Params) -> dict[str, tuple[Any, Any]]:
    """Dotted path -> (old, new) for every parameter that differs."""
    a, b = _flat(old.to_dict()), _flat(new.to_dict())
    return {k: (a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}


def apply_changes(params: Params, changes: list[str]) -> Params:
    """``params`` with each ``FIELD=VALUE`` applied (FIELD a dotted path into
    ``Params.to_dict()``: ``emission_ppb``, ``kind_weights.compute``,
    ``tiers.1.min_stake``; VALUE JSON, else a string; amounts in base units)."""
    d = params.to_dict()
    for change in changes:
        path, sep, text = change.partition("=")
        if not sep or not path:
            raise UsageError(f"--set {change!r}: expected FIELD=VALUE")
        try:
            value = json.loads(text)
        except ValueError:
            value = text
        node: Any = d
        keys = path.split(".")
        for depth, key in enumerate(keys):
            last = depth == len(keys) - 1
            if isinstance(node, dict) and key in node:
                slot = key
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                slot = int(key)
            else:
                known = sorted(_flat(params.to_dict())) if depth else sorted(d)
                raise UsageError(f"--set {change!r}: no parameter {path!r} (parameters: "
                                 f"{', '.join(known)})")
            if last:
                if isinstance(node[slot], (dict, list)) != isinstance(value, (dict, list)):
                    raise UsageError(f"--set {change!r}: {path} takes "
                                     f"{type(node[slot]).__name__} values")
                if isinstance(node[slot], str) and isinstance(value, int):
                    value = str(value)  # amounts are decimal strings of base units
                node[slot] = value
            else:
                node = node[slot]
    try:
        return Params.from_dict(d)
    except ParameterError as exc:
        raise UsageError(f"the proposed parameters are invalid: {exc}") from None


def proposal(out: Reporter, state, proposer: str, payload, activation: int) -> Propose:
    """``Propose(proposer, payload, activation)``, with a note where ``state`` (the
    chain's accountant or market) shows the proposer's stake below the minimum."""
    from zkcx.cli.chain_commands import tokens

    stake, minimum = state.account(proposer).stake, state.params().proposal_min_stake
    if stake < minimum:
        out.line(f"note: {proposer} has stake {tokens(stake)}, below the {tokens(minimum)} "
                 "tokens a proposer needs: the block will reject the proposal")
    try:
        return Propose(proposer, payload, activation)
    except InvalidOperationError as exc:
        raise UsageError(f"bad proposal: {exc}") from None


def cmd_gov_propose(args: argparse.Namespace, out: Reporter) -> int:
    """Sign a proposal: the current parameters with the changes, from a height."""
    signer = signing_key(args)
    proposer = str(signer.address)
    chain_id, accountant = loaded = load_chain(args.chain)
    current = accountant.params()
    params = apply_changes(current, args.set)
    if args.pause is not None:
        params = params.replace(paused=args.pause)
    if params == current:
        raise UsageError("the proposal changes nothing: give --set FIELD=VALUE, --pause or "
                         "--unpause")
    height = accountant.height + 1  # if the next block includes it
    emergency = current.differs_only_in_pause(params)
    period = current.emergency_voting_period if emergency else current.voting_period
    voting_end = height + period - 1
    earliest = voting_end + current.min_activation_delay
    activation = earliest if args.activation_height is None else args.activation_height
    if activation < earliest:
        raise UsageError(f"--activation-height {activation} is too early: a proposal in the "
                         f"next block ({height}) is voted on until block {voting_end}, then "
                         f"{current.min_activation_delay} blocks of delay: {earliest} at "
                         "the earliest")
    op = proposal(out, accountant, proposer, params, activation)
    sign_operation(args, out, signer, op, loaded)
    changes = changed_fields(current, params)
    for path, (old, new) in changes.items():
        out.line(f"  {path}: {old} -> {new}")
    out.line(f"vote            {'emergency, ' if emergency else ''}blocks {height}.."
             f"{voting_end} if the next block includes it; activation at {activation}")
    out.set(changes={k: list(v) for k, v in changes.items()}, emergency=emergency,
            activation_height=activation, voting_end_if_next=voting_end)
    return 0


def cmd_gov_vote(args: argparse.Namespace, out: Reporter) -> int:
    """Sign a vote on a proposal."""
    signer = signing_key(args)
    voter = str(signer.address)
    loaded = None
    if args.chain:
        loaded = load_chain(args.chain)
        proposals = loaded[1].proposals
        if args.proposal_id >= len(proposals):
            raise UsageError(f"the chain has no proposal {args.proposal_id} "
                             f"({len(proposals)} so far)")
        if proposals[args.proposal_id].status != OPEN:
            raise UsageError(f"proposal {args.proposal_id} is closed "
                             f"({proposals[args.proposal_id].status})")
    op = Vote(voter, args.proposal_id, args.support == "yes")
    sign_operation(args, out, signer, op, loaded)
    return 0


def proposal_view(proposal, accountant) -> dict[str, Any]:
    """A proposal as ``gov show`` reports it: for an open one, the weights so far (each
    voter's stake now; the tally weighs the stake at the vote's end)."""
    view = proposal.to_dict()
    rules = accountant.schedule.at(proposal.proposed_height)
    view["changes"] = {k: list(v) for k, v in changed_fields(rules, proposal.params).items()}
    del view["params"]
    view["params_digest"] = proposal.params.digest().hex()
    if proposal.is_open:
        yes = sum(accountant.account(v).stake for v, s in proposal.votes.items() if s)
        no = sum(accountant.account(v).stake for v, s in proposal.votes.items() if not s)
        view.update(yes_stake=str(yes), no_stake=str(no),
                    total_stake=str(accountant.totals()[1]),
                    blocks_left=max(proposal.voting_end - accountant.height, 0))
    return view


def cmd_gov_show(args: argparse.Namespace, out: Reporter) -> int:
    """Proposals, votes, tallies, the parameter schedule and whether payouts are paused."""
    from zkcx.cli.chain_commands import tokens

    _, accountant = load_chain(args.chain)
    proposals = accountant.proposals
    if args.proposal_id is not None:
        if args.proposal_id >= len(proposals):
            raise UsageError(f"the chain has no proposal {args.proposal_id} "
                             f"({len(proposals)} so far)")
        proposals = (proposals[args.proposal_id],)
    paused = accountant.params().paused
    out.line(f"height {accountant.height}; payouts {'PAUSED' if paused else 'running'}")
    views = []
    for proposal in proposals:
        view = proposal_view(proposal, accountant)
        views.append(view)
        weights = "so far" if proposal.is_open else "at the tally"
        out.line(f"proposal {view['id']} by {view['proposer']}: {view['status']}")
        for path, (old, new) in view["changes"].items():
            out.line(f"  {path}: {old} -> {new}")
        out.line(f"  proposed at {view['proposed_height']}, vote ends at "
                 f"{view['voting_end']}, activation at {view['activation_height']}")
        out.line(f"  yes {tokens(int(view['yes_stake']))}  no {tokens(int(view['no_stake']))}"
                 f"  of {tokens(int(view['total_stake']))} staked ({weights})")
        for voter, support in view["votes"].items():
            out.line(f"    {voter} {'yes' if support else 'no'}")
    if not accountant.proposals:
        out.line("no proposals yet")
    schedule = [{"activation_height": h, "params_digest": p.digest().hex(),
                 "paused": p.paused} for h, p in accountant.schedule.entries]
    future = [(h, p) for h, p in accountant.schedule.entries if h > accountant.height]
    for h, p in future:
        changes = changed_fields(accountant.schedule.at(h - 1), p)
        out.line(f"from height {h}: " + (", ".join(f"{k} {a} -> {b}"
                                                   for k, (a, b) in changes.items())
                                         or "no change"))
    out.set(height=accountant.height, paused=paused, proposals=views, schedule=schedule,
            future_changes=[h for h, _ in future])
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register gov propose|vote|show."""
    p = sub.add_parser("gov", help="propose and vote on parameter changes; show proposals")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="{propose,vote,show}")
    q = verbs.add_parser("propose", help="sign a proposal: the chain's current parameters "
                                         "with changes, from an activation height")
    q.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="a parameter change (repeatable): FIELD a parameter or a dotted "
                        "path (kind_weights.compute, tiers.1.min_stake); VALUE JSON, "
                        "amounts in base units")
    pause = q.add_mutually_exclusive_group()
    pause.add_argument("--pause", dest="pause", action="store_const", const=True,
                       help="pause payouts (claims still recorded); alone, an emergency "
                            "proposal with the short voting period")
    pause.add_argument("--unpause", dest="pause", action="store_const", const=False,
                       help="lift the pause")
    q.add_argument("--activation-height", type=nonnegative,
                   help="the height the set takes effect (default: the earliest allowed "
                        "if the next block includes the proposal)")
    add_signing_arguments(q, needs_chain=True)
    q.set_defaults(run=cmd_gov_propose)
    q = verbs.add_parser("vote", help="sign a vote on a proposal (stakers only; the vote "
                                      "weighs the voter's stake at the vote's end)")
    q.add_argument("proposal_id", type=nonnegative, help="the proposal's id (`gov show`)")
    q.add_argument("support", choices=["yes", "no"])
    add_signing_arguments(q)
    q.set_defaults(run=cmd_gov_vote)
    q = add_chain_reader(verbs, "show",
                         "proposals, votes, weights, the schedule, the pause",
                         cmd_gov_show)
    q.add_argument("proposal_id", nargs="?", type=nonnegative, help="one proposal")
