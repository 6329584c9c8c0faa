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
 * the inverse uses the inverse roots). Points stay affine between stages: a stage
 * computes its products and sums in Jacobian coordinates and converts them back with
 * one inversion per chunk (Montgomery's trick). Butterflies with w = 1 skip the
 * multiplication. The inverse's 1/n is one more multiplication of every point.
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
    for (unsigned w = 0; w < PF_WINDOWS; w++) {
        const int32_t a = msm_digit(k1.v, w, 4), b = msm_digit(k2.v, w, 4);
        out->d1[w] = (int8_t)(n1 ? -a : a);
        out->d2[w] = (int8_t)(n2 ? -b : b);
    }
    return 1;
}

/* z = 6u^2 = p - r (as p = r + 6u^2 for BN curves), the eigenvalue of psi on G2. */
static unsigned __int128 g2_psi_eigenvalue(void) {
    const unsigned __int128 u = 0x44e992b44a6909f1ULL;
    return 6 * u * u;
}

int pf_g2_digits(pf_digits_t *out, const uint64_t k[4]) {
    /* k1 = k mod z, k2 = k div z by binary long division (k < 2^256, z < 2^127) */
    const unsigned __int128 z = g2_psi_eigenvalue();
    unsigned __int128 rem = 0;
    uint64_t q[4] = {0, 0, 0, 0};
    for (int bit = 255; bit >= 0; bit--) {
        rem = rem << 1 | ((k[bit >> 6] >> (bit & 63)) & 1);
        if (rem >= z) {
            rem -= z;
            q[bit >> 6] |= (uint64_t)1 << (bit & 63);
        }
    }
    if (q[2] | q[3]) return 0;
    const uint64_t k1[4] = {(uint64_t)rem, (uint64_t)(rem >> 64), 0, 0};
    for (unsigned w = 0; w < PF_WINDOWS; w++) {
        out->d1[w] = (int8_t)msm_digit(k1, w, 4);
        out->d2[w] = (int8_t)msm_digit(q, w, 4);
    }
    return 1;
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
