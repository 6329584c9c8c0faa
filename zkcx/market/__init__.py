# SPDX-License-Identifier: MIT
"""The compute market: requested work is the only work paid.

Requesters post tasks (``PostTask``): a registered kernel, the values of every kernel
input among the proof's public inputs (for committed tensors, their Poseidon
commitments), a pointer to the data off chain, a fee escrowed from the poster's balance,
an optional bond the executing node locks, the lowest tier allowed to execute it and a
deadline. Nodes register a capacity profile measured by ``zkcx bench``
(``RegisterNode``). At the end of every block a deterministic scheduler assigns each
unassigned task to one node; a claim is paid only when it is signed by that node, proves
the task's kernel on the task's inputs and arrives by the deadline. The ledger below
(``zkcx.rewards``) keeps the tokens; the market keeps the tasks and moves tokens through
the ledger's block draft (hold, release, forfeit).

Rules, and why:

- Assigned tasks only (no open "first valid claim wins" tasks): an open task pays whoever
  lands a proof first, which rewards copying proofs out of the mempool and lets a block
  builder favour itself. Here a claim by anyone but the assignee is refused
  (not-assignee), and a proof is bound to its claim by the kernel's binding input, so a
  copied proof pays nothing.
- A task fixes every kernel input: a kernel whose inputs are not all public or committed
  (``KernelTerms.input_positions`` None), or that has no claim binding, cannot be named
  by a task. A proof on other data has other public inputs (task-input-mismatch).
- The fee is at least work_units · ``min_fee_per_unit`` (governance) and leaves the
  poster's balance when the post is applied (escrow: ``Account.held``).
- On acceptance the node receives fee − floor(fee · ``pool_fee_ppb`` / 10⁹); the pool
  fee goes to the mining pool (never burned); the bond returns; the task is done, once.
  The ledger then shares the block's emission among the paid tasks' work, each node's
  share capped by ``emission_fee_cap_ppb`` of the fees it was paid, and governance keeps
  emission_fee_cap_ppb < pool_fee_ppb. So self-dealing loses: a party posting a task
  to a node it also owns pays F and gets back at most F·(1 − pool_fee) + F·fee_cap < F.
  Poster and executor are always distinct accounts (the scheduler never assigns a poster
  its own task); distinct accounts of one owner are what the inequality above covers.
- Deadlines: a task not delivered by its deadline (a claim in a block ≤ deadline) is
  taken back at the next block: the node loses ``late_reputation_penalty`` reputation
  and floor(bond · ``late_bond_slash_ppb`` / 10⁹) of its bond to the pool, and is never
  assigned that task again; the task is reassigned with a new deadline (height +
  its window), or after ``max_task_attempts`` missed deadlines expires and the fee
  returns to the poster.
- Cancel: only the poster, only while the task is unassigned (once assigned, a node may
  be proving it); the fee returns in full.
- Scheduler (``zkcx.market.scheduler``): tasks by id; candidates are registered nodes
  of tier ≥ min_tier that may earn the kind, not the poster, not a node that failed the
  task, able to lock the bond, whose capacity fits the work within the window; ranked by
  (load, −reputation, −capacity, node id): least loaded first (reputation first would let
  a node that buys reputation by self-dealing take every task). Deterministic from
  chain state: every verifier reproduces the assignments.
- Capacity profiles are measurements (``zkcx bench``: a circuit's constraint count and
  proving time; the rate is derived, never declared) that the chain cannot verify. A
  node that over-states its capacity is given more work than it can prove in time and
  pays for every missed deadline in reputation and bond; an honest profile is the one
  that earns most.

Registered models (Proof of Inference, Proof of Update; ``zkcx.market.models``,
``zkcx.market.model_operations``, ``zkcx.market.billing``): an owner registers a model
(``RegisterModel``: price per inference call, serving kernels, version 0's weights) and
sets its price (``SetPrice``, owner only); an inference task (``PostInference``) names a
model version and one of its kernels, fixes the weights' commitment among the task's
inputs and escrows the execution fee plus the price; on delivery the node gets the
execution fee less the pool fee, and the price is split by the model's share table
(remainder to the owner). Versions are appended by accepted training steps
(``MarketDraft.extend_model``) and enter the share table only when governance passes a
``model.accept-version`` action (``AcceptVersion``); ``FreezeModel`` stops new versions,
``RetireModel`` new inference tasks. The version chains live here, in the market state.

Sharded training jobs (Model-PoT at scale; ``zkcx.market.jobs``, ``zkcx.market.job_draft``):
``PostJob`` escrows S · (K · gradient fee + aggregation fee) and turns the plan of
``zkcx.kernels.job_split`` into tasks as their inputs become known: K gradient tasks per
step (the model's current weights, one shard's data), then the step's aggregation over the
K accepted gradient commitments, whose acceptance appends the model's next version
(contributor: the job's poster) and opens the next step; ``CancelJob`` refunds what is not
yet assigned.

Block order, state root, serialization: ``zkcx.market.draft`` and
``zkcx.market.state``. Invariant after every block: pool + Σ(balance + stake + unbonding
+ held) = SUPPLY, and each account's held = the fees of its open tasks + the bonds of the
tasks assigned to it (``Market.check_invariants``).
"""

from zkcx.market.billing import ActionResult, ModelDraft, NewVersion
from zkcx.market.draft import (
    LateDelivery,
    MarketDraft,
    MarketOutcome,
    TaskClaim,
    TaskClaimProblem,
    TaskPayment,
)
from zkcx.market.errors import (
    DraftOrderError,
    KernelTermsError,
    MarketOperationError,
    MarketStateError,
    ModelError,
    TaskClaimError,
    UnknownModelError,
    UnknownTaskError,
)
from zkcx.market.jobs import (
    MAX_JOB_SHARDS,
    MAX_JOB_TASKS,
    CancelJob,
    Job,
    JobBook,
    JobOperation,
    JobStatus,
    JobVersion,
    PostJob,
)
from zkcx.market.model_operations import (
    ACCEPT_VERSION,
    FREEZE_MODEL,
    RETIRE_MODEL,
    AcceptVersion,
    FreezeModel,
    ModelAction,
    PostInference,
    RegisterModel,
    RetireModel,
    SetPrice,
    model_action,
)
from zkcx.market.models import (
    SHARE_DENOMINATOR,
    InferenceBill,
    Model,
    ModelBook,
    ModelStatus,
    ModelVersion,
    ServingKernel,
)
from zkcx.market.operations import CancelTask, MarketOperation, PostTask, RegisterNode
from zkcx.market.scheduler import BLOCK_SECONDS, Assignment, Candidate, schedule
from zkcx.market.state import MARKET_FORMAT, Market
from zkcx.market.tasks import (
    MAX_CIRCUIT_NAME_BYTES,
    MAX_TASK_INPUTS,
    MAX_URI_BYTES,
    CapacityProfile,
    KernelTerms,
    NodeRecord,
    Task,
    TaskStatus,
)

__all__ = [
    "ACCEPT_VERSION",
    "BLOCK_SECONDS",
    "FREEZE_MODEL",
    "MARKET_FORMAT",
    "MAX_CIRCUIT_NAME_BYTES",
    "MAX_JOB_SHARDS",
    "MAX_JOB_TASKS",
    "MAX_TASK_INPUTS",
    "MAX_URI_BYTES",
    "RETIRE_MODEL",
    "SHARE_DENOMINATOR",
    "AcceptVersion",
    "ActionResult",
    "Assignment",
    "CancelJob",
    "CancelTask",
    "Candidate",
    "CapacityProfile",
    "DraftOrderError",
    "FreezeModel",
    "InferenceBill",
    "Job",
    "JobBook",
    "JobOperation",
    "JobStatus",
    "JobVersion",
    "KernelTerms",
    "KernelTermsError",
    "LateDelivery",
    "Market",
    "MarketDraft",
    "MarketOperation",
    "MarketOperationError",
    "MarketOutcome",
    "MarketStateError",
    "Model",
    "ModelAction",
    "ModelBook",
    "ModelDraft",
    "ModelError",
    "ModelStatus",
    "ModelVersion",
    "NewVersion",
    "NodeRecord",
    "PostInference",
    "PostJob",
    "PostTask",
    "RegisterModel",
    "RegisterNode",
    "RetireModel",
    "ServingKernel",
    "SetPrice",
    "Task",
    "TaskClaim",
    "TaskClaimError",
    "TaskClaimProblem",
    "TaskPayment",
    "TaskStatus",
    "UnknownModelError",
    "UnknownTaskError",
    "model_action",
    "schedule",
]
