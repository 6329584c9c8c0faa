/* SPDX-License-Identifier: MIT */
/* G2 group law, psi, the subgroup test and the zkcx_g2_* exports (see g2.h). The group
 * law is g1.c's over Fq2; comments there give the formulas. */
#include <stdlib.h>
#include <string.h>
#include "g1.h"
#include "g2.h"
#include "../include/zkcx.h"
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

/* ---- affine ---------------------------------------------------------------------------- */

int g2_aff_is_identity(const g2_aff_t *p) { return fq2_is_zero(&p->x) && fq2_is_zero(&p->y); }

int g2_aff_is_on_curve(const g2_aff_t *p) {
    if (g2_aff_is_identity(p)) return 1;
    fq2_t l, r;
    fq2_sqr(&l, &p->y);
    fq2_sqr(&r, &p->x);
    fq2_mul(&r, &r, &p->x);
    fq2_add(&r, &r, &g2_twist_b);
    return fq2_eq(&l, &r);
}

void g2_aff_neg(g2_aff_t *out, const g2_aff_t *p) {
    out->x = p->x;
    fq2_neg(&out->y, &p->y);
}

void g2_aff_from_jac(g2_aff_t *out, const g2_jac_t *p) {
    if (g2_jac_is_identity(p)) { fq2_set_zero(&out->x); fq2_set_zero(&out->y); return; }
    fq2_t zi, zi2, x, y;
    fq2_inv(&zi, &p->z);
    fq2_sqr(&zi2, &zi);
    fq2_mul(&x, &p->x, &zi2);
    fq2_mul(&zi2, &zi2, &zi);
    fq2_mul(&y, &p->y, &zi2);
    out->x = x;
    out->y = y;
}

int g2_aff_load(g2_aff_t *p, const uint64_t *in) {
    for (int c = 0; c < 4; c++) {
        if (!curve_fq_in_range(in + 4 * c)) return 0;
    }
    memcpy(p->x.c0.v, in, 32);
    memcpy(p->x.c1.v, in + 4, 32);
    memcpy(p->y.c0.v, in + 8, 32);
    memcpy(p->y.c1.v, in + 12, 32);
    return g2_aff_is_on_curve(p);
}

void g2_aff_store(uint64_t *out, const g2_aff_t *p) {
    memcpy(out, p->x.c0.v, 32);
    memcpy(out + 4, p->x.c1.v, 32);
    memcpy(out + 8, p->y.c0.v, 32);
    memcpy(out + 12, p->y.c1.v, 32);
}

/* ---- Jacobian -------------------------------------------------------------------------- */

void g2_jac_set_identity(g2_jac_t *p) { fq2_set_one(&p->x); fq2_set_one(&p->y); fq2_set_zero(&p->z); }
int g2_jac_is_identity(const g2_jac_t *p) { return fq2_is_zero(&p->z); }

void g2_jac_from_aff(g2_jac_t *out, const g2_aff_t *p) {
    if (g2_aff_is_identity(p)) { g2_jac_set_identity(out); return; }
    out->x = p->x;
    out->y = p->y;
    fq2_set_one(&out->z);
}

int g2_jac_is_on_curve(const g2_jac_t *p) {
    if (g2_jac_is_identity(p)) return 1;
    fq2_t l, r, z2, z6;
    fq2_sqr(&l, &p->y);
    fq2_sqr(&r, &p->x);
    fq2_mul(&r, &r, &p->x);
    fq2_sqr(&z2, &p->z);
    fq2_sqr(&z6, &z2);
    fq2_mul(&z6, &z6, &z2);
    fq2_mul(&z6, &z6, &g2_twist_b);
    fq2_add(&r, &r, &z6);
    return fq2_eq(&l, &r);
}

int g2_jac_eq(const g2_jac_t *a, const g2_jac_t *b) {
    int ia = g2_jac_is_identity(a), ib = g2_jac_is_identity(b);
    if (ia || ib) return ia && ib;
    fq2_t za2, zb2, l, r;
    fq2_sqr(&za2, &a->z);
    fq2_sqr(&zb2, &b->z);
    fq2_mul(&l, &a->x, &zb2);
    fq2_mul(&r, &b->x, &za2);
    if (!fq2_eq(&l, &r)) return 0;
    fq2_mul(&zb2, &zb2, &b->z);
    fq2_mul(&za2, &za2, &a->z);
    fq2_mul(&l, &a->y, &zb2);
    fq2_mul(&r, &b->y, &za2);
    return fq2_eq(&l, &r);
}

void g2_jac_neg(g2_jac_t *out, const g2_jac_t *p) {
    out->x = p->x;
    fq2_neg(&out->y, &p->y);
    out->z = p->z;
}

/* dbl-2009-l */
void g2_jac_dbl(g2_jac_t *out, const g2_jac_t *p) {
    if (g2_jac_is_identity(p)) { *out = *p; return; }
    fq2_t a, b, c, d, e, f, x3, y3, z3;
    fq2_sqr(&a, &p->x);
    fq2_sqr(&b, &p->y);
    fq2_sqr(&c, &b);
    fq2_mul(&d, &p->x, &b);
    fq2_dbl(&d, &d);
    fq2_dbl(&d, &d);
    fq2_dbl(&e, &a);
    fq2_add(&e, &e, &a);
    fq2_sqr(&f, &e);
    fq2_mul(&z3, &p->y, &p->z);
    fq2_dbl(&z3, &z3);
    fq2_dbl(&x3, &d);
    fq2_sub(&x3, &f, &x3);
    fq2_sub(&y3, &d, &x3);
    fq2_mul(&y3, &y3, &e);
    fq2_dbl(&c, &c);
    fq2_dbl(&c, &c);
    fq2_dbl(&c, &c);
    fq2_sub(&y3, &y3, &c);
    out->x = x3;
    out->y = y3;
    out->z = z3;
}

/* add-2007-bl */
void g2_jac_add(g2_jac_t *out, const g2_jac_t *a, const g2_jac_t *b) {
    if (g2_jac_is_identity(a)) { *out = *b; return; }
    if (g2_jac_is_identity(b)) { *out = *a; return; }
    fq2_t z1z1, z2z2, u1, u2, s1, s2, h, i, j, r, v, x3, y3, z3;
    fq2_sqr(&z1z1, &a->z);
    fq2_sqr(&z2z2, &b->z);
    fq2_mul(&u1, &a->x, &z2z2);
    fq2_mul(&u2, &b->x, &z1z1);
    fq2_mul(&s1, &a->y, &b->z);
    fq2_mul(&s1, &s1, &z2z2);
    fq2_mul(&s2, &b->y, &a->z);
    fq2_mul(&s2, &s2, &z1z1);
    fq2_sub(&h, &u2, &u1);
    fq2_sub(&r, &s2, &s1);
    if (fq2_is_zero(&h)) {
        if (fq2_is_zero(&r)) g2_jac_dbl(out, a);
        else g2_jac_set_identity(out);
        return;
    }
    fq2_dbl(&r, &r);
    fq2_dbl(&i, &h);
    fq2_sqr(&i, &i);
    fq2_mul(&j, &h, &i);
    fq2_mul(&v, &u1, &i);
    fq2_sqr(&x3, &r);
    fq2_sub(&x3, &x3, &j);
    fq2_sub(&x3, &x3, &v);
    fq2_sub(&x3, &x3, &v);
    fq2_sub(&y3, &v, &x3);
    fq2_mul(&y3, &y3, &r);
    fq2_mul(&s1, &s1, &j);
    fq2_dbl(&s1, &s1);
    fq2_sub(&y3, &y3, &s1);
    fq2_mul(&z3, &a->z, &b->z);
    fq2_dbl(&z3, &z3);
    fq2_mul(&z3, &z3, &h);
    out->x = x3;
    out->y = y3;
    out->z = z3;
}

/* madd-2007-bl */
void g2_jac_add_aff(g2_jac_t *out, const g2_jac_t *a, const g2_aff_t *b) {
    if (g2_aff_is_identity(b)) { *out = *a; return; }
    if (g2_jac_is_identity(a)) { g2_jac_from_aff(out, b); return; }
    fq2_t z1z1, u2, s2, h, i, j, r, v, x3, y3, z3, t;
    fq2_sqr(&z1z1, &a->z);
    fq2_mul(&u2, &b->x, &z1z1);
    fq2_mul(&s2, &b->y, &a->z);
    fq2_mul(&s2, &s2, &z1z1);
    fq2_sub(&h, &u2, &a->x);
    fq2_sub(&r, &s2, &a->y);
    if (fq2_is_zero(&h)) {
        if (fq2_is_zero(&r)) g2_jac_dbl(out, a);
        else g2_jac_set_identity(out);
        return;
    }
    fq2_dbl(&r, &r);
    fq2_sqr(&i, &h);
    fq2_dbl(&i, &i);
    fq2_dbl(&i, &i);
    fq2_mul(&j, &h, &i);
    fq2_mul(&v, &a->x, &i);
    fq2_sqr(&x3, &r);
    fq2_sub(&x3, &x3, &j);
    fq2_sub(&x3, &x3, &v);
    fq2_sub(&x3, &x3, &v);
    fq2_sub(&y3, &v, &x3);
    fq2_mul(&y3, &y3, &r);
    fq2_mul(&t, &a->y, &j);
    fq2_dbl(&t, &t);
    fq2_sub(&y3, &y3, &t);
    fq2_mul(&z3, &a->z, &h);
    fq2_dbl(&z3, &z3);
    out->x = x3;
    out->y = y3;
    out->z = z3;
}

void g2_batch_to_aff(g2_aff_t *out, const g2_jac_t *in, size_t n) {
    fq2_t acc;
    fq2_set_one(&acc);
    for (size_t i = 0; i < n; i++) {
        if (g2_jac_is_identity(&in[i])) continue;
        out[i].x = acc;
        fq2_mul(&acc, &acc, &in[i].z);
    }
    fq2_inv(&acc, &acc);
    for (size_t i = n; i-- > 0;) {
        if (g2_jac_is_identity(&in[i])) { fq2_set_zero(&out[i].x); fq2_set_zero(&out[i].y); continue; }
        fq2_t zi, zi2;
        fq2_mul(&zi, &acc, &out[i].x);
        fq2_mul(&acc, &acc, &in[i].z);
        fq2_sqr(&zi2, &zi);
        fq2_mul(&out[i].x, &in[i].x, &zi2);
        fq2_mul(&zi2, &zi2, &zi);
        fq2_mul(&out[i].y, &in[i].y, &zi2);
    }
}

/* Double-and-add over the width-w NAF of k with an affine table of odd multiples. */
static void g2_jac_mul_wnaf(g2_jac_t *out, const g2_aff_t *p, const uint64_t k[4], int w) {
    int8_t digits[257];
    int len = curve_scalar_wnaf(digits, k, w);
    if (len == 0 || g2_aff_is_identity(p)) { g2_jac_set_identity(out); return; }

    int tn = 1 << (w - 2);
    g2_jac_t tj[16], p2;
    g2_aff_t ta[16];
    g2_jac_from_aff(&tj[0], p);
    if (tn > 1) {
        g2_jac_dbl(&p2, &tj[0]);
        for (int i = 1; i < tn; i++) g2_jac_add(&tj[i], &tj[i - 1], &p2);
        g2_batch_to_aff(ta, tj, (size_t)tn);
    } else {
        ta[0] = *p;
    }

    g2_jac_t acc;
    g2_jac_set_identity(&acc);
    for (int i = len - 1; i >= 0; i--) {
        g2_jac_dbl(&acc, &acc);
        int d = digits[i];
        if (d > 0) {
            g2_jac_add_aff(&acc, &acc, &ta[d >> 1]);
        } else if (d < 0) {
            g2_aff_t neg;
            g2_aff_neg(&neg, &ta[(-d) >> 1]);
            g2_jac_add_aff(&acc, &acc, &neg);
        }
    }
    *out = acc;
}

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

/* ---- exports (zkcx.h) ------------------------------------------------------------ */

int zkcx_g2_is_on_curve(const uint64_t *p) {
    g2_aff_t a;
    return g2_aff_load(&a, p);
}

int zkcx_g2_in_subgroup(const uint64_t *p) {
    g2_aff_t a;
    if (!g2_aff_load(&a, p)) return 0;
    return g2_aff_in_subgroup(&a);
}

int zkcx_g2_add(uint64_t *out, const uint64_t *a, const uint64_t *b) {
    g2_aff_t pa, pb, r;
    if (!g2_aff_load(&pa, a) || !g2_aff_load(&pb, b)) return ZKCX_ERR_ARG;
    g2_jac_t ja;
    g2_jac_from_aff(&ja, &pa);
    g2_jac_add_aff(&ja, &ja, &pb);
    g2_aff_from_jac(&r, &ja);
    g2_aff_store(out, &r);
    return ZKCX_OK;
}

int zkcx_g2_dbl(uint64_t *out, const uint64_t *a) {
    g2_aff_t pa, r;
    if (!g2_aff_load(&pa, a)) return ZKCX_ERR_ARG;
    g2_jac_t ja;
    g2_jac_from_aff(&ja, &pa);
    g2_jac_dbl(&ja, &ja);
    g2_aff_from_jac(&r, &ja);
    g2_aff_store(out, &r);
    return ZKCX_OK;
}

int zkcx_g2_neg(uint64_t *out, const uint64_t *a) {
    g2_aff_t pa, r;
    if (!g2_aff_load(&pa, a)) return ZKCX_ERR_ARG;
    g2_aff_neg(&r, &pa);
    g2_aff_store(out, &r);
    return ZKCX_OK;
}

int zkcx_g2_eq(const uint64_t *a, const uint64_t *b) { return memcmp(a, b, 128) == 0; }

int zkcx_g2_mul(uint64_t *out, const uint64_t *p, const uint64_t *scalar) {
    g2_aff_t pa, r;
    if (!g2_aff_load(&pa, p)) return ZKCX_ERR_ARG;
    uint64_t k[4] = {scalar[0], scalar[1], scalar[2], scalar[3]};
    g2_jac_t acc;
    g2_jac_mul(&acc, &pa, k);
    g2_aff_from_jac(&r, &acc);
    g2_aff_store(out, &r);
    return ZKCX_OK;
}

/* As zkcx_g1_batch_normalize: 24 limbs per Jacobian point in, 16 per affine point out. */
int zkcx_g2_batch_normalize(uint64_t *out, const uint64_t *jac, size_t n) {
    if (n == 0) return ZKCX_OK;
    for (size_t i = 0; i < 24 * n; i += 4) {
        if (!curve_fq_in_range(jac + i)) return ZKCX_ERR_ARG;
    }
    const g2_jac_t *in = (const g2_jac_t *)(const void *)jac;
    uintptr_t o0 = (uintptr_t)out, o1 = o0 + 128 * n, i0 = (uintptr_t)jac, i1 = i0 + 192 * n;
    if (o1 <= i0 || i1 <= o0) {
        g2_batch_to_aff((g2_aff_t *)(void *)out, in, n);
        return ZKCX_OK;
    }
    g2_aff_t *tmp = malloc(n * sizeof *tmp);
    if (!tmp) return ZKCX_ERR_NOMEM;
    g2_batch_to_aff(tmp, in, n);
    memcpy(out, tmp, n * sizeof *tmp);
    free(tmp);
    return ZKCX_OK;
}
