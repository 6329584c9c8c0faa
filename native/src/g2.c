/* SPDX-License-Identifier: MIT */
/* G2: the group law of curve_law.h over Fq2, psi, the subgroup test and the zkcx_g2_*
 * exports (see g2.h). */
#include <stdlib.h>
#include <string.h>
#include "g1.h"
#include "g2.h"
#include "../include/zkcx.h"

/* b' = 3/(9+i) = 19485874751759354771024239261021720505790618469301721065564631296452457478373
 *              + 266929791119991161246907387137283842545076965332900288569378510910307636690 i
 * (docs/formats.md, curve), Montgomery form; test_curve.c checks b' (9+i) = 3. */
const fq2_t g2_twist_b = {
    {{0x3bf938e377b802a8ULL, 0x020b1b273633535dULL, 0x26b7edf049755260ULL, 0x2514c6324384a86dULL}},
    {{0x38e7ecccd1dcff67ULL, 0x65f0b37d93ce0d3eULL, 0xd749d0dd22ac00aaULL, 0x0141b9ce4a688d4dULL}},
};

/* The BN parameter u = 4965661367192848881. */
static const uint64_t BN_U[4] = {0x44e992b44a6909f1ULL, 0, 0, 0};

#define CURVE g2
#define COORD fq2
#define CURVE_B g2_twist_b
#include "curve_law.h"
#undef CURVE
#undef COORD
#undef CURVE_B

void g2_jac_mul(g2_jac_t *out, const g2_aff_t *p, const uint64_t k[4]) {
    g2_jac_mul_wnaf(out, p, k, 5);
}

/* ---- psi and the subgroup test ---------------------------------------------------------- */

void g2_jac_psi(g2_jac_t *out, const g2_jac_t *p) {
    /* In Jacobian coordinates conj(Z) carries the Frobenius of Z; the constants apply
     * to the affine x = X/Z^2 and y = Y/Z^3 unchanged. */
    fq2_t x, y;
    fq2_conj(&x, &p->x);
    fq2_mul(&out->x, &x, &fq12_frob_gamma1[2]);
    fq2_conj(&y, &p->y);
    fq2_mul(&out->y, &y, &fq12_frob_gamma1[3]);
    fq2_conj(&out->z, &p->z);
}

void g2_aff_psi(g2_aff_t *out, const g2_aff_t *p) {
    if (g2_aff_is_identity(p)) { *out = *p; return; }
    fq2_t x, y;
    fq2_conj(&x, &p->x);
    fq2_mul(&out->x, &x, &fq12_frob_gamma1[2]);
    fq2_conj(&y, &p->y);
    fq2_mul(&out->y, &y, &fq12_frob_gamma1[3]);
}

/*
 * Subgroup test of Scott / El Housni-Guillevic-Piellard (eprint 2021/1130, 2022/348, as
 * used by gnark): for Q on E'(Fq2),
 *     Q in G2  <=>  [u + 1]Q + psi([u]Q) + psi^2([u]Q) = psi^3([2u]Q),
 * i.e. h(psi)(Q) = O for h(X) = (u + 1) + uX + uX^2 - 2uX^3.
 * Why it is exact: psi satisfies psi^2 - t psi + p = 0 (t = 6u^2 + 1), so h(psi) =
 * alpha psi + beta for integers alpha, beta, an endomorphism of degree
 * N = beta^2 + t alpha beta + p alpha^2. Its kernel inside E'(Fq2) has order dividing
 * gcd(N, #E'(Fq2)) = gcd(N, r (2p - r)) = r, and G2 lies in it because psi acts on G2
 * as [p] and h(p) = 0 mod r. gen_curve_vectors.py re-checks these numbers, and
 * test_curve.c checks the test against [r]Q = O on points inside and outside G2.
 * Cost: one 63-bit multiplication (NAF of u) plus a few psi maps and additions, about
 * half of checking psi(Q) = [6u^2]Q and a quarter of [r]Q = O.
 */
int g2_aff_in_subgroup(const g2_aff_t *p) {
    if (g2_aff_is_identity(p)) return 1;
    g2_jac_t q, a, a2, t, lhs, rhs;
    g2_jac_from_aff(&q, p);
    g2_jac_mul_wnaf(&a, p, BN_U, 2);            /* A = [u]Q */
    g2_jac_add(&lhs, &a, &q);                   /* [u+1]Q */
    g2_jac_psi(&t, &a);                         /* psi(A) */
    g2_jac_add(&lhs, &lhs, &t);
    g2_jac_psi(&t, &t);                         /* psi^2(A) */
    g2_jac_add(&lhs, &lhs, &t);
    g2_jac_dbl(&a2, &a);                        /* [2u]Q */
    g2_jac_psi(&rhs, &a2);
    g2_jac_psi(&rhs, &rhs);
    g2_jac_psi(&rhs, &rhs);                     /* psi^3([2u]Q) */
    return g2_jac_eq(&lhs, &rhs);
}

/* ---- exports beyond curve_law.h's (zkcx.h) ------------------------------------------ */

int zkcx_g2_in_subgroup(const uint64_t *p) {
    g2_aff_t a;
    if (!g2_aff_load(&a, p)) return 0;
    return g2_aff_in_subgroup(&a);
}
