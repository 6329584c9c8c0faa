# SPDX-License-Identifier: MIT
"""SnarkPack (docs/aggregation.md): aggregation of n Groth16 proofs of one verifying key
into one proof of O(log n) size, verified with a constant number of pairings and O(log n)
GT work
(Gailly, Maller, Nitulescu, "SnarkPack: Practical SNARK Aggregation", FC 2022, eprint
2021/529; the scheme Filecoin runs).

With a challenge r bound to the key, every public input, the commitments to the proofs
and a caller's ``label`` (a block hash: an aggregate does not verify under another
label), the n Groth16 equations e(A_i, B_i) = e(alpha, beta) e(vk_x_i, gamma)
e(C_i, delta) are combined into one:

    Z_AB = prod e(A_i, B_i)^(r^i) = e(alpha, beta)^(sum r^i) · e(sum r^i vk_x_i, gamma)
           · e(Z_C, delta),    Z_C = sum r^i C_i

and two inner-product arguments prove Z_AB and Z_C against pairing commitments to
(A, B) and C under keys v (in G2) and w (in G1) made of the powers of two secrets
(``AggregationSRS``): TIPP for Z_AB = prod e(A'_i, B_i) with A'_i = r^i A_i, MIPP for
Z_C = sum C'_i with C'_i = r^i C_i (both committed under v'_i = r^-i v_i, so the
commitments of A', C' equal those of A, C). Each of the log2(n) GIPA rounds halves the
vectors: with a challenge x, A' <- A'_L + x A'_R, C' <- C'_L + x C'_R,
B <- B_L + x^-1 B_R, v' <- v'_L + x^-1 v'_R, w <- w_L + x w_R, and the prover sends
the cross terms (Z_L, Z_R, T_L, T_R, U_L, U_R, C_L, C_R). The final keys are KZG-opened
at a last challenge z: v'_final = h^(f_v(a)), f_v(X) = prod_j (1 + x_j^-1 (X/r)^(2^(m-1-j))),
and w_final = g^(a^n f_w(a)), f_w(X) = prod_j (1 + x_j X^(2^(m-1-j))).

The verifier checks all its GT equations at once: one multi-exponentiation in GT
against one product of 12 pairings, under weights drawn from the transcript; the
public inputs enter through one MSM over the key's IC points (``public_input_point``).

n not a power of two: the proofs (and their public inputs) are padded to the next power
of two (at least 2) by repeating the last one; ``verify_aggregate`` pads the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zkcx import _bindings as native
from zkcx._bindings import new_words, ptr, words_bytes, words_from_bytes
from zkcx.curve import (
    G1,
    G2,
    G1Vec,
    G2Vec,
    PointVector,
    msm,
    mul_all,
    mul_each,
    multi_pairing,
    sparse_sums,
)
from zkcx.errors import (
    AggregationError,
    AggregationSRSError,
    ArgumentTypeError,
    PublicInputCountError,
)
from zkcx.field import FqVec, Fr, FrVec
from zkcx.groth16._aggregate_proof import AggregateProof, padded_size
from zkcx.groth16._aggregate_srs import AggregationSRS, AggregationVerifierKey
from zkcx.groth16._aggregate_transcript import Transcript
from zkcx.groth16.keys import Proof, VerifyingKey
from zkcx.groth16.verify import _check_types, _ic_points
from zkcx.params import FR_MODULUS

_GT = native.GT_WORDS
#: per round, the (L, R) positions among Z_L, Z_R, T_L1, T_L2, T_R1, T_R2, U_L1, U_L2,
#: U_R1, U_R2 of the five folded targets Z_AB, T_1, T_2, U_1, U_2
_ROUND_PAIRS = ((0, 1), (2, 4), (3, 5), (6, 8), (7, 9))
#: a round's pairing products as (G1 vector, G2 vector) of the prover's stacks: Z_L, Z_R,
#: T_L1 (two parts), T_L2 (two), T_R1 (two), T_R2 (two), U_L1, U_L2, U_R1, U_R2
_ROUND_PRODUCTS = [(0, 0), (1, 1), (2, 2), (6, 0), (2, 4), (8, 0), (3, 3), (7, 1), (3, 5),
                   (9, 1), (4, 2), (4, 4), (5, 3), (5, 5)]


# ----------------------------------------------------------------------- helpers


def _pp(g1: np.ndarray, g2: np.ndarray) -> np.ndarray:
    """prod_i e(g1_i, g2_i) for (k, 8) and (k, 16) Montgomery limbs, as 48 words (one
    native multi-pairing: Miller loops over the threads, one final exponentiation)."""
    g1 = np.ascontiguousarray(g1)
    g2 = np.ascontiguousarray(g2)
    out = new_words(_GT)
    native.multi_pairing(out, ptr(g1), ptr(g2), g1.shape[0])
    return np.frombuffer(words_bytes(out), dtype=np.uint64).copy()


def _gt_combine(products: list[np.ndarray], exponent: Fr) -> np.ndarray:
    """products[0]^exponent · products[1] ... (one native multi-exponentiation)."""
    scalars = FrVec.from_elements([exponent] + [Fr(1)] * (len(products) - 1))
    out = native.gt_multi_pow(np.stack(products), scalars.to_canonical_limbs())
    return np.frombuffer(words_bytes(out), dtype=np.uint64).copy()


def _rows(points: Sequence[G1 | G2], words: int) -> np.ndarray:
    data = b"".join(p.montgomery_limbs() for p in points)
    return np.frombuffer(data, dtype=np.uint64).reshape(-1, words).copy()


def _fold(vec: PointVector, x: Fr) -> PointVector:
    """vec_L + [x] vec_R (halves), in C: one ``mul_all`` (one scalar for every point:
    several times faster than a scalar multiplication per point) and a sparse sum with
    unit coefficients (additions only)."""
    k = len(vec) // 2
    both = type(vec).concatenate([vec[:k], mul_all(vec[k:], x)])
    start = np.arange(0, 2 * k + 1, 2, dtype=np.int64)
    index = np.empty(2 * k, dtype=np.int64)
    index[0::2] = np.arange(k)
    index[1::2] = np.arange(k, 2 * k)
    return sparse_sums(both, start, index, FrVec.ones(2 * k))


def _g1vec(limbs: np.ndarray) -> G1Vec:
    return G1Vec.from_montgomery(np.ascontiguousarray(limbs))


def _g2vec(limbs: np.ndarray) -> G2Vec:
    return G2Vec.from_montgomery(np.ascontiguousarray(limbs), check_subgroup=False)


def _label_bytes(label: object) -> bytes:
    if isinstance(label, str):
        return label.encode()
    if isinstance(label, (bytes, bytearray)):
        return bytes(label)
    raise ArgumentTypeError(f"the transcript label is bytes or str (a block hash, say), got "
                            f"{type(label).__name__}")


def _public_matrix(vk: VerifyingKey, public_inputs: Sequence[Sequence[int]], n: int
                   ) -> FrVec | None:
    """The padded public inputs, row-major (n x n_public) as an FrVec; None when a value
    is not in [0, r) (such a statement is never accepted)."""
    values: list[int] = []
    for k, public in enumerate(public_inputs):
        if len(public) != vk.n_public:
            raise PublicInputCountError(f"statement {k} has {len(public)} public inputs, the "
                                        f"verifying key expects {vk.n_public}")
        values.extend(public)
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < FR_MODULUS
               for v in values):
        return None
    last = list(public_inputs[-1])
    values.extend(last * (n - len(public_inputs)))
    return FrVec.from_ints(values)


def _start_transcript(label: bytes, srs_vk: AggregationVerifierKey, vk: VerifyingKey,
                      count: int, publics: FrVec) -> Transcript:
    t = Transcript(label)
    t.absorb(b"srs", srs_vk.digest())
    t.absorb(b"vk", vk.digest().encode())
    t.absorb(b"count", count.to_bytes(8, "big"))
    t.absorb(b"public", publics.limbs.tobytes())     # Montgomery form: unique, no copy
    return t


def _key_coefficients(challenges: Sequence[Fr], scale: Fr | None) -> FrVec:
    """Coefficients of prod_j (1 + c_j X^(2^(m-1-j))) (round j halves on bit m-1-j),
    times scale^i at X^i when ``scale`` is given: 2^m values, built in m native steps."""
    coefs = FrVec.ones(1)
    for c in reversed(challenges):            # bit 0 (the last round) first
        coefs = FrVec.concatenate([coefs, coefs * c])
    if scale is not None:
        coefs = coefs * FrVec.powers(scale, len(coefs))
    return coefs


def _key_polynomial_at(challenges: Sequence[Fr], point: Fr) -> Fr:
    """prod_j (1 + c_j point^(2^(m-1-j))) in O(m)."""
    value, power = Fr(1), point
    for c in reversed(challenges):
        value = value * (Fr(1) + c * power)
        power = power * power
    return value


def _kzg_open(coefs: FrVec, z: Fr, bases_a: PointVector, bases_b: PointVector):
    """[q(a)], [q(b)] for q = (f(X) - f(z))/(X - z), f given by ``coefs``."""
    q, _value = native.fr_poly_divide_linear(coefs.limbs, words_from_bytes(
        z.montgomery_bytes(), 4))
    quotient = FrVec.from_montgomery(np.ascontiguousarray(q))
    k = len(quotient)
    return msm(bases_a[:k], quotient), msm(bases_b[:k], quotient)


# ---------------------------------------------------------------------- aggregate


def aggregate(srs: AggregationSRS, vk: VerifyingKey, proofs: Sequence[Proof],
              public_inputs: Sequence[Sequence[int]], label: bytes | str) -> AggregateProof:
    """Aggregate Groth16 ``proofs`` of ``vk`` (with their ``public_inputs``, one sequence
    per proof) into one ``AggregateProof`` bound to ``label`` (e.g. the hash of the block
    that carries it). The proofs are not checked: an invalid one makes the aggregate fail
    verification. A count that is not a power of two is padded (module docstring)."""
    if not isinstance(srs, AggregationSRS):
        raise ArgumentTypeError(f"aggregate needs an AggregationSRS, got {type(srs).__name__}")
    proofs = list(proofs)
    public_inputs = [list(p) for p in public_inputs]
    if not proofs:
        raise AggregationError("aggregate needs at least one proof")
    if len(public_inputs) != len(proofs):
        raise AggregationError(f"{len(proofs)} proofs but {len(public_inputs)} public-input "
                               "vectors: give one per proof")
    for proof in proofs:
        _check_types(vk, proof)
    count, n = len(proofs), padded_size(len(proofs))
    if n > srs.size:
        raise AggregationSRSError(f"the SRS serves at most {srs.size} proofs, {count} given "
                                  f"(padded to {n}): make one of size >= {n}")
    publics = _public_matrix(vk, public_inputs, n)
    if publics is None:
        raise AggregationError("a public input is not in [0, r): no valid proof has it")
    proofs += [proofs[-1]] * (n - count)
    label = _label_bytes(label)
    srs_vk = srs.verifier_key()

    a = _rows([p.a for p in proofs], 8)
    b = _rows([p.b for p in proofs], 16)
    c = _rows([p.c for p in proofs], 8)
    v1, v2 = srs.h_a_powers.limbs[:n], srs.h_b_powers.limbs[:n]
    w1, w2 = srs.g_a_powers.limbs[n:2 * n], srs.g_b_powers.limbs[n:2 * n]

    # commitments: T = (prod e(A_i, v_i) e(w_i, B_i)) per key half, U = prod e(C_i, v_i)
    p = native.pairing_vector_products(np.stack([a, w1, w2, c]), np.stack([v1, v2, b]),
                                       [(0, 0), (1, 2), (0, 1), (2, 2), (3, 0), (3, 1)])
    one = Fr(1)
    fixed = [_gt_combine([p[0], p[1]], one), _gt_combine([p[2], p[3]], one), p[4], p[5]]
    t = _start_transcript(label, srs_vk, vk, count, publics)
    t.absorb(b"commitments", np.stack(fixed).tobytes())
    r = t.challenge(b"r")
    r_powers = FrVec.powers(r, n)

    # A'_i = r^i A_i is needed for Z_AB's pairings with B. The rest is kept unscaled:
    # while A', C' fold with x and v' with 1/x, the vectors stay A'_i = r^i Ã_i,
    # C'_i = r^i C̃_i, v'_i = r^-i ṽ_i (i in the current, halved vector) with Ã, C̃
    # folded by x r^k and ṽ by 1/(x r^k), k the half length. So e(A'_R,i, v'_L,i) =
    # e(Ã_R,i, ṽ_L,i)^(r^k): the r-powers go to GT exponents (and MSM scalars), and
    # no G2 point is ever multiplied by r^-i.
    a_r = mul_each(_g1vec(a), r_powers)
    a_t, c_t = _g1vec(a), _g1vec(c)
    bv, v1t, v2t = _g2vec(b), _g2vec(v1), _g2vec(v2)
    w1v, w2v = _g1vec(w1), _g1vec(w2)
    z_ab = _pp(a_r.limbs, b)
    z_c = msm(c_t, r_powers)
    t.absorb(b"aggregated", z_ab.tobytes() + z_c.montgomery_limbs())

    gts = [*fixed, z_ab]
    c_lr = []
    challenges: list[Fr] = []
    s = Fr(1)                                  # the MIPP's scalars are all s
    while len(a_r) > 1:
        k = len(a_r) // 2
        rk = r ** k
        rk_inv = rk.inverse()
        # G1 vectors: A'_R, A'_L, Ã_R, Ã_L, C̃_R, C̃_L, w1_R, w1_L, w2_R, w2_L;
        # G2 vectors: B_L, B_R, ṽ1_L, ṽ1_R, ṽ2_L, ṽ2_R (each G2 point's lines made once)
        g1s = np.stack([a_r.limbs[k:], a_r.limbs[:k], a_t.limbs[k:], a_t.limbs[:k],
                        c_t.limbs[k:], c_t.limbs[:k], w1v.limbs[k:], w1v.limbs[:k],
                        w2v.limbs[k:], w2v.limbs[:k]])
        g2s = np.stack([bv.limbs[:k], bv.limbs[k:], v1t.limbs[:k], v1t.limbs[k:],
                        v2t.limbs[:k], v2t.limbs[k:]])
        p = native.pairing_vector_products(g1s, g2s, _ROUND_PRODUCTS)
        round_gt = [
            p[0], p[1],                                                         # Z_L, Z_R
            _gt_combine([p[2], p[3]], rk), _gt_combine([p[4], p[5]], rk),       # T_L
            _gt_combine([p[6], p[7]], rk_inv), _gt_combine([p[8], p[9]], rk_inv),  # T_R
            _gt_combine([p[10]], rk), _gt_combine([p[11]], rk),                 # U_L
            _gt_combine([p[12]], rk_inv), _gt_combine([p[13]], rk_inv),         # U_R
        ]
        c_round = [msm(c_t[k:], r_powers[k:2 * k]) * s,                          # C_L
                   msm(c_t[:k], r_powers[:k]) * s]                              # C_R
        t.absorb(b"round", np.stack(round_gt).tobytes()
                 + b"".join(p.montgomery_limbs() for p in c_round))
        x = t.challenge(b"x")
        x_inv = x.inverse()
        challenges.append(x)
        gts += round_gt
        c_lr.append(_rows(c_round, 8))
        a_r, w1v, w2v = (_fold(vec, x) for vec in (a_r, w1v, w2v))
        a_t, c_t = (_fold(vec, x * rk) for vec in (a_t, c_t))
        bv = _fold(bv, x_inv)
        v1t, v2t = (_fold(vec, x_inv * rk_inv) for vec in (v1t, v2t))
        s = s * (Fr(1) + x_inv)

    final_a, final_c, final_b = a_r[0], c_t[0], bv[0]     # index 0: no r-power left
    final_v, final_w = (v1t[0], v2t[0]), (w1v[0], w2v[0])
    t.absorb(b"final", b"".join(p.montgomery_limbs() for p in (
        final_a, final_b, final_c, *final_v, *final_w)))
    z = t.challenge(b"z")

    inverses = [x.inverse() for x in challenges]
    open_v = _kzg_open(_key_coefficients(inverses, r.inverse()), z, srs.h_a_powers,
                       srs.h_b_powers)
    w_coefs = FrVec.concatenate([FrVec.zeros(n), _key_coefficients(challenges, None)])
    open_w = _kzg_open(w_coefs, z, srs.g_a_powers, srs.g_b_powers)
    return AggregateProof(count, np.stack(gts), z_c,
                          np.stack(c_lr).reshape(len(challenges), 2, 8), final_a, final_b,
                          final_c, final_v, final_w, open_v, open_w)


# ------------------------------------------------------------------------- verify


def public_input_point(vk: VerifyingKey, publics: FrVec, weights: FrVec) -> G1:
    """sum_i c_i vk_x_i = (sum_i c_i) IC_0 + sum_j (sum_i c_i pub_i,j) IC_j for weights c
    (the verifier's are rho r^i): its linear work over the n public-input vectors
    (``publics`` row-major n x n_public), as one native dot product per input and one
    MSM over the IC points."""
    r_powers = weights
    n, width = len(r_powers), vk.n_public
    total = r_powers.sum()
    if width == 0:
        return vk.ic[0] * total
    columns = publics.limbs.reshape(n, width, 4)
    scalars = [total] + [FrVec.from_montgomery(np.ascontiguousarray(columns[:, j])).dot(r_powers)
                         for j in range(width)]
    points = G1Vec.concatenate([G1Vec.from_points([vk.ic[0]]), _ic_points(vk)])
    return msm(points, FrVec.from_elements(scalars))


def verify_aggregate(srs_vk: AggregationVerifierKey, vk: VerifyingKey,
                     public_inputs: Sequence[Sequence[int]], aggregate: AggregateProof,
                     label: bytes | str) -> bool:
    """True iff ``aggregate`` proves that every statement of ``public_inputs`` (one
    sequence per proof, in the aggregated order) has a valid Groth16 proof under ``vk``,
    for this ``label``. A public input outside [0, r) gives False; a count that differs
    from the aggregate's raises ``AggregationError``, an aggregate larger than the SRS
    ``AggregationSRSError``, a wrong number of inputs ``PublicInputCountError``."""
    if not isinstance(srs_vk, AggregationVerifierKey):
        raise ArgumentTypeError(f"verify_aggregate needs an AggregationVerifierKey "
                                f"(srs.verifier_key()), got {type(srs_vk).__name__}")
    if not isinstance(vk, VerifyingKey):
        raise ArgumentTypeError(f"verify_aggregate needs a VerifyingKey, got "
                                f"{type(vk).__name__}")
    if not isinstance(aggregate, AggregateProof):
        raise ArgumentTypeError(f"verify_aggregate needs an AggregateProof, got "
                                f"{type(aggregate).__name__}")
    label = _label_bytes(label)
    public_inputs = [list(p) for p in public_inputs]
    count, n, m = aggregate.count, padded_size(aggregate.count), aggregate.rounds
    if len(public_inputs) != count:
        raise AggregationError(f"the aggregate covers {count} proofs, {len(public_inputs)} "
                               "public-input vectors given")
    if n > srs_vk.size:
        raise AggregationSRSError(f"the aggregate covers {n} proofs (padded), the SRS serves "
                                  f"at most {srs_vk.size}")
    publics = _public_matrix(vk, public_inputs, n)
    if publics is None:
        return False

    t = _start_transcript(label, srs_vk, vk, count, publics)
    t.absorb(b"commitments", aggregate.gt[:4].tobytes())
    r = t.challenge(b"r")
    t.absorb(b"aggregated", aggregate.gt[4].tobytes() + aggregate.z_c.montgomery_limbs())
    challenges: list[Fr] = []
    for j in range(m):
        t.absorb(b"round", aggregate.round_gt(j).tobytes() + aggregate.c_lr[j].tobytes())
        challenges.append(t.challenge(b"x"))
    final_v, final_w = aggregate.final_v, aggregate.final_w
    t.absorb(b"final", b"".join(p.montgomery_limbs() for p in (
        aggregate.final_a, aggregate.final_b, aggregate.final_c, *final_v, *final_w)))
    z = t.challenge(b"z")
    t.absorb(b"openings", b"".join(p.montgomery_limbs() for p in (
        *aggregate.open_v, *aggregate.open_w)))
    rho = [t.challenge(b"rho") for _ in range(11)]
    inverses = [x.inverse() for x in challenges]

    # GT side: prod over the five targets of (base · prod_j L_j^x_j R_j^(1/x_j))^rho_k
    # and Z_AB^rho_0 (the Groth16 equation), as one multi-exponentiation
    bases_index = [4, 0, 1, 2, 3]     # gt[4] = Z_AB; gt[0..3] = T_1, T_2, U_1, U_2
    exps: list[Fr] = [rho[0] + rho[1], rho[2], rho[3], rho[4], rho[5]]
    for j in range(m):
        first = 5 + 10 * j
        for (left, right), weight in zip(_ROUND_PAIRS, rho[1:6]):
            bases_index += [first + left, first + right]
            exps += [weight * challenges[j], weight * inverses[j]]
    lhs = native.gt_multi_pow(np.ascontiguousarray(aggregate.gt[np.array(bases_index)]),
                              FrVec.from_elements(exps).to_canonical_limbs())

    # pairing side: 11 pairs whose G2 points are the proof's or fixed ones; the G1 side
    # of each is a combination of a few points, all made by one native mul_each
    r_powers = FrVec.powers(r, n)
    vk_x = public_input_point(vk, publics, r_powers * rho[0])  # rho_0 sum_i r^i vk_x_i
    g = G1.generator()
    a_f, c_f = aggregate.final_a, aggregate.final_c
    (w1, w2), (pw1, pw2) = aggregate.final_w, aggregate.open_w
    value_v = _key_polynomial_at(inverses, z * r.inverse())
    value_w = z ** n * _key_polynomial_at(challenges, z)
    s = Fr(1)                          # the MIPP's folded scalar, prod (1 + x_j^-1)
    for x_inv in inverses:
        s = s * (Fr(1) + x_inv)
    # the h pair: the KZG checks of w (e(pi, h^a - z h) = e(w - value g, h), the z h part
    # moved to the G1 side), the v checks' value parts, and the MIPP's G1 equation
    # Z_C + sum_j (x_j C_L,j + x_j^-1 C_R,j) = s C_final under the weight rho_10
    h_terms = [(pw1, -rho[8] * z), (pw2, -rho[9] * z), (w1, -rho[8]), (w2, -rho[9]),
               (g, (rho[8] + rho[9]) * value_w + (rho[6] + rho[7]) * value_v),
               (aggregate.z_c, rho[10]), (c_f, -rho[10] * s)]
    for j in range(m):
        h_terms += [(G1.from_montgomery_limbs(aggregate.c_lr[j, 0].tobytes()),
                     rho[10] * challenges[j]),
                    (G1.from_montgomery_limbs(aggregate.c_lr[j, 1].tobytes()),
                     rho[10] * inverses[j])]
    beta, gamma, delta = vk.prepared_g2()
    h, h_a, h_b = srs_vk.prepared_g2()
    sides = [
        ([(vk.alpha_1, rho[0] * r_powers.sum())], beta), ([(vk_x, Fr(1))], gamma),
        ([(aggregate.z_c, rho[0])], delta),
        ([(a_f, rho[1]), (w1, rho[2]), (w2, rho[3])], aggregate.final_b),
        ([(a_f, rho[2]), (c_f, rho[4]), (g, -rho[6])], aggregate.final_v[0]),
        ([(a_f, rho[3]), (c_f, rho[5]), (g, -rho[7])], aggregate.final_v[1]),
        ([(srs_vk.g_a, rho[6]), (g, -rho[6] * z)], aggregate.open_v[0]),
        ([(srs_vk.g_b, rho[7]), (g, -rho[7] * z)], aggregate.open_v[1]),
        ([(pw1, rho[8])], h_a), ([(pw2, rho[9])], h_b), (h_terms, h),
    ]
    terms = [term for combination, _ in sides for term in combination]
    scaled = mul_each(G1Vec.from_points([p for p, _ in terms]),
                      FrVec.from_elements([e for _, e in terms]))
    pairs, k = [], 0
    for combination, q in sides:
        total = scaled[k]
        for i in range(k + 1, k + len(combination)):
            total = total + scaled[i]
        k += len(combination)
        pairs.append((total, q))
    rhs = multi_pairing(pairs)
    lhs_ints = FqVec.from_montgomery(np.frombuffer(words_bytes(lhs), dtype=np.uint64)
                                     .reshape(12, 4).copy()).to_ints()
    return lhs_ints == rhs.coefficients()


