# SPDX-License-Identifier: MIT
"""The models' part of one market block: :class:`ModelDraft` stages registrations, price
changes, inference bills, new versions and governance actions over a
:class:`~zkcx.market.models.ModelBook`, for a ``MarketDraft`` that owns it and writes it
on commit. It moves no token itself: the market draft escrows an inference task's fee +
price when posted and, on acceptance, pays the execution fee to the node (less the pool
fee) and the price to the share holders by :meth:`ModelDraft.revenue`.

Rules (the owner's model, the revenue, the versions):

- Registration: a new model id; each serving kernel known to the chain's registry, an
  inference kernel a task may name (inputs all fixed, a claim binding), its weights
  position one of its input positions.
- Price: only the owner sets it, and not on a retired model; a task keeps the price it
  escrowed.
- Plain tasks (``PostTask``) on a registered model's weights are refused: a task of
  one of its serving kernels whose input at the weights position is the commitment of
  any of its versions must be posted as an inference task, which pays the price (else
  a requester would have the model served without paying its share holders).
- Inference tasks: the model not retired; the version accepted by governance (version 0
  is); the kernel one of the model's; the task's input at the kernel's weights position
  equal to that version's commitment (so a proof run with another model's weights does
  not answer it: task-input-mismatch); the price equal to the model's current price;
  the execution fee alone at least work units · min_fee_per_unit.
- Revenue: the price goes to the share table as it stands in the block that pays the
  task: floor(price · share / D) per holder, the remainder of the divisions to the owner
  (never to the pool: the price is the model's, not the chain's). Only the execution fee
  pays the pool fee and caps the node's emission (``VerifiedClaim.fee``): a model owner
  who posts inference tasks on its own model gets its price back, so counting the price
  would let it inflate its emission cap at no cost.
- Versions: appended (pending) by accepted training steps, from the current version and
  its commitment, only on an active model; governance's ``model.accept-version`` gives
  a pending version's contributor its share (every holder diluted pro rata, the rounding
  remainder to the owner); a frozen or retired model takes neither.
- Governance actions: checked when proposed (the model exists and the action could
  apply now); applied, in proposal-id order, at the start of the block of their
  activation height, when they still can (else recorded as not applied, with why).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from zkcx.market.errors import ModelError
from zkcx.market.model_operations import (
    AcceptVersion,
    FreezeModel,
    PostInference,
    RegisterModel,
    RetireModel,
    SetPrice,
    model_action,
)
from zkcx.market.models import (
    MAX_MODEL_VERSIONS,
    MAX_SHARE_HOLDERS,
    SHARE_DENOMINATOR,
    InferenceBill,
    Model,
    ModelBook,
    ModelStatus,
    ModelVersion,
    check_commitment,
    diluted,
    weights_index,
)
from zkcx.market.operations import PostTask
from zkcx.market.tasks import KernelTerms
from zkcx.rewards.governance import GovernanceAction
from zkcx.rewards.params import ClaimKind, Params

_NO_CLAIM = bytes(32)


@dataclass(frozen=True, slots=True)
class ActionResult:
    """Governance action of proposal ``proposal_id`` (``kind``, on ``model_id``) at its
    activation height: ``applied``, or not and ``detail`` says why."""

    proposal_id: int
    kind: str
    model_id: str | None
    applied: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class NewVersion:
    """Version ``version`` of ``model_id`` appended in this block by ``contributor``
    (pending governance's acceptance)."""

    model_id: str
    version: int
    contributor: str


class ModelDraft:
    """The staged model changes of block ``height`` (module docstring)."""

    __slots__ = ("height", "_book", "_kernels", "_models", "_bills", "_registered",
                 "_prices", "_versions")

    def __init__(self, book: ModelBook, height: int, kernels: Mapping[str, KernelTerms]
                 ) -> None:
        self.height = height
        self._book = book
        self._kernels = kernels
        self._models: dict[str, Model] = {}
        self._bills: dict[int, InferenceBill] = {}
        self._registered: list[str] = []
        self._prices: list[tuple[str, int]] = []
        self._versions: list[NewVersion] = []

    # ------------------------------------------------------------------ reading

    def model(self, model_id: str) -> Model | None:
        """Model ``model_id`` as staged so far, or None."""
        model = self._models.get(model_id)
        return model if model is not None else self._book.models.get(model_id)

    def bill(self, task_id: int) -> InferenceBill | None:
        """The inference bill of task ``task_id`` (None: not an inference task)."""
        bill = self._bills.get(task_id)
        return bill if bill is not None else self._book.bills.get(task_id)

    @property
    def staged_models(self) -> Mapping[str, Model]:
        """New or changed models."""
        return self._models

    @property
    def staged_bills(self) -> Mapping[int, InferenceBill]:
        """New bills."""
        return self._bills

    @property
    def registered(self) -> tuple[str, ...]:
        """Models registered in this block."""
        return tuple(self._registered)

    @property
    def price_changes(self) -> tuple[tuple[str, int], ...]:
        """(model id, new price) set in this block, in order."""
        return tuple(self._prices)

    @property
    def new_versions(self) -> tuple[NewVersion, ...]:
        """Versions appended in this block."""
        return tuple(self._versions)

    # ------------------------------------------------------------------ operations

    def register(self, op: RegisterModel, where: str) -> None:
        """Apply a RegisterModel (ModelError, nothing staged, when refused)."""
        where = f"{where}: {op.owner!r} registers model {op.model_id!r}"
        if self.model(op.model_id) is not None:
            raise ModelError(f"{where}, which is registered already")
        for serving in op.kernels:
            terms = self._kernels.get(serving.kernel_id)
            if terms is None:
                raise ModelError(f"{where} with kernel {serving.kernel_id}, which the chain's "
                                 "kernel registry does not hold")
            if terms.kind is not ClaimKind.INFERENCE:
                raise ModelError(f"{where} with kernel {serving.kernel_id}, a "
                                 f"{terms.kind.value} kernel, not an inference kernel")
            problem = terms.task_problem()
            if problem:
                raise ModelError(f"{where} with kernel {serving.kernel_id}, but {problem}")
            if serving.weights_position not in (terms.input_positions or ()):
                raise ModelError(
                    f"{where} with the weights at public input {serving.weights_position} "
                    f"of kernel {serving.kernel_id}, whose inputs are at "
                    f"{list(terms.input_positions or ())[:8]}")
        self._models[op.model_id] = Model(
            model_id=op.model_id, owner=op.owner, kernels=op.kernels, price=op.price,
            status=ModelStatus.ACTIVE, shares=((op.owner, SHARE_DENOMINATOR),),
            versions=(ModelVersion(op.commitment, self.height, op.owner, _NO_CLAIM, True,
                                   SHARE_DENOMINATOR),),
            registered_height=self.height)
        self._registered.append(op.model_id)

    def set_price(self, op: SetPrice, where: str) -> None:
        """Apply a SetPrice (ModelError, nothing staged, when refused)."""
        where = f"{where}: {op.owner!r} sets the price of model {op.model_id!r}"
        model = self._known(op.model_id, where)
        if model.owner != op.owner:
            raise ModelError(f"{where}, owned by {model.owner!r}: only the owner sets the "
                             "price")
        if model.status is ModelStatus.RETIRED:
            raise ModelError(f"{where}, which is retired")
        self._models[op.model_id] = replace(model, price=op.price)
        self._prices.append((op.model_id, op.price))

    def check_inference(self, op: PostInference, where: str, params: Params) -> None:
        """Raise ModelError unless ``op`` may be posted now (module docstring; the rules
        of any task are the market draft's). Stages nothing."""
        where = (f"{where}: {op.poster!r} posts an inference task on version {op.version} "
                 f"of model {op.model_id!r}")
        model = self._known(op.model_id, where)
        if model.status is ModelStatus.RETIRED:
            raise ModelError(f"{where}, which is retired: it takes no new inference tasks")
        if op.version >= len(model.versions):
            raise ModelError(f"{where}, whose versions are 0 to {len(model.versions) - 1}")
        version = model.versions[op.version]
        if not version.accepted:
            raise ModelError(f"{where}: that version is not accepted by governance, so it "
                             "may not be served")
        serving = model.kernel(op.kernel_id)
        if serving is None:
            raise ModelError(f"{where} with kernel {op.kernel_id}, which the model is not "
                             f"served with ({', '.join(k.kernel_id[:12] for k in model.kernels)}"
                             "…)")
        fixed = dict(op.inputs).get(serving.weights_position)
        if fixed != version.commitment:
            raise ModelError(
                f"{where}: public input {serving.weights_position} (the weights) must be "
                f"version {op.version}'s commitment {str(version.commitment)[:40]}, got "
                f"{str(fixed)[:40]}")
        if op.price != model.price:
            raise ModelError(f"{where} at price {op.price}, but the model's price is "
                             f"{model.price}")
        minimum = op.work_units * params.min_fee_per_unit
        if op.fee < minimum:
            raise ModelError(
                f"{where} with execution fee {op.fee}, below {op.work_units} work units × "
                f"{params.min_fee_per_unit} (min_fee_per_unit) = {minimum} (the price "
                "does not count)")

    def check_plain_task(self, op: PostTask, where: str) -> None:
        """Raise ModelError when the plain task ``op`` serves a registered model (module
        docstring). Stages nothing."""
        for position, value in op.inputs:
            model_id = self._book.model_of_weights(op.kernel_id, position, value)
            if model_id is None:
                model_id = next((m for m, model in self._models.items()
                                 if (op.kernel_id, position, value) in weights_index(model)),
                                None)
            if model_id is not None:
                raise ModelError(
                    f"{where}: {op.poster!r} posts a task of kernel {op.kernel_id} on the "
                    f"weights of model {model_id!r} (public input {position}); post it as "
                    "an inference task (PostInference), which pays the model's price")

    def add_bill(self, bill: InferenceBill) -> None:
        """Record the bill of an inference task just posted."""
        self._bills[bill.task_id] = bill

    def extend(self, model_id: str, version: int, before: int, after: int,
               contributor: str, claim_hash: bytes) -> int:
        """Append version ``version`` + 1 = weights ``after`` by ``contributor`` (claim
        ``claim_hash``), pending governance, to a registered, active model whose current
        version is ``version`` with commitment ``before``. Returns the new version number;
        ModelError (nothing staged) otherwise."""
        where = f"block {self.height}: a training step of model {model_id!r}"
        model = self._known(model_id, where)
        if model.status is not ModelStatus.ACTIVE:
            raise ModelError(f"{where}, which is {model.status.value}: it takes no new "
                             "version")
        current = len(model.versions) - 1
        if version != current:
            raise ModelError(f"{where} from version {version}; the model is at version "
                             f"{current}")
        if before != model.versions[current].commitment:
            raise ModelError(f"{where}: the commitment before does not match version "
                             f"{current}")
        check_commitment(after, "the commitment after")
        if not isinstance(claim_hash, bytes) or len(claim_hash) != 32:
            raise ModelError(f"{where}: a claim hash is 32 bytes")
        if len(model.versions) >= MAX_MODEL_VERSIONS:
            raise ModelError(f"{where}: a model has at most {MAX_MODEL_VERSIONS} versions")
        self._models[model_id] = replace(model, versions=(
            *model.versions, ModelVersion(after, self.height, contributor, claim_hash, False,
                                          0)))
        self._versions.append(NewVersion(model_id, current + 1, contributor))
        return current + 1

    # ------------------------------------------------------------------ governance

    def check_action(self, action: GovernanceAction, where: str) -> None:
        """Raise ModelError unless ``action`` is one of the market's and could apply now
        (a Propose carrying it is refused otherwise). Stages nothing."""
        decoded = model_action(action)
        problem = self._action_problem(decoded)
        if problem:
            raise ModelError(f"{where}: {action.kind} {problem}")

    def apply_actions(self, due: Sequence[tuple[int, GovernanceAction]]
                      ) -> tuple[ActionResult, ...]:
        """Apply the passed actions activating in this block, in order; one result each."""
        results = []
        for pid, action in due:
            try:
                decoded = model_action(action)
            except ModelError as exc:
                results.append(ActionResult(pid, action.kind, None, False, str(exc)))
                continue
            problem = self._action_problem(decoded)
            if problem:
                results.append(ActionResult(pid, action.kind, decoded.model_id, False,
                                            problem))
                continue
            model = self.model(decoded.model_id)
            assert model is not None  # _action_problem checked it
            if type(decoded) is AcceptVersion:
                versions = list(model.versions)
                versions[decoded.version] = replace(versions[decoded.version],
                                                    accepted=True, share=decoded.share)
                model = replace(model, versions=tuple(versions), shares=diluted(
                    model.shares, model.owner, decoded.contributor, decoded.share))
            elif type(decoded) is FreezeModel:
                model = replace(model, status=ModelStatus.FROZEN)
            else:
                model = replace(model, status=ModelStatus.RETIRED)
            self._models[model.model_id] = model
            results.append(ActionResult(pid, action.kind, model.model_id, True))
        return tuple(results)

    def revenue(self, bill: InferenceBill) -> tuple[tuple[str, int], ...]:
        """(holder, amount) of ``bill``'s price split by its model's share table now."""
        model = self.model(bill.model_id)
        assert model is not None  # a bill names a registered model (Market invariant)
        return model.split(bill.price)

    # ------------------------------------------------------------------ internals

    def _known(self, model_id: str, where: str) -> Model:
        model = self.model(model_id)
        if model is None:
            raise ModelError(f"{where}, which is not registered")
        return model

    def _action_problem(self, action: AcceptVersion | FreezeModel | RetireModel
                        ) -> str | None:
        model = self.model(action.model_id)
        if model is None:
            return f"names model {action.model_id!r}, which is not registered"
        status = model.status
        if type(action) is RetireModel:
            return "names a model retired already" if status is ModelStatus.RETIRED else None
        if status is not ModelStatus.ACTIVE:
            return f"names model {action.model_id!r}, which is {status.value}"
        if type(action) is FreezeModel:
            return None
        assert type(action) is AcceptVersion
        if action.version >= len(model.versions):
            return (f"names version {action.version} of model {action.model_id!r}, whose "
                    f"versions are 0 to {len(model.versions) - 1}")
        version = model.versions[action.version]
        if version.accepted:
            return f"names version {action.version}, accepted already"
        if version.contributor != action.contributor:
            return (f"names {action.contributor!r} as the contributor of version "
                    f"{action.version}, made by {version.contributor!r}")
        if len(diluted(model.shares, model.owner, action.contributor, action.share)) \
                > MAX_SHARE_HOLDERS:
            return f"would give the share table more than {MAX_SHARE_HOLDERS} holders"
        return None
