# SPDX-License-Identifier: MIT
"""Phase 1, the powers-of-tau ceremony, as snarkjs 0.7 runs it (``powersoftau new``,
``contribute``, ``beacon``): the files are interchangeable both ways.

A contribution draws three secrets tau, alpha, beta and multiplies the file's powers:
tau^j·G1 by tau^j, tau^j·G2 by tau^j, alpha·tau^j·G1 by alpha·tau^j, beta·tau^j·G1 by
beta·tau^j, beta·G2 by beta (each section is one native ``mul_each``). It publishes, for
each secret x, a public key (g1_s, g1_sx = [x] g1_s, g2_spx = [x] g2_sp) where g2_sp is
hashed from the challenge it answers and g1_s, g1_sx: a proof of knowledge of x bound
to the transcript. It then records the partial hash of its response and the next
challenge (``zkcx.ceremony.transcript``). A contribution's secrets come from the OS
(and optional extra entropy); a beacon's from iterated SHA-256 of a public value, so
anyone can recompute them. Secrets are never stored.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from zkcx.ceremony.ptau import (
    KIND_BEACON,
    KIND_CONTRIBUTION,
    MAX_POWER,
    Ptau,
    PtauContribution,
    PtauKey,
)
from zkcx.ceremony.snarkjs_rng import ChaChaStream, beacon_stream, entropy_stream, hash_to_g2
from zkcx.ceremony.transcript import (
    Blake2b,
    blake2b,
    first_challenge,
    hash_response_points,
    next_challenge,
    public_key_bytes,
)
from zkcx.curve import G1, G2, G1Vec, G2Vec, PointVector, mul_each
from zkcx.curve.encoding import g1_to_evm
from zkcx.errors import ArgumentTypeError, ContributionError, InvalidArgumentError
from zkcx.field import Fr, FrVec

Progress = Callable[[int, int, str], None]

#: snarkjs keeps at most 64 characters of a contribution's name
MAX_NAME_CHARS = 64
#: snarkjs's beacon accepts 2^10 .. 2^63 SHA-256 iterations
BEACON_ITERATIONS_EXP = range(10, 64)
#: points multiplied per native call (for progress reports; the cost is the same)
_MUL_CHUNK = 1 << 16


def proof_point(personalization: int, challenge: bytes, g1_s: G1, g1_sx: G1) -> G2:
    """The G2 point g2_sp of a proof of knowledge (snarkjs's getG2sp): hash_to_g2 of
    BLAKE2b(personalization byte ‖ challenge ‖ g1_s ‖ g1_sx uncompressed), with
    personalization 0, 1, 2 for tau, alpha, beta."""
    data = bytes([personalization]) + challenge + g1_to_evm(g1_s) + g1_to_evm(g1_sx)
    return hash_to_g2(blake2b(data))


def create_keys(challenge: bytes, rng: ChaChaStream) -> tuple[tuple[Fr, Fr, Fr],
                                                            tuple[PtauKey, PtauKey, PtauKey]]:
    """The secrets (tau, alpha, beta) and their public keys drawn from ``rng`` for a
    contribution answering ``challenge`` (snarkjs's createPTauKey: the three secrets
    first, then each key's g1_s)."""
    xs = (rng.fr(), rng.fr(), rng.fr())
    keys = []
    for personalization, x in enumerate(xs):
        g1_s = rng.g1()
        g1_sx = g1_s * x
        g2_sp = proof_point(personalization, challenge, g1_s, g1_sx)
        keys.append(PtauKey(g1_s, g1_sx, g2_sp * x))
    return xs, (keys[0], keys[1], keys[2])


def new_ptau(power: int) -> Ptau:
    """A new ceremony of this power (1..28): every point the generator, no
    contribution; byte-identical to ``snarkjs powersoftau new bn128 POWER``."""
    if not isinstance(power, int) or isinstance(power, bool) or not 1 <= power <= MAX_POWER:
        raise InvalidArgumentError(f"the power of a ptau is an integer in 1..{MAX_POWER}, "
                                   f"got {power!r}")
    n = 1 << power

    def g1s(count: int) -> G1Vec:
        return G1Vec.from_points([G1.generator()])[np.zeros(count, dtype=np.intp)]

    return Ptau(power=power, ceremony_power=power, tau_g1=g1s(2 * n - 1),
                tau_g2=G2Vec.from_points([G2.generator()])[np.zeros(n, dtype=np.intp)],
                alpha_tau_g1=g1s(n), beta_tau_g1=g1s(n), beta_g2=G2.generator())


def last_challenge(ptau: Ptau, progress: Progress | None = None) -> bytes:
    """The challenge the next contribution answers: the last contribution's next
    challenge, or the ceremony's first challenge when there is none."""
    if ptau.contributions:
        return ptau.contributions[-1].next_challenge
    return first_challenge(ptau.ceremony_power, progress)


def contribute_ptau(ptau: Ptau, name: str, entropy: bytes | None = None,
                    progress: Progress | None = None) -> Ptau:
    """A new ptau with one more contribution, its secrets drawn from the OS
    (``secrets``) and, if given, extra ``entropy`` (hashed together: snarkjs's
    getRandomRng); the secrets are forgotten on return. ``name`` is kept (its first 64
    characters) in the transcript. The result is not prepared: run ``prepare_ptau`` on
    the ceremony's final file. ``progress(done, total, step)`` reports the long steps."""
    _check_name(name)
    if entropy is not None and not isinstance(entropy, (bytes, bytearray)):
        raise ArgumentTypeError(f"entropy is bytes, got {type(entropy).__name__}")
    return _contribute(ptau, entropy_stream(bytes(entropy or b"")), KIND_CONTRIBUTION, name,
                       None, None, progress)


def beacon_ptau(ptau: Ptau, beacon_hash: bytes, iterations_exp: int, name: str,
                progress: Progress | None = None) -> Ptau:
    """A new ptau with a beacon contribution: secrets derived from ``beacon_hash`` (1 to
    255 bytes of a public random value, e.g. a future block hash) through 2^iterations_exp
    SHA-256 iterations (10..63), so anyone can check them. Byte-identical to ``snarkjs
    powersoftau beacon`` with the same arguments."""
    _check_name(name)
    if not isinstance(beacon_hash, (bytes, bytearray)) or not 1 <= len(beacon_hash) <= 255:
        raise InvalidArgumentError("the beacon hash is 1 to 255 bytes")
    if (not isinstance(iterations_exp, int) or isinstance(iterations_exp, bool)
            or iterations_exp not in BEACON_ITERATIONS_EXP):
        raise InvalidArgumentError(f"iterations_exp is an integer in 10..63 (2^10 to 2^63 "
                                   f"SHA-256 iterations), got {iterations_exp!r}")
    rng = beacon_stream(bytes(beacon_hash), iterations_exp)
    return _contribute(ptau, rng, KIND_BEACON, name, iterations_exp, bytes(beacon_hash),
                       progress)


def _check_name(name: object) -> None:
    if not isinstance(name, str):
        raise ArgumentTypeError(f"a contribution's name is a str, got {type(name).__name__}")


def _scaled(points: PointVector, scalars: FrVec, what: str, done: list[int], total: int,
            progress: Progress | None) -> PointVector:
    """[scalars_i] points_i, in chunks so that progress can be reported."""
    parts = []
    for start in range(0, len(points), _MUL_CHUNK):
        stop = min(start + _MUL_CHUNK, len(points))
        parts.append(mul_each(points[start:stop], scalars[start:stop]))
        done[0] += stop - start
        if progress:
            progress(done[0], total, what)
    return type(points).concatenate(parts)


def _contribute(ptau: Ptau, rng: ChaChaStream, kind: int, name: str,
                iterations_exp: int | None, beacon_hash: bytes | None,
                progress: Progress | None) -> Ptau:
    if not isinstance(ptau, Ptau):
        raise ArgumentTypeError(f"expected a Ptau, got {type(ptau).__name__}")
    if ptau.power != ptau.ceremony_power:
        raise ContributionError(f"this ptau was truncated from power {ptau.ceremony_power} "
                                f"to {ptau.power}: contribute to the ceremony's full file")
    n = ptau.size
    challenge = last_challenge(ptau)
    (tau, alpha, beta), keys = create_keys(challenge, rng)
    powers = FrVec.powers(tau, 2 * n - 1)
    first = powers[:n]
    total, done = 5 * n - 1, [0]
    tau_g1 = _scaled(ptau.tau_g1, powers, "tau·G1", done, total, progress)
    tau_g2 = _scaled(ptau.tau_g2, first, "tau·G2", done, total, progress)
    alpha_g1 = _scaled(ptau.alpha_tau_g1, first * alpha, "alpha·tau·G1", done, total,
                       progress)
    beta_g1 = _scaled(ptau.beta_tau_g1, first * beta, "beta·tau·G1", done, total, progress)
    beta_g2 = ptau.beta_g2 * beta
    sections = [tau_g1, tau_g2, alpha_g1, beta_g1, G2Vec.from_points([beta_g2])]
    response = Blake2b(challenge)
    hash_response_points(response, sections)
    partial = response.state()
    response_digest = response.update(public_key_bytes(keys)).digest()
    record = PtauContribution(
        tau_g1=tau_g1[1], tau_g2=tau_g2[1], alpha_g1=alpha_g1[0], beta_g1=beta_g1[0],
        beta_g2=beta_g2, tau_key=keys[0], alpha_key=keys[1], beta_key=keys[2],
        partial_hash=partial,
        next_challenge=next_challenge(response_digest, sections, progress),
        kind=kind, name=name[:MAX_NAME_CHARS] or None, iterations_exp=iterations_exp,
        beacon_hash=beacon_hash)
    return Ptau(power=ptau.power, ceremony_power=ptau.power, tau_g1=tau_g1, tau_g2=tau_g2,
                alpha_tau_g1=alpha_g1, beta_tau_g1=beta_g1, beta_g2=beta_g2,
                contributions=(*ptau.contributions, record))
