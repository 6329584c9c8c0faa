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
#include <pthread.h>
#include <string.h>
#include "msm.h"
#include "field_ifma.h"
#include "runtime.h"

/* ---- inversion --------------------------------------------------------------------- */

/*
 * z = x^-1 in Fq (Montgomery form in and out); x must be nonzero. Every batch of the
 * MSM ends in one inversion, so its speed matters at small batch sizes. Kaliski's
 * almost Montgomery inverse (B. S. Kaliski Jr., "The Montgomery inverse and its
 * applications", IEEE Trans. Computers 44(8), 1995), phase 1, on the representative X
 * of x: u = p, v = X, r = 0, s = 1 keep p = u s + v r (so 0 <= r, s <= p, no modular
 * reduction on the way) while u, v shrink by binary GCD steps, each step stripping all
 * trailing zeros of the difference at once (k counts the halvings); it ends with
 * r' = X^-1 2^k mod p, 254 <= k <= 508. Then z = r' 2^-k R^3 R^-1 = X^-1 R^2 = x^-1 R,
 * one Montgomery multiplication by a table entry. Variable time, like fq_inv; about
 * twice as fast as a binary GCD that halves x1 mod p at every step.
 */
#define KALISKI_MAX_K 512

static fq_t kaliski_table[KALISKI_MAX_K + 1];   /* [k]: 2^-k R^3 mod p (plain integers) */
static pthread_once_t kaliski_once = PTHREAD_ONCE_INIT;

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

static void u256_add(uint64_t a[4], const uint64_t b[4]) {  /* a += b, no overflow */
    unsigned char c = 0;
    zk_u64c t;
    for (int k = 0; k < 4; k++) {
        c = ZK_ADC(c, a[k], b[k], &t);
        a[k] = t;
    }
}

/* a >>= k for 0 < k < 256 */
static void u256_shr(uint64_t a[4], unsigned k) {
    const unsigned w = k / 64, b = k % 64;
    for (unsigned i = 0; i < 4; i++) {
        uint64_t lo = i + w < 4 ? a[i + w] : 0, hi = i + w + 1 < 4 ? a[i + w + 1] : 0;
        a[i] = b ? (lo >> b) | (hi << (64 - b)) : lo;
    }
}

/* a <<= k for 0 < k < 256 (the caller knows the result fits) */
static void u256_shl(uint64_t a[4], unsigned k) {
    const unsigned w = k / 64, b = k % 64;
    for (int i = 3; i >= 0; i--) {
        uint64_t hi = i >= (int)w ? a[i - (int)w] : 0;
        uint64_t lo = i >= (int)w + 1 ? a[i - (int)w - 1] : 0;
        a[i] = b ? (hi << b) | (lo >> (64 - b)) : hi;
    }
}

static unsigned u256_ctz(const uint64_t a[4]) {            /* a != 0 */
    for (unsigned i = 0; i < 4; i++)
        if (a[i]) return 64 * i + (unsigned)__builtin_ctzll(a[i]);
    return 256;
}

static void kaliski_init(void) {
    const uint64_t *p = fq_modulus.v;
    uint64_t t[4];
    memcpy(t, fq_r3.v, 32);
    for (int k = 0; k <= KALISKI_MAX_K; k++) {
        memcpy(kaliski_table[k].v, t, 32);
        /* t = t / 2 mod p: (t + p) / 2 when t is odd (t + p < 2^255) */
        if (t[0] & 1) u256_add(t, p);
        u256_shr(t, 1);
    }
}

void msm_fq_inv(fq_t *z, const fq_t *x) {
    const uint64_t *p = fq_modulus.v;
    uint64_t u[4], v[4], r[4] = {0, 0, 0, 0}, s[4] = {1, 0, 0, 0};
    memcpy(u, p, 32);
    memcpy(v, x->v, 32);
    unsigned k = u256_ctz(v);
    if (k) u256_shr(v, k);
    for (;;) {                                   /* u, v odd; p = u s + v r */
        int c = 0;
        for (int l = 3; l >= 0; l--)
            if (u[l] != v[l]) { c = u[l] > v[l] ? 1 : -1; break; }
        if (c > 0) {
            u256_sub(u, v);
            const unsigned t = u256_ctz(u);
            u256_shr(u, t);
            u256_add(r, s);
            u256_shl(s, t);
            k += t;
        } else if (c < 0) {
            u256_sub(v, u);
            const unsigned t = u256_ctz(v);
            u256_shr(v, t);
            u256_add(s, r);
            u256_shl(r, t);
            k += t;
        } else {                                 /* u = v = gcd = 1: the last step */
            u256_shl(r, 1);
            k += 1;
            break;
        }
    }
    if (u256_geq(r, p)) u256_sub(r, p);
    uint64_t y[4];
    memcpy(y, p, 32);
    u256_sub(y, r);                              /* X^-1 2^k mod p */
    pthread_once(&kaliski_once, kaliski_init);
    fq_t plain;
    memcpy(plain.v, y, 32);
    fq_mul(z, &plain, &kaliski_table[k <= KALISKI_MAX_K ? k : KALISKI_MAX_K]);
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
