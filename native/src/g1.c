/* SPDX-License-Identifier: MIT */
/* G1: the group law of curve_law.h over Fq, the GLV scalar multiplication and the zkcx_g1_*
 * exports (see g1.h). */
#include <stdlib.h>
#include <string.h>
#include "g1.h"
#include "../include/zkcx.h"

/* b = 3 in Montgomery form */
const fq_t g1_curve_b = {{0x7a17caa950ad28d7ULL, 0x1f6ac17ae15521b9ULL, 0x334bea4e696bd284ULL,
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

#define CURVE g1
#define COORD fq
#define CURVE_B g1_curve_b
#include "curve_law.h"
#undef CURVE
#undef COORD
#undef CURVE_B

/* Both GLV halves use width-5 NAFs: tables of the odd multiples P, 3P, ..., 15P. */
#define G1_WNAF_W 5
enum { G1_TN = 1 << (G1_WNAF_W - 2) };

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
    if (!g1_glv_split(kr, &k1, &neg1, &k2, &neg2)) { g1_jac_mul_wnaf(out, p, kr, G1_WNAF_W); return; }
    int8_t d1[257], d2[257];
    const int len1 = curve_scalar_wnaf(d1, k1.v, G1_WNAF_W);
    const int len2 = curve_scalar_wnaf(d2, k2.v, G1_WNAF_W);
    g1_jac_set_identity(out);
    if ((len1 == 0 && len2 == 0) || g1_aff_is_identity(p)) return;

    g1_aff_t t1[G1_TN], t2[G1_TN];
    g1_odd_multiples(t1, p, G1_TN);
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
