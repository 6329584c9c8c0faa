# SPDX-License-Identifier: MIT
"""``OperatorConfig``: everything ``create_app`` needs to run an operator, checked when
made (``zkcx operator serve`` builds one from its flags)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zkcx.errors import InvalidArgumentError

#: The largest request body accepted by default (a claim of a few public inputs is ~1 KiB,
#: a transaction less; blobs have their own limit, the store's largest blob).
DEFAULT_MAX_BODY = 1 << 20


@dataclass(frozen=True)
class OperatorConfig:
    """An operator's settings.

    ``chain``: the chain store, an SQLite file path or a ``postgresql://`` URL (made with
    ``zkcx chain init`` or ``create_store``). ``block_interval`` seconds between sealed
    blocks (empty ones too, when ``seal_empty``: the market's deadlines move with the
    height), ``block_size`` the most transactions a block takes (a full pool seals at
    once). ``kernels_dir``: a folder of ``<name>.toml`` kernel specs and their
    ``<name>.zkey`` proving keys that ``GET /v1/kernels/{id}/spec|zkey`` serves.
    ``max_body`` bytes of a request body (blobs: the store's largest blob).
    ``account_rate``/``client_rate``: submissions per second allowed per signing account
    and per client address (token buckets holding ``*_burst``; None turns a limit off).
    ``max_nonce_ahead``: how far past an account's next nonce a submission may look
    (nonces beyond wait in the pool and fill it). ``verifier``: the block builder's
    batch verifier (``zkcx.cluster.Cluster(...).verifier()``; None: in process).
    ``aggregation_srs``: on a chain that keeps an aggregation key
    (``zkcx chain aggregation``), the prover's ``groth16.AggregationSRS`` of that key, of
    size >= ``block_size``: each sealed block carries the aggregates of its claims."""

    chain: str
    host: str = "127.0.0.1"
    port: int = 8545
    block_interval: float = 2.0
    block_size: int = 256
    kernels_dir: str | None = None
    max_body: int = DEFAULT_MAX_BODY
    account_rate: float | None = 20.0
    account_burst: int = 40
    client_rate: float | None = 500.0
    client_burst: int = 1000
    seal_empty: bool = True
    max_nonce_ahead: int = 1024
    verifier: Callable | None = None
    aggregation_srs: Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.chain, str) or not self.chain:
            raise InvalidArgumentError("an operator needs its chain: a file path or a "
                                       "postgresql:// URL")
        if not (isinstance(self.block_interval, (int, float))
                and math.isfinite(self.block_interval) and self.block_interval > 0):
            raise InvalidArgumentError(f"block_interval must be a positive number of "
                                       f"seconds, got {self.block_interval!r}")
        for name in ("block_size", "max_body", "account_burst", "client_burst",
                     "max_nonce_ahead", "port"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1 \
                    or (name == "port" and value > 65535):
                raise InvalidArgumentError(f"{name} must be a positive integer"
                                           f"{' up to 65535' if name == 'port' else ''}, "
                                           f"got {value!r}")
        for name in ("account_rate", "client_rate"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, (int, float))
                                          and math.isfinite(value) and value > 0):
                raise InvalidArgumentError(f"{name} must be a positive number per second "
                                           f"or None (no limit), got {value!r}")
        if self.verifier is not None and not callable(self.verifier):
            raise InvalidArgumentError("verifier must be callable (a cluster's verifier())")
        if self.aggregation_srs is not None:
            from zkcx.groth16 import AggregationSRS

            if not isinstance(self.aggregation_srs, AggregationSRS):
                raise InvalidArgumentError("aggregation_srs must be a groth16.AggregationSRS")
            if self.aggregation_srs.size < self.block_size:
                raise InvalidArgumentError(
                    f"block_size {self.block_size} exceeds the aggregation SRS's "
                    f"{self.aggregation_srs.size} proofs: a block could not aggregate its "
                    "claims (a smaller block size, or a chain key of a larger size)")
