# SPDX-License-Identifier: MIT
"""The reward accountant: releases tokens from one fixed-supply mining pool, only for
verified work. It consumes :class:`VerifiedClaim` s (the rollup verifies the proofs and
supplies each claim's work units, the kernel's constraint count) and knows nothing of
proofs. Everything is an integer; nothing is a float.

Supply
    SUPPLY = 200,000,000 tokens × 10^18 base units, all in the pool at genesis. Nothing is
    minted later: at every moment pool + Σ balances + Σ stakes + Σ unbonding = SUPPLY
    (checked on every block). Because every token starts in the pool, a node can only
    stake or transfer what it has earned: tier 0 (no stake, starting reputation) earns
    from compute and inference claims, then the node stakes its earnings to reach the
    tiers that may earn from training and verification claims.

A block at height h (heights 0, 1, 2, … with no gaps), with P = the parameters of h:

1. Release: unbonding entries with release_height ≤ h move to the balance.
2. Operations, in order: ``Stake`` (balance → stake), ``Unstake`` (stake → an unbonding
   entry released at h + unbonding_delay), ``Transfer`` (balance → balance), ``Propose``
   and ``Vote`` (governance, below). The first invalid one raises
   InsufficientFundsError / GovernanceError / InvalidOperationError; nothing is applied
   (``Accountant.screen_operations`` judges them one by one instead, for the rollup).
   Then the accounts named in ``nonces`` take their new, higher nonces.
3. Gating: a node's tier is the highest tier whose min_stake and min_reputation it
   reaches (state after step 2); a claim of a kind its tier does not allow raises
   IneligibleClaimError (the rollup checks ``eligible()`` first); so does a repeated
   claim hash (DuplicateClaimError).
4. Emission: E = floor(pool · emission_ppb / 10^9), taken from the pool as it stands.
5. Weights: a claim weighs work_units × kind_weight × tier_multiplier × stake_boost ×
   reputation_factor, with tier_multiplier = multiplier_permille / 1000,
   stake_boost = 1 + (boost_max_permille / 1000) · min(stake, cap) / cap and
   reputation_factor = reputation / reputation_start. All factors but the first two
   depend on the node only, so per node n, with B_n = Σ work_units · kind_weight over its
   claims, the exact weight times the block-wide denominator
   1000 · 1000 · cap · reputation_start is the integer
   W_n = B_n · multiplier_permille · (1000 · cap + boost_max_permille · min(stake, cap))
   · reputation.
   Node n is paid floor(E · W_n / W), W = Σ W_n (nothing when W = 0); E − Σ paid (the
   rounding remainders, or all of E when no claim carries weight) returns to the pool.
6. Reputation: + reputation_gain per accepted claim, capped at reputation_max.
7. Invalid proofs (one entry of ``invalid_nodes`` per proof): − reputation_penalty,
   floored at reputation_min; floor(x · slash_ppb / 10^9) of the stake x and of each
   unbonding entry x returns to the pool (slashed, never burned).

8. Governance: the proposals whose vote ends at h are tallied; a passed parameter set
   enters the schedule at its (future) activation height.

The pool after the block is pool − Σ paid + Σ slashed. Under a paused parameter set
(``Params.paused``) steps 4–6 pay nothing and leave reputation unchanged, while claims
still count in claims_accepted and slashing still applies.

Governance (rules and reasons in ``zkcx.rewards.governance``): a staker proposes a whole
parameter set and its activation height; stakers vote once each; at the end of the
voting period each vote weighs the voter's stake at that moment, and the set passes on a
quorum of the total stake and an approval share of the voting stake. A pause or its
lifting is a proposal that flips only ``paused`` and uses the shorter emergency voting
period. Every operation names the account that acts (``actor``): the one that must sign.

Defaults (``DEFAULT_PARAMS``, from height 0 in ``DEFAULT_SCHEDULE``):

- emission_ppb = 55: a pool half-life of ln 2 / 55·10^-9 ≈ 12.6 M blocks (4 years of
  10-second blocks); the first block releases 11 tokens.
- kind weights: compute 1, inference 2, training 4, verification 1.
- tiers: "open" (stake 0, reputation 0, ×1.000: compute, inference); "staked" (1,000
  tokens, reputation 1000, ×1.250: + training); "trusted" (10,000 tokens, reputation 1500,
  ×1.500: + verification).
- stake boost: up to +50 % (500 ‰) at a stake of 100,000 tokens, linear below.
- reputation: start 1000, bounds [0, 2000], +1 per accepted claim, −100 per invalid proof
  (so one invalid proof drops a fresh staked node below the "staked" tier until it earns
  100 more accepted claims); factor = reputation / 1000.
- slashing: 10 % (10^8 ppb) of stake and unbonding per invalid proof.
- unbonding delay: 100 blocks.
- governance: votes run 17,280 blocks (2 days), 360 (1 hour) for a pause or its
  lifting; quorum 40 % of the total stake, approval two thirds of the voting stake;
  activation ≥ 360 blocks after the vote ends; proposing needs 10,000 tokens of stake.
- emission is capped at ``MAX_EMISSION_PPB`` = 1 % of the pool per block for any set.

Parameters are data: a ``ParamSchedule`` of (activation_height, Params); the set of the
greatest activation height ≤ h governs block h, so a change takes effect exactly at its
height. On a live chain the schedule changes only by governance;
``Accountant.set_schedule`` (chain setup, tests) accepts a new schedule only if it agrees
on every height already applied.

State root: an RFC 6962-shaped SHA-256 Merkle tree (``zkcx.rewards.merkle``: leaves
SHA-256(0x00 ‖ payload), nodes SHA-256(0x01 ‖ left ‖ right)) over a global leaf
(height, pool, supply, digest of the parameters in force), a schedule leaf (every
entry, the future ones too), one leaf per proposal by id, then one leaf per account
(nonce included), sorted by node id; byte layouts in ``Accountant.state_root``,
``Proposal.leaf_payload`` and ``Account.leaf_payload``. ``to_bytes``/``from_bytes``
serialize the exact state (canonical JSON, the schedule and proposals included) for a
chain store.
"""

from zkcx.rewards.account import Account
from zkcx.rewards.accountant import STATE_FORMAT, Accountant
from zkcx.rewards.claims import MAX_NODE_ID_BYTES, VerifiedClaim
from zkcx.rewards.draft import BlockDraft, BlockOutcome
from zkcx.rewards.governance import MAX_ACTION_BYTES, GovernanceAction, Proposal
from zkcx.rewards.merkle import leaf_hash, merkle_root, merkle_root_of_hashes, node_hash
from zkcx.rewards.operations import Operation, Propose, Stake, Transfer, Unstake, Vote
from zkcx.rewards.params import (
    DEFAULT_PARAMS,
    DEFAULT_SCHEDULE,
    MAX_EMISSION_PPB,
    PERMILLE,
    PPB,
    SUPPLY,
    TOKEN,
    ClaimKind,
    Params,
    ParamSchedule,
    Tier,
)

__all__ = [
    "DEFAULT_PARAMS",
    "DEFAULT_SCHEDULE",
    "MAX_ACTION_BYTES",
    "MAX_EMISSION_PPB",
    "MAX_NODE_ID_BYTES",
    "PERMILLE",
    "PPB",
    "STATE_FORMAT",
    "SUPPLY",
    "TOKEN",
    "Account",
    "Accountant",
    "BlockDraft",
    "BlockOutcome",
    "ClaimKind",
    "GovernanceAction",
    "Operation",
    "ParamSchedule",
    "Params",
    "Proposal",
    "Propose",
    "Stake",
    "Tier",
    "Transfer",
    "Unstake",
    "VerifiedClaim",
    "Vote",
    "leaf_hash",
    "merkle_root",
    "merkle_root_of_hashes",
    "node_hash",
]
