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

/* ---- shared rare cases -------------------------------------------------------------- */

void msm_g1_add_den(fq_t *den, const g1_aff_t *a, const g1_aff_t *b) {
    if (g1_aff_is_identity(a) || g1_aff_is_identity(b)) { fq_set_one(den); return; }
    if (fq_eq(&a->x, &b->x)) {
        /* equal x: P + P (tangent, denominator 2y) or P + (-P) = O (no inversion) */
        if (fq_eq(&a->y, &b->y) && !fq_is_zero(&a->y)) fq_dbl(den, &a->y);
        else fq_set_one(den);
        return;
    }
    fq_sub(den, &b->x, &a->x);
}

void msm_g1_add_finish(g1_aff_t *out, const g1_aff_t *a, const g1_aff_t *b, const fq_t *inv) {
    if (g1_aff_is_identity(a)) { *out = *b; return; }
    if (g1_aff_is_identity(b)) { *out = *a; return; }
    fq_t lam, t, x3, y3;
    if (fq_eq(&a->x, &b->x)) {
        if (!fq_eq(&a->y, &b->y) || fq_is_zero(&a->y)) {
            fq_set_zero(&out->x);
            fq_set_zero(&out->y);
            return;
        }
        fq_sqr(&t, &a->x);                  /* lambda = 3 x^2 / (2 y) */
        fq_add(&lam, &t, &t);
        fq_add(&lam, &lam, &t);
        fq_mul(&lam, &lam, inv);
    } else {
        fq_sub(&t, &b->y, &a->y);
        fq_mul(&lam, &t, inv);
    }
    fq_sqr(&x3, &lam);
    fq_sub(&x3, &x3, &a->x);
    fq_sub(&x3, &x3, &b->x);
    fq_sub(&t, &a->x, &x3);
    fq_mul(&y3, &lam, &t);
    fq_sub(&y3, &y3, &a->y);
    out->x = x3;
    out->y = y3;
}

void msm_g2_add_den(fq2_t *den, const g2_aff_t *a, const g2_aff_t *b) {
    if (g2_aff_is_identity(a) || g2_aff_is_identity(b)) { fq2_set_one(den); return; }
    if (fq2_eq(&a->x, &b->x)) {
        if (fq2_eq(&a->y, &b->y) && !fq2_is_zero(&a->y)) fq2_dbl(den, &a->y);
        else fq2_set_one(den);
        return;
    }
    fq2_sub(den, &b->x, &a->x);
}

void msm_g2_add_finish(g2_aff_t *out, const g2_aff_t *a, const g2_aff_t *b, const fq2_t *inv) {
    if (g2_aff_is_identity(a)) { *out = *b; return; }
    if (g2_aff_is_identity(b)) { *out = *a; return; }
    fq2_t lam, t, x3, y3;
    if (fq2_eq(&a->x, &b->x)) {
        if (!fq2_eq(&a->y, &b->y) || fq2_is_zero(&a->y)) {
            fq2_set_zero(&out->x);
            fq2_set_zero(&out->y);
            return;
        }
        fq2_sqr(&t, &a->x);
        fq2_add(&lam, &t, &t);
        fq2_add(&lam, &lam, &t);
        fq2_mul(&lam, &lam, inv);
    } else {
        fq2_sub(&t, &b->y, &a->y);
        fq2_mul(&lam, &t, inv);
    }
    fq2_sqr(&x3, &lam);
    fq2_sub(&x3, &x3, &a->x);
    fq2_sub(&x3, &x3, &b->x);
    fq2_sub(&t, &a->x, &x3);
    fq2_mul(&y3, &lam, &t);
    fq2_sub(&y3, &y3, &a->y);
    out->x = x3;
    out->y = y3;
}

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

/* ---- batch inversion of a few elements (the lane accumulators of the IFMA kernels) ---- */

void msm_fq_batch_inv(fq_t *v, fq_t *tmp, size_t n) {
    fq_t acc;
    fq_set_one(&acc);
    for (size_t i = 0; i < n; i++) {
        tmp[i] = acc;
        fq_mul(&acc, &acc, &v[i]);
    }
    msm_fq_inv(&acc, &acc);
    for (size_t i = n; i-- > 0;) {
        fq_t t;
        fq_mul(&t, &acc, &tmp[i]);
        fq_mul(&acc, &acc, &v[i]);
        v[i] = t;
    }
}

/* (a0 + a1 i)^-1 = (a0 - a1 i) / (a0^2 + a1^2) */
static void fq2_inv_fast(fq2_t *z, const fq2_t *a) {
    fq_t n;
    fq2_norm(&n, a);
    msm_fq_inv(&n, &n);
    fq2_conj_scaled(z, a, &n);
}

void msm_fq2_batch_inv(fq2_t *v, fq2_t *tmp, size_t n) {
    fq2_t acc;
    fq2_set_one(&acc);
    for (size_t i = 0; i < n; i++) {
        tmp[i] = acc;
        fq2_mul(&acc, &acc, &v[i]);
    }
    fq2_inv_fast(&acc, &acc);
    for (size_t i = n; i-- > 0;) {
        fq2_t t;
        fq2_mul(&t, &acc, &tmp[i]);
        fq2_mul(&acc, &acc, &v[i]);
        v[i] = t;
    }
}

/* ---- portable kernels ---------------------------------------------------------------- */

static inline void g1_load_tagged(g1_aff_t *p, msm_ptr_t t) {
    memcpy(p, MSM_ADDR(t), sizeof *p);
    if (t & MSM_NEG) fq_neg(&p->y, &p->y);
}

static inline void g2_load_tagged(g2_aff_t *p, msm_ptr_t t) {
    memcpy(p, MSM_ADDR(t), sizeof *p);
    if (t & MSM_NEG) fq2_neg(&p->y, &p->y);
}

/* The common case: two distinct x, neither point the identity. */
static inline int g1_generic_pair(const g1_aff_t *a, const g1_aff_t *b) {
    return !fq_eq(&a->x, &b->x) && !g1_aff_is_identity(a) && !g1_aff_is_identity(b);
}
static inline int g2_generic_pair(const g2_aff_t *a, const g2_aff_t *b) {
    return !fq2_eq(&a->x, &b->x) && !g2_aff_is_identity(a) && !g2_aff_is_identity(b);
}

size_t msm_g1_batch_scratch(size_t m) { return 176 * m + 4096; }
size_t msm_g2_batch_scratch(size_t m) { return 128 * m + 2048; }

void msm_g1_batch_add_portable(g1_aff_t *const *out, const msm_ptr_t *a, const msm_ptr_t *b,
                               size_t m, void *scratch) {
    if (m == 0) return;
    fq_t *pre = (fq_t *)scratch, *den = pre + m;   /* running products, denominators */
    fq_t acc;
    fq_set_one(&acc);
    for (size_t j = 0; j < m; j++) {
        g1_aff_t pa, pb;
        g1_load_tagged(&pa, a[j]);
        g1_load_tagged(&pb, b[j]);
        if (g1_generic_pair(&pa, &pb)) fq_sub(&den[j], &pb.x, &pa.x);
        else msm_g1_add_den(&den[j], &pa, &pb);
        pre[j] = acc;
        fq_mul(&acc, &acc, &den[j]);
    }
    msm_fq_inv(&acc, &acc);      /* nonzero: every denominator is */
    for (size_t j = m; j-- > 0;) {
        g1_aff_t pa, pb;
        g1_load_tagged(&pa, a[j]);
        g1_load_tagged(&pb, b[j]);
        fq_t inv;
        fq_mul(&inv, &acc, &pre[j]);
        fq_mul(&acc, &acc, &den[j]);
        if (!g1_generic_pair(&pa, &pb)) { msm_g1_add_finish(out[j], &pa, &pb, &inv); continue; }
        fq_t lam, t, x3, y3;
        fq_sub(&t, &pb.y, &pa.y);
        fq_mul(&lam, &t, &inv);
        fq_sqr(&x3, &lam);
        fq_sub(&x3, &x3, &pa.x);
        fq_sub(&x3, &x3, &pb.x);
        fq_sub(&t, &pa.x, &x3);
        fq_mul(&y3, &lam, &t);
        fq_sub(&y3, &y3, &pa.y);
        out[j]->x = x3;
        out[j]->y = y3;
    }
}

void msm_g2_batch_add_portable(g2_aff_t *const *out, const msm_ptr_t *a, const msm_ptr_t *b,
                               size_t m, void *scratch) {
    if (m == 0) return;
    fq2_t *pre = (fq2_t *)scratch, *den = pre + m;
    fq2_t acc;
    fq2_set_one(&acc);
    for (size_t j = 0; j < m; j++) {
        g2_aff_t pa, pb;
        g2_load_tagged(&pa, a[j]);
        g2_load_tagged(&pb, b[j]);
        if (g2_generic_pair(&pa, &pb)) fq2_sub(&den[j], &pb.x, &pa.x);
        else msm_g2_add_den(&den[j], &pa, &pb);
        pre[j] = acc;
        fq2_mul(&acc, &acc, &den[j]);
    }
    fq2_inv_fast(&acc, &acc);
    for (size_t j = m; j-- > 0;) {
        g2_aff_t pa, pb;
        g2_load_tagged(&pa, a[j]);
        g2_load_tagged(&pb, b[j]);
        fq2_t inv;
        fq2_mul(&inv, &acc, &pre[j]);
        fq2_mul(&acc, &acc, &den[j]);
        if (!g2_generic_pair(&pa, &pb)) { msm_g2_add_finish(out[j], &pa, &pb, &inv); continue; }
        fq2_t lam, t, x3, y3;
        fq2_sub(&t, &pb.y, &pa.y);
        fq2_mul(&lam, &t, &inv);
        fq2_sqr(&x3, &lam);
        fq2_sub(&x3, &x3, &pa.x);
        fq2_sub(&x3, &x3, &pb.x);
        fq2_sub(&t, &pa.x, &x3);
        fq2_mul(&y3, &lam, &t);
        fq2_sub(&y3, &y3, &pa.y);
        out[j]->x = x3;
        out[j]->y = y3;
    }
}

void msm_g1_batch_add(g1_aff_t *const *out, const msm_ptr_t *a, const msm_ptr_t *b,
                      size_t m, void *scratch, int use_ifma) {
    if (use_ifma) msm_g1_batch_add_ifma(out, a, b, m, scratch);
    else msm_g1_batch_add_portable(out, a, b, m, scratch);
}

void msm_g2_batch_add(g2_aff_t *const *out, const msm_ptr_t *a, const msm_ptr_t *b,
                      size_t m, void *scratch, int use_ifma) {
    if (use_ifma) msm_g2_batch_add_ifma(out, a, b, m, scratch);
    else msm_g2_batch_add_portable(out, a, b, m, scratch);
}

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
