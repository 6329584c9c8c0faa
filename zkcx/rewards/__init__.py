# SPDX-License-Identifier: MIT
"""The reward accountant: releases tokens from one fixed-supply mining pool, only for
verified work. It consumes :class:`VerifiedClaim` s (the rollup verifies the proofs and
supplies each claim's work units, the kernel's constraint count) and knows nothing of
proofs. Everything is an integer; nothing is a float.

Supply
    SUPPLY = 200,000,000 tokens × 10^18 base units, all in the pool at genesis (or, with
    ``Accountant.genesis(grants)``, partly granted to listed accounts at height −1: a
    chain's initial distribution, so someone can pay the first task fee). Nothing is
    minted later: at every moment pool + Σ (balance + stake + unbonding + held) = SUPPLY
    (checked on every block); ``held`` is what the market has locked (fees in escrow,
    execution bonds).

A block at height h (heights 0, 1, 2, … with no gaps), with P = the parameters of h, is
a ``BlockDraft`` (``Accountant.begin_block``) whose steps ``apply_block`` composes:

1. Penalties first (one entry of ``invalid_nodes`` per invalid proof): − reputation_penalty,
   floored at reputation_min; floor(x · slash_ppb / 10^9) of the stake x and of each
   unbonding entry x (those due in this block included) returns to the pool (slashed,
   never burned). An offender's valid claims in the same block are weighed after it.
2. Release: unbonding entries with release_height ≤ h move to the balance.
3. Operations, in order: ``Stake`` (balance → stake), ``Unstake`` (stake → an unbonding
   entry released at h + unbonding_delay), ``Transfer`` (balance → balance), ``Propose``
   and ``Vote`` (governance, below). The first invalid one raises
   InsufficientFundsError / GovernanceError / InvalidOperationError; nothing is applied
   (``Accountant.screen_operations`` judges them one by one instead, for the rollup).
   Then the accounts named in ``nonces`` take their new, higher nonces. (The market's
   escrow and bonds move balance ↔ held here, through the draft.)
4. Pay (``BlockDraft.pay``):

   - Reading: an account is read as of h: a reputation above reputation_start decays
     by reputation_decay_per_block per block since the account was last written
     (never below the start), then is clamped to P's [reputation_min, reputation_max].
     The stake a block weighs is min(stake before its operations, stake after them):
     stake added counts from the next block, stake removed stops counting at once.
   - Gating: a node's tier is the highest tier whose min_stake and min_reputation it
     reaches (that stake and reputation); a claim of a kind its tier does not allow
     raises IneligibleClaimError (the rollup checks ``eligible()`` first); so does a
     repeated claim hash (DuplicateClaimError).
   - Paid work: a claim whose fee ≥ work_units · min_fee_per_unit (every task the
     market accepts). Other claims count in claims_accepted and nothing else.
   - Weights: a claim weighs work_units × kind_weight × tier_multiplier × stake_boost ×
     reputation_factor, with tier_multiplier = multiplier_permille / 1000,
     stake_boost = 1 + (boost_max_permille / 1000) · min(stake, cap) / cap and
     reputation_factor = reputation / reputation_start. Per node n, with B_n = Σ
     work_units · kind_weight over its paid work, the exact weight times the block-wide
     denominator 1000 · 1000 · cap · reputation_start is the integer
     W_n = B_n · multiplier_permille · (1000 · cap + boost_max_permille · min(stake, cap))
     · reputation.
   - Emission, tied to work: E = min(floor(pool · emission_ppb / 10^9),
     Σ B_n · emission_per_unit), the pool as it stood before the block. A quiet block
     releases little; a block builder who leaves others' claims out shrinks E.
   - Payout: node n gets min(floor(E · W_n / W), Σ over its paid claims of floor(fee ·
     emission_fee_cap_ppb / 10^9)), W = Σ W_n. Everything not paid stays in the pool. A
     claim with fee 0 earns nothing.
   - Reputation: + min(reputation_gain_max, u_n // reputation_units_per_point) for u_n
     paid work units, at most reputation_max: it follows work, not the number of claims
     (a hundred small claims gain what one claim of the same size gains), and at most
     reputation_gain_max per block.

5. Commit, then governance: the proposals whose vote ends at h are tallied; a passed
   parameter set enters the schedule at its (future) activation height.

The pool after the block is pool − Σ paid + Σ slashed + Σ forfeited (held tokens the
market sends to the pool). Under a paused parameter set (``Params.paused``) step 4 pays
nothing and grants no reputation, while claims still count in claims_accepted and
penalties still apply.

Why the rules cannot be gamed (each rule has a test in tests/rewards/test_games.py that
plays the game and shows it loses):

- Self-dealing: the market sends pool_fee_ppb of every fee it pays to the pool, and
  ``Params`` requires emission_fee_cap_ppb < pool_fee_ppb, so a node paying itself a
  fee F gets back at most F · (1 − pool_fee) + F · emission_fee_cap < F.
- Splitting work into many claims gains nothing: weights, emission and reputation
  follow work units; reputation gains at most reputation_gain_max per block and decays.
- A new account starts below every tier but tier 0 (``Params`` requires every higher
  tier's min_reputation > reputation_start), so moving tokens to a fresh account does
  not shed a penalty's tier loss.
- Renting stake for a block (transfer and stake, unstake next block) buys nothing: the
  stake a block weighs is the lesser of before and after its operations.
- Penalties land before weighing and before the release of unbonding.
- ``Params`` bounds every multiplier (MAX_MULTIPLIER_PERMILLE), reputation_max ≤
  MAX_REPUTATION_FACTOR · reputation_start, emission ≤ 1 % of the pool per block, every
  tier reachable; a lowered reputation cap acts in the block it activates (clamped when
  read).

Governance (rules and reasons in ``zkcx.rewards.governance``): a staker proposes a whole
parameter set and its activation height; stakers vote once each; at the end of the
voting period each vote weighs the voter's stake at that moment, and the set passes on a
quorum of the total stake and an approval share of the voting stake. A pause or its
lifting is a proposal that flips only ``paused`` and uses the shorter emergency voting
period. Every operation names the account that acts (``actor``): the one that must sign.

Defaults (``DEFAULT_PARAMS``, from height 0 in ``DEFAULT_SCHEDULE``):

- emission_ppb = 55: a pool half-life of ln 2 / 55·10^-9 ≈ 12.6 M blocks (4 years of
  10-second blocks); a block releases at most 11 tokens at first.
- fees: min_fee_per_unit = 5·10^12 base units (5·10^-6 token): a ~2,000-constraint task
  costs at least 0.01 token, cheap for a real request and a real cost for spam (a
  million such self-paid tasks cost 10,000 tokens, of which the pool keeps 10 %).
  pool_fee_ppb = 10 % of every fee goes to the pool; emission_fee_cap_ppb = 5 %: a node's
  emission in a block is at most 5 % of the fees of its claims, so paying oneself loses
  at least 5 % of the fee. emission_per_unit = 2.5·10^11 base units = min_fee_per_unit ×
  5 %: a block of minimum-fee work releases about what the fee cap lets it pay; the
  pool rate (11 tokens) binds above ~44 M weighted units per block.
- kind weights: compute 1, inference 2, training 4, verification 1.
- tiers: "open" (stake 0, reputation 0, ×1.000: compute, inference); "staked" (1,000
  tokens, reputation 1100, ×1.250: + training); "trusted" (10,000 tokens, reputation
  1500, ×1.500: + verification). A new account (reputation 1000) is in "open" whatever
  its stake.
- stake boost: up to +50 % (500 ‰) at a stake of 100,000 tokens, linear below.
- reputation: start 1000, bounds [0, 2000] (factor ≤ 2); +1 per 1,000 paid work units,
  at most +10 per block; −1 per block above the start (so it reflects recent work: a
  node holds 1100, the "staked" threshold, by proving ~1,000 paid units per block on
  average, and falls back to the start within r − 1000 blocks of stopping); −100 per
  invalid proof (one invalid proof drops a node at 1100 out of "staked" until it has
  proved ~100,000 more paid units).
- slashing: 10 % (10^8 ppb) of stake and unbonding per invalid proof.
- unbonding delay: 100 blocks.
- market: a late delivery costs 50 reputation and 10 % of the task's bond; a task is
  assigned at most 3 times before it expires and its fee returns to the poster.
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
    MAX_MULTIPLIER_PERMILLE,
    MAX_REPUTATION_FACTOR,
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
    "MAX_MULTIPLIER_PERMILLE",
    "MAX_REPUTATION_FACTOR",
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
