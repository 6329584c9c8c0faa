# SPDX-License-Identifier: MIT
"""Many Groth16 proofs under one proving key: ``prove_many(pk, witnesses)``.

Each proof is exactly ``prove``'s (the same per-proof steps of zkcx.groth16.prove, fresh
r and s from the OS's CSPRNG for every proof), but a batch shares what one key's proofs
share and spends the cores differently:

- the proofs run side by side, one proof per worker thread with its native loops on one
  thread (``set_local_threads(1)``; cffi releases the GIL in native code), rather than
  each proof's steps spread over the cores: the MSMs and NTTs of a small circuit do not
  keep two cores busy, whole proofs do;
- the key's tables for the native prover (``prove.native_prover``: coefficient
  matrices, A/B1/B2's non-identity points) are built once (cached on the key) for all
  proofs, before the workers start; each proof is then one native call;
- the proofs are checked by one batch verification (``batch_verify``: one multi-pairing
  for the batch) instead of one pairing check each; only when it fails are the failing
  proofs diagnosed one by one, raising the error ``prove`` would raise for that witness
  (``UnsatisfiedWitnessError``, ``InconsistentKeyError``; ``UnsatisfiedConstraintError``
  up front with ``r1cs``), its message starting with the witness's index.

Memory: each worker holds one proof's working vectors (A·w, B·w, their product and H:
four domain-sized scalar vectors) while it proves, so the peak is about one proof's per
thread; the proofs themselves are small.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from zkcx._bindings import get_threads, set_local_threads
from zkcx.errors import ArgumentTypeError, LengthMismatchError, WitnessError, ZkcxError
from zkcx.field import FrVec
from zkcx.groth16.keys import Proof, ProvingKey
from zkcx.groth16.native_prover import TABLES_AFTER
from zkcx.groth16.prove import _failure, _proof, native_proof, native_prover
from zkcx.r1cs import R1CS, Witness, witness_values

Progress = Callable[[int, int, str], None]


def _named(index: int, count: int, error: ZkcxError) -> ZkcxError:
    """``error`` with its message prefixed by the witness it is about (same class, same
    attributes; ``witness_index`` added)."""
    error.args = (f"witness {index} (of {count}): {error}",)
    error.witness_index = index  # type: ignore[attr-defined]
    return error


def _checked_values(pk: ProvingKey, witness: Witness | FrVec, r1cs: R1CS | None) -> FrVec:
    """The witness's values, checked as ``prove`` checks them."""
    w = witness_values(witness, pk.n_wires, "the proving key")
    if r1cs is not None:
        r1cs.check(w)
    return w


def _one_proof(pk: ProvingKey, w: FrVec, blinding: tuple[int, int] | None) -> Proof:
    """One proof from checked witness values (prove's native call, without its
    verification)."""
    return _proof(native_proof(pk, w, blinding))


def prove_many(pk: ProvingKey, witnesses: Sequence[Witness | FrVec],
               r1cs: R1CS | None = None, *,
               blinding: Sequence[tuple[int, int]] | None = None,
               progress: Progress | None = None) -> list[tuple[Proof, list[int]]]:
    """Prove every witness under ``pk``; returns [(proof, public signals)] in order.

    The same checks and errors as ``prove`` for each witness, the message naming the
    witness by its index (and the exception's ``witness_index``): a witness of the wrong
    size (``WitnessError``), with ``r1cs`` an unsatisfied one (``UnsatisfiedConstraintError``,
    before any proving), without it one whose proof fails (``UnsatisfiedWitnessError``),
    a corrupt key (``InconsistentKeyError``). Every proof is verified before any is
    returned, by one batch verification. The proofs run one per thread on
    ``zkcx.get_threads()`` threads. ``blinding`` fixes (r, s) per witness and is for tests
    only (as in ``prove``). ``progress(done, total, step)`` is called as proofs finish and
    once at the end with done == total. An empty list gives an empty list."""
    if not isinstance(witnesses, Sequence) or isinstance(witnesses, (str, bytes)):
        raise ArgumentTypeError(f"prove_many takes a sequence of witnesses, got "
                                f"{type(witnesses).__name__}")
    count = len(witnesses)
    if blinding is not None and len(blinding) != count:
        raise LengthMismatchError(f"{count} witnesses but {len(blinding)} blinding pairs")
    if count == 0:
        return []
    if r1cs is not None and (r1cs.n_wires != pk.n_wires or r1cs.n_public != pk.n_public):
        raise WitnessError("the R1CS does not match the proving key's sizes")
    report = progress or (lambda done, total, step: None)
    total = count + 1
    report(0, total, f"proving {count} witnesses")

    def work(index: int) -> tuple[FrVec, Proof]:
        try:
            w = _checked_values(pk, witnesses[index], r1cs)
        except ZkcxError as error:
            raise _named(index, count, error) from None
        return w, _one_proof(pk, w, None if blinding is None else blinding[index])

    workers = min(count, get_threads())
    results: list[tuple[FrVec, Proof]] = []
    prover = native_prover(pk)  # the key's tables built once here, not raced for by workers
    if prover.proofs + count >= TABLES_AFTER:  # H's tables, for this batch and later ones
        pk.check_unchanged()
        prover.use_h_tables()
    if workers <= 1:
        for index in range(count):
            results.append(work(index))
            report(index + 1, total, f"proved {index + 1} of {count}")
    else:
        from concurrent.futures import ThreadPoolExecutor  # ~5 ms: not on `zkcx prove`'s start-up

        # each pool thread runs its native loops on one core: whole proofs side by side
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="prove_many",
                                initializer=set_local_threads, initargs=(1,)) as pool:
            futures = [pool.submit(work, index) for index in range(count)]
            try:
                for index, future in enumerate(futures):
                    results.append(future.result())
                    report(index + 1, total, f"proved {index + 1} of {count}")
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    proofs = [(proof, w[1 : pk.n_public + 1].to_ints()) for w, proof in results]
    report(count, total, "verifying the proofs")
    _verify_all(pk, proofs, r1cs is not None)
    report(total, total, "done")
    return proofs


def _verify_all(pk: ProvingKey, proofs: list[tuple[Proof, list[int]]],
                checked_witnesses: bool) -> None:
    """One batch verification of every proof under the key's own verifying key; for the
    first failing one, the error ``prove`` raises (``_failure``), naming its index."""
    from zkcx.groth16.verify import batch_verify

    vk = pk.verifying_key
    result = batch_verify([(vk, public, proof) for proof, public in proofs])
    if result.ok:
        return
    first = result.failed[0]
    raise _named(first, len(proofs), _failure(pk, checked_witnesses))
