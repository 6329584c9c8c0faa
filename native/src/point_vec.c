/* SPDX-License-Identifier: MIT */
/*
 * Validation of point vectors read from untrusted sources (zkey files, JSON, EVM
 * calldata): one call checks n points in parallel and names the first bad one, so
 * Python never loops per point.
 */
#include <string.h>
#include "../include/zkcx.h"
#include "field_ifma.h"
#include "g1.h"
#include "g2.h"
#include "runtime.h"

/* Index of the first failing point in [0, n), or -1. Each thread scans a contiguous
 * part, `step` points at a time: `bad_in` (an expression of the loop's i and len) is the
 * offset of the first bad point of points [i, i + len), or -1. The smallest failing index
 * over all parts wins, so the answer does not depend on the thread count. */
#define FIRST_INVALID_BY(n, step, bad_in)                                             \
    do {                                                                              \
        long long first = -1;                                                         \
        int nt_ = (n) >= 256 ? zkcx_runtime_threads() : 1;                            \
        _Pragma("omp parallel for schedule(static) num_threads(nt_)")                 \
        for (int t = 0; t < nt_; t++) {                                               \
            size_t lo = (n) * (size_t)t / (size_t)nt_, hi = (n) * (size_t)(t + 1) / (size_t)nt_; \
            for (size_t i = lo; i < hi; i += (step)) {                                \
                size_t len = hi - i < (step) ? hi - i : (step);                       \
                long long bad = (bad_in);                                             \
                (void)len;                                                            \
                if (bad >= 0) {                                                       \
                    _Pragma("omp critical(zkcx_first_invalid)")                       \
                    if (first < 0 || (long long)i + bad < first) first = (long long)i + bad; \
                    break;                                                            \
                }                                                                     \
            }                                                                         \
        }                                                                             \
        return first;                                                                 \
    } while (0)

/* One point at a time: `check_one` (of the loop's i) is nonzero for a good point. */
#define FIRST_INVALID(n, check_one) FIRST_INVALID_BY(n, 1, (check_one) ? -1LL : 0LL)

static int g1_valid(const uint64_t *in) {
    g1_aff_t p;
    return g1_aff_load(&p, in);
}

static int g2_valid(const uint64_t *in, int check_subgroup) {
    g2_aff_t p;
    if (!g2_aff_load(&p, in)) return 0;
    return !check_subgroup || g2_aff_in_subgroup(&p);
}

/*
 * The same checks on the IFMA kernel, a chunk of CHUNK points at a time: the
 * coordinates' ranges point by point, then the curve equation's products as vectors
 * (fq_vec_mul_ifma: 8 products at once, reduced below p as fq_mul's), compared point
 * by point. Only points whose coordinates are below p are multiplied (the products'
 * bounds need it). Each returns the index of the first bad point of the chunk, or -1.
 */
#define CHUNK 128

static int coords_in_range(const uint64_t *in, int words) {
    for (int c = 0; c < words; c += 4)
        if (!curve_fq_in_range(in + c)) return 0;
    return 1;
}

static long long g1_chunk_first_invalid_ifma(const uint64_t *pts, size_t n) {
    fq_t x[CHUNK], y[CHUNK], yy[CHUNK], xxx[CHUNK];
    size_t m = 0;   /* points [0, m) have coordinates below p */
    while (m < n && coords_in_range(pts + 8 * m, 8)) {
        memcpy(&x[m], pts + 8 * m, sizeof x[m]);
        memcpy(&y[m], pts + 8 * m + 4, sizeof y[m]);
        m++;
    }
    fq_vec_mul_ifma(yy, y, y, m);
    fq_vec_mul_ifma(xxx, x, x, m);
    fq_vec_mul_ifma(xxx, xxx, x, m);
    for (size_t i = 0; i < m; i++) {
        if (fq_is_zero(&x[i]) && fq_is_zero(&y[i])) continue;   /* the identity */
        fq_add(&xxx[i], &xxx[i], &g1_curve_b);
        if (!fq_eq(&yy[i], &xxx[i])) return (long long)i;
    }
    return m < n ? (long long)m : -1;
}

/* (a0 + a1 u)(b0 + b1 u) with u^2 = -1, for m pairs: 4 vectors of products. */
static void fq2_vec_mul_ifma(fq_t *z0, fq_t *z1, const fq_t *a0, const fq_t *a1,
                             const fq_t *b0, const fq_t *b1, size_t m) {
    fq_t p00[CHUNK], p11[CHUNK], p01[CHUNK], p10[CHUNK];
    fq_vec_mul_ifma(p00, a0, b0, m);
    fq_vec_mul_ifma(p11, a1, b1, m);
    fq_vec_mul_ifma(p01, a0, b1, m);
    fq_vec_mul_ifma(p10, a1, b0, m);
    for (size_t i = 0; i < m; i++) {
        fq_sub(&z0[i], &p00[i], &p11[i]);
        fq_add(&z1[i], &p01[i], &p10[i]);
    }
}

/* (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u, for m elements: 2 vectors of products. */
static void fq2_vec_sqr_ifma(fq_t *z0, fq_t *z1, const fq_t *a0, const fq_t *a1, size_t m) {
    fq_t s[CHUNK], d[CHUNK];
    for (size_t i = 0; i < m; i++) {
        fq_add(&s[i], &a0[i], &a1[i]);
        fq_sub(&d[i], &a0[i], &a1[i]);
    }
    fq_vec_mul_ifma(z1, a0, a1, m);   /* before z0: a0 may be z0 */
    fq_vec_mul_ifma(z0, s, d, m);
    for (size_t i = 0; i < m; i++) fq_add(&z1[i], &z1[i], &z1[i]);
}

static long long g2_chunk_first_invalid_ifma(const uint64_t *pts, size_t n) {
    fq_t x0[CHUNK], x1[CHUNK], y0[CHUNK], y1[CHUNK], l0[CHUNK], l1[CHUNK], r0[CHUNK],
        r1[CHUNK];
    size_t m = 0;
    while (m < n && coords_in_range(pts + 16 * m, 16)) {
        const uint64_t *p = pts + 16 * m;   /* x.c0, x.c1, y.c0, y.c1 */
        memcpy(&x0[m], p, sizeof x0[m]);
        memcpy(&x1[m], p + 4, sizeof x1[m]);
        memcpy(&y0[m], p + 8, sizeof y0[m]);
        memcpy(&y1[m], p + 12, sizeof y1[m]);
        m++;
    }
    fq2_vec_sqr_ifma(l0, l1, y0, y1, m);   /* y^2 */
    fq2_vec_sqr_ifma(r0, r1, x0, x1, m);   /* x^2 */
    fq2_vec_mul_ifma(r0, r1, r0, r1, x0, x1, m);   /* x^3: each product reads before writing */
    for (size_t i = 0; i < m; i++) {
        if (fq_is_zero(&x0[i]) && fq_is_zero(&x1[i]) && fq_is_zero(&y0[i]) &&
            fq_is_zero(&y1[i]))
            continue;   /* the identity */
        fq_add(&r0[i], &r0[i], &g2_twist_b.c0);
        fq_add(&r1[i], &r1[i], &g2_twist_b.c1);
        if (!fq_eq(&l0[i], &r0[i]) || !fq_eq(&l1[i], &r1[i])) return (long long)i;
    }
    return m < n ? (long long)m : -1;
}

/* FIRST_INVALID over chunks: `chunk(pts + words * i, len)` names the first bad point of
 * points [i, i + len). */
#define FIRST_INVALID_CHUNKED(n, words, chunk)                                        \
    FIRST_INVALID_BY(n, CHUNK, chunk(points + (words) * i, len))

long long zkcx_g1_vec_first_invalid(const uint64_t *points, size_t n) {
    if (zkcx_runtime_use_ifma()) FIRST_INVALID_CHUNKED(n, 8, g1_chunk_first_invalid_ifma);
    FIRST_INVALID(n, g1_valid(points + 8 * i));
}

long long zkcx_g2_vec_first_invalid(const uint64_t *points, size_t n, int check_subgroup) {
    if (zkcx_runtime_use_ifma() && !check_subgroup)
        FIRST_INVALID_CHUNKED(n, 16, g2_chunk_first_invalid_ifma);
    FIRST_INVALID(n, g2_valid(points + 16 * i, check_subgroup));
}
