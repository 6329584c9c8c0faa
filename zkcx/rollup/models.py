# SPDX-License-Identifier: MIT
"""The model registry: model id → its chain of versions.

A version is (commitment to the weights, an element of Fr; height of the block that made
it; hash of the claim that made it). Version 0 is where a model starts: either
registered at genesis (height 0, claim hash of 32 zero bytes) or set by the first
accepted training claim on a new model id (its commitment before, with that claim's
height and hash); each accepted training claim then appends version v + 1 = its
commitment after, and must start from version v, the current one.

Roots: each model carries a running hash over its versions,
``head_0 = H_"zkcx-model-v1"(u16 len(id) || id)``,
``head_{v+1} = H_"zkcx-model-v1"(head_v || commitment || u64 height || claim hash)``;
``root() = zkcx.rewards.merkle_root`` over H_"zkcx-model-entry-v1"(text id || u64 count ||
head) for the models in sorted id order — O(models) per block, and it commits every version.

Not the authority: the market's version chains (``zkcx.market.billing``, via
``MarketDraft.extend_model``; training jobs in ``zkcx.market.job_draft``) decide which
training steps stand. The block builder mirrors here the accepted training claims of
ordinary tasks that this registry can follow, for the header's ``models_root`` and the
store's format; the steps of training jobs are not mirrored (issue 14).
"""

from __future__ import annotations

from dataclasses import dataclass

from zkcx.errors import EncodingError
from zkcx.params import FR_MODULUS
from zkcx.rewards.merkle import merkle_root
from zkcx.rollup._codec import Reader, Writer, tagged_hash
from zkcx.rollup.errors import MalformedBlockError, ModelRegistryError

_MODEL, _ENTRY = b"zkcx-model-v1", b"zkcx-model-entry-v1"
_GENESIS_CLAIM = bytes(32)


@dataclass(frozen=True)
class ModelVersion:
    """One version: the weights' commitment, the block height and the claim hash."""

    commitment: int
    height: int
    claim_hash: bytes


def _check_commitment(commitment: object) -> int:
    if not isinstance(commitment, int) or isinstance(commitment, bool) \
            or not 0 <= commitment < FR_MODULUS:
        raise ModelRegistryError(f"a model commitment is an int in [0, r), got {commitment!r}")
    return commitment


class ModelRegistry:
    """Version chains of every model, with their running hashes (see module docstring)."""

    def __init__(self) -> None:
        self._versions: dict[str, list[ModelVersion]] = {}
        self._heads: dict[str, bytes] = {}

    # -- queries ----------------------------------------------------------------------
    def __contains__(self, model_id: object) -> bool:
        return model_id in self._versions

    def models(self) -> list[str]:
        return sorted(self._versions)

    def versions(self, model_id: str) -> tuple[ModelVersion, ...]:
        """Every version of a model, oldest first (empty for an unknown model)."""
        return tuple(self._versions.get(model_id, ()))

    def current(self, model_id: str) -> tuple[int, ModelVersion] | None:
        """(version number, version) of the newest version, or None."""
        chain = self._versions.get(model_id)
        return (len(chain) - 1, chain[-1]) if chain else None

    def check_step(self, model_id: str, version: int, before: int) -> None:
        """Raise ``ModelRegistryError`` unless a training step from ``version`` with
        commitment ``before`` starts at the model's current version (a new model: version
        0, any commitment)."""
        cur = self.current(model_id)
        if cur is None:
            if version != 0:
                raise ModelRegistryError(f"model {model_id!r} is unknown; a new model starts "
                                         f"at version 0, not {version}")
            return
        number, head = cur
        if version != number:
            raise ModelRegistryError(f"model {model_id!r} is at version {number}, the claim "
                                     f"starts from version {version}")
        if before != head.commitment:
            raise ModelRegistryError(f"the claim's model commitment before does not match "
                                     f"version {number} of model {model_id!r}")

    # -- updates ----------------------------------------------------------------------
    def register(self, model_id: str, commitment: int) -> None:
        """Genesis: a model with version 0 = ``commitment`` (height 0, no claim)."""
        if model_id in self._versions:
            raise ModelRegistryError(f"model {model_id!r} is already registered")
        self._append(model_id, ModelVersion(_check_commitment(commitment), 0, _GENESIS_CLAIM))

    def extend(self, model_id: str, version: int, before: int, after: int, height: int,
               claim_hash: bytes) -> int:
        """Apply an accepted training step; returns the new version number."""
        self.check_step(model_id, version, before)
        _check_commitment(before)
        _check_commitment(after)
        if model_id not in self._versions:
            self._append(model_id, ModelVersion(before, height, claim_hash))
        self._append(model_id, ModelVersion(after, height, claim_hash))
        return len(self._versions[model_id]) - 1

    def _append(self, model_id: str, v: ModelVersion) -> None:
        if not isinstance(model_id, str) or not model_id:
            raise ModelRegistryError(f"a model id is a non-empty str, got {model_id!r}")
        if model_id not in self._heads:
            raw = model_id.encode()
            self._heads[model_id] = tagged_hash(_MODEL, len(raw).to_bytes(2, "big"), raw)
            self._versions[model_id] = []
        self._heads[model_id] = tagged_hash(
            _MODEL, self._heads[model_id], v.commitment.to_bytes(32, "big"),
            v.height.to_bytes(8, "big"), v.claim_hash)
        self._versions[model_id].append(v)

    # -- roots, copies, bytes -------------------------------------------------------------
    def root(self) -> bytes:
        """The registry's 32-byte root (module docstring)."""
        leaves = []
        for model_id in sorted(self._versions):
            w = Writer().text(model_id).uint(len(self._versions[model_id]), 8)
            leaves.append(tagged_hash(_ENTRY, w.getvalue(), self._heads[model_id]))
        return merkle_root(leaves)

    def copy(self) -> ModelRegistry:
        out = ModelRegistry()
        out._versions = {k: list(v) for k, v in self._versions.items()}
        out._heads = dict(self._heads)
        return out

    def to_bytes(self) -> bytes:
        """u32 models, then per model (sorted): text id, u64 count, count × (32-byte
        commitment, u64 height, 32-byte claim hash)."""
        w = Writer().uint(len(self._versions), 4)
        for model_id in sorted(self._versions):
            chain = self._versions[model_id]
            w.text(model_id).uint(len(chain), 8)
            for v in chain:
                w.uint(v.commitment, 32).uint(v.height, 8).fixed(v.claim_hash, 32)
        return w.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ModelRegistry:
        """Inverse of :meth:`to_bytes` (the running hashes are recomputed)."""
        out = cls()
        try:
            r = Reader(data, "model registry")
            for _ in range(r.uint(4, "model count")):
                model_id = r.text("model id")
                if model_id in out._versions:
                    raise MalformedBlockError(f"model {model_id!r} appears twice")
                for _ in range(r.uint(8, "version count")):
                    commitment = _check_commitment(r.uint(32, "commitment"))
                    v = ModelVersion(commitment, r.uint(8, "height"), r.take(32, "claim hash"))
                    out._append(model_id, v)
            r.finish()
        except (EncodingError, ModelRegistryError) as exc:
            raise MalformedBlockError(f"model registry state: {exc}") from exc
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ModelRegistry):
            return NotImplemented
        return self._versions == other._versions
