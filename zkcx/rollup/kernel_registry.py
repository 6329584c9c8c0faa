# SPDX-License-Identifier: MIT
"""The kernels a chain accepts claims for, keyed by kernel id = ``VerifyingKey.digest()``.

Each entry fixes what the rollup needs besides the key: the work units a claim earns
(the kernel circuit's constraint count — the node never says), the one claim kind the
kernel is claimed as (a kernel registered for several kinds would let the claimant pick
the best-paid one), the positions of the public inputs that carry the kernel's inputs
(commitments of committed input tensors, values of public ones: what a task fixes; a
kernel is *task-ready* when every input is so fixed and it has a claim binding), and
for training kernels the positions, in the public-input list handed to
``groth16.verify`` (outputs first, then public inputs), of the model commitment before
and after the step (a training job's gradient kernel makes no model step and has none: it
names its tensors' positions instead, which is how a job finds its weights, data and
gradient commitments; its claims are taken only for a job's tasks); and optionally the
position of a public input that must equal ``claim_binding(node_id, task_id)``, which
ties a proof to the claim carrying it (without one, a proof can be copied into another
node's claim; the rollup then pays
its statement once, to whoever's claim comes first).

Each entry also keeps the kernel's public bounds (``zkcx.kernels.PublicBounds``): the
range every public input must lie in, which the circuit does not enforce (a proof of a
public scalar s = 1/2 in the field can be valid and prove a value of -5.5e75 as 0). The
block builder rejects a claim outside them. Registering needs them: a catalogue kernel's
come from its spec (``Kernel.public_bounds()``); a hand-made circuit whose public inputs
its own constraints bound, or that has none to bound, declares so explicitly with
``PublicBounds.unbounded(vk.n_public)``. The kernel id stays the verifying key's digest,
and the bounds are fixed when the key is registered: one key has one entry, never
re-registered, so no looser bounds can be attached to a key later (an id that covered the
bounds would let one key be registered twice, with the looser bounds open to every
prover).

Each entry also records how its key was made (``zkcx.rollup.kernel_ceremony``): the
record of its verified trusted-setup ceremony (``zkcx.ceremony.verify_zkey``: the ptau
file's hash, the circuit hash, each contribution's hash, name and kind), or the explicit
mark of an unsafe local setup. Registering needs one or the other: a key is never
registered silently without its setup said. A catalogue kernel whose file names its
ceremony (``[ceremony]``, ``Kernel.ceremony_terms``) is registered only with a record
meeting it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from zkcx.ceremony.record import CeremonyRecord
from zkcx.errors import ArgumentTypeError, ZkcxError
from zkcx.groth16 import VerifyingKey
from zkcx.groth16.json_files import verifying_key_from_json, verifying_key_json
from zkcx.groth16.keys import check_verifying_key
from zkcx.io.jsontext import short
from zkcx.kernels.base import Kernel
from zkcx.kernels.bounds import PublicBounds
from zkcx.market import KernelTerms
from zkcx.rewards.params import ClaimKind
from zkcx.rollup.errors import KernelRegistryError, UnknownKernelError
from zkcx.rollup.kernel_ceremony import (
    UNSAFE_LOCAL_SETUP,
    ceremony_from_json,
    ceremony_json,
    check_terms,
    chosen_ceremony,
)

#: the format tag of ``KernelRegistry.to_json`` (kept in the chain file)
REGISTRY_FORMAT = "zkcx-kernels-v4"
_ENTRY_KEYS_V2 = frozenset({"kernel_id", "verifying_key", "work_units", "kind",
                            "model_positions", "binding_position", "input_positions",
                            "public_bounds"})
_ENTRY_KEYS_V3 = _ENTRY_KEYS_V2 | {"tensor_positions"}
#: the entry keys of each format read. The older ones are read as what they were: v2
#: entries name no tensor positions, and v2 and v3 entries (written before zkcx kept
#: ceremonies) come from an unsafe local setup, as every key registered then did
_FORMATS = {REGISTRY_FORMAT: _ENTRY_KEYS_V3 | {"ceremony"},
            "zkcx-kernels-v3": _ENTRY_KEYS_V3, "zkcx-kernels-v2": _ENTRY_KEYS_V2}


@dataclass(frozen=True)
class KernelEntry:
    """A registered kernel. ``kind`` is its one claim kind; ``model_positions`` = (index of
    the commitment before, index of the commitment after) in the public inputs, required
    for training kernels; ``input_positions`` = the public inputs carrying the kernel's
    inputs (None when some input is private or unknown: see ``task_ready``);
    ``tensor_positions`` = (tensor name, public-input position) of each tensor with a
    public signal, sorted by name (() when unknown): how a training job finds a kernel's
    weights, data and gradient commitments; ``ceremony`` = the record of the key's
    verified trusted-setup ceremony, or None for a key from an unsafe local setup
    (``unsafe_local_setup``)."""

    kernel_id: str
    vk: VerifyingKey
    work_units: int
    kind: ClaimKind
    public_bounds: PublicBounds
    model_positions: tuple[int, int] | None = None
    binding_position: int | None = None
    input_positions: tuple[int, ...] | None = None
    tensor_positions: tuple[tuple[str, int], ...] = ()
    ceremony: CeremonyRecord | None = None

    @property
    def n_public(self) -> int:
        return self.vk.n_public

    @property
    def unsafe_local_setup(self) -> bool:
        """Whether the key came from an unsafe local setup (no ceremony recorded):
        whoever made it can forge its proofs."""
        return self.ceremony is None

    @property
    def task_ready(self) -> bool:
        """Whether tasks may name this kernel: every input is fixed by the public inputs
        (committed or public, ``input_positions`` known) and a claim binding ties each
        proof to its node and task."""
        return self.why_not_task_ready() is None

    @property
    def terms(self) -> KernelTerms:
        """What the market needs to know of this kernel (``zkcx.market.KernelTerms``)."""
        return KernelTerms(self.kind, self.work_units, self.input_positions,
                           self.binding_position is not None, self.tensor_positions)

    def why_not_task_ready(self) -> str | None:
        """Why a task cannot name this kernel, or None when it can."""
        return self.terms.task_problem()


def _position(value: object, n_public: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < n_public


def _one_kind(kind: object) -> ClaimKind:
    if isinstance(kind, ClaimKind):
        return kind
    if isinstance(kind, str):
        try:
            return ClaimKind(kind)
        except ValueError:
            pass
        raise KernelRegistryError(f"unknown claim kind {short(kind)}; one of "
                                  f"{sorted(k.value for k in ClaimKind)}")
    raise KernelRegistryError(
        f"a kernel has exactly one claim kind, got {short(kind)} (a kernel registered for "
        "several kinds lets the claimant pick the best-paid one)")


class KernelRegistry:
    """kernel id → ``KernelEntry``. Configuration, not chain state: every node verifying
    a chain must hold the same registry (a different one yields different roots)."""

    def __init__(self) -> None:
        self._entries: dict[str, KernelEntry] = {}
        self._terms: Mapping[str, KernelTerms] | None = None

    def register(self, vk: VerifyingKey, work_units: int, kind: ClaimKind | str,
                 model_positions: tuple[int, int] | None = None,
                 binding_position: int | None = None, *,
                 public_bounds: PublicBounds,
                 input_positions: Sequence[int] | None = None,
                 tensor_positions: Mapping[str, int] | Sequence[tuple[str, int]] = (),
                 ceremony: CeremonyRecord | None = None,
                 unsafe_local_setup: bool = False) -> str:
        """Add a kernel and return its id. ``work_units`` is the circuit's constraint count
        (``R1CS.n_constraints``); ``kind`` is the kernel's one claim kind (several would
        let a claimant choose the best-paid); a training kernel needs
        ``model_positions``, unless it is a training job's gradient kernel (no model step:
        then ``tensor_positions`` are required instead); ``binding_position`` names the
        public input holding the claim binding; ``input_positions`` are the public
        inputs carrying the kernel's inputs (``kernel.input_positions()``; None when an
        input is private or unknown, and then no task can name the kernel);
        ``public_bounds`` are the ranges of the public inputs (``kernel.public_bounds()``, or
        ``PublicBounds.unbounded(vk.n_public)``: module docstring), in which the binding
        and model commitments may be any field element; ``tensor_positions`` name the
        public signal of each tensor that has one (``kernel.tensor_positions()``: distinct
        names, positions below the key's public count and never the binding);
        ``ceremony`` is the record of the key's verified trusted-setup ceremony
        (``zkcx.rollup.kernel_ceremony.verified_ceremony`` or ``zkcx.ceremony.
        verify_zkey``), or else ``unsafe_local_setup=True`` says the key was made
        locally (``groth16.setup``: a test, a demo), exactly one of the two
        (``KernelCeremonyError`` otherwise). A key is
        registered once: registering it again, with these bounds or others, is refused.
        A key under which forged proofs verify (``groth16.keys.check_verifying_key``:
        alpha, beta, gamma, delta or IC at infinity, gamma = beta or delta) is refused. Raises
        ``KernelRegistryError`` (``ArgumentTypeError`` if ``vk`` is not a VerifyingKey)."""
        if not isinstance(vk, VerifyingKey):
            raise ArgumentTypeError(f"a kernel is registered with its zkcx.groth16.VerifyingKey "
                                    f"(read one with verifying_key_from_json), got "
                                    f"{type(vk).__name__}")
        try:
            check_verifying_key(vk)
        except ZkcxError as exc:
            raise KernelRegistryError(str(exc)) from exc
        if not isinstance(work_units, int) or isinstance(work_units, bool) or work_units <= 0:
            raise KernelRegistryError(f"work_units must be a positive int, got "
                                      f"{short(work_units)}")
        claim_kind = _one_kind(kind)
        n = vk.n_public
        if model_positions is not None:
            if (isinstance(model_positions, (str, bytes))
                    or not isinstance(model_positions, Iterable)
                    or len(tuple(model_positions)) != 2):
                raise KernelRegistryError(f"model_positions must be (before, after), got "
                                          f"{short(model_positions)}")
            before, after = model_positions
            for name, pos in (("before", before), ("after", after)):
                if not _position(pos, n):
                    raise KernelRegistryError(
                        f"model commitment {name} position {short(pos)} is not a public "
                        f"input index below {n}")
            if before == after:
                raise KernelRegistryError("the commitments before and after need distinct "
                                          "positions")
            model_positions = (before, after)
        if binding_position is not None and (
                not _position(binding_position, n)
                or binding_position in (model_positions or ())):
            raise KernelRegistryError(f"binding position {short(binding_position)} is not a "
                                      f"free public input index below {n}")
        inputs = _check_inputs(input_positions, n, model_positions, binding_position)
        tensors = _check_tensors(tensor_positions, n, binding_position)
        if claim_kind is ClaimKind.TRAINING and model_positions is None and not tensors:
            raise KernelRegistryError(
                "a training kernel needs model_positions=(before, after), or, for a training "
                "job's gradient kernel (no model step of its own), tensor_positions")
        _check_bounds(public_bounds, n, model_positions, binding_position)
        record = chosen_ceremony(ceremony, unsafe_local_setup)
        kernel_id = vk.digest()
        if kernel_id in self._entries:
            same = self._entries[kernel_id].public_bounds == public_bounds
            raise KernelRegistryError(f"kernel {kernel_id} is already registered" + (
                "" if same else " with other public bounds; a registered kernel's bounds "
                "never change"))
        self._entries[kernel_id] = KernelEntry(kernel_id, vk, work_units, claim_kind,
                                               public_bounds, model_positions,
                                               binding_position, inputs, tensors, record)
        self._terms = None
        return kernel_id

    def register_kernel(self, kernel: Kernel, vk: VerifyingKey, kind: ClaimKind | str, *,
                        ceremony: CeremonyRecord | None = None,
                        unsafe_local_setup: bool = False) -> str:
        """Register a catalogue kernel under its key ``vk``: work units, binding, model and
        input positions and public bounds all come from the kernel itself; ``ceremony``
        or ``unsafe_local_setup`` as for ``register``, and when the kernel's catalogue
        file names its ceremony (``kernel.ceremony_terms``) the record must meet it: that
        ptau file, enough contributions, a final beacon if asked; no local setup."""
        if vk.n_public != len(kernel.public_inputs):
            raise KernelRegistryError(
                f"the verifying key has {vk.n_public} public inputs, kernel "
                f"{kernel.spec.name!r} has {len(kernel.public_inputs)}: not its key")
        check_terms(kernel.ceremony_terms, chosen_ceremony(ceremony, unsafe_local_setup),
                    kernel.spec.name)
        positions = getattr(kernel, "model_commitment_positions", None)
        return self.register(vk, kernel.n_constraints, kind,
                             positions if _one_kind(kind) is ClaimKind.TRAINING else None,
                             kernel.binding_position, public_bounds=kernel.public_bounds(),
                             input_positions=kernel.input_positions(),
                             tensor_positions=kernel.tensor_positions(),
                             ceremony=ceremony, unsafe_local_setup=unsafe_local_setup)

    def to_json(self) -> dict:
        """JSON-able object ``{"format": REGISTRY_FORMAT, "kernels": [...]}``, one object
        per kernel: its id, the verifying key as snarkjs's verification_key.json object,
        work units, kind, positions, public bounds and ceremony (the record's JSON, or
        ``"unsafe-local-setup"``)."""
        return {"format": REGISTRY_FORMAT, "kernels": [{
            "kernel_id": e.kernel_id,
            "verifying_key": verifying_key_json(e.vk),
            "work_units": e.work_units,
            "kind": e.kind.value,
            "model_positions": list(e.model_positions) if e.model_positions else None,
            "binding_position": e.binding_position,
            "input_positions": (None if e.input_positions is None
                                else list(e.input_positions)),
            "public_bounds": e.public_bounds.to_json(),
            "tensor_positions": dict(e.tensor_positions),
            "ceremony": ceremony_json(e.ceremony),
        } for e in self._entries.values()]}

    @classmethod
    def from_json(cls, data: object) -> KernelRegistry:
        """Inverse of :meth:`to_json`, from parsed JSON (``zkcx.io.jsontext.loads`` decodes
        kernels.json with depth and size bounds); strict: the format tag must be
        ``REGISTRY_FORMAT`` (or an older one still read, ``_FORMATS``: its entries read
        as unsafe local setups), every entry has exactly the keys its format has, and
        each kernel id must be its key's digest. Data only: ``verifying_key`` must be a
        verification_key.json object, never a file name or descriptor. Raises
        ``KernelRegistryError`` saying which entry is wrong."""
        if isinstance(data, list):
            raise KernelRegistryError(
                "a kernel registry written before kernels had one claim kind and input "
                f"positions (a bare list, not {REGISTRY_FORMAT}): register the kernels again")
        if not isinstance(data, dict) or set(data) != {"format", "kernels"}:
            raise KernelRegistryError(f'a kernel registry is {{"format": "{REGISTRY_FORMAT}", '
                                      f'"kernels": [...]}}, got {short(data)}')
        if not isinstance(data["format"], str) or data["format"] not in _FORMATS:
            raise KernelRegistryError(f"kernel registry format {short(data['format'])} is not "
                                      f"{REGISTRY_FORMAT} (nor an older one read: "
                                      f"{sorted(set(_FORMATS) - {REGISTRY_FORMAT})})")
        keys = _FORMATS[data["format"]]
        items = data["kernels"]
        if not isinstance(items, list):
            raise KernelRegistryError(f"the registry's kernels are a JSON list, got "
                                      f"{short(items)}")
        out = cls()
        for index, item in enumerate(items):
            where = f"kernel entry {index}"
            if not isinstance(item, dict):
                raise KernelRegistryError(f"{where} is not a JSON object: {short(item)}")
            if set(item) != keys:
                missing, extra = keys - set(item), set(item) - keys
                raise KernelRegistryError(
                    f"{where}: " + "; ".join(
                        part for part in (f"lacks {sorted(missing)}" if missing else "",
                                          f"has unknown keys {sorted(extra)}" if extra else "")
                        if part))
            if not isinstance(item["verifying_key"], dict):
                raise KernelRegistryError(
                    f"{where}: verifying_key must be a verification_key.json object, got "
                    f"{short(item['verifying_key'])}")
            try:
                vk = verifying_key_from_json(item["verifying_key"])
                bounds = PublicBounds.from_json(item["public_bounds"])
                record = ceremony_from_json(item.get("ceremony", UNSAFE_LOCAL_SETUP))
            except ZkcxError as exc:
                raise KernelRegistryError(f"{where}: {exc}") from exc
            lists = {}
            for key in ("model_positions", "input_positions"):
                value = item[key]
                if value is not None and not isinstance(value, list):
                    raise KernelRegistryError(f"{where}: {key} must be a list or null, got "
                                              f"{short(value)}")
                lists[key] = None if value is None else tuple(value)
            if lists["model_positions"] == ():
                raise KernelRegistryError(f"{where}: model_positions must be [before, after] "
                                          "or null")
            tensors = item.get("tensor_positions", {})
            if not isinstance(tensors, dict):
                raise KernelRegistryError(f"{where}: tensor_positions must be an object "
                                          f"(tensor name: position), got {short(tensors)}")
            try:
                kid = out.register(vk, item["work_units"], item["kind"],
                                   lists["model_positions"], item["binding_position"],
                                   public_bounds=bounds,
                                   input_positions=lists["input_positions"],
                                   tensor_positions=tensors, ceremony=record,
                                   unsafe_local_setup=record is None)
            except KernelRegistryError as exc:
                raise KernelRegistryError(f"{where}: {exc}") from exc
            if item["kernel_id"] != kid:
                raise KernelRegistryError(
                    f"{where}: kernel id {short(item['kernel_id'])} is not the digest of its "
                    f"verifying key ({kid})")
        return out

    def get(self, kernel_id: str) -> KernelEntry:
        """The entry, or ``UnknownKernelError``."""
        try:
            return self._entries[kernel_id]
        except KeyError:
            raise UnknownKernelError(f"unknown kernel {kernel_id!r}") from None

    def terms(self) -> Mapping[str, KernelTerms]:
        """kernel id → ``KernelTerms`` of every kernel (what the market's block draft
        reads to check posted tasks), read-only and cached until the next register."""
        if self._terms is None:
            self._terms = MappingProxyType({k: e.terms for k, e in self._entries.items()})
        return self._terms

    def __getstate__(self) -> dict:
        return {"_entries": self._entries, "_terms": None}  # the cache is rebuilt

    def __contains__(self, kernel_id: object) -> bool:
        return kernel_id in self._entries

    def __iter__(self) -> Iterator[KernelEntry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)


def _check_inputs(positions: object, n_public: int, model_positions: tuple[int, int] | None,
                  binding_position: int | None) -> tuple[int, ...] | None:
    """The input positions as a sorted tuple, or None; refused unless distinct public
    input indices that are neither the binding nor the model commitment after the step
    (outputs are not inputs), and, for a training kernel, include the one before."""
    if positions is None:
        return None
    if isinstance(positions, (str, bytes)) or not isinstance(positions, Iterable):
        raise KernelRegistryError(f"input_positions must be a list of public input "
                                  f"indices, got {short(positions)}")
    values = tuple(positions)
    for pos in values:
        if not _position(pos, n_public):
            raise KernelRegistryError(f"input position {short(pos)} is not a public input "
                                      f"index below {n_public}")
    if len(set(values)) != len(values):
        raise KernelRegistryError(f"input positions {short(list(values))} repeat a position")
    if binding_position is not None and binding_position in values:
        raise KernelRegistryError(f"input position {binding_position} is the claim binding, "
                                  "not an input")
    if model_positions is not None:
        before, after = model_positions
        if after in values:
            raise KernelRegistryError(f"input position {after} is the model commitment "
                                      "after the step, an output")
        if before not in values:
            raise KernelRegistryError(f"the model commitment before the step (public input "
                                      f"{before}) is an input: list it in input_positions")
    return tuple(sorted(values))


def _check_tensors(tensors: object, n: int, binding: int | None
                   ) -> tuple[tuple[str, int], ...]:
    """``tensor_positions`` as sorted (name, position) pairs, or KernelRegistryError."""
    pairs = tensors.items() if isinstance(tensors, Mapping) else tensors
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Iterable):
        raise KernelRegistryError(f"tensor_positions must map tensor names to public input "
                                  f"positions, got {short(tensors)}")
    out: dict[str, int] = {}
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise KernelRegistryError(f"a tensor position is (tensor name, position), got "
                                      f"{short(pair)}")
        name, pos = pair
        if not isinstance(name, str) or not name or name in out:
            raise KernelRegistryError(f"tensor names in tensor_positions are distinct "
                                      f"non-empty strings, got {short(name)}")
        if not _position(pos, n) or pos == binding:
            raise KernelRegistryError(f"tensor {name!r}: position {short(pos)} is not a "
                                      f"public input index below {n} other than the binding")
        out[name] = pos
    if len(set(out.values())) != len(out):
        raise KernelRegistryError("two tensors in tensor_positions share a position")
    return tuple(sorted(out.items()))


def _check_bounds(bounds: object, n_public: int, model_positions: tuple[int, int] | None,
                  binding_position: int | None) -> None:
    """Refuse public bounds that are not a ``PublicBounds`` of the key's size, or that
    bound the binding or a model commitment (any field element)."""
    if not isinstance(bounds, PublicBounds):
        raise KernelRegistryError(
            f"public_bounds must be a PublicBounds (kernel.public_bounds(), or "
            f"PublicBounds.unbounded(n_public) for a circuit that bounds its public inputs "
            f"itself), got {type(bounds).__name__}")
    if bounds.n_public != n_public:
        raise KernelRegistryError(f"the public bounds describe {bounds.n_public} signals, the "
                         f"verifying key has {n_public} public inputs")
    for what, pos in (("binding", binding_position),
                      *(zip(("model commitment before", "model commitment after"),
                            model_positions or ()))):
        if pos is not None and bounds.range_of(pos) is not None:
            raise KernelRegistryError(f"the public bounds give the {what} (public input {pos}) the "
                             f"range {list(bounds.range_of(pos))}; it is a field element")
