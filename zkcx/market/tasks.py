# SPDX-License-Identifier: MIT
"""The market's records: tasks, node capacity profiles, and what the market needs to know
of a kernel (``KernelTerms``), each with an exact JSON form and a state-root leaf.

A task is requested work: a kernel (by id), the values of every kernel input among the
proof's public inputs (for a committed tensor: its Poseidon commitment), so that a proof
on other data does not match; an off-chain pointer to the data (``data_hash``,
``data_uri``); a fee escrowed from the poster when posted; a bond the executing node locks
when assigned; the lowest tier that may execute it; and a deadline.

Lifecycle (``TaskStatus``)::

    posted ──► unassigned ──schedule──► assigned ──valid claim by the assignee──► done
                 │    ▲                    │
      cancel by  │    └──── deadline missed (attempts < max_task_attempts)
      the poster ▼                         │ attempts reach max_task_attempts
             cancelled                     ▼
                                         expired

``done``, ``cancelled`` and ``expired`` are final: a task is paid at most once.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zkcx.errors import EncodingError
from zkcx.io.jsontext import check_text, decimal, short
from zkcx.market._fields import check_count, checked_id, decoded, record_fields
from zkcx.market._fields import hex32 as _hex32
from zkcx.market._fields import node_field as _node
from zkcx.market._fields import text as _text
from zkcx.market._fields import u as _u
from zkcx.market.errors import KernelTermsError, MarketOperationError
from zkcx.params import FR_MODULUS
from zkcx.rewards.params import ClaimKind

#: Longest ``data_uri``, in UTF-8 bytes.
MAX_URI_BYTES = 1024
#: Most kernel inputs a task may fix (public-input positions).
MAX_TASK_INPUTS = 1 << 16
#: Longest name of the circuit a capacity profile was measured on, in UTF-8 bytes.
MAX_CIRCUIT_NAME_BYTES = 64
#: Heights, deadlines and windows stay below 2^63 (signed 64-bit everywhere).
MAX_HEIGHT = 1 << 63


class TaskStatus(enum.Enum):
    """Where a task is in its lifecycle (module docstring)."""

    UNASSIGNED = "unassigned"
    ASSIGNED = "assigned"
    DONE = "done"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    __hash__ = object.__hash__

    @property
    def is_open(self) -> bool:
        """Unassigned or assigned: the fee is still in escrow."""
        return self in (TaskStatus.UNASSIGNED, TaskStatus.ASSIGNED)


_STATUS_CODE = {status: index for index, status in enumerate(TaskStatus)}


@dataclass(frozen=True, slots=True)
class KernelTerms:
    """What the chain's kernel registry (rollup layer, above this one) tells the market
    about one kernel: its one claim ``kind``, its ``work_units`` (constraint count), the
    public-input positions that carry its inputs (``input_positions``: None when an input
    is private and uncommitted, so no task can fix it) and whether a public input binds a
    proof to its claim (``has_binding``: without one a proof could be copied into another
    node's claim). ``tensor_positions``: (tensor name, public-input position) of each
    tensor with a public signal (a committed tensor's commitment, a public tensor's first
    value), inputs and outputs, sorted by name; () when the registry does not say. A
    training job (``zkcx.market.jobs``) finds its kernels' weights, data and gradient
    commitments by these names."""

    kind: ClaimKind
    work_units: int
    input_positions: tuple[int, ...] | None
    has_binding: bool
    tensor_positions: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", ClaimKind(self.kind))
        except ValueError as exc:
            raise KernelTermsError(f"unknown claim kind {short(self.kind)}") from exc
        units = self.work_units
        if not isinstance(units, int) or isinstance(units, bool) or not 0 < units < 1 << 64:
            raise KernelTermsError(f"work_units must be an int in [1, 2^64), got "
                                   f"{short(units)}")
        positions = self.input_positions
        if positions is not None:
            if isinstance(positions, (str, bytes)) or not all(
                    isinstance(p, int) and not isinstance(p, bool) and 0 <= p < 1 << 32
                    for p in positions):
                raise KernelTermsError(f"input_positions must be ints in [0, 2^32) or None, "
                                       f"got {short(positions)}")
            object.__setattr__(self, "input_positions", tuple(sorted(set(positions))))
        if not isinstance(self.has_binding, bool):
            raise KernelTermsError(f"has_binding must be a bool, got "
                                   f"{short(self.has_binding)}")
        named = self.tensor_positions
        if isinstance(named, Mapping):
            named = tuple(named.items())
        if isinstance(named, (str, bytes)) or not all(
                isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
                and isinstance(item[1], int) and not isinstance(item[1], bool)
                and 0 <= item[1] < 1 << 32 for item in named) \
                or len({name for name, _ in named}) != len(named):
            raise KernelTermsError(f"tensor_positions must be distinct (tensor name, "
                                   f"position in [0, 2^32)) pairs, got {short(named)}")
        object.__setattr__(self, "tensor_positions", tuple(sorted(named)))

    def task_problem(self) -> str | None:
        """Why no task may name this kernel, or None when one may."""
        if self.input_positions is None or not self.input_positions:
            return ("its inputs are not all public or committed among the public inputs, "
                    "so a task cannot fix them")
        if not self.has_binding:
            return ("it has no claim binding, so a proof could be copied into another "
                    "node's claim")
        return None

    def position(self, tensor: str) -> int | None:
        """The public-input position of ``tensor``'s signal, or None when not listed."""
        return dict(self.tensor_positions).get(tensor)


@dataclass(frozen=True, slots=True)
class CapacityProfile:
    """A node's proving capacity as measured by ``zkcx bench``: it proved ``circuit``
    (a name, e.g. a catalogue kernel) of ``circuit_units`` constraints in
    ``prove_millis`` milliseconds on ``threads`` threads; ``report_hash`` is the SHA-256
    of the full benchmark record, kept off chain for audit. The rate the scheduler uses,
    ``units_per_second``, is derived from those facts, never declared.

    The chain cannot verify a measurement: an over-declared profile only gets the node
    more tasks than it can prove in time, and every deadline it misses costs it
    reputation and part of its bond (``zkcx.market`` docstring)."""

    circuit: str
    circuit_units: int
    prove_millis: int
    threads: int
    report_hash: bytes

    def __post_init__(self) -> None:
        check_text(self.circuit, "circuit name", MAX_CIRCUIT_NAME_BYTES, MarketOperationError)
        check_count(self.circuit_units, "circuit_units", 1 << 64, MarketOperationError, 1)
        check_count(self.prove_millis, "prove_millis", 1 << 64, MarketOperationError, 1)
        check_count(self.threads, "threads", 1 << 16, MarketOperationError, 1)
        if not isinstance(self.report_hash, bytes) or len(self.report_hash) != 32:
            raise MarketOperationError(f"report_hash must be 32 bytes, got "
                                       f"{short(self.report_hash)}")
        if self.units_per_second < 1:
            raise MarketOperationError(f"{self.circuit_units} units in {self.prove_millis} "
                                       "ms is below one work unit per second")

    @property
    def units_per_second(self) -> int:
        """floor(circuit_units · 1000 / prove_millis)."""
        return self.circuit_units * 1000 // self.prove_millis

    def payload(self) -> bytes:
        """u8 len ‖ circuit (UTF-8) ‖ u64 circuit_units ‖ u64 prove_millis ‖ u16 threads ‖
        32-byte report_hash."""
        return b"".join([_text(self.circuit), _u(self.circuit_units, 8),
                         _u(self.prove_millis, 8), _u(self.threads, 2), self.report_hash])

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {"circuit": self.circuit, "circuit_units": self.circuit_units,
                "prove_millis": self.prove_millis, "threads": self.threads,
                "report_hash": self.report_hash.hex()}

    @classmethod
    def from_dict(cls, d: object) -> CapacityProfile:
        """Inverse of :meth:`to_dict`; EncodingError on anything malformed."""
        d = record_fields(d, ("circuit", "circuit_units", "prove_millis", "threads",
                              "report_hash"), "a capacity profile")
        try:
            return cls(d["circuit"], d["circuit_units"], d["prove_millis"], d["threads"],
                       _hex32(d["report_hash"], "report_hash"))
        except MarketOperationError as exc:
            raise EncodingError(f"malformed capacity profile: {exc}") from exc


@dataclass(frozen=True, slots=True)
class NodeRecord:
    """A registered node: its latest capacity ``profile`` and the height it was
    registered (or re-registered) at."""

    profile: CapacityProfile
    registered_height: int

    def leaf_payload(self, node_id: str) -> bytes:
        """b"N" ‖ u8 len ‖ node id ‖ u64 registered_height ‖ profile payload."""
        return b"N" + _text(node_id) + _u(self.registered_height, 8) + self.profile.payload()

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {"profile": self.profile.to_dict(), "registered_height": self.registered_height}

    @classmethod
    def from_dict(cls, d: object) -> NodeRecord:
        """Inverse of :meth:`to_dict`."""
        d = record_fields(d, ("profile", "registered_height"), "a node record")
        return cls(CapacityProfile.from_dict(d["profile"]),
                   _count(d["registered_height"], "registered_height", MAX_HEIGHT))


@dataclass(frozen=True, slots=True)
class Task:
    """One posted task (module docstring). ``inputs``: (public-input position, value) for
    every input position of the kernel, positions increasing. ``window`` = deadline −
    posted height: each (re)assignment at height h sets ``deadline`` = h + window.
    ``assignee``: the node assigned (status assigned) or paid (done), else None.
    ``attempts``: deadlines missed; ``failed``: the nodes that missed them (never assigned
    this task again). ``closed_height``: when it became done, cancelled or expired (else
    0); ``claim_hash``: the paid claim (done only)."""

    task_id: int
    poster: str
    kernel_id: str
    kind: ClaimKind
    work_units: int
    inputs: tuple[tuple[int, int], ...]
    data_hash: bytes
    data_uri: str
    fee: int
    bond: int
    min_tier: int
    posted_height: int
    window: int
    deadline: int
    status: TaskStatus = TaskStatus.UNASSIGNED
    assignee: str | None = None
    attempts: int = 0
    failed: tuple[str, ...] = ()
    closed_height: int = 0
    claim_hash: bytes | None = None

    def leaf_payload(self) -> bytes:
        """The state-root leaf payload, integers big-endian unsigned, text = u8 length ‖
        UTF-8 (the URI: u16 length):

        b"T" ‖ u64 task_id ‖ text poster ‖ 32-byte kernel_id ‖ text kind ‖ u64 work_units ‖
        u32 n ‖ n × (u32 position ‖ u256 value) ‖ 32-byte data_hash ‖ u16 len ‖ data_uri ‖
        u256 fee ‖ u256 bond ‖ u8 min_tier ‖ u64 posted_height ‖ u64 window ‖
        u64 deadline ‖ u8 status (0 unassigned, 1 assigned, 2 done, 3 cancelled,
        4 expired) ‖ text assignee ("" for none) ‖ u32 attempts ‖ u32 m ‖ m × text failed
        node ‖ u64 closed_height ‖ 32-byte claim_hash (zeros for none)."""
        uri = self.data_uri.encode()
        return b"".join([
            b"T", _u(self.task_id, 8), _text(self.poster), bytes.fromhex(self.kernel_id),
            _text(self.kind.value), _u(self.work_units, 8), _u(len(self.inputs), 4),
            *(_u(pos, 4) + _u(value, 32) for pos, value in self.inputs),
            self.data_hash, _u(len(uri), 2), uri, _u(self.fee, 32), _u(self.bond, 32),
            _u(self.min_tier, 1), _u(self.posted_height, 8), _u(self.window, 8),
            _u(self.deadline, 8), _u(_STATUS_CODE[self.status], 1),
            _text(self.assignee or ""), _u(self.attempts, 4), _u(len(self.failed), 4),
            *(_text(n) for n in self.failed), _u(self.closed_height, 8),
            self.claim_hash or bytes(32)])

    def closed(self, status: TaskStatus, height: int, claim_hash: bytes | None = None) -> Task:
        """This task with ``status`` (done, cancelled or expired), ``closed_height`` =
        ``height`` and ``claim_hash``, every other field as it is (``dataclasses.replace``
        without its per-field overhead: a block of claims closes a task per claim)."""
        return Task(self.task_id, self.poster, self.kernel_id, self.kind, self.work_units,
                    self.inputs, self.data_hash, self.data_uri, self.fee, self.bond,
                    self.min_tier, self.posted_height, self.window, self.deadline, status,
                    self.assignee, self.attempts, self.failed, height, claim_hash)

    @property
    def load_units(self) -> int:
        """Work units this task puts on its assignee while assigned (else 0)."""
        return self.work_units if self.status is TaskStatus.ASSIGNED else 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (amounts and field values as decimal strings, bytes as hex)."""
        return {
            "task_id": self.task_id,
            "poster": self.poster,
            "kernel_id": self.kernel_id,
            "kind": self.kind.value,
            "work_units": self.work_units,
            "inputs": [[pos, str(value)] for pos, value in self.inputs],
            "data_hash": self.data_hash.hex(),
            "data_uri": self.data_uri,
            "fee": str(self.fee),
            "bond": str(self.bond),
            "min_tier": self.min_tier,
            "posted_height": self.posted_height,
            "window": self.window,
            "deadline": self.deadline,
            "status": self.status.value,
            "assignee": self.assignee,
            "attempts": self.attempts,
            "failed": list(self.failed),
            "closed_height": self.closed_height,
            "claim_hash": None if self.claim_hash is None else self.claim_hash.hex(),
        }

    @classmethod
    def from_dict(cls, d: object) -> Task:
        """Inverse of :meth:`to_dict`: every field checked for type, range and the
        consistency of the status with assignee, deadline and claim hash (EncodingError)."""
        d = record_fields(d, _TASK_FIELDS, "a task")
        def build() -> Task:
            return cls(
                task_id=_count(d["task_id"], "task_id", MAX_HEIGHT),
                poster=_node(d["poster"]),
                kernel_id=_kernel_id(d["kernel_id"]),
                kind=ClaimKind(d["kind"]),
                work_units=_count(d["work_units"], "work_units", 1 << 64, 1),
                inputs=_inputs(d["inputs"]),
                data_hash=_hex32(d["data_hash"], "data_hash"),
                data_uri=_uri(d["data_uri"]),
                fee=decimal(d["fee"], "fee", 1 << 256, EncodingError, allow_int=False),
                bond=decimal(d["bond"], "bond", 1 << 256, EncodingError, allow_int=False),
                min_tier=_count(d["min_tier"], "min_tier", 256),
                posted_height=_count(d["posted_height"], "posted_height", MAX_HEIGHT),
                window=_count(d["window"], "window", MAX_HEIGHT),
                deadline=_count(d["deadline"], "deadline", MAX_HEIGHT),
                status=TaskStatus(d["status"]),
                assignee=None if d["assignee"] is None else _node(d["assignee"]),
                attempts=_count(d["attempts"], "attempts", 1 << 32),
                failed=_failed(d["failed"]),
                closed_height=_count(d["closed_height"], "closed_height", MAX_HEIGHT),
                claim_hash=None if d["claim_hash"] is None else _hex32(d["claim_hash"],
                                                                      "claim_hash"),
            )

        return decoded("task", build, lambda task: f"task {task.task_id}")

    def consistency_problem(self) -> str | None:
        """What contradicts the status in this record, or None."""
        if self.fee <= 0:
            return "a task's fee is positive"
        if self.window < 1:
            return "a task's window is at least one block"
        if self.poster in self.failed or len(set(self.failed)) != len(self.failed):
            return "failed nodes are distinct and never the poster"
        if len(self.failed) != self.attempts:
            return "one failed node per missed attempt"
        if self.deadline < self.posted_height + self.window:
            return "a deadline before posted height + window"
        status = self.status
        if (self.assignee is None) != (status not in (TaskStatus.ASSIGNED, TaskStatus.DONE)):
            return f"an assignee exactly when assigned or done ({status.value})"
        if self.assignee is not None and (self.assignee == self.poster
                                          or self.assignee in self.failed):
            return "the assignee is neither the poster nor a node that failed it"
        if (self.claim_hash is None) != (status is not TaskStatus.DONE):
            return "a claim hash exactly when done"
        if status.is_open and self.closed_height != 0:
            return "a closed height only when closed"
        if not status.is_open and self.closed_height < self.posted_height:
            return "closed before it was posted"
        return None


_TASK_FIELDS = ("task_id", "poster", "kernel_id", "kind", "work_units", "inputs",
                "data_hash", "data_uri", "fee", "bond", "min_tier", "posted_height",
                "window", "deadline", "status", "assignee", "attempts", "failed",
                "closed_height", "claim_hash")


# -- checks shared with the operations -------------------------------------------------------

def check_kernel_id(kernel_id: object, error: type[Exception]) -> str:
    """A kernel id: 64 lowercase hex digits (a verifying-key digest)."""
    return checked_id(kernel_id, lambda k: len(k) == 64 and bytes.fromhex(k).hex() == k,
                      error, "kernel_id must be 64 lowercase hex digits (a verifying-key "
                      "digest)")


def check_inputs(inputs: object, error: type[Exception]) -> tuple[tuple[int, int], ...]:
    """(position, value) pairs: positions ints in [0, 2^32) strictly increasing, values
    field elements in [0, r); at least one, at most MAX_TASK_INPUTS."""
    if isinstance(inputs, (str, bytes)) or not hasattr(inputs, "__iter__"):
        raise error(f"inputs must be (position, value) pairs, got {short(inputs)}")
    out = []
    for item in inputs:  # type: ignore[attr-defined]
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise error(f"an input is a (position, value) pair, got {short(item)}")
        pos, value = item
        if not isinstance(pos, int) or isinstance(pos, bool) or not 0 <= pos < 1 << 32:
            raise error(f"an input position is an int in [0, 2^32), got {short(pos)}")
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < FR_MODULUS:
            raise error(f"the input at position {pos} must be a field element in [0, r), "
                        f"got {short(value)}")
        out.append((pos, value))
        if len(out) > MAX_TASK_INPUTS:
            raise error(f"more than {MAX_TASK_INPUTS} inputs")
    if not out:
        raise error("a task fixes at least one input")
    if any(a[0] >= b[0] for a, b in zip(out, out[1:])):
        raise error("input positions must be strictly increasing")
    return tuple(out)


def check_uri(uri: object, error: type[Exception]) -> str:
    """Text of at most MAX_URI_BYTES UTF-8 bytes (may be empty)."""
    return check_text(uri, "data_uri", MAX_URI_BYTES, error, empty=True)


# -- encoding helpers ------------------------------------------------------------------------

def _count(value: object, what: str, bound: int, low: int = 0) -> int:
    return check_count(value, what, bound, EncodingError, low)


def _kernel_id(value: object) -> str:
    return check_kernel_id(value, EncodingError)


def _uri(value: object) -> str:
    return check_uri(value, EncodingError)


def _inputs(value: object) -> tuple[tuple[int, int], ...]:
    if not isinstance(value, list):
        raise EncodingError(f"inputs must be a list of [position, value], got {short(value)}")
    pairs = []
    for item in value:
        if not isinstance(item, list) or len(item) != 2:
            raise EncodingError(f"an input is [position, \"value\"], got {short(item)}")
        pairs.append((item[0], decimal(item[1], "input value", FR_MODULUS, EncodingError,
                                       allow_int=False, bound_name="r")))
    return check_inputs(pairs, EncodingError)


def _failed(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise EncodingError(f"failed must be a list of node ids, got {short(value)}")
    return tuple(_node(n) for n in value)


def check_task_terms(op: Any, what: str, error: type[Exception]) -> None:
    """The terms every task-posting operation (``PostTask``, ``PostInference``) carries:
    ``op``'s work_units, inputs (normalized in place: ``op`` is a frozen dataclass),
    data_hash, data_uri, fee, bond, min_tier and deadline; ``error`` saying ``what``
    ("post task") otherwise."""
    check_count(op.work_units, f"{what}: work_units", 1 << 64, error, 1)
    object.__setattr__(op, "inputs", check_inputs(op.inputs, error))
    if not isinstance(op.data_hash, bytes) or len(op.data_hash) != 32:
        raise error(f"{what}: data_hash must be 32 bytes, got {short(op.data_hash)}")
    check_uri(op.data_uri, error)
    check_count(op.fee, f"{what}: fee", 1 << 256, error, 1)
    check_count(op.bond, f"{what}: bond", 1 << 256, error)
    check_count(op.min_tier, f"{what}: min_tier", 256, error)
    check_count(op.deadline, f"{what}: deadline", MAX_HEIGHT, error, 1)
