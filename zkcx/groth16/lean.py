# SPDX-License-Identifier: MIT
"""The numpy-free prover: one proof from a ``.zkey`` and a ``.wtns`` with only the
standard library, cffi and the native core loaded (what ``zkcx prove KEY WTNS`` runs, so
that its start-up and resident floor are the interpreter's and the library's, not
numpy's). It is not a second prover: the key is parsed and validated by
``zkey_layout`` (as ``read_zkey``), the witness by ``zkcx.io.wtns`` (as ``read_wtns``),
the proof is ``NativeProver``'s one native call (as ``prove``'s), checked under the key's
own verifying key before it is returned, and written by ``zkcx.io.jsontext`` (as
``write_proof``/``write_public``); only the containers differ (native buffers instead of
numpy arrays).

The key file is mapped, its sections used in place: A, B1 and B2's non-identity points
are gathered once (circom's vectors are mostly identities), each other section's pages
leave resident memory after its MSM. A key file changed on disk after loading is
refused before proving (``KeyFileChangedError``), and the proof's check catches the rest;
a file truncated while mapped stops the process with a message (SIGBUS guard)."""

import os
from typing import Any, NamedTuple

from zkcx._bindings import FQ_BINDING, FR_BINDING, ffi, new_words, words_bytes
from zkcx.errors import WitnessError
from zkcx.groth16.native_prover import NativeProver, blinding_pair, proof_failure
from zkcx.groth16.zkey_layout import ZkeyLayout, parse_zkey
from zkcx.io import binfile, jsontext
from zkcx.io.wtns import parse_wtns, wtns_to_montgomery


class LeanKey:
    """A proving key read for the numpy-free prover: its validated layout (sections as
    views of the mapped file) and the native prover's tables over them."""

    def __init__(self, layout: ZkeyLayout) -> None:
        self.layout = layout
        (a_row, a_col, a_coef, _), (b_row, b_col, b_coef, _) = layout.matrices()
        layout.release(layout.coef_records)  # not read again: the CSR is built
        self.prover = NativeProver(
            n_wires=layout.n_wires, n_public=layout.n_public,
            domain_size=layout.domain_size, points=layout.header_points,
            matrices=(a_row, a_col, a_coef, b_row, b_col, b_coef),
            a=layout.a, b1=layout.b1, b2=layout.b2, c=layout.c, h=layout.h, ic=layout.ic,
            mapping=None if layout.mapped is None else layout.mapped.buffer)
        for section in (layout.a, layout.b1, layout.b2):  # scanned for identities above
            layout.release(section)

    @property
    def n_wires(self) -> int:
        return self.layout.n_wires

    @property
    def n_public(self) -> int:
        return self.layout.n_public


def read_key(source: binfile.Source, name: str = ".zkey") -> LeanKey:
    """Read (a path: map) and validate a Groth16 zkey as ``read_zkey`` does, with its
    errors (``FileFormatError``, ``InvalidKeyError``), for ``prove_lean``."""
    return LeanKey(parse_zkey(source, name))


class LeanWitness(NamedTuple):
    """A witness's n values in Montgomery form, in a native buffer."""

    n: int
    values: Any


def read_witness(source: binfile.Source, name: str = ".wtns") -> LeanWitness:
    """Read a .wtns as ``read_wtns`` does (a path mapped, the values checked below r and
    converted in one native pass), into a native buffer; ``FileFormatError`` for any
    malformed file."""
    data, _mapped = binfile.map_source(source)
    n, values = parse_wtns(data, name)
    out = ffi.new("uint64_t[]", 4 * max(n, 1))
    wtns_to_montgomery(out, values, n, name)
    return LeanWitness(n, out)


class LeanProof(NamedTuple):
    """A proof's points as Montgomery limbs (pi_a, pi_b, pi_c) and its public signals."""

    points: tuple[bytes, bytes, bytes]
    public: list[int]

    def coordinates(self) -> tuple[Any, Any, Any]:
        """The points' canonical affine coordinates (None for the identity), as
        ``G1.to_affine``/``G2.to_affine`` give them."""
        a, b, c = self.points
        words = new_words(32)
        ffi.memmove(words, a + b + c, 256)
        FQ_BINDING.vec_to_canonical(words, words, 8)
        raw = words_bytes(words)
        x = [int.from_bytes(raw[32 * k : 32 * k + 32], "little") for k in range(8)]
        pi_a = None if a == bytes(64) else (x[0], x[1])
        pi_b = None if b == bytes(128) else ((x[2], x[3]), (x[4], x[5]))
        pi_c = None if c == bytes(64) else (x[6], x[7])
        return pi_a, pi_b, pi_c

    def write(self, proof_target: str | os.PathLike, public_target: str | os.PathLike) -> None:
        """Write proof.json and public.json byte for byte as ``write_proof`` and
        ``write_public`` do."""
        jsontext.dump(jsontext.proof_json(*self.coordinates()), proof_target)
        jsontext.dump(jsontext.public_json(self.public), public_target)


_ONE = (1).to_bytes(32, "little")


def prove_lean(key: LeanKey, witness: LeanWitness, *,
               blinding: tuple[int, int] | None = None) -> LeanProof:
    """Prove as ``zkcx.groth16.prove(pk, witness)`` does (without an R1CS), with its checks
    and errors: a witness of the wrong size or with w_0 != 1 (``WitnessError``), a key
    file changed since it was read (``KeyFileChangedError``), a proof failing under the
    key's own verifying key (``InconsistentKeyError`` naming a bad B2 point, else
    ``UnsatisfiedWitnessError``). ``blinding`` fixes (r, s), for tests only."""
    n_wires = key.n_wires
    if witness.n != n_wires:
        raise WitnessError(f"witness has {witness.n} values, the proving key {n_wires} wires")
    w = witness.values
    first = new_words(4)
    FR_BINDING.vec_to_canonical(first, w, 1)
    if words_bytes(first) != _ONE:
        raise WitnessError("witness[0] must be 1 (the constant wire)")
    key.layout.check_unchanged()
    prover = key.prover
    r, s = blinding_pair(blinding)
    points = prover.prove(w, r, s)
    if not prover.holds(points):
        raise proof_failure(prover.first_b2_outside_subgroup(), False)
    npub = key.n_public
    public: list[int] = []
    if npub:
        values = ffi.new("uint64_t[]", 4 * npub)
        FR_BINDING.vec_to_canonical(values, ffi.cast("uint64_t *", w) + 4, npub)
        raw = bytes(ffi.buffer(values))
        public = [int.from_bytes(raw[32 * k : 32 * k + 32], "little") for k in range(npub)]
    return LeanProof(points[:3], public)
