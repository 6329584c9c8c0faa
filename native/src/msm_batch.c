/* SPDX-License-Identifier: MIT */
/*
 * Portable batch-affine additions for G1 and G2 (see msm.h), the rare-case helpers the
 * IFMA kernels share, small batch inversions and the scalar conversion of the MSM.
 *
 * Affine addition on y^2 = x^3 + b (a = 0): lambda = (y_b - y_a) / (x_b - x_a), or
 * 3 x_a^2 / (2 y_a) for a doubling; x3 = lambda^2 - x_a - x_b, y3 = lambda (x_a - x3) - y_a.
 * Montgomery's trick turns the m inversions of a batch into one inversion and 3(m - 1)
 * multiplications: a forward pass stores the running products of the denominators, a
 * backward pass peels one inverse off per step.
 */
#include <string.h>
#include "msm.h"
#include "field_ifma.h"
#include "runtime.h"

/* ---- inversion --------------------------------------------------------------------- */

/*
 * z = x^-1 in Fq (Montgomery form in and out); x must be nonzero. Every batch of the
 * MSM ends in one inversion, so its speed matters at small batch sizes: this is the
 * binary extended Euclid of field_arith.h's fq_inv (same invariants x1 X = u, x2 X = v
 * mod p on the Montgomery representative X), but each step strips all trailing zeros
 * of u at once and divides x1 by 2^k in one go, as x1 / 2^k = (x1 + m p) / 2^k with
 * m = -x1 p^-1 mod 2^k (Montgomery's reduction step, k <= 63), instead of k halvings.
 * Variable time, like fq_inv.
 */
static void u256_shr(uint64_t a[4], unsigned k) {          /* 0 < k < 64 */
    a[0] = (a[0] >> k) | (a[1] << (64 - k));
    a[1] = (a[1] >> k) | (a[2] << (64 - k));
    a[2] = (a[2] >> k) | (a[3] << (64 - k));
    a[3] >>= k;
}

static int u256_geq(const uint64_t a[4], const uint64_t b[4]) {
    for (int k = 3; k >= 0; k--)
        if (a[k] != b[k]) return a[k] > b[k];
    return 1;
}

static void u256_sub(uint64_t a[4], const uint64_t b[4]) {  /* a -= b, a >= b */
    unsigned char c = 0;
    zk_u64c t;
    for (int k = 0; k < 4; k++) {
        c = ZK_SBB(c, a[k], b[k], &t);
        a[k] = t;
    }
}

/* x = x / 2^k mod p for x < p, 0 < k < 64 */
static void divpow2_mod(uint64_t x[4], unsigned k) {
    const uint64_t *p = fq_modulus.v;
    uint64_t m = (x[0] * FQ_INV) & (((uint64_t)1 << k) - 1);
    u128 acc = 0;
    uint64_t t[5];
    for (int i = 0; i < 4; i++) {
        acc += (u128)m * p[i] + x[i];
        t[i] = (uint64_t)acc;
        acc >>= 64;
    }
    t[4] = (uint64_t)acc;
    /* (x + m p) / 2^k < p / 2^k + p < 2p */
    uint64_t r[4] = {(t[0] >> k) | (t[1] << (64 - k)), (t[1] >> k) | (t[2] << (64 - k)),
                     (t[2] >> k) | (t[3] << (64 - k)), (t[3] >> k) | (t[4] << (64 - k))};
    if (u256_geq(r, p)) u256_sub(r, p);
    memcpy(x, r, 32);
}

/* x = x - y mod p for x, y < p */
static void submod(uint64_t x[4], const uint64_t y[4]) {
    if (u256_geq(x, y)) {
        u256_sub(x, y);
    } else {
        uint64_t t[4];
        memcpy(t, fq_modulus.v, 32);
        u256_sub(t, y);                 /* p - y */
        unsigned char c = 0;
        zk_u64c s;
        for (int k = 0; k < 4; k++) {   /* x + p - y < p */
            c = ZK_ADC(c, x[k], t[k], &s);
            x[k] = s;
        }
    }
}

static void strip_twos(uint64_t u[4], uint64_t x[4]) {
    while (u[0] == 0) {                 /* 64 or more zeros: rare */
        u[0] = u[1]; u[1] = u[2]; u[2] = u[3]; u[3] = 0;
        divpow2_mod(x, 32);
        divpow2_mod(x, 32);
    }
    unsigned k = (unsigned)__builtin_ctzll(u[0]);
    if (k) {
        u256_shr(u, k);
        divpow2_mod(x, k);
    }
}

static int u256_is_one(const uint64_t a[4]) { return a[0] == 1 && (a[1] | a[2] | a[3]) == 0; }

void msm_fq_inv(fq_t *z, const fq_t *x) {
    uint64_t u[4], v[4], x1[4] = {1, 0, 0, 0}, x2[4] = {0, 0, 0, 0};
    memcpy(u, x->v, 32);
    memcpy(v, fq_modulus.v, 32);
    strip_twos(u, x1);
    /* u, v odd from here on */
    while (!u256_is_one(u) && !u256_is_one(v)) {
        if (u256_geq(u, v)) {
            u256_sub(u, v);
            submod(x1, x2);
            strip_twos(u, x1);
        } else {
            u256_sub(v, u);
            submod(x2, x1);
            strip_twos(v, x2);
        }
    }
    fq_t plain;
    memcpy(plain.v, u256_is_one(u) ? x1 : x2, 32);
    fq_mul(z, &plain, &fq_r3);          /* X^-1 R^3 / R = x^-1 R */
}

/* (a0 + a1 i)^-1 = (a0 - a1 i) / (a0^2 + a1^2) */
static void fq2_inv_fast(fq2_t *z, const fq2_t *a) {
    fq_t n;
    fq2_norm(&n, a);
    msm_fq_inv(&n, &n);
    fq2_conj_scaled(z, a, &n);
}

/* ---- the rare cases, small batch inversions and portable kernels of each group ---- */

#define CURVE g1
#define COORD fq
#define COORD_INV msm_fq_inv
#include "msm_batch_law.h"

#define CURVE g2
#define COORD fq2
#define COORD_INV fq2_inv_fast
#include "msm_batch_law.h"

size_t msm_g1_batch_scratch(size_t m) { return 176 * m + 4096; }
size_t msm_g2_batch_scratch(size_t m) { return 128 * m + 2048; }

/* ---- scalars ------------------------------------------------------------------------ */

void msm_scalars_from_mont(uint64_t *out, const uint64_t *in, size_t n, int nthreads,
                           int use_ifma) {
    /* x R / R = x: a Montgomery product with the plain integer 1 */
    static const fr_t plain_one = {{1, 0, 0, 0}};
    fr_t *z = (fr_t *)(void *)out;
    const fr_t *x = (const fr_t *)(const void *)in;
    int nt = n >= ZKCX_PARALLEL_MIN ? nthreads : 1;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(nt)
#endif
    for (int t = 0; t < nt; t++) {
        size_t lo = n * (size_t)t / (size_t)nt, hi = n * (size_t)(t + 1) / (size_t)nt;
        if (use_ifma) fr_vec_mul_by_ifma(z + lo, x + lo, &plain_one, hi - lo);
        else for (size_t i = lo; i < hi; i++) fr_from_mont(&z[i], &x[i]);
    }
}
