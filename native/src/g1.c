/* SPDX-License-Identifier: MIT */
/* G1 group law, scalar multiplication and the zkcx_g1_* exports (see g1.h). */
#include <stdlib.h>
#include <string.h>
#include "g1.h"
#include "../include/zkcx.h"
#include "../include/zkcx.h"

/* b = 3 in Montgomery form */
static const fq_t G1_B = {{0x7a17caa950ad28d7ULL, 0x1f6ac17ae15521b9ULL, 0x334bea4e696bd284ULL,
                           0x2a1f6744ce179d8eULL}};

/* ---- helpers shared with g2.c -------------------------------------------------------- */

int curve_fq_in_range(const uint64_t v[4]) {
    /* v < p, compared from the top limb down */
    for (int k = 3; k >= 0; k--) {
        if (v[k] != fq_modulus.v[k]) return v[k] < fq_modulus.v[k];
    }
    return 0; /* v == p */
}

int curve_scalar_wnaf(int8_t digits[257], const uint64_t k[4], int w) {
    /* 5 limbs: subtracting a negative digit can carry past 2^256 */
    uint64_t e[5] = {k[0], k[1], k[2], k[3], 0};
    const int64_t full = (int64_t)1 << w, half = (int64_t)1 << (w - 1);
    int len = 0;
    while ((e[0] | e[1] | e[2] | e[3] | e[4]) != 0) {
        int64_t d = 0;
        if (e[0] & 1) {
            d = (int64_t)(e[0] & (uint64_t)(full - 1));
            if (d >= half) d -= full;
            /* e -= d */
            if (d > 0) {
                uint64_t borrow = (uint64_t)d;
                for (int i = 0; i < 5 && borrow; i++) {
                    uint64_t old = e[i];
                    e[i] = old - borrow;
                    borrow = old < borrow;
                }
            } else {
                uint64_t carry = (uint64_t)(-d);
                for (int i = 0; i < 5 && carry; i++) {
                    e[i] += carry;
                    carry = e[i] < carry;
                }
            }
        }
        digits[len++] = (int8_t)d;
        for (int i = 0; i < 4; i++) e[i] = (e[i] >> 1) | (e[i + 1] << 63);
        e[4] >>= 1;
    }
    return len;
}

/* ---- affine ---------------------------------------------------------------------------- */

int g1_aff_is_identity(const g1_aff_t *p) { return fq_is_zero(&p->x) && fq_is_zero(&p->y); }

int g1_aff_is_on_curve(const g1_aff_t *p) {
    if (g1_aff_is_identity(p)) return 1;
    fq_t l, r;
    fq_sqr(&l, &p->y);
    fq_sqr(&r, &p->x);
    fq_mul(&r, &r, &p->x);
    fq_add(&r, &r, &G1_B);
    return fq_eq(&l, &r);
}

void g1_aff_neg(g1_aff_t *out, const g1_aff_t *p) {
    out->x = p->x;
    fq_neg(&out->y, &p->y);    /* neg(0) = 0 keeps the identity */
}

void g1_aff_from_jac(g1_aff_t *out, const g1_jac_t *p) {
    if (g1_jac_is_identity(p)) { fq_set_zero(&out->x); fq_set_zero(&out->y); return; }
    fq_t zi, zi2, x, y;
    fq_inv(&zi, &p->z);
    fq_sqr(&zi2, &zi);
    fq_mul(&x, &p->x, &zi2);
    fq_mul(&zi2, &zi2, &zi);
    fq_mul(&y, &p->y, &zi2);
    out->x = x;
    out->y = y;
}

/* ---- Jacobian -------------------------------------------------------------------------- */

void g1_jac_set_identity(g1_jac_t *p) { fq_set_one(&p->x); fq_set_one(&p->y); fq_set_zero(&p->z); }
int g1_jac_is_identity(const g1_jac_t *p) { return fq_is_zero(&p->z); }

void g1_jac_from_aff(g1_jac_t *out, const g1_aff_t *p) {
    if (g1_aff_is_identity(p)) { g1_jac_set_identity(out); return; }
    out->x = p->x;
    out->y = p->y;
    fq_set_one(&out->z);
}

int g1_jac_is_on_curve(const g1_jac_t *p) {
    if (g1_jac_is_identity(p)) return 1;
    fq_t l, r, z2, z6;
    fq_sqr(&l, &p->y);
    fq_sqr(&r, &p->x);
    fq_mul(&r, &r, &p->x);
    fq_sqr(&z2, &p->z);
    fq_sqr(&z6, &z2);
    fq_mul(&z6, &z6, &z2);
    fq_mul(&z6, &z6, &G1_B);
    fq_add(&r, &r, &z6);
    return fq_eq(&l, &r);
}

/* X1 Z2^2 = X2 Z1^2 and Y1 Z2^3 = Y2 Z1^3 */
int g1_jac_eq(const g1_jac_t *a, const g1_jac_t *b) {
    int ia = g1_jac_is_identity(a), ib = g1_jac_is_identity(b);
    if (ia || ib) return ia && ib;
    fq_t za2, zb2, l, r;
    fq_sqr(&za2, &a->z);
    fq_sqr(&zb2, &b->z);
    fq_mul(&l, &a->x, &zb2);
    fq_mul(&r, &b->x, &za2);
    if (!fq_eq(&l, &r)) return 0;
    fq_mul(&zb2, &zb2, &b->z);
    fq_mul(&za2, &za2, &a->z);
    fq_mul(&l, &a->y, &zb2);
    fq_mul(&r, &b->y, &za2);
    return fq_eq(&l, &r);
}

void g1_jac_neg(g1_jac_t *out, const g1_jac_t *p) {
    out->x = p->x;
    fq_neg(&out->y, &p->y);
    out->z = p->z;
}

/* dbl-2009-l (2M + 5S, here 7 Fq mul since sqr = mul):
 *   A = X^2, B = Y^2, C = B^2, D = 2((X + B)^2 - A - C) = 4 X B, E = 3A, F = E^2,
 *   X3 = F - 2D, Y3 = E (D - X3) - 8C, Z3 = 2 Y Z */
void g1_jac_dbl(g1_jac_t *out, const g1_jac_t *p) {
    if (g1_jac_is_identity(p)) { *out = *p; return; }
    fq_t a, b, c, d, e, f, x3, y3, z3;
    fq_sqr(&a, &p->x);
    fq_sqr(&b, &p->y);
    fq_sqr(&c, &b);
    fq_mul(&d, &p->x, &b);
    fq_dbl(&d, &d);
    fq_dbl(&d, &d);
    fq_dbl(&e, &a);
    fq_add(&e, &e, &a);
    fq_sqr(&f, &e);
    fq_mul(&z3, &p->y, &p->z);
    fq_dbl(&z3, &z3);
    fq_dbl(&x3, &d);
    fq_sub(&x3, &f, &x3);
    fq_sub(&y3, &d, &x3);
    fq_mul(&y3, &y3, &e);
    fq_dbl(&c, &c);
    fq_dbl(&c, &c);
    fq_dbl(&c, &c);
    fq_sub(&y3, &y3, &c);
    out->x = x3;
    out->y = y3;
    out->z = z3;
}

/* add-2007-bl (11M + 5S):
 *   U1 = X1 Z2^2, U2 = X2 Z1^2, S1 = Y1 Z2^3, S2 = Y2 Z1^3, H = U2 - U1, I = (2H)^2,
 *   J = H I, r = 2(S2 - S1), V = U1 I, X3 = r^2 - J - 2V, Y3 = r(V - X3) - 2 S1 J,
 *   Z3 = 2 Z1 Z2 H. H = 0 means equal x: a doubling when r = 0, else P + (-P) = O. */
void g1_jac_add(g1_jac_t *out, const g1_jac_t *a, const g1_jac_t *b) {
    if (g1_jac_is_identity(a)) { *out = *b; return; }
    if (g1_jac_is_identity(b)) { *out = *a; return; }
    fq_t z1z1, z2z2, u1, u2, s1, s2, h, i, j, r, v, x3, y3, z3;
    fq_sqr(&z1z1, &a->z);
    fq_sqr(&z2z2, &b->z);
    fq_mul(&u1, &a->x, &z2z2);
    fq_mul(&u2, &b->x, &z1z1);
    fq_mul(&s1, &a->y, &b->z);
    fq_mul(&s1, &s1, &z2z2);
    fq_mul(&s2, &b->y, &a->z);
    fq_mul(&s2, &s2, &z1z1);
    fq_sub(&h, &u2, &u1);
    fq_sub(&r, &s2, &s1);
    if (fq_is_zero(&h)) {
        if (fq_is_zero(&r)) g1_jac_dbl(out, a);
        else g1_jac_set_identity(out);
        return;
    }
    fq_dbl(&r, &r);
    fq_dbl(&i, &h);
    fq_sqr(&i, &i);
    fq_mul(&j, &h, &i);
    fq_mul(&v, &u1, &i);
    fq_sqr(&x3, &r);
    fq_sub(&x3, &x3, &j);
    fq_sub(&x3, &x3, &v);
    fq_sub(&x3, &x3, &v);
    fq_sub(&y3, &v, &x3);
    fq_mul(&y3, &y3, &r);
    fq_mul(&s1, &s1, &j);
    fq_dbl(&s1, &s1);
    fq_sub(&y3, &y3, &s1);
    fq_mul(&z3, &a->z, &b->z);
    fq_dbl(&z3, &z3);
    fq_mul(&z3, &z3, &h);
    out->x = x3;
    out->y = y3;
    out->z = z3;
}

/* madd-2007-bl (7M + 4S), b affine (Z2 = 1):
 *   U2 = X2 Z1^2, S2 = Y2 Z1^3, H = U2 - X1, I = 4 H^2, J = H I, r = 2(S2 - Y1),
 *   V = X1 I, X3 = r^2 - J - 2V, Y3 = r(V - X3) - 2 Y1 J, Z3 = 2 Z1 H */
void g1_jac_add_aff(g1_jac_t *out, const g1_jac_t *a, const g1_aff_t *b) {
    if (g1_aff_is_identity(b)) { *out = *a; return; }
    if (g1_jac_is_identity(a)) { g1_jac_from_aff(out, b); return; }
    fq_t z1z1, u2, s2, h, i, j, r, v, x3, y3, z3, t;
    fq_sqr(&z1z1, &a->z);
    fq_mul(&u2, &b->x, &z1z1);
    fq_mul(&s2, &b->y, &a->z);
    fq_mul(&s2, &s2, &z1z1);
    fq_sub(&h, &u2, &a->x);
    fq_sub(&r, &s2, &a->y);
    if (fq_is_zero(&h)) {
        if (fq_is_zero(&r)) g1_jac_dbl(out, a);
        else g1_jac_set_identity(out);
        return;
    }
    fq_dbl(&r, &r);
    fq_sqr(&i, &h);
    fq_dbl(&i, &i);
    fq_dbl(&i, &i);
    fq_mul(&j, &h, &i);
    fq_mul(&v, &a->x, &i);
    fq_sqr(&x3, &r);
    fq_sub(&x3, &x3, &j);
    fq_sub(&x3, &x3, &v);
    fq_sub(&x3, &x3, &v);
    fq_sub(&y3, &v, &x3);
    fq_mul(&y3, &y3, &r);
    fq_mul(&t, &a->y, &j);
    fq_dbl(&t, &t);
    fq_sub(&y3, &y3, &t);
    fq_mul(&z3, &a->z, &h);
    fq_dbl(&z3, &z3);
    out->x = x3;
    out->y = y3;
    out->z = z3;
}

void g1_batch_to_aff(g1_aff_t *out, const g1_jac_t *in, size_t n) {
    /* Montgomery's trick: out[i].x holds the product of the earlier non-zero Z's until
     * the backward pass turns it into Z_i^-1. */
    fq_t acc;
    fq_set_one(&acc);
    for (size_t i = 0; i < n; i++) {
        if (g1_jac_is_identity(&in[i])) continue;
        out[i].x = acc;
        fq_mul(&acc, &acc, &in[i].z);
    }
    fq_inv(&acc, &acc);
    for (size_t i = n; i-- > 0;) {
        if (g1_jac_is_identity(&in[i])) { fq_set_zero(&out[i].x); fq_set_zero(&out[i].y); continue; }
        fq_t zi, zi2;
        fq_mul(&zi, &acc, &out[i].x);
        fq_mul(&acc, &acc, &in[i].z);
        fq_sqr(&zi2, &zi);
        fq_mul(&out[i].x, &in[i].x, &zi2);
        fq_mul(&zi2, &zi2, &zi);
        fq_mul(&out[i].y, &in[i].y, &zi2);
    }
}

/* The odd multiples P, 3P, ..., 15P of a width-5 NAF, affine (one inversion). */
#define G1_WNAF_W 5
enum { G1_TN = 1 << (G1_WNAF_W - 2) };

static void g1_odd_multiples(g1_aff_t ta[G1_TN], const g1_aff_t *p) {
    g1_jac_t tj[G1_TN], p2;
    g1_jac_from_aff(&tj[0], p);
    g1_jac_dbl(&p2, &tj[0]);
    for (int i = 1; i < G1_TN; i++) g1_jac_add(&tj[i], &tj[i - 1], &p2);
    g1_batch_to_aff(ta, tj, G1_TN);
}

static void g1_add_digit(g1_jac_t *acc, const g1_aff_t ta[G1_TN], int d) {
    if (d > 0) {
        g1_jac_add_aff(acc, acc, &ta[d >> 1]);
    } else if (d < 0) {
        g1_aff_t neg;
        g1_aff_neg(&neg, &ta[(-d) >> 1]);
        g1_jac_add_aff(acc, acc, &neg);
    }
}

/* [k]P by width-5 NAF over the whole scalar: ~256 doublings, ~256/6 additions. */
static void g1_jac_mul_plain(g1_jac_t *out, const g1_aff_t *p, const uint64_t k[4]) {
    int8_t digits[257];
    int len = curve_scalar_wnaf(digits, k, G1_WNAF_W);
    g1_jac_set_identity(out);
    if (len == 0 || g1_aff_is_identity(p)) return;
    g1_aff_t ta[G1_TN];
    g1_odd_multiples(ta, p);
    for (int i = len - 1; i >= 0; i--) {
        g1_jac_dbl(out, out);
        g1_add_digit(out, ta, digits[i]);
    }
}

/* ---- GLV ------------------------------------------------------------------------ */

static const fq_t GLV_BETA = {G1_GLV_BETA_MONT};
static const fq_t GLV_A1 = {G1_GLV_A1}, GLV_MINUS_B1 = {G1_GLV_MINUS_B1};
static const fq_t GLV_A2 = {G1_GLV_A2}, GLV_B2 = {G1_GLV_B2};
static const fq_t GLV_G1 = {G1_GLV_G1}, GLV_G2 = {G1_GLV_G2};

/* Plain 256-bit integer helpers (fq_t as a container of four limbs). */
static void u256_mul_lo(fq_t *z, const fq_t *a, const fq_t *b) {
    uint64_t w[8];
    fq_mul_wide(w, a, b);
    memcpy(z->v, w, 32);
}
/* round(a b / 2^256) */
static void u256_mul_hi_rounded(fq_t *z, const fq_t *a, const fq_t *b) {
    uint64_t w[8];
    fq_mul_wide(w, a, b);
    unsigned char c = 0;
    zk_u64c t;
    c = ZK_ADC(c, w[3], (uint64_t)1 << 63, &t);
    for (int i = 0; i < 4; i++) {
        c = ZK_ADC(c, w[4 + i], 0, &t);
        z->v[i] = t;
    }
}
/* z = a - b mod 2^256 */
static void u256_sub_wrap(fq_t *z, const fq_t *a, const fq_t *b) {
    fq_t t = *a;
    fr_u256_sub(t.v, b->v);
    *z = t;
}
/* |a| of a two's-complement 256-bit a; returns whether a was negative. */
static int u256_abs(fq_t *a) {
    if (!(a->v[3] >> 63)) return 0;
    fq_t zero = {{0, 0, 0, 0}};
    u256_sub_wrap(a, &zero, a);
    return 1;
}

/*
 * k = k1 + k2 lambda mod r with |k1|, |k2| < 2^128 (GLV, Babai rounding):
 * c1 = round(b2 k / r) and c2 = round(-b1 k / r) as round(k g / 2^256) (the estimate is
 * within 1/4 of b k / r), k1 = k - c1 a1 - c2 a2, k2 = -c1 b1 - c2 b2, evaluated mod
 * 2^256 (exact, since the true values are small). A scalar a + b lambda with small a, b
 * (batch verification's weights) splits back into exactly (a, b). k < r. Returns 0 when
 * the halves exceed 2^130 (not expected; the caller then uses the plain method).
 */
int g1_glv_split(const uint64_t k[4], fq_t *k1, int *neg1, fq_t *k2, int *neg2) {
    fq_t kk, c1, c2, t, u;
    memcpy(kk.v, k, 32);
    u256_mul_hi_rounded(&c1, &kk, &GLV_G1);
    u256_mul_hi_rounded(&c2, &kk, &GLV_G2);
    u256_mul_lo(&t, &c1, &GLV_A1);
    u256_sub_wrap(k1, &kk, &t);
    u256_mul_lo(&t, &c2, &GLV_A2);
    u256_sub_wrap(k1, k1, &t);
    u256_mul_lo(&t, &c1, &GLV_MINUS_B1);
    u256_mul_lo(&u, &c2, &GLV_B2);
    u256_sub_wrap(k2, &t, &u);
    *neg1 = u256_abs(k1);
    *neg2 = u256_abs(k2);
    return (k1->v[3] | k1->v[2] >> 2 | k2->v[3] | k2->v[2] >> 2) == 0;
}

/*
 * [k]P = [k1]P + [k2]phi(P) with phi(x, y) = (beta x, y) = [lambda](x, y) (GLV): both
 * halves share ~128 doublings, each with its own width-5 table (phi of P's table costs
 * eight multiplications by beta), so about half the doublings of the plain method.
 * k is any 256-bit integer (reduced mod r first: G1 has order r). Variable time.
 */
void g1_jac_mul(g1_jac_t *out, const g1_aff_t *p, const uint64_t k[4]) {
    uint64_t kr[4] = {k[0], k[1], k[2], k[3]};
    while (fr_u256_geq(kr, fr_modulus.v)) fr_u256_sub(kr, fr_modulus.v);
    fq_t k1, k2;
    int neg1, neg2;
    if (!g1_glv_split(kr, &k1, &neg1, &k2, &neg2)) { g1_jac_mul_plain(out, p, kr); return; }
    int8_t d1[257], d2[257];
    const int len1 = curve_scalar_wnaf(d1, k1.v, G1_WNAF_W);
    const int len2 = curve_scalar_wnaf(d2, k2.v, G1_WNAF_W);
    g1_jac_set_identity(out);
    if ((len1 == 0 && len2 == 0) || g1_aff_is_identity(p)) return;

    g1_aff_t t1[G1_TN], t2[G1_TN];
    g1_odd_multiples(t1, p);
    for (int j = 0; j < G1_TN; j++) {
        fq_mul(&t2[j].x, &t1[j].x, &GLV_BETA);
        t2[j].y = t1[j].y;
        if (neg2) fq_neg(&t2[j].y, &t2[j].y);
        if (neg1) fq_neg(&t1[j].y, &t1[j].y);
    }
    for (int i = (len1 > len2 ? len1 : len2) - 1; i >= 0; i--) {
        g1_jac_dbl(out, out);
        if (i < len1) g1_add_digit(out, t1, d1[i]);
        if (i < len2) g1_add_digit(out, t2, d2[i]);
    }
}

/* ---- exports (zkcx.h) ------------------------------------------------------------ */

int g1_aff_load(g1_aff_t *p, const uint64_t *in) {
    if (!curve_fq_in_range(in) || !curve_fq_in_range(in + 4)) return 0;
    memcpy(p->x.v, in, 32);
    memcpy(p->y.v, in + 4, 32);
    return g1_aff_is_on_curve(p);
}

void g1_aff_store(uint64_t *out, const g1_aff_t *p) {
    memcpy(out, p->x.v, 32);
    memcpy(out + 4, p->y.v, 32);
}

int zkcx_g1_is_on_curve(const uint64_t *p) {
    g1_aff_t a;
    return g1_aff_load(&a, p);
}

int zkcx_g1_add(uint64_t *out, const uint64_t *a, const uint64_t *b) {
    g1_aff_t pa, pb, r;
    if (!g1_aff_load(&pa, a) || !g1_aff_load(&pb, b)) return ZKCX_ERR_ARG;
    g1_jac_t ja;
    g1_jac_from_aff(&ja, &pa);
    g1_jac_add_aff(&ja, &ja, &pb);
    g1_aff_from_jac(&r, &ja);
    g1_aff_store(out, &r);
    return ZKCX_OK;
}

int zkcx_g1_dbl(uint64_t *out, const uint64_t *a) {
    g1_aff_t pa, r;
    if (!g1_aff_load(&pa, a)) return ZKCX_ERR_ARG;
    g1_jac_t ja;
    g1_jac_from_aff(&ja, &pa);
    g1_jac_dbl(&ja, &ja);
    g1_aff_from_jac(&r, &ja);
    g1_aff_store(out, &r);
    return ZKCX_OK;
}

int zkcx_g1_neg(uint64_t *out, const uint64_t *a) {
    g1_aff_t pa, r;
    if (!g1_aff_load(&pa, a)) return ZKCX_ERR_ARG;
    g1_aff_neg(&r, &pa);
    g1_aff_store(out, &r);
    return ZKCX_OK;
}

int zkcx_g1_eq(const uint64_t *a, const uint64_t *b) {
    /* affine coordinates are fully reduced, so the point is its limbs */
    return memcmp(a, b, 64) == 0;
}

int zkcx_g1_mul(uint64_t *out, const uint64_t *p, const uint64_t *scalar) {
    g1_aff_t pa, r;
    if (!g1_aff_load(&pa, p)) return ZKCX_ERR_ARG;
    uint64_t k[4] = {scalar[0], scalar[1], scalar[2], scalar[3]};
    g1_jac_t acc;
    g1_jac_mul(&acc, &pa, k);
    g1_aff_from_jac(&r, &acc);
    g1_aff_store(out, &r);
    return ZKCX_OK;
}

/* Jacobian (12 limbs per point) to affine (8 limbs) with one inversion for all n.
 * When out overlaps jac the result goes through a temporary array. */
int zkcx_g1_batch_normalize(uint64_t *out, const uint64_t *jac, size_t n) {
    if (n == 0) return ZKCX_OK;
    for (size_t i = 0; i < 12 * n; i += 4) {
        if (!curve_fq_in_range(jac + i)) return ZKCX_ERR_ARG;
    }
    const g1_jac_t *in = (const g1_jac_t *)(const void *)jac;
    uintptr_t o0 = (uintptr_t)out, o1 = o0 + 64 * n, i0 = (uintptr_t)jac, i1 = i0 + 96 * n;
    if (o1 <= i0 || i1 <= o0) {
        g1_batch_to_aff((g1_aff_t *)(void *)out, in, n);
        return ZKCX_OK;
    }
    g1_aff_t *tmp = malloc(n * sizeof *tmp);
    if (!tmp) return ZKCX_ERR_NOMEM;
    g1_batch_to_aff(tmp, in, n);
    memcpy(out, tmp, n * sizeof *tmp);
    free(tmp);
    return ZKCX_OK;
}
