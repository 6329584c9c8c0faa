# SPDX-License-Identifier: MIT
"""One block of the market as a transaction: :class:`MarketDraft` wraps the ledger's
``BlockDraft`` (``zkcx.rewards.draft``) and stages the market's own changes beside it;
nothing is written to the :class:`~zkcx.market.state.Market` until :meth:`commit`.

Before any step, the governance actions activating at this height (``model.*``
actions passed by an earlier tally, ``BlockDraft.due_actions``) apply to the models
(``zkcx.market.billing``); the outcome lists each, applied or not.

The steps, in this order (a step may be skipped, never run after a later one; ``operate``
and ``check_claim`` may run many times):

1. :meth:`~MarketDraft.penalize` — invalid proofs cost reputation and stake first, so
   the rest of the block sees the offender as it will be weighed;
2. :meth:`~MarketDraft.release_unbonding`;
3. :meth:`~MarketDraft.expire_deadlines` — each assigned task whose deadline has passed
   (deadline < height) costs its node ``late_reputation_penalty`` reputation and
   floor(bond · late_bond_slash_ppb / 10⁹) of its bond (to the pool; the rest of the bond
   returns); the node joins the task's failed nodes, and the task goes back to
   unassigned, or, after ``max_task_attempts`` missed deadlines, expires and its fee
   returns to the poster (an expired task of a training job fails the job);
4. :meth:`~MarketDraft.operate` per operation — ledger operations and the market's
   (PostTask escrows the fee, CancelTask refunds it, RegisterNode records a profile;
   RegisterModel, SetPrice, PostInference (escrows fee + price); PostJob (escrows the
   whole job's fee, makes step 0's tasks) and CancelJob (``zkcx.market.job_draft``); a
   Propose carrying a market action is checked by the market first);
5. :meth:`~MarketDraft.set_nonces`;
6. :meth:`~MarketDraft.check_claim` per claim (any number of times), then
   :meth:`~MarketDraft.accept` once with the claims to pay: per task, fee − pool fee to
   the node, the pool fee (floor(fee · pool_fee_ppb / 10⁹)) to the pool, the bond back to
   the node, the task done (an inference task: the pool fee on fee − price only, and the
   price to the model's share holders); then the ledger pays emission on them
   (``VerifiedClaim`` with ``fee`` = the execution fee, which caps a node's emission);
   :meth:`~MarketDraft.extend_model` per accepted training step, any time before commit;
   a paid task of a training job moves its job on (its step's aggregation, the model's
   next version, the next step's tasks: ``zkcx.market.job_draft``);
7. :meth:`~MarketDraft.schedule` — the scheduler (``zkcx.market.scheduler``) assigns the
   unassigned tasks, locking each bond;
8. :meth:`~MarketDraft.commit` — checks that every account's held tokens equal its open
   tasks' escrow and bonds, then writes the ledger and the market, once.

``operate`` and ``check_claim`` stage nothing when they refuse, so the rollup screens
operations one by one on a draft; ``accept`` checks every claim before it moves a token.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from zkcx.errors import ClaimError, DuplicateClaimError, SupplyInvariantError
from zkcx.io.jsontext import short
from zkcx.market.billing import ActionResult, ModelDraft, NewVersion
from zkcx.market.errors import DraftOrderError, MarketOperationError, TaskClaimError
from zkcx.market.job_draft import JobDraft, cancelled_by_poster
from zkcx.market.jobs import CancelJob, JobVersion, PostJob
from zkcx.market.model_operations import PostInference, RegisterModel, SetPrice
from zkcx.market.models import InferenceBill
from zkcx.market.operations import CancelTask, PostTask, RegisterNode
from zkcx.market.scheduler import BLOCK_SECONDS, Assignment, Candidate, schedule
from zkcx.market.tasks import KernelTerms, NodeRecord, Task, TaskStatus, check_kernel_id
from zkcx.rewards import BlockOutcome
from zkcx.rewards.claims import VerifiedClaim, check_node_id
from zkcx.rewards.operations import Propose
from zkcx.rewards.params import PPB, ClaimKind

if TYPE_CHECKING:
    from zkcx.market.state import Market

_PENALIZE, _RELEASE, _EXPIRE, _OPERATE, _NONCES, _ACCEPT, _SCHEDULE, _COMMIT = range(1, 9)
_STEP_NAMES = {_PENALIZE: "penalize", _RELEASE: "release_unbonding",
               _EXPIRE: "expire_deadlines", _OPERATE: "operate", _NONCES: "set_nonces",
               _ACCEPT: "accept", _SCHEDULE: "schedule", _COMMIT: "commit"}


class TaskClaimProblem(NamedTuple):
    """Why a claim does not answer its task: ``code`` (no-such-task, task-closed,
    not-assignee, task-kernel-mismatch, task-input-mismatch, ineligible) and a sentence
    with the particulars. ``str()`` gives "code: detail"."""

    code: str
    detail: str

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


@dataclass(frozen=True, slots=True)
class TaskClaim:
    """A claim whose proof the caller has verified: ``node_id`` (the signer) claims task
    ``task_id`` with a proof of ``kernel_id`` on ``public_inputs``; ``claim_hash`` is
    its unique 32-byte hash."""

    node_id: str
    task_id: int
    kernel_id: str
    public_inputs: tuple[int, ...]
    claim_hash: bytes

    def __post_init__(self) -> None:
        check_node_id(self.node_id, ClaimError)
        task_id = self.task_id
        if not isinstance(task_id, int) or isinstance(task_id, bool) or task_id < 0:
            raise TaskClaimError("malformed", f"a task id is an int >= 0, got {short(task_id)}")
        check_kernel_id(self.kernel_id, ClaimError)
        public = self.public_inputs
        if isinstance(public, (str, bytes)) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in public):
            raise TaskClaimError("malformed", f"public inputs are ints, got {short(public)}")
        object.__setattr__(self, "public_inputs", tuple(public))
        if not isinstance(self.claim_hash, bytes) or len(self.claim_hash) != 32:
            raise TaskClaimError("malformed", f"claim_hash must be 32 bytes, got "
                                              f"{short(self.claim_hash)}")


@dataclass(frozen=True, slots=True)
class LateDelivery:
    """Task ``task_id`` missed its deadline in the hands of ``node_id``: it lost
    ``reputation_lost`` reputation and ``bond_slashed`` of its bond (to the pool);
    ``expired``: the task reached max_task_attempts and its fee went back to the
    poster."""

    task_id: int
    node_id: str
    reputation_lost: int
    bond_slashed: int
    expired: bool


@dataclass(frozen=True, slots=True)
class TaskPayment:
    """Task ``task_id`` delivered by ``node_id``: the poster's escrowed ``fee`` paid
    ``fee − price − pool_fee`` to the node and ``pool_fee`` to the pool; ``bond``
    returned. For an inference task, ``price`` (the model's price escrowed at posting, 0
    otherwise) went to the model's share holders: ``revenue`` lists (holder, amount),
    summing to ``price``; ``pool_fee`` is then taken on the execution fee fee − price
    only."""

    task_id: int
    node_id: str
    poster: str
    fee: int
    pool_fee: int
    bond: int
    price: int = 0
    revenue: tuple[tuple[str, int], ...] = ()

    @property
    def execution_fee(self) -> int:
        """fee − price: what the execution of the task was paid."""
        return self.fee - self.price

    @property
    def node_share(self) -> int:
        """fee − price − pool_fee: what the node received from the poster."""
        return self.fee - self.price - self.pool_fee


@dataclass(frozen=True)
class MarketOutcome:
    """What one block did to the market: ``ledger`` (the ledger's ``BlockOutcome``:
    emission, payouts, slashing, the tally), the tasks ``posted`` and ``cancelled`` (ids),
    the ``late`` deliveries, the ``paid`` tasks, the ``assigned`` tasks, the nodes
    ``registered``, and the ``state_root`` after the block (ledger and market); for the
    models: the governance actions that activated (``governance``, applied or not), the
    models registered (``models_registered``), the prices set (``price_changes``: (model
    id, price)) and the versions appended (``new_versions``); for the training jobs
    (``zkcx.market.jobs``): the jobs posted (ids), the versions their steps made
    (``job_versions``) and the jobs closed ((id, status))."""

    height: int
    ledger: BlockOutcome
    posted: tuple[int, ...]
    cancelled: tuple[int, ...]
    late: tuple[LateDelivery, ...]
    paid: tuple[TaskPayment, ...]
    assigned: tuple[Assignment, ...]
    registered: tuple[str, ...]
    state_root: bytes
    governance: tuple[ActionResult, ...] = ()
    models_registered: tuple[str, ...] = ()
    price_changes: tuple[tuple[str, int], ...] = ()
    new_versions: tuple[NewVersion, ...] = ()
    jobs_posted: tuple[int, ...] = ()
    job_versions: tuple[JobVersion, ...] = ()
    jobs_closed: tuple[tuple[int, str], ...] = ()

    @property
    def expired(self) -> tuple[int, ...]:
        """Ids of the tasks that expired in this block (fee refunded)."""
        return tuple(late.task_id for late in self.late if late.expired)


_NO_KERNELS: Mapping[str, KernelTerms] = MappingProxyType({})
_F = TypeVar("_F", bound=Callable[..., Any])


def _step(number: int) -> Callable[[_F], _F]:
    """Run the method as step ``number`` of the block: refused (DraftOrderError) after a
    later step, or a second time (but operate); recorded only when it returns, so a step
    that raises (having staged nothing) may be retried."""
    def wrap(method: _F) -> _F:
        @functools.wraps(method)
        def run(self: MarketDraft, *args: Any, **kwargs: Any) -> Any:
            self._check_order(number)
            result = method(self, *args, **kwargs)
            self._step = number
            return result
        return run  # type: ignore[return-value]
    return wrap


class MarketDraft:
    """The staged changes of block ``height`` over a market (module docstring). Create it
    with ``Market.begin_block(height, kernels)``; ``kernels`` maps kernel id to
    :class:`KernelTerms` (the chain's kernel registry, from the layer above)."""

    def __init__(self, market: Market, height: int,
                 kernels: Mapping[str, KernelTerms] = _NO_KERNELS) -> None:
        #: The ledger's draft of this block (``zkcx.rewards.draft.BlockDraft``).
        self.ledger = market.ledger.begin_block(height)  # HeightError if not next
        #: The block's height.
        self.height = height
        #: The parameters governing this block.
        self.params = self.ledger.params
        self._market = market
        self._kernels = kernels
        self._tasks: dict[int, Task] = {}  # new or changed tasks by id
        self._next_id = len(market.tasks_list())
        self._nodes: dict[str, NodeRecord] = {}
        self._held_delta: dict[str, int] = {}  # market-held tokens per account, change
        self._load_delta: dict[str, int] = {}  # assigned work units per node, change
        self._step = 0
        self._posted: list[int] = []
        self._cancelled: list[int] = []
        self._late: list[LateDelivery] = []
        self._paid: list[TaskPayment] = []
        self._assigned: list[Assignment] = []
        self._registered: list[str] = []
        #: The models' staged changes (``zkcx.market.billing``); the governance actions
        #: activating at this height apply first, before any step of the block.
        self.models = ModelDraft(market.model_book, height, kernels)
        self._actions = self.models.apply_actions(self.ledger.due_actions())
        #: The training jobs' staged changes (``zkcx.market.job_draft``).
        self.jobs = JobDraft(self, market.job_book)

    # ------------------------------------------------------------------ reading

    def task(self, task_id: int) -> Task | None:
        """Task ``task_id`` as staged so far, or None."""
        task = self._tasks.get(task_id)
        if task is None:
            task = self._market.task_or_none(task_id)
        return task

    def open_tasks(self) -> list[Task]:
        """The unassigned and assigned tasks as staged so far, by id."""
        ids = set(self._market.open_ids()) | set(self._tasks)
        out = []
        for task_id in sorted(ids):
            task = self.task(task_id)
            if task is not None and task.status.is_open:
                out.append(task)
        return out

    def node(self, node_id: str) -> NodeRecord | None:
        """``node_id``'s registration as staged so far, or None."""
        record = self._nodes.get(node_id)
        return record if record is not None else self._market.nodes.get(node_id)

    def load(self, node_id: str) -> int:
        """Work units of the tasks assigned to ``node_id`` and not delivered, as staged."""
        return self._market.load(node_id) + self._load_delta.get(node_id, 0)

    # ------------------------------------------------------------------ steps

    @_step(_PENALIZE)
    def penalize(self, invalid_nodes: Iterable[str]) -> Mapping[str, int]:
        """Step 1: the ledger's penalties, one entry per invalid proof (reputation and
        slashing of stake and unbonding). Returns the amount slashed per node."""
        return self.ledger.penalize(invalid_nodes)

    @_step(_RELEASE)
    def release_unbonding(self) -> Mapping[str, int]:
        """Step 2: matured unbonding entries move to the balances."""
        return self.ledger.release_unbonding()

    @_step(_EXPIRE)
    def expire_deadlines(self) -> tuple[LateDelivery, ...]:
        """Step 3: every assigned task with deadline < height is late (module docstring).
        Tasks are taken in id order. Returns the late deliveries of this block."""
        p = self.params
        height = self.height
        late: list[LateDelivery] = []
        for task in self.open_tasks():
            if task.status is not TaskStatus.ASSIGNED or task.deadline >= height:
                continue
            node = task.assignee
            assert node is not None  # assigned tasks have one (Task.consistency_problem)
            slash = task.bond * p.late_bond_slash_ppb // PPB
            before = self.ledger.account(node).reputation
            self.ledger.lose_reputation(node, p.late_reputation_penalty)
            lost = before - self.ledger.account(node).reputation
            self.ledger.forfeit_hold(node, slash)
            self.ledger.release_hold(node, task.bond - slash, node)
            self._change_held(node, -task.bond)
            self._load_delta[node] = self._load_delta.get(node, 0) - task.work_units
            attempts = task.attempts + 1
            expired = attempts >= p.max_task_attempts
            if expired:
                self.ledger.release_hold(task.poster, task.fee, task.poster)
                self._change_held(task.poster, -task.fee)
            self._tasks[task.task_id] = replace(
                task, status=TaskStatus.EXPIRED if expired else TaskStatus.UNASSIGNED,
                assignee=None, attempts=attempts, failed=(*task.failed, node),
                closed_height=height if expired else 0)
            late.append(LateDelivery(task.task_id, node, lost, slash, expired))
        self.jobs.expired([d.task_id for d in late if d.expired])  # fails their jobs
        self._late.extend(late)
        return tuple(late)

    @_step(_OPERATE)
    def operate(self, op: object, index: int = 0) -> None:
        """Step 4, one operation (``index``: its position, for messages): a market
        operation (``PostTask``, ``CancelTask``, ``RegisterNode``, the models' and the
        jobs' operations) or a ledger one
        (``Stake``, ``Unstake``, ``Transfer``, ``Propose``, ``Vote``). Raises
        InvalidOperationError (MarketOperationError, InsufficientFundsError,
        GovernanceError) having staged nothing."""
        where = f"block {self.height}, operation {index}"
        if isinstance(op, PostTask):
            self.models.check_plain_task(op, where)
            self._post(op, index)
        elif isinstance(op, CancelTask):
            self._cancel(op, index)
        elif isinstance(op, RegisterNode):
            self._nodes[op.node] = NodeRecord(op.profile, self.height)
            self._registered.append(op.node)
        elif isinstance(op, PostInference):
            self._post_inference(op, index)
        elif isinstance(op, RegisterModel):
            self.models.register(op, where)
        elif isinstance(op, SetPrice):
            self.models.set_price(op, where)
        elif isinstance(op, (PostJob, CancelJob)):
            self.jobs.operate(op, where)
        else:
            if isinstance(op, Propose) and op.action is not None:
                self.models.check_action(op.action, f"{where}: {op.proposer!r} proposes")
            self.ledger.operate(op, index)  # type: ignore[arg-type]  # it names the type

    def extend_model(self, model_id: str, version: int, before: int, after: int,
                     contributor: str, claim_hash: bytes) -> int:
        """An accepted training step of registered model ``model_id`` from its current
        ``version`` (weights ``before``) to weights ``after`` by ``contributor``: appends
        version + 1, pending governance's acceptance into the share table
        (``zkcx.market.billing``). Returns the new version number; ModelError (nothing
        staged) when the model is unknown, frozen or retired, or the step does not start
        at its current version. Call it for the block's training claims, before
        ``commit``."""
        if self._step >= _COMMIT:
            raise DraftOrderError(f"block {self.height}: extend_model after commit")
        return self.models.extend(model_id, version, before, after, contributor, claim_hash)

    @_step(_NONCES)
    def set_nonces(self, nonces: Mapping[str, int]) -> None:
        """Step 5: each account named in ``nonces`` takes its new, higher nonce."""
        self.ledger.set_nonces(nonces)

    def check_claim(self, node_id: str, task_id: int, kernel_id: str,
                    public_inputs: Sequence[int]) -> TaskClaimProblem | None:
        """Step 6: whether a claim by ``node_id`` with a (verified) proof of ``kernel_id``
        on ``public_inputs`` answers task ``task_id`` now: None when it would be paid,
        else the problem. The task must exist and be assigned to ``node_id`` (a claim by
        anyone else is not paid: the rule that makes copying a proof worthless), not
        closed (a task is paid once; a task paid earlier in this block is closed), the
        kernel must be the task's and each of the task's input positions must hold the
        task's value (a proof on other data does not match), and the node's tier must
        still allow the kind. Stages nothing."""
        if self._step > _ACCEPT:
            raise DraftOrderError(f"block {self.height}: check_claim after "
                                  f"{_STEP_NAMES[self._step]}")
        if not isinstance(task_id, int) or isinstance(task_id, bool):
            return TaskClaimProblem("no-such-task", f"task id {short(task_id)} is not an int")
        task = self.task(task_id)
        if task is None:
            return TaskClaimProblem("no-such-task", f"there is no task {task_id}")
        if not task.status.is_open:
            return TaskClaimProblem("task-closed", f"task {task_id} is {task.status.value}")
        if task.assignee != node_id:
            whom = "nobody" if task.assignee is None else task.assignee
            return TaskClaimProblem("not-assignee", f"task {task_id} is assigned to {whom}, "
                                                    f"not to {node_id}")
        if task.deadline < self.height:
            return TaskClaimProblem("task-closed", f"task {task_id} was due by block "
                                                   f"{task.deadline}")
        if kernel_id != task.kernel_id:
            return TaskClaimProblem("task-kernel-mismatch",
                                    f"task {task_id} asks for kernel {task.kernel_id}, not "
                                    f"{short(kernel_id)}")
        n = len(public_inputs)
        for pos, value in task.inputs:
            if pos >= n or public_inputs[pos] != value:
                got = "nothing" if pos >= n else str(public_inputs[pos])
                return TaskClaimProblem("task-input-mismatch",
                                        f"public input {pos} is {got[:40]}, task {task_id} "
                                        f"fixed {str(value)[:40]}")
        detail = self.jobs.claim_problem(task, tuple(public_inputs))
        if detail is not None:
            return TaskClaimProblem("task-input-mismatch", detail)
        ok, reason = self.ledger.eligible(node_id, task.kind)
        if not ok:
            return TaskClaimProblem("ineligible", reason)
        return None

    @_step(_ACCEPT)
    def accept(self, claims: Sequence[TaskClaim]) -> tuple[TaskPayment, ...]:
        """Step 6, once: pay ``claims`` (module docstring). Each must pass
        :meth:`check_claim` against the state left by the claims before it (so a second
        claim of one task is refused as task-closed: no task is paid twice) and claim
        hashes must be distinct; the first that fails raises TaskClaimError
        (DuplicateClaimError) before any token moves. Then the ledger weighs and pays
        emission on them (the fee caps each node's share)."""
        taken: set[int] = set()
        hashes: set[bytes] = set()
        tasks: list[Task] = []
        for index, claim in enumerate(claims):
            if not isinstance(claim, TaskClaim):
                raise TaskClaimError("malformed", f"claim #{index} is not a TaskClaim: "
                                                  f"{short(claim)}")
            if claim.task_id in taken:
                raise TaskClaimError("task-closed", f"block {self.height}, claim #{index}: "
                                     f"task {claim.task_id} is paid by an earlier claim")
            problem = self.check_claim(claim.node_id, claim.task_id, claim.kernel_id,
                                       claim.public_inputs)
            if problem is not None:
                raise TaskClaimError(problem.code, f"block {self.height}, claim #{index}: "
                                     f"{problem}")
            if claim.claim_hash in hashes:
                raise DuplicateClaimError(f"block {self.height}, claim #{index} repeats claim "
                                          f"hash {claim.claim_hash.hex()}")
            taken.add(claim.task_id)
            hashes.add(claim.claim_hash)
            tasks.append(self.task(claim.task_id))  # type: ignore[arg-type]
        pool_fee_ppb = self.params.pool_fee_ppb
        height = self.height
        verified: list[VerifiedClaim] = []
        paid: list[TaskPayment] = []
        moves: list[tuple[str, int, str | None]] = []  # the ledger's, in one pass
        load_delta, staged = self._load_delta, self._tasks
        bill_of = self.models.bill
        for claim, task in zip(claims, tasks):
            node, poster, fee, bond = claim.node_id, task.poster, task.fee, task.bond
            bill = bill_of(task.task_id)
            price = 0 if bill is None else bill.price
            execution = fee - price
            pool_fee = execution * pool_fee_ppb // PPB
            moves.append((poster, execution - pool_fee, node))
            moves.append((poster, pool_fee, None))
            revenue = () if bill is None else self.models.revenue(bill)
            moves.extend((poster, amount, holder) for holder, amount in revenue)
            moves.append((node, bond, node))
            self._change_held(poster, -fee)
            self._change_held(node, -bond)
            load_delta[node] = load_delta.get(node, 0) - task.work_units
            staged[task.task_id] = task.closed(TaskStatus.DONE, height, claim.claim_hash)
            verified.append(VerifiedClaim(node, task.kind, task.work_units, claim.claim_hash,
                                          fee=execution))
            paid.append(TaskPayment(task.task_id, node, poster, fee, pool_fee, bond, price,
                                    revenue))
        self.ledger.settle_holds(moves)
        self.ledger.pay(verified)
        for claim, task in zip(claims, tasks):  # job tasks: outputs, next tasks, versions
            self.jobs.delivered(task, claim.public_inputs, claim.node_id, claim.claim_hash)
        self._paid.extend(paid)
        return tuple(paid)

    @_step(_SCHEDULE)
    def schedule(self) -> tuple[Assignment, ...]:
        """Step 7: assign the unassigned tasks (``zkcx.market.scheduler``), locking each
        bond from the node's balance and setting each deadline to height + window."""
        open_tasks = self.open_tasks()
        if not any(t.status is TaskStatus.UNASSIGNED for t in open_tasks):
            return ()
        tiers = self.params.tiers
        candidates = []
        nodes = {**self._market.nodes, **self._nodes}
        for node_id in sorted(nodes):
            acc = self.ledger.account(node_id)
            tier = self.ledger.tier_index(node_id)
            candidates.append(Candidate(node_id, tier, tiers[tier].kinds, acc.reputation,
                                        nodes[node_id].profile.units_per_second,
                                        self.load(node_id), acc.balance))
        assignments = schedule(open_tasks, candidates, BLOCK_SECONDS)
        by_id = {t.task_id: t for t in open_tasks}
        for assignment in assignments:
            task = by_id[assignment.task_id]
            node = assignment.node_id
            self.ledger.hold(node, task.bond, f"the bond of task {task.task_id}")
            self._change_held(node, task.bond)
            self._load_delta[node] = self._load_delta.get(node, 0) + task.work_units
            self._tasks[task.task_id] = replace(task, status=TaskStatus.ASSIGNED,
                                                assignee=node,
                                                deadline=self.height + task.window)
        self._assigned.extend(assignments)
        return tuple(assignments)

    @_step(_COMMIT)
    def commit(self) -> MarketOutcome:
        """Step 8, once: check that every account the block touched holds exactly its
        open tasks' escrow and bonds (SupplyInvariantError otherwise; nothing written),
        commit the ledger's draft (its supply check, the tally), then write the tasks
        and node records."""
        market = self._market
        expected = market.held_by_market()
        touched = set(self.ledger.staged) | set(self._held_delta)
        for node_id in sorted(touched):
            want = expected.get(node_id, 0) + self._held_delta.get(node_id, 0)
            have = self.ledger.account(node_id).held
            if want != have:
                raise SupplyInvariantError(
                    f"block {self.height}: {node_id!r} holds {have} but its open tasks' "
                    f"escrow and bonds total {want}")
        outcome = self.ledger.commit()
        market.write_block(self._tasks, self._nodes, self._held_delta, self._load_delta)
        market.write_models(self.models.staged_models, self.models.staged_bills)
        market.write_jobs(self.jobs.staged)
        return MarketOutcome(
            height=self.height, ledger=outcome, posted=tuple(self._posted),
            cancelled=tuple(self._cancelled), late=tuple(self._late),
            paid=tuple(self._paid), assigned=tuple(self._assigned),
            registered=tuple(self._registered), state_root=market.state_root(),
            governance=self._actions, models_registered=self.models.registered,
            price_changes=self.models.price_changes, new_versions=self.models.new_versions,
            jobs_posted=self.jobs.posted, job_versions=self.jobs.versions,
            jobs_closed=self.jobs.closed)

    # ------------------------------------------------------------------ internals

    def _check_order(self, step: int) -> None:
        if self._step > step or (self._step == step and step != _OPERATE):
            raise DraftOrderError(
                f"block {self.height}: {_STEP_NAMES[step]} after "
                f"{_STEP_NAMES[self._step]} (the steps run in the order of "
                "zkcx.market.draft, each once but operate)")

    def _change_held(self, node_id: str, amount: int) -> None:
        self._held_delta[node_id] = self._held_delta.get(node_id, 0) + amount

    def _post(self, op: PostTask, index: int) -> None:
        where = f"block {self.height}, operation {index}: {op.poster!r} posts a task"
        p = self.params
        terms = self._kernels.get(op.kernel_id)
        if terms is None:
            raise MarketOperationError(f"{where} for kernel {op.kernel_id}, which the "
                                       "chain's kernel registry does not hold")
        problem = terms.task_problem()
        if problem:
            raise MarketOperationError(f"{where} for kernel {op.kernel_id}, but {problem}")
        if op.kind is not terms.kind or op.work_units != terms.work_units:
            raise MarketOperationError(
                f"{where} of kind {op.kind.value} and {op.work_units} work units, but the "
                f"kernel is a {terms.kind.value} kernel of {terms.work_units} units")
        positions = tuple(pos for pos, _ in op.inputs)
        if positions != tuple(terms.input_positions or ()):
            raise MarketOperationError(
                f"{where} fixing public inputs {list(positions)[:8]}, but the kernel's "
                f"inputs are at {list(terms.input_positions or ())[:8]} (a task fixes every "
                "input, so a proof on other data does not match)")
        minimum = op.work_units * p.min_fee_per_unit
        if op.fee < minimum:
            raise MarketOperationError(
                f"{where} with fee {op.fee}, below {op.work_units} work units × "
                f"{p.min_fee_per_unit} (min_fee_per_unit) = {minimum}")
        if op.deadline <= self.height:
            raise MarketOperationError(f"{where} with deadline {op.deadline}, not after the "
                                       f"block it is posted in ({self.height})")
        if op.min_tier >= len(p.tiers):
            raise MarketOperationError(f"{where} for tier {op.min_tier}; the tiers are 0 to "
                                       f"{len(p.tiers) - 1}")
        self.ledger.hold(op.poster, op.fee, f"the fee of task {self._next_id}")  # may raise
        self._change_held(op.poster, op.fee)
        self._open_task(op.poster, op.kernel_id, terms, op.inputs, op.data_hash, op.data_uri,
                        op.fee, op.bond, op.min_tier, op.deadline - self.height)

    def kernel_terms(self, kernel_id: str) -> KernelTerms | None:
        """The registry's terms of ``kernel_id`` for this block, or None."""
        return self._kernels.get(kernel_id)

    def _open_task(self, poster: str, kernel_id: str, terms: KernelTerms,
                   inputs: tuple[tuple[int, int], ...], data_hash: bytes, data_uri: str,
                   fee: int, bond: int, min_tier: int, window: int) -> int:
        """Record a new unassigned task whose ``fee`` is already held for ``poster`` (by
        a PostTask's hold, or a training job's reserve), due ``window`` blocks from now;
        returns its id. The one place tasks are made."""
        task_id = self._next_id
        self._tasks[task_id] = Task(
            task_id=task_id, poster=poster, kernel_id=kernel_id, kind=terms.kind,
            work_units=terms.work_units, inputs=inputs, data_hash=data_hash,
            data_uri=data_uri, fee=fee, bond=bond, min_tier=min_tier,
            posted_height=self.height, window=window, deadline=self.height + window)
        self._next_id += 1
        self._posted.append(task_id)
        return task_id

    def _post_inference(self, op: PostInference, index: int) -> None:
        self.models.check_inference(op, f"block {self.height}, operation {index}",
                                    self.params)
        task_id = self._next_id
        self._post(PostTask(op.poster, op.kernel_id, ClaimKind.INFERENCE, op.work_units,
                            op.inputs, op.data_hash, op.data_uri, op.fee + op.price, op.bond,
                            op.min_tier, op.deadline), index)
        self.models.add_bill(InferenceBill(task_id, op.model_id, op.version, op.price))

    def _cancel(self, op: CancelTask, index: int) -> None:
        where = f"block {self.height}, operation {index}: {op.poster!r} cancels task " \
                f"{op.task_id}"
        task = cancelled_by_poster(self.task(op.task_id), op.poster, where)
        if task.status is TaskStatus.ASSIGNED:
            raise MarketOperationError(f"{where}, assigned to {task.assignee!r}: a task is "
                                       "cancelled only while unassigned (the node may be "
                                       "proving it)")
        if task.status is not TaskStatus.UNASSIGNED:
            raise MarketOperationError(f"{where}, which is {task.status.value}")
        place = self.jobs.place(task.task_id)
        if place is not None:
            raise MarketOperationError(f"{where}, a task of training job {place[0]}: the job "
                                       "would stall (cancel the job: CancelJob)")
        self._withdraw(task)

    def _withdraw(self, task: Task) -> None:
        """Cancel unassigned ``task``: its fee returns to the poster."""
        self.ledger.release_hold(task.poster, task.fee, task.poster)
        self._change_held(task.poster, -task.fee)
        self._tasks[task.task_id] = replace(task, status=TaskStatus.CANCELLED,
                                            closed_height=self.height)
        self._cancelled.append(task.task_id)
