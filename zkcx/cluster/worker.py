# SPDX-License-Identifier: MIT
"""What runs on a Dask worker: the proving of one job and the batch verification of one
chunk of claims, with the worker's caches.

A worker process keeps, for its whole life:

- each proving key it was given, keyed by the SHA-256 of the key file's bytes (the bytes
  are the ones the client scattered to every worker once: ``read_zkey`` makes views of
  them, nothing is copied) or by its path on a shared filesystem (mapped from the file;
  read again if another file is put at the path or the file changes);
- each kernel, keyed by the SHA-256 of its catalogue TOML text, with its circuit built
  once;
- each verifying key scattered to it (Dask keeps the object, and with it the caches the
  verifier fills on first use: the prepared G2 lines and e(alpha, beta)).

A task then carries only what is its own: the job's inputs, or a chunk's proofs and
public inputs. ``stats()`` counts the loads, so a test (or an operator) can check that a
key is loaded once per worker however many jobs use it.
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from zkcx import groth16
from zkcx.cluster.jobs import ProofResult, failed
from zkcx.errors import InvalidArgumentError, KeyFileChangedError
from zkcx.groth16 import Proof, ProvingKey, VerifyingKey
from zkcx.kernels import Kernel, load

_lock = threading.Lock()
_keys: dict[str, ProvingKey] = {}
_stamps: dict[str, tuple[int, int, int, int] | None] = {}  # a key file's, when read
_kernels: dict[str, Kernel] = {}
_counts = {"keys_loaded": 0, "circuits_built": 0, "proofs": 0, "chunks_verified": 0}


def load_spec(spec: str) -> Kernel:
    """The kernel of a catalogue TOML text (``zkcx.kernels.load`` of its bytes), circuit
    not built."""
    return load(io.BytesIO(spec.encode()))


def _file_stamp(path: str) -> tuple[int, int, int, int]:
    """(device, inode, size, modification time) of the file at ``path`` now."""
    st = os.stat(path)
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def proving_key(key_id: str, source: bytes | str) -> ProvingKey:
    """The worker's proving key ``key_id`` (a digest of ``source``'s bytes, or
    ``"path:" + source``), read from ``source`` on first use only. A key file replaced
    at its path (renamed over, or rewritten) since it was read is read again."""
    with _lock:
        stamp = _file_stamp(source) if isinstance(source, str) else None
        pk = _keys.get(key_id)
        if pk is not None and _stamps.get(key_id) == stamp:
            try:
                pk.check_unchanged()
                return pk
            except KeyFileChangedError:
                pass  # rewritten in place: read it again
        name = source if isinstance(source, str) else "the proving key"
        pk = groth16.read_zkey(source, name)
        _keys[key_id], _stamps[key_id] = pk, stamp
        _counts["keys_loaded"] += 1
        return pk


def kernel(spec_id: str, spec: str) -> Kernel:
    """The worker's kernel of catalogue text ``spec`` (digest ``spec_id``), its circuit
    built on first use only."""
    with _lock:
        k = _kernels.get(spec_id)
        if k is None:
            k = load_spec(spec)
            k.circuit()
            _kernels[spec_id] = k
            _counts["circuits_built"] += 1
        return k


def prove_job(job_id: str, key_id: str, key_source: bytes | str, spec_id: str, spec: str,
              inputs: Mapping[str, Any], claim_binding: int | None) -> ProofResult:
    """One job: the witness from the inputs (and the claim binding), then the proof,
    which ``groth16.prove`` verifies before returning. Never raises: a problem is the
    result's ``error``."""
    start = time.perf_counter()
    try:
        k = kernel(spec_id, spec)
        pk = proving_key(key_id, key_source)
        r1cs = k.circuit()
        if (pk.n_wires, pk.n_public) != (r1cs.n_wires, r1cs.n_public):
            raise InvalidArgumentError(
                f"the proving key ({pk.n_wires} wires, {pk.n_public} public) is not the key "
                f"of kernel {k.spec.name!r} ({r1cs.n_wires} wires, {r1cs.n_public} public)")
        tensors = dict(inputs)
        if claim_binding is not None:
            tensors["claim_binding"] = claim_binding
        witness = k.witness(**tensors)
        proof, public = groth16.prove(pk, witness, r1cs)
        outputs = {t.name: k.read(witness, t.name) for t in k.spec.outputs}
    except Exception as exc:  # one job's problem is its result, never the batch's
        return failed(job_id, f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
    with _lock:
        _counts["proofs"] += 1
    return ProofResult(job_id, proof, tuple(int(v) for v in public),
                       time.perf_counter() - start, None, outputs)


def verify_chunk(vk: VerifyingKey, seed: bytes,
                 items: Sequence[tuple[Sequence[int], Proof]]) -> tuple[int, ...]:
    """The positions in ``items`` of the proofs that fail, by one batch verification
    (``groth16.batch_verify`` with ``seed``; bisection when the batch fails)."""
    result = groth16.batch_verify([(vk, public, proof) for public, proof in items], seed=seed)
    with _lock:
        _counts["chunks_verified"] += 1
    return result.failed


def stats() -> dict[str, int]:
    """This worker's counters: keys loaded, circuits built, proofs made, chunks verified,
    and the keys and kernels it holds."""
    with _lock:
        return {**_counts, "keys_held": len(_keys), "kernels_held": len(_kernels)}
