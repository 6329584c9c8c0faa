# SPDX-License-Identifier: MIT
"""A node's capacity profile measured on this machine (a benchmark chain proved and
timed), as ``zkcx node register --measure``, ``zkcx node run`` and ``zkcx demo`` take it."""

from __future__ import annotations

import hashlib
import json
import math
import time

from zkcx.cli.errors import UsageError
from zkcx.market import CapacityProfile, MarketOperationError
from zkcx.market.tasks import MAX_CIRCUIT_NAME_BYTES


def _profile(name: str, units: int, seconds: float, threads: int, record: bytes
             ) -> CapacityProfile:
    name = name.encode()[:MAX_CIRCUIT_NAME_BYTES].decode("utf-8", "ignore") or "circuit"
    try:
        return CapacityProfile(name, units, max(1, math.ceil(seconds * 1000)), threads,
                               hashlib.sha256(record).digest())
    except MarketOperationError as exc:
        raise UsageError(f"the measurement is no capacity profile: {exc}") from None


def measure_profile(log_domain: int) -> CapacityProfile:
    """Prove the benchmark chain of 2^log_domain rows here and time it (setup excluded)."""
    from zkcx import groth16
    from zkcx._bindings import get_threads
    from zkcx.cli._bench_cases import chain_case

    case = chain_case(log_domain)
    pk = groth16.setup(case.r1cs)
    start = time.perf_counter()
    groth16.prove(pk, case.witness, case.r1cs)
    seconds = time.perf_counter() - start
    record = {"case": case.name, "constraints": case.constraints, "prove_seconds": seconds,
              "threads": get_threads()}
    return _profile(case.name, case.constraints, seconds, get_threads(),
                    json.dumps(record, sort_keys=True).encode())
