# SPDX-License-Identifier: MIT
"""The kernels a chain accepts claims for, keyed by kernel id = ``VerifyingKey.digest()``.

Each entry fixes what the rollup needs besides the key: the work units a claim earns
(the kernel circuit's constraint count — the node never says), the claim kinds the
kernel may be claimed as, and for training kernels the positions, in the public-input
list handed to ``groth16.verify`` (outputs first, then public inputs), of the model
commitment before and after the step; and optionally the position of a public input that
must equal ``claim_binding(node_id, task_id)``, which ties a proof to the claim carrying
it (without one, a proof can be copied into another node's claim; the rollup then pays
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
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from zkcx.errors import ZkcxError
from zkcx.groth16 import VerifyingKey
from zkcx.groth16.json_files import verifying_key_from_json, verifying_key_json
from zkcx.groth16.keys import check_verifying_key
from zkcx.io.jsontext import short
from zkcx.kernels.bounds import PublicBounds
from zkcx.rewards.params import ClaimKind
from zkcx.rollup.errors import KernelRegistryError, UnknownKernelError


@dataclass(frozen=True)
class KernelEntry:
    """A registered kernel. ``model_positions`` = (index of the commitment before, index
    of the commitment after) in the public inputs; required for training kernels."""

    kernel_id: str
    vk: VerifyingKey
    work_units: int
    kinds: frozenset[ClaimKind]
    public_bounds: PublicBounds
    model_positions: tuple[int, int] | None = None
    binding_position: int | None = None

    @property
    def n_public(self) -> int:
        return self.vk.n_public


class KernelRegistry:
    """kernel id → ``KernelEntry``. Configuration, not chain state: every node verifying
    a chain must hold the same registry (a different one yields different roots)."""

    def __init__(self) -> None:
        self._entries: dict[str, KernelEntry] = {}

    def register(self, vk: VerifyingKey, work_units: int, kinds: Iterable[ClaimKind | str],
                 model_positions: tuple[int, int] | None = None,
                 binding_position: int | None = None, *,
                 public_bounds: PublicBounds) -> str:
        """Add a kernel and return its id. ``work_units`` is the circuit's constraint count
        (``R1CS.n_constraints``); a training kernel needs ``model_positions``;
        ``binding_position`` names the public input holding the claim binding;
        ``public_bounds`` are the ranges of the public inputs (``kernel.public_bounds()``,
        or ``PublicBounds.unbounded(vk.n_public)``: module docstring), in which the
        binding and model commitments may be any field element. A key is registered
        once: registering it again, with these bounds or others, is refused. A key under
        which forged proofs verify (``groth16.keys.check_verifying_key``: alpha, beta,
        gamma, delta or IC at infinity, gamma = beta or delta) is refused. Raises
        ``KernelRegistryError`` (``TypeError`` if ``vk`` is not a VerifyingKey)."""
        if not isinstance(vk, VerifyingKey):
            raise TypeError(f"expected a VerifyingKey, got {type(vk).__name__}")
        try:
            check_verifying_key(vk)
        except ZkcxError as exc:
            raise KernelRegistryError(str(exc)) from exc
        if not isinstance(work_units, int) or isinstance(work_units, bool) or work_units <= 0:
            raise KernelRegistryError(f"work_units must be a positive int, got "
                                      f"{short(work_units)}")
        if isinstance(kinds, (str, bytes)) or not isinstance(kinds, Iterable):
            raise KernelRegistryError(f"kinds must be a list of claim kinds, got {short(kinds)}")
        try:
            kind_set = frozenset(ClaimKind(k) for k in kinds)
        except (ValueError, TypeError) as exc:
            raise KernelRegistryError(f"unknown claim kind in {short(kinds)}") from exc
        if not kind_set:
            raise KernelRegistryError("a kernel must allow at least one claim kind")
        if model_positions is not None:
            if (isinstance(model_positions, (str, bytes))
                    or not isinstance(model_positions, Iterable)
                    or len(tuple(model_positions)) != 2):
                raise KernelRegistryError(f"model_positions must be (before, after), got "
                                          f"{short(model_positions)}")
            before, after = model_positions
            for name, pos in (("before", before), ("after", after)):
                if (not isinstance(pos, int) or isinstance(pos, bool)
                        or not 0 <= pos < vk.n_public):
                    raise KernelRegistryError(
                        f"model commitment {name} position {short(pos)} is not a public "
                        f"input index below {vk.n_public}")
            if before == after:
                raise KernelRegistryError("the commitments before and after need distinct "
                                          "positions")
            model_positions = (before, after)
        if binding_position is not None and (
                not isinstance(binding_position, int) or isinstance(binding_position, bool)
                or not 0 <= binding_position < vk.n_public
                or binding_position in (model_positions or ())):
            raise KernelRegistryError(f"binding position {short(binding_position)} is not a "
                                      f"free public input index below {vk.n_public}")
        if ClaimKind.TRAINING in kind_set and model_positions is None:
            raise KernelRegistryError("a training kernel needs model_positions=(before, after)")
        _check_bounds(public_bounds, vk.n_public, model_positions, binding_position)
        kernel_id = vk.digest()
        if kernel_id in self._entries:
            same = self._entries[kernel_id].public_bounds == public_bounds
            raise KernelRegistryError(f"kernel {kernel_id} is already registered" + (
                "" if same else " with other public bounds; a registered kernel's bounds "
                "never change"))
        self._entries[kernel_id] = KernelEntry(kernel_id, vk, work_units, kind_set,
                                               public_bounds, model_positions,
                                               binding_position)
        return kernel_id

    def to_json(self) -> list[dict]:
        """JSON-able list, one object per kernel: its id, the verifying key as snarkjs's
        verification_key.json object, work units, kinds and positions."""
        return [{
            "kernel_id": e.kernel_id,
            "verifying_key": verifying_key_json(e.vk),
            "work_units": e.work_units,
            "kinds": sorted(k.value for k in e.kinds),
            "model_positions": list(e.model_positions) if e.model_positions else None,
            "binding_position": e.binding_position,
            "public_bounds": e.public_bounds.to_json(),
        } for e in self._entries.values()]

    @classmethod
    def from_json(cls, items: list[dict]) -> KernelRegistry:
        """Inverse of :meth:`to_json`, from parsed JSON (``zkcx.io.jsontext.loads`` decodes
        kernels.json with depth and size bounds); each kernel id must be its key's digest,
        and each entry must carry its ``public_bounds``. Data only: ``verifying_key`` must
        be a verification_key.json object, never a file name or descriptor. Raises
        ``KernelRegistryError`` saying which entry is wrong."""
        if not isinstance(items, list):
            raise KernelRegistryError(f"a kernel registry is a JSON list of entries, got "
                                      f"{short(items)}")
        out = cls()
        for index, item in enumerate(items):
            where = f"kernel entry {index}"
            if not isinstance(item, dict):
                raise KernelRegistryError(f"{where} is not a JSON object: {short(item)}")
            missing = {"verifying_key", "work_units", "kinds"} - set(item)
            if missing:
                raise KernelRegistryError(f"{where} lacks {sorted(missing)}")
            if not isinstance(item["verifying_key"], dict):
                raise KernelRegistryError(
                    f"{where}: verifying_key must be a verification_key.json object, got "
                    f"{short(item['verifying_key'])}")
            try:
                vk = verifying_key_from_json(item["verifying_key"])
            except ZkcxError as exc:
                raise KernelRegistryError(f"{where}: {exc}") from exc
            if "public_bounds" not in item:
                raise KernelRegistryError(
                    f"{where} has no public_bounds (a registry written before kernels kept "
                    "their bounds): register the kernel again with its bounds")
            try:
                bounds = PublicBounds.from_json(item["public_bounds"])
            except ZkcxError as exc:
                raise KernelRegistryError(f"{where}: {exc}") from exc
            positions = item.get("model_positions")
            if positions is not None and not isinstance(positions, list):
                raise KernelRegistryError(f"{where}: model_positions must be a list, got "
                                          f"{short(positions)}")
            try:
                kid = out.register(vk, item["work_units"], item["kinds"],
                                   tuple(positions) if positions else None,
                                   item.get("binding_position"), public_bounds=bounds)
            except KernelRegistryError as exc:
                raise KernelRegistryError(f"{where}: {exc}") from exc
            if item.get("kernel_id", kid) != kid:
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

    def __contains__(self, kernel_id: object) -> bool:
        return kernel_id in self._entries

    def __iter__(self) -> Iterator[KernelEntry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)


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
