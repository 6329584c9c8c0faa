/* SPDX-License-Identifier: MIT */
/*
 * The BN254 extension-field tower, exactly the one snarkjs/wasmcurves, gnark and
 * arkworks use (docs/formats.md, "Curve and fields"):
 *
 *     Fq2  = Fq[i]  / (i^2 + 1)          a = c0 + c1 i
 *     Fq6  = Fq2[v] / (v^3 - xi),  xi = 9 + i     a = c0 + c1 v + c2 v^2
 *     Fq12 = Fq6[w] / (w^2 - v)          a = c0 + c1 w
 *
 * so w^6 = xi and an Fq12 element is  sum_k a_k w^k  with a_k in Fq2 and
 * (a_0, a_2, a_4) = c0.(c0, c1, c2), (a_1, a_3, a_5) = c1.(c0, c1, c2).
 *
 * Memory layout: every type is a plain array of Fq elements in Montgomery form, in the
 * order of its fields (an fq12_t is 48 uint64 words: c0.c0.c0, c0.c0.c1, c0.c1.c0, ...,
 * c1.c2.c1). The exported functions of zkcx.h rely on this layout.
 *
 * Fq2 arithmetic is inline here (it is small and hot); Fq6/Fq12 live in tower.c.
 * All functions allow the output to alias any input.
 */
#ifndef ZKCX_TOWER_H
#define ZKCX_TOWER_H

#include "field.h"

typedef struct { fq_t c0, c1; } fq2_t;
typedef struct { fq2_t c0, c1, c2; } fq6_t;
typedef struct { fq6_t c0, c1; } fq12_t;

/* ---- Fq2 ------------------------------------------------------------------------ */

static inline void fq2_set_zero(fq2_t *z) { fq_set_zero(&z->c0); fq_set_zero(&z->c1); }
static inline void fq2_set_one(fq2_t *z) { fq_set_one(&z->c0); fq_set_zero(&z->c1); }
static inline int fq2_is_zero(const fq2_t *a) { return fq_is_zero(&a->c0) && fq_is_zero(&a->c1); }
static inline int fq2_eq(const fq2_t *a, const fq2_t *b) {
    return fq_eq(&a->c0, &b->c0) && fq_eq(&a->c1, &b->c1);
}
static inline int fq2_is_one(const fq2_t *a) { return fq_eq(&a->c0, &fq_one) && fq_is_zero(&a->c1); }

static inline void fq2_add(fq2_t *z, const fq2_t *a, const fq2_t *b) {
    fq_add(&z->c0, &a->c0, &b->c0);
    fq_add(&z->c1, &a->c1, &b->c1);
}
static inline void fq2_sub(fq2_t *z, const fq2_t *a, const fq2_t *b) {
    fq_sub(&z->c0, &a->c0, &b->c0);
    fq_sub(&z->c1, &a->c1, &b->c1);
}
static inline void fq2_dbl(fq2_t *z, const fq2_t *a) {
    fq_dbl(&z->c0, &a->c0);
    fq_dbl(&z->c1, &a->c1);
}
static inline void fq2_neg(fq2_t *z, const fq2_t *a) {
    fq_neg(&z->c0, &a->c0);
    fq_neg(&z->c1, &a->c1);
}
/* Conjugate a0 - a1 i; it is also the p-power Frobenius of Fq2. */
static inline void fq2_conj(fq2_t *z, const fq2_t *a) {
    z->c0 = a->c0;
    fq_neg(&z->c1, &a->c1);
}

/* 512-bit helpers for the lazy products below (plain integers, no reduction). */
static inline void fq_add_plain(fq_t *z, const fq_t *a, const fq_t *b) {   /* a + b < 2^256 */
    zk_u64c r0, r1, r2, r3;
    unsigned char c;
    c = ZK_ADC(0, a->v[0], b->v[0], &r0);
    c = ZK_ADC(c, a->v[1], b->v[1], &r1);
    c = ZK_ADC(c, a->v[2], b->v[2], &r2);
    (void)ZK_ADC(c, a->v[3], b->v[3], &r3);
    z->v[0] = r0; z->v[1] = r1; z->v[2] = r2; z->v[3] = r3;
}
/* w = u - v mod 2^512; returns the borrow. */
static inline unsigned char wide_sub(uint64_t w[8], const uint64_t u[8], const uint64_t v[8]) {
    unsigned char b = 0;
    for (int k = 0; k < 8; k++) {
        zk_u64c r;
        b = ZK_SBB(b, u[k], v[k], &r);
        w[k] = r;
    }
    return b;
}
/* w += p 2^256 when mask is all ones (undoes a borrow: u - v + p 2^256 < p 2^256). */
static inline void wide_add_p_high(uint64_t w[8], uint64_t mask) {
    zk_u64c r4, r5, r6, r7;
    unsigned char c;
    c = ZK_ADC(0, w[4], FQ_P0 & mask, &r4);
    c = ZK_ADC(c, w[5], FQ_P1 & mask, &r5);
    c = ZK_ADC(c, w[6], FQ_P2 & mask, &r6);
    (void)ZK_ADC(c, w[7], FQ_P3 & mask, &r7);
    w[4] = r4; w[5] = r5; w[6] = r6; w[7] = r7;
}

/* Karatsuba with lazy reduction: 3 plain products, 2 Montgomery reductions.
 * (a0 + a1 i)(b0 + b1 i) = (a0 b0 - a1 b1) + ((a0 + a1)(b0 + b1) - a0 b0 - a1 b1) i.
 * Bounds: a0 b0 - a1 b1 lies in (-p^2, p^2), made non-negative by + p 2^256 (which
 * reduces to + p); a0 b1 + a1 b0 < 2 p^2; both below p 2^256 as fq_redc needs. The
 * unreduced sums a0 + a1 < 2p fit in 256 bits since p < 2^254. */
static inline void fq2_mul(fq2_t *z, const fq2_t *a, const fq2_t *b) {
    uint64_t t0[8], t1[8], t2[8];
    fq_t sa, sb;
    fq_add_plain(&sa, &a->c0, &a->c1);
    fq_add_plain(&sb, &b->c0, &b->c1);
    fq_mul_wide(t0, &a->c0, &b->c0);
    fq_mul_wide(t1, &a->c1, &b->c1);
    fq_mul_wide(t2, &sa, &sb);
    (void)wide_sub(t2, t2, t0);
    (void)wide_sub(t2, t2, t1);
    unsigned char borrow = wide_sub(t0, t0, t1);
    wide_add_p_high(t0, (uint64_t)0 - borrow);
    fq_redc(&z->c0, t0);
    fq_redc(&z->c1, t2);
}

/* Complex squaring: 2 Fq multiplications.
 * (a0 + a1 i)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 i */
static inline void fq2_sqr(fq2_t *z, const fq2_t *a) {
    fq_t s, d, m;
    fq_add(&s, &a->c0, &a->c1);
    fq_sub(&d, &a->c0, &a->c1);
    fq_mul(&m, &a->c0, &a->c1);
    fq_mul(&z->c0, &s, &d);
    fq_dbl(&z->c1, &m);
}

/* z = a * b with b in the base field Fq: 2 multiplications. */
static inline void fq2_mul_fq(fq2_t *z, const fq2_t *a, const fq_t *b) {
    fq_mul(&z->c0, &a->c0, b);
    fq_mul(&z->c1, &a->c1, b);
}

/* z = a * xi = a * (9 + i) = (9 a0 - a1) + (a0 + 9 a1) i, each part as 9x + y with one
 * reduction (fq_mul_small_add; 9 a0 - a1 = 9 a0 + (p - a1) mod p). */
static inline void fq2_mul_by_nonresidue(fq2_t *z, const fq2_t *a) {
    fq_t p_minus_a1, r0, r1;
    zk_u64c m0, m1, m2, m3;
    unsigned char b;
    b = ZK_SBB(0, FQ_P0, a->c1.v[0], &m0);
    b = ZK_SBB(b, FQ_P1, a->c1.v[1], &m1);
    b = ZK_SBB(b, FQ_P2, a->c1.v[2], &m2);
    (void)ZK_SBB(b, FQ_P3, a->c1.v[3], &m3);
    p_minus_a1.v[0] = m0; p_minus_a1.v[1] = m1; p_minus_a1.v[2] = m2; p_minus_a1.v[3] = m3;
    fq_mul_small_add(&r0, &a->c0, 9, &p_minus_a1);
    fq_mul_small_add(&r1, &a->c1, 9, &a->c0);
    z->c0 = r0;
    z->c1 = r1;
}

/* z = a / 2 (halving works on Montgomery representatives directly: it is linear). */
static inline void fq2_halve(fq2_t *z, const fq2_t *a) {
    *z = *a;
    fq_halve_mod(z->c0.v);
    fq_halve_mod(z->c1.v);
}

/* n = a0^2 + a1^2, the norm of a (zero only for a = 0) */
static inline void fq2_norm(fq_t *n, const fq2_t *a) {
    fq_t t;
    fq_sqr(n, &a->c0);
    fq_sqr(&t, &a->c1);
    fq_add(n, n, &t);
}

/* z = conj(a) s; with s = 1 / norm(a), z = a^-1 */
static inline void fq2_conj_scaled(fq2_t *z, const fq2_t *a, const fq_t *s) {
    fq_t r0, r1;
    fq_mul(&r0, &a->c0, s);
    fq_mul(&r1, &a->c1, s);
    fq_neg(&r1, &r1);
    z->c0 = r0;
    z->c1 = r1;
}

/* z = a^-1 = conj(a) / (a0^2 + a1^2). Returns 0, or -1 (z = 0) when a = 0. */
static inline int fq2_inv(fq2_t *z, const fq2_t *a) {
    fq_t n;
    fq2_norm(&n, a);
    if (fq_inv(&n, &n) != 0) { fq2_set_zero(z); return -1; }
    fq2_conj_scaled(z, a, &n);
    return 0;
}

/* ---- Fq6 and Fq12 (tower.c) -------------------------------------------------------- */

void fq6_set_zero(fq6_t *z);
void fq6_set_one(fq6_t *z);
int fq6_is_zero(const fq6_t *a);
int fq6_eq(const fq6_t *a, const fq6_t *b);
void fq6_add(fq6_t *z, const fq6_t *a, const fq6_t *b);
void fq6_sub(fq6_t *z, const fq6_t *a, const fq6_t *b);
void fq6_neg(fq6_t *z, const fq6_t *a);
void fq6_dbl(fq6_t *z, const fq6_t *a);
void fq6_mul(fq6_t *z, const fq6_t *a, const fq6_t *b);            /* 6 Fq2 mul */
void fq6_sqr(fq6_t *z, const fq6_t *a);                            /* 2 mul + 3 sqr */
void fq6_mul_fq2(fq6_t *z, const fq6_t *a, const fq2_t *b);        /* 3 Fq2 mul */
void fq6_mul_by_01(fq6_t *z, const fq6_t *a, const fq2_t *b0, const fq2_t *b1); /* 5 Fq2 mul */
void fq6_mul_by_nonresidue(fq6_t *z, const fq6_t *a);              /* times v */
int fq6_inv(fq6_t *z, const fq6_t *a);

void fq12_set_zero(fq12_t *z);
void fq12_set_one(fq12_t *z);
int fq12_is_one(const fq12_t *a);
int fq12_eq(const fq12_t *a, const fq12_t *b);
void fq12_add(fq12_t *z, const fq12_t *a, const fq12_t *b);
void fq12_sub(fq12_t *z, const fq12_t *a, const fq12_t *b);
void fq12_neg(fq12_t *z, const fq12_t *a);
void fq12_conj(fq12_t *z, const fq12_t *a);                        /* c0 - c1 w = a^(p^6) */
void fq12_mul(fq12_t *z, const fq12_t *a, const fq12_t *b);        /* 18 Fq2 mul */
void fq12_sqr(fq12_t *z, const fq12_t *a);                         /* 12 Fq2 mul */
int fq12_inv(fq12_t *z, const fq12_t *a);
void fq12_pow(fq12_t *z, const fq12_t *a, const uint64_t *e, size_t nlimbs);
void fq12_mul_by_034(fq12_t *f, const fq2_t *d0, const fq2_t *d3, const fq2_t *d4);
void fq12_frobenius(fq12_t *z, const fq12_t *a, int power);        /* a^(p^power), power 1..3 */
void fq12_cyclotomic_sqr(fq12_t *z, const fq12_t *a);              /* only for a^(p^6-1)(p^2+1) */

/* Frobenius coefficients gamma[n-1][k] = xi^(k (p^n - 1) / 6), n = 1..3, k = 0..5
 * (w^(p^n) = gamma[n-1][1] w). For n = 2 they lie in Fq. See tower.c. */
extern const fq2_t fq12_frob_gamma1[6];
extern const fq_t fq12_frob_gamma2[6];
extern const fq2_t fq12_frob_gamma3[6];

#endif
