/* SPDX-License-Identifier: MIT */
/*
 * The number-theoretic transform over a group, G1 or G2 points instead of Fr elements
 * (zkcx_g1_fft, zkcx_g2_fft), and one scalar times many points (zkcx_g?_mul_all).
 *
 * For points P_0 .. P_(n-1), n = 2^k <= 2^28, and snarkjs's root
 * omega = omega_n = 5^((r-1)/n) (ntt.h, the root of zkcx_fr_ntt):
 *   forward   Q_i = sum_j [omega^(ij)] P_j
 *   inverse   Q_i = sum_j [n^-1 omega^(-ij)] P_j
 * natural order in and out, the identity allowed anywhere. A prepared ptau's Lagrange
 * block of size M is the inverse transform of its first M monomial points [tau^j] G:
 * sum_j [M^-1 omega_M^(-ij) tau^j] G = [L_i(tau)] G.
 *
 * Algorithm: the bit-reversal permutation, then decimation in time (Cooley-Tukey)
 * stage by stage: stage lm pairs x = a[s], y = a[s + m], m = 2^lm, s mod 2m < m, and
 * writes x + [w] y, x - [w] y with w = omega_2m^(s mod m) (omega_2m = omega^(n / 2m);
 * the inverse uses the inverse roots). On G2, where [omega_4] is the endomorphism
 * psi^3, stages run in pairs (radix 4: three products per four points instead of four,
 * point_fft_law.h). Butterflies with w = 1 skip the product, and the inverse's 1/n
 * costs log2 n + 1 products, not n (pf_first_t below).
 *
 * Per chunk of butterflies: the products [w] y (point_fft.h: each twiddle's digits,
 * computed once per transform, the two halves of the group's endomorphism split, a
 * table y .. 16y per point built with batch-affine additions, eight products side by
 * side in the AVX-512 IFMA kernel of point_fft_ifma.c, or g?_jac_mul without IFMA),
 * one conversion of the products to affine (Montgomery's trick), then the sums as
 * batch-affine additions (msm.h). Points stay affine between stages; chunks are shared
 * out among the threads.
 *
 * Cost (CPU time on the loaded 2-core development machine, IFMA, one or two threads
 * alike): about 5.8 us per radix-2 butterfly on G1 and 9.3 us per radix-2 butterfly
 * equivalent on G2 (15 us per G2 product), against 35 and 118 us with one full scalar
 * multiplication g?_jac_mul per butterfly and the 1/n as a last pass; the products are
 * ~85% of it. Tried and dropped: 4-bit windows (equal on G1, 2% slower on G2), 16 lanes
 * as two interleaved groups (5% slower on G1, 18% on G2: register spills), chunks of
 * 1024 butterflies (no change).
 */
#include <stdlib.h>
#include <string.h>
#include "g1.h"
#include "g2.h"
#include "msm.h"
#include "ntt.h"
#include "point_fft.h"
#include "runtime.h"
#include "../include/zkcx.h"

/* Butterflies per work item: their Jacobian results convert to affine together. */
#define FFT_CHUNK 256

/* The low `bits` bits of i in reverse order. */
static size_t fft_bit_rev(size_t i, unsigned bits) {
    size_t r = 0;
    for (unsigned b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    return r;
}

/* tw[j] = omega_(2^log_2m)^(+-j) as canonical limbs, j < m (the inverse root when
 * inverse). */
static void fft_twiddles(uint64_t *tw, unsigned log_2m, size_t m, int inverse) {
    fr_t w, x;
    ntt_root_of_unity(&w, log_2m);
    if (inverse) fr_inv(&w, &w);
    fr_set_one(&x);
    for (size_t j = 0; j < m; j++) {
        fr_t c;
        fr_from_mont(&c, &x);
        memcpy(tw + 4 * j, c.v, 32);
        fr_mul(&x, &x, &w);
    }
}

/* 2^-log_n as canonical limbs. */
static void fft_inv_size(fr_t *out, unsigned log_n) {
    fr_t s = fr_one;
    for (unsigned i = 0; i < log_n; i++) fr_add(&s, &s, &s);
    fr_inv(&s, &s);
    fr_from_mont(out, &s);
}


/* ---- the digits of the two halves of a scalar (point_fft.h) ---------------------------- */

int pf_g1_digits(pf_digits_t *out, const uint64_t k[4]) {
    fq_t k1, k2;
    int n1, n2;
    if (!g1_glv_split(k, &k1, &n1, &k2, &n2)) return 0;
    for (unsigned w = 0; w < PF_G1_WINDOWS; w++) {
        const int32_t a = msm_digit(k1.v, w, PF_WIDTH), b = msm_digit(k2.v, w, PF_WIDTH);
        out->d[0][w] = (int8_t)(n1 ? -a : a);
        out->d[1][w] = (int8_t)(n2 ? -b : b);
    }
    return 1;
}

/*
 * The 4-dimensional GLS split on G2 (Galbraith, Scott, "Exponentiating in pairing
 * groups", 2008, for BN curves): the rows b_i of
 *     B = [[u+1, u, u, -2u], [2u+1, -u, -u-1, -u], [2u, 2u+1, 2u+1, 2u+1],
 *          [u-1, 4u+2, -2u+1, u-1]]
 * satisfy sum_j b_ij z^j = 0 mod r (z = 6u^2, the eigenvalue of psi), so for any
 * integers c_i, a = (k, 0, 0, 0) - sum_i c_i b_i has sum_j a_j z^j = k mod r. With
 * c_i = round(k g_i / 2^256), g_i = round(2^256 adj(B)_0i / det B) (Babai rounding;
 * det B = -3r), |a_j| < 2^66. The constants are checked by tests/curve/test_fft.py;
 * correctness does not depend on them (only the bound check does).
 */
static const fq_t G2_GLS_G[4] = {
    {{0xd0cb46fd51906254ULL, 0xc444fab18d269b9dULL, 0, 0}},
    {{0x001378f5ee78976eULL, 0x22df9f942d7d77c7ULL, 0x3d00631561b25729ULL, 1}},
    {{0x36510546a93478abULL, 0x916fcfca16bebbe4ULL, 0x9e80318ab0d92b94ULL, 0}},
    {{0xf7ae23ce89afae7dULL, 0xc444fab18d269b9aULL, 0, 0}},
};
static const int G2_GLS_G_NEG[4] = {0, 0, 0, 1};
/* b_ij = alpha u + beta */
static const int G2_GLS_B[4][4][2] = {
    {{1, 1}, {1, 0}, {1, 0}, {-2, 0}},
    {{2, 1}, {-1, 0}, {-1, -1}, {-1, 0}},
    {{2, 0}, {2, 1}, {2, 1}, {2, 1}},
    {{1, -1}, {4, 2}, {-2, 1}, {1, -1}},
};

/* x as 256-bit two's complement */
static void u256_from_i128(uint64_t out[4], __int128 x) {
    const uint64_t fill = x < 0 ? ~(uint64_t)0 : 0;
    out[0] = (uint64_t)x;
    out[1] = (uint64_t)((unsigned __int128)x >> 64);
    out[2] = out[3] = fill;
}

/* out = a - b mod 2^256 */
static void u256_sub_mod(uint64_t out[4], const uint64_t a[4], const uint64_t b[4]) {
    unsigned char c = 0;
    zk_u64c t;
    for (int i = 0; i < 4; i++) {
        c = ZK_SBB(c, a[i], b[i], &t);
        out[i] = t;
    }
}

int pf_g2_digits(pf_digits_t *out, const uint64_t k[4]) {
    const __int128 u = (__int128)0x44e992b44a6909f1ULL;
    fq_t kk, c[4];
    memcpy(kk.v, k, 32);
    for (int i = 0; i < 4; i++) {
        /* c_i = round(k |g_i| / 2^256), negated with g_i (two's complement) */
        uint64_t w[8];
        fq_mul_wide(w, &kk, &G2_GLS_G[i]);
        unsigned __int128 acc = (unsigned __int128)w[3] + ((uint64_t)1 << 63);
        for (int q = 0; q < 4; q++) {
            acc = (acc >> 64) + w[4 + q];
            c[i].v[q] = (uint64_t)acc;
        }
        if (G2_GLS_G_NEG[i]) {
            const uint64_t zero[4] = {0, 0, 0, 0};
            u256_sub_mod(c[i].v, zero, c[i].v);
        }
    }
    uint64_t a[4][4];
    for (int j = 0; j < 4; j++) {
        memcpy(a[j], j == 0 ? k : (const uint64_t[4]){0, 0, 0, 0}, 32);
        for (int i = 0; i < 4; i++) {
            fq_t b;
            u256_from_i128(b.v, G2_GLS_B[i][j][0] * u + G2_GLS_B[i][j][1]);
            uint64_t w[8];
            fq_mul_wide(w, &c[i], &b);                /* c_i b_ij mod 2^256 */
            u256_sub_mod(a[j], a[j], w);
        }
    }
    for (int j = 0; j < 4; j++) {
        const int neg = (int)(a[j][3] >> 63);
        if (neg) {
            const uint64_t zero[4] = {0, 0, 0, 0};
            u256_sub_mod(a[j], zero, a[j]);
        }
        if (a[j][3] | a[j][2] | a[j][1] >> 2) return 0;   /* |a_j| < 2^66 */
        for (unsigned w = 0; w < PF_G2_WINDOWS; w++) {
            const int32_t d = msm_digit(a[j], w, PF_WIDTH);
            out->d[j][w] = (int8_t)(neg ? -d : d);
        }
    }
    return 1;
}

/*
 * The inverse transform's 1/n without a multiplication per output. In DIT the output
 * of a stage's block is x + [w] y, x - [w] y, where x comes from the first half of the
 * block (itself the output of a block of the previous stage) and y from the second.
 * Scaling the outputs by s means [s] x and [s w] y: the second half only needs its
 * twiddles times s, and the first half is again a scaled block, one stage down. So
 * only the first block of every stage (block 0, the butterflies j < m) takes the
 * twiddles s w^j (s w^0 = s included), and before the stages the single point a[0]
 * is multiplied by s: log2 n + 1 extra products instead of n. (Radix 4 likewise: the
 * first block's three products take s t^2, s t, s t^3.)
 */
typedef struct {
    uint64_t *tw;          /* canonical s w for the first block's products */
    pf_digits_t *dig;      /* and their digits */
} pf_first_t;

/* fp->tw/dig for a stage of span m: radix 2 (triples == 0): s w_n^(j stride), j < m;
 * radix 4 (triples): s w^(2je), s w^(je), s w^(3je) at 3j, 3j+1, 3j+2 (e = stride, the
 * exponent of t; w^e for e >= n/2 is -w^(e - n/2)). tw holds w_n^e, e < half, canonical;
 * s is in Montgomery form. */
static void fft_first_twiddles(const pf_first_t *fp, size_t m, const uint64_t *tw, size_t half,
                               size_t stride, int triples, const fr_t *s,
                               int (*digits)(pf_digits_t *, const uint64_t *), int nt) {
    const size_t count = triples ? 3 * m : m;
    const int ntd = count >= 1024 ? nt : 1;
    (void)ntd;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(ntd)
#endif
    for (size_t q = 0; q < count; q++) {
        const size_t j = triples ? q / 3 : q;
        static const size_t mult[3] = {2, 1, 3};
        size_t e = j * stride * (triples ? mult[q % 3] : 1);
        const int neg = e >= half;
        if (neg) e -= half;
        fr_t x;
        memcpy(x.v, tw + 4 * e, 32);
        fr_to_mont(&x, &x);
        fr_mul(&x, &x, s);
        if (neg) fr_neg(&x, &x);
        fr_from_mont(&x, &x);
        memcpy(fp->tw + 4 * q, x.v, 32);
        if (!digits(&fp->dig[q], x.v)) memset(&fp->dig[q], 0, sizeof fp->dig[q]);
    }
}

#define CURVE g1
#include "point_fft_law.h"
/* [omega_4] p = psi^3(p) on G2: psi = [z] there and z^3 = omega_4 mod r (z = 6u^2;
 * tests/curve/test_fft.py checks the arithmetic);
 * omega_4^-1 = -omega_4. */
static void g2_aff_w4(g2_aff_t *out, const g2_aff_t *p, int inverse) {
    g2_aff_psi(out, p);
    g2_aff_psi(out, out);
    g2_aff_psi(out, out);
    if (inverse) g2_aff_neg(out, out);
}

#define CURVE g2
#define PF_W4 g2_aff_w4
#include "point_fft_law.h"

/* ---- exports ------------------------------------------------------------------------- */

int zkcx_g1_fft(uint64_t *points, size_t n, int inverse) {
    return g1_fft_run((g1_aff_t *)(void *)points, n, inverse);
}

int zkcx_g2_fft(uint64_t *points, size_t n, int inverse) {
    return g2_fft_run((g2_aff_t *)(void *)points, n, inverse);
}

/* The scalar in Montgomery form (an Fr's storage), any reduced value. */
static int mul_all_scalar(uint64_t k[4], const uint64_t *scalar) {
    fr_t s;
    memcpy(s.v, scalar, 32);
    if (fr_u256_geq(s.v, fr_modulus.v)) return 0;
    fr_from_mont(&s, &s);
    memcpy(k, s.v, 32);
    return 1;
}

int zkcx_g1_mul_all(uint64_t *out, const uint64_t *points, const uint64_t *scalar, size_t n) {
    uint64_t k[4];
    if (!mul_all_scalar(k, scalar)) return ZKCX_ERR_ARG;
    return g1_mul_all_run((g1_aff_t *)(void *)out, (const g1_aff_t *)(const void *)points, k,
                           n, zkcx_runtime_threads(), zkcx_runtime_use_ifma());
}

int zkcx_g2_mul_all(uint64_t *out, const uint64_t *points, const uint64_t *scalar, size_t n) {
    uint64_t k[4];
    if (!mul_all_scalar(k, scalar)) return ZKCX_ERR_ARG;
    return g2_mul_all_run((g2_aff_t *)(void *)out, (const g2_aff_t *)(const void *)points, k,
                          n, zkcx_runtime_threads(), zkcx_runtime_use_ifma());
}
