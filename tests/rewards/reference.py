# SPDX-License-Identifier: MIT
"""An independent model of the accountant, written from the package docstring: mutable
dicts, Fractions for the weights, a recursive RFC 6962 Merkle tree and the documented
byte layouts. The tests compare zkcx.rewards against it step by step."""

from __future__ import annotations

import copy
import hashlib
from fractions import Fraction

from zkcx.rewards import SUPPLY, ClaimKind, Params

BILLION = 10**9


class ModelRefusal(Exception):
    """The model predicts that the accountant raises ``kind``."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class Model:
    def __init__(self, entries: list[tuple[int, Params]]) -> None:
        self.entries = list(entries)
        self.height = -1
        self.pool = SUPPLY
        self.accounts: dict[str, dict] = {}
        self.proposals: list[dict] = []

    def params(self, height: int) -> Params:
        chosen = None
        for h, p in self.entries:
            if h <= height:
                chosen = p
        return chosen

    def change(self, height: int, params: Params) -> None:
        self.entries = [(h, p) for h, p in self.entries if h < height] + [(height, params)]

    def insert(self, height: int, params: Params) -> None:
        """A passed proposal: replaces the entry at its height only."""
        self.entries = sorted([(h, p) for h, p in self.entries if h != height]
                              + [(height, params)], key=lambda e: e[0])

    @staticmethod
    def fresh(p: Params) -> dict:
        return {"balance": 0, "stake": 0, "unbonding": [], "held": 0,
                "reputation": p.reputation_start, "reputation_height": 0,
                "claims_accepted": 0, "proofs_invalid": 0, "earned_total": 0,
                "slashed_total": 0, "nonce": 0}

    def tier(self, p: Params, acc: dict) -> int:
        met = [i for i, t in enumerate(p.tiers)
               if acc["stake"] >= t.min_stake and acc["reputation"] >= t.min_reputation]
        return max(met)

    @staticmethod
    def read(p: Params, acc: dict, height: int) -> dict:
        """The account as block ``height`` reads it: reputation above the start decays by
        reputation_decay_per_block per block since reputation_height (down to the start
        at most), then is clamped to [reputation_min, reputation_max]."""
        acc = copy.deepcopy(acc)
        rep = acc["reputation"]
        if rep > p.reputation_start:
            elapsed = height - acc["reputation_height"]
            rep = max(p.reputation_start, rep - p.reputation_decay_per_block * elapsed)
        acc["reputation"] = min(p.reputation_max, max(p.reputation_min, rep))
        acc["reputation_height"] = height
        return acc

    def block(self, height, claims, invalid_nodes, operations, nonces=None, market=()):
        """Apply one block to a copy; commit and return the outcome, or raise ModelRefusal.
        ``market``: the market's moves after the nonces, before the claims: ("hold", node,
        amount), ("release", owner, amount, to), ("forfeit", owner, amount) or ("lose",
        node, reputation)."""
        if height != self.height + 1:
            raise ModelRefusal("HeightError")
        p = self.params(height)
        # every account as this block reads it; those it does not write are restored below
        accounts = {n: self.read(p, a, height) for n, a in self.accounts.items()}
        proposals = copy.deepcopy(self.proposals)

        touched = set()  # every account the block writes is up to date at its height

        def get(node):
            if node not in accounts:
                accounts[node] = {**self.fresh(p), "reputation_height": height}
            touched.add(node)
            return accounts[node]

        slashed = {}
        for node in invalid_nodes:  # penalties first
            acc = get(node)
            cut = acc["stake"] * p.slash_ppb // BILLION
            acc["stake"] -= cut
            for entry in acc["unbonding"]:
                c = entry[0] * p.slash_ppb // BILLION
                entry[0] -= c
                cut += c
            acc["unbonding"] = [e for e in acc["unbonding"] if e[0] > 0]
            acc["reputation"] = max(p.reputation_min, acc["reputation"] - p.reputation_penalty)
            acc["proofs_invalid"] += 1
            acc["slashed_total"] += cut
            slashed[node] = slashed.get(node, 0) + cut
        released = {}
        for node, acc in accounts.items():
            due = sum(a for a, r in acc["unbonding"] if r <= height)
            if due:
                touched.add(node)
                acc["balance"] += due
                acc["unbonding"] = [[a, r] for a, r in acc["unbonding"] if r > height]
                released[node] = due
        stake_before = {}  # stake before the block's operations (after its penalties)
        for op in operations:
            name = type(op).__name__
            if name in ("Stake", "Unstake"):  # from the balance into the stake, or out
                source = "balance" if name == "Stake" else "stake"
                acc = get(op.node_id)
                if acc[source] < op.amount:
                    raise ModelRefusal("InsufficientFundsError")
                stake_before.setdefault(op.node_id, acc["stake"])
                acc[source] -= op.amount
                if name == "Stake":
                    acc["stake"] += op.amount
                    continue
                release = height + p.unbonding_delay
                for entry in acc["unbonding"]:
                    if entry[1] == release:
                        entry[0] += op.amount
                        break
                else:
                    acc["unbonding"].append([op.amount, release])
                    acc["unbonding"].sort(key=lambda e: e[1])
            elif name == "Transfer":
                src = get(op.src)
                if src["balance"] < op.amount:
                    raise ModelRefusal("InsufficientFundsError")
                src["balance"] -= op.amount
                get(op.dst)["balance"] += op.amount
            elif name == "Propose":
                if accounts.get(op.proposer, self.fresh(p))["stake"] < p.proposal_min_stake:
                    raise ModelRefusal("GovernanceError")
                only_pause = (op.params.paused != p.paused
                              and op.params.to_dict() == {**p.to_dict(),
                                                          "paused": op.params.paused})
                period = p.emergency_voting_period if only_pause else p.voting_period
                end = height + period - 1
                if op.activation_height < end + p.min_activation_delay:
                    raise ModelRefusal("GovernanceError")
                proposals.append({"id": len(proposals), "proposer": op.proposer,
                                  "params": op.params, "activation": op.activation_height,
                                  "proposed": height, "end": end, "votes": {},
                                  "status": "open", "yes": 0, "no": 0, "total": 0})
            else:  # Vote
                if op.proposal_id >= len(proposals):
                    raise ModelRefusal("GovernanceError")
                prop = proposals[op.proposal_id]
                if (prop["status"] != "open" or height > prop["end"]
                        or op.voter in prop["votes"]
                        or accounts.get(op.voter, self.fresh(p))["stake"] == 0):
                    raise ModelRefusal("GovernanceError")
                prop["votes"][op.voter] = op.support
        for node, nonce in (nonces or {}).items():
            acc = get(node)
            if nonce <= acc["nonce"]:
                raise ModelRefusal("InvalidOperationError")
            acc["nonce"] = nonce
        forfeited = 0
        for kind, node, amount, *to in market:
            if amount == 0:
                continue  # nothing moves, nothing is written
            acc = get(node)
            if kind == "lose":
                acc["reputation"] = max(p.reputation_min, acc["reputation"] - amount)
                continue
            source = "balance" if kind == "hold" else "held"
            if acc[source] < amount:
                raise ModelRefusal("InsufficientFundsError")
            acc[source] -= amount
            if kind == "hold":
                acc["held"] += amount
            elif kind == "release":
                get(to[0])["balance"] += amount
            else:
                forfeited += amount
        if len({c.claim_hash for c in claims}) != len(claims):
            raise ModelRefusal("DuplicateClaimError")
        weight: dict[str, Fraction] = {}
        count: dict[str, int] = {}
        units: dict[str, int] = {}
        fee_cap: dict[str, int] = {}
        work = 0  # Σ work_units · kind_weight over the paid work
        for c in claims:
            acc = get(c.node_id)
            stake = min(acc["stake"], stake_before.get(c.node_id, acc["stake"]))
            tier = p.tiers[self.tier(p, {"stake": stake, "reputation": acc["reputation"]})]
            if c.kind not in tier.kinds:
                raise ModelRefusal("IneligibleClaimError")
            count[c.node_id] = count.get(c.node_id, 0) + 1
            weight.setdefault(c.node_id, Fraction(0))
            units.setdefault(c.node_id, 0)
            fee_cap.setdefault(c.node_id, 0)
            if c.fee < c.work_units * p.min_fee_per_unit:
                continue  # not paid work: counted, nothing more
            work += c.work_units * p.kind_weights[c.kind]
            units[c.node_id] += c.work_units
            fee_cap[c.node_id] += c.fee * p.emission_fee_cap_ppb // BILLION
            weight[c.node_id] += (
                Fraction(c.work_units * p.kind_weights[c.kind])
                * Fraction(tier.multiplier_permille, 1000)
                * (1 + Fraction(p.stake_boost_max_permille, 1000)
                   * Fraction(min(stake, p.stake_boost_cap), p.stake_boost_cap))
                * Fraction(acc["reputation"], p.reputation_start))
        emission = 0 if p.paused else min(self.pool * p.emission_ppb // BILLION,
                                          work * p.emission_per_unit)
        total = sum(weight.values(), Fraction(0))
        paid = {}
        for node, w in weight.items():
            share = int(emission * w / total) if total else 0  # floor: all terms ≥ 0
            amount = min(share, fee_cap[node])
            paid[node] = amount
            acc = accounts[node]
            acc["balance"] += amount
            acc["earned_total"] += amount
            acc["claims_accepted"] += count[node]
            if not p.paused:
                gain = min(p.reputation_gain_max, units[node] // p.reputation_units_per_point)
                acc["reputation"] = min(p.reputation_max, acc["reputation"] + gain)
        for node in set(accounts) - touched:  # read, not written: stays as stored
            accounts[node] = copy.deepcopy(self.accounts[node])
        self.accounts = accounts
        self.proposals = proposals
        self.height = height
        self.pool = self.pool - sum(paid.values()) + sum(slashed.values()) + forfeited
        tallied = []
        for prop in proposals:
            if prop["status"] == "open" and prop["end"] == height:
                stake = {n: a["stake"] for n, a in accounts.items()}
                total = sum(stake.values())
                yes = sum(stake.get(v, 0) for v, s in prop["votes"].items() if s)
                no = sum(stake.get(v, 0) for v, s in prop["votes"].items() if not s)
                rules = self.params(prop["proposed"])
                ok = (yes > 0 and Fraction(yes + no) >= Fraction(rules.quorum_ppb, BILLION) * total
                      and Fraction(yes) >= Fraction(rules.approval_ppb, BILLION) * (yes + no))
                prop.update(status="passed" if ok else "rejected", yes=yes, no=no, total=total)
                if ok:
                    self.insert(prop["activation"], prop["params"])
                tallied.append((prop["id"], prop["status"]))
        return {"emission": emission, "paid": paid, "slashed": slashed, "released": released,
                "tallied": tallied, "forfeited": forfeited}

    def state_root(self) -> bytes:
        params = self.params(max(self.height, 0))
        leaves = [b"G" + self.height.to_bytes(8, "big", signed=True)
                  + self.pool.to_bytes(32, "big") + SUPPLY.to_bytes(32, "big")
                  + params.digest()]
        leaves.append(b"S" + u(len(self.entries), 4)
                      + b"".join(u(h, 8) + p.digest() for h, p in self.entries))
        leaves.extend(proposal_payload(prop) for prop in self.proposals)
        for node in sorted(self.accounts, key=lambda n: n.encode()):
            leaves.append(account_payload(node, self.accounts[node]))
        return rfc6962_root(leaves)


def account_payload(node: str, acc: dict) -> bytes:
    ident = node.encode()
    out = (b"A" + bytes([len(ident)]) + ident + u(acc["balance"], 32) + u(acc["stake"], 32)
           + u(acc["held"], 32) + u(acc["reputation"], 8) + u(acc["reputation_height"], 8)
           + u(acc["claims_accepted"], 8)
           + u(acc["proofs_invalid"], 8) + u(acc["earned_total"], 32)
           + u(acc["slashed_total"], 32) + u(acc["nonce"], 8) + u(len(acc["unbonding"]), 4))
    for amount, release in acc["unbonding"]:
        out += u(amount, 32) + u(release, 8)
    return out


def proposal_payload(prop: dict) -> bytes:
    ident = prop["proposer"].encode()
    out = (b"P" + u(prop["id"], 8) + bytes([len(ident)]) + ident + prop["params"].digest()
           + u(prop["activation"], 8) + u(prop["proposed"], 8) + u(prop["end"], 8)
           + bytes([["open", "passed", "rejected"].index(prop["status"])])
           + u(prop["yes"], 32) + u(prop["no"], 32) + u(prop["total"], 32)
           + u(len(prop["votes"]), 4))
    for voter in sorted(v.encode() for v in prop["votes"]):
        out += bytes([len(voter)]) + voter + bytes([prop["votes"][voter.decode()]])
    return out


def model_proposal(proposal) -> dict:
    """A Proposal of zkcx.rewards.governance as the model's dict."""
    return {"id": proposal.proposal_id, "proposer": proposal.proposer,
            "params": proposal.params, "activation": proposal.activation_height,
            "proposed": proposal.proposed_height, "end": proposal.voting_end,
            "votes": dict(proposal.votes), "status": proposal.status,
            "yes": proposal.yes_stake, "no": proposal.no_stake, "total": proposal.total_stake}


def u(value: int, size: int) -> bytes:
    return value.to_bytes(size, "big")


def rfc6962_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 Merkle Tree Hash, straight from its recursive definition."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + rfc6962_root(leaves[:k])
                          + rfc6962_root(leaves[k:])).digest()


def model_account(acc) -> dict:
    """An Account of zkcx.rewards as the model's dict."""
    return {"balance": acc.balance, "stake": acc.stake,
            "unbonding": [[a, r] for a, r in acc.unbonding], "held": acc.held,
            "reputation": acc.reputation, "reputation_height": acc.reputation_height,
            "claims_accepted": acc.claims_accepted, "proofs_invalid": acc.proofs_invalid,
            "earned_total": acc.earned_total, "slashed_total": acc.slashed_total,
            "nonce": acc.nonce}


KINDS = list(ClaimKind)
