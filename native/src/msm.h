/* SPDX-License-Identifier: MIT */
/*
 * Multi-scalar multiplication (MSM) and fixed-base batch multiplication for G1 and G2:
 * internal interface shared by msm.c (Pippenger driver, exports), msm_batch.c (portable
 * batch-affine additions), msm_ifma.c (AVX-512 IFMA batch-affine additions) and
 * msm_fixed.c (fixed-base tables). The exported functions are declared in zkcx.h.
 *
 * The work horse everywhere is the *batch-affine addition*: m independent affine sums
 * out[j] = a[j] + b[j] computed with one field inversion for all of them (Montgomery's
 * simultaneous-inversion trick, Montgomery 1987, "Speeding the Pollard and elliptic
 * curve methods of factorization", sec. 10.3.1). Each sum then costs 6 Fq
 * multiplications (G1) instead of the 11 of a mixed Jacobian addition, and the result
 * is affine again, so it can feed the next batch.
 */
#ifndef ZKCX_MSM_H
#define ZKCX_MSM_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "g1.h"
#include "g2.h"

/*
 * A tagged point reference: the address of an affine point with bit 0 set when the
 * point is to be used negated. Points are 8-byte aligned, so bit 0 is free; tagging
 * lets a bucket addition with a negative digit read -P straight from the point array,
 * without a negated copy.
 */
typedef uintptr_t msm_ptr_t;
#define MSM_NEG ((msm_ptr_t)1)
#define MSM_ADDR(t) ((const void *)((t) & ~MSM_NEG))

/*
 * Batch-affine additions: *out[j] = A(a[j]) + A(b[j]) for j < m, where A(t) is the point
 * t refers to, negated when tagged. Every case is handled: identity operands (all-zero
 * encoding), equal points (a doubling), opposite points (the identity).
 * Aliasing: out[j] may be the address a[j] or b[j] refers to; it must not be an address
 * another pair j' != j reads. scratch: msm_g?_batch_scratch(m) bytes, any alignment.
 * use_ifma selects the AVX-512 IFMA kernel (only pass 1 when zkcx_runtime_use_ifma());
 * both kernels compute identical results (the affine point is unique).
 */
size_t msm_g1_batch_scratch(size_t m);
void msm_g1_batch_add(g1_aff_t *const *out, const msm_ptr_t *a, const msm_ptr_t *b,
                      size_t m, void *scratch, int use_ifma);
size_t msm_g2_batch_scratch(size_t m);
void msm_g2_batch_add(g2_aff_t *const *out, const msm_ptr_t *a, const msm_ptr_t *b,
                      size_t m, void *scratch, int use_ifma);

/* The two kernels behind msm_g?_batch_add (msm_batch.c, msm_ifma.c). The IFMA ones
 * must only run when zkcx_cpu_has_ifma() is nonzero. */
void msm_g1_batch_add_portable(g1_aff_t *const *out, const msm_ptr_t *a, const msm_ptr_t *b,
                               size_t m, void *scratch);
void msm_g1_batch_add_ifma(g1_aff_t *const *out, const msm_ptr_t *a, const msm_ptr_t *b,
                           size_t m, void *scratch);
void msm_g2_batch_add_portable(g2_aff_t *const *out, const msm_ptr_t *a, const msm_ptr_t *b,
                               size_t m, void *scratch);
void msm_g2_batch_add_ifma(g2_aff_t *const *out, const msm_ptr_t *a, const msm_ptr_t *b,
                           size_t m, void *scratch);

/*
 * The rare cases of one affine addition, shared by both kernels so that they agree
 * bit for bit. msm_g?_add_den returns the denominator the sum needs inverted (x_b - x_a,
 * or 2 y_a for a doubling, or 1 when no inversion is needed) and msm_g?_add_finish
 * completes the sum from that denominator's inverse. a and b are plain (untagged,
 * already negated) points.
 */
void msm_g1_add_den(fq_t *den, const g1_aff_t *a, const g1_aff_t *b);
void msm_g1_add_finish(g1_aff_t *out, const g1_aff_t *a, const g1_aff_t *b, const fq_t *inv);
void msm_g2_add_den(fq2_t *den, const g2_aff_t *a, const g2_aff_t *b);
void msm_g2_add_finish(g2_aff_t *out, const g2_aff_t *a, const g2_aff_t *b, const fq2_t *inv);

/* z = x^-1 for nonzero x (Montgomery form; z may alias x). Faster than fq_inv. */
void msm_fq_inv(fq_t *z, const fq_t *x);

/* In place: v[i] = v[i]^-1 for i < n with one inversion; every v[i] must be nonzero.
 * tmp holds n elements. */
void msm_fq_batch_inv(fq_t *v, fq_t *tmp, size_t n);
void msm_fq2_batch_inv(fq2_t *v, fq2_t *tmp, size_t n);

/*
 * A group (G1 or G2) seen through byte sizes and function pointers, so that the MSM
 * driver (msm.c) and the fixed-base tables (msm_fixed.c) are written once. Points are
 * the g1/g2 affine and Jacobian structs.
 */
typedef struct {
    size_t psz, jsz;                           /* bytes of an affine, a Jacobian point */
    void (*batch)(void *const *out, const msm_ptr_t *a, const msm_ptr_t *b, size_t m,
                  void *scratch, int ifma);    /* msm_g?_batch_add */
    size_t (*scratch)(size_t m);               /* msm_g?_batch_scratch */
    int (*is_id)(const void *p);
    void (*neg)(void *out, const void *p);
    void (*jac_id)(void *p);
    void (*jac_from_aff)(void *out, const void *p);
    void (*jac_add_aff)(void *out, const void *a, const void *b);
    void (*jac_add)(void *out, const void *a, const void *b);
    void (*jac_dbl)(void *out, const void *a);
    void (*jac_to_aff)(void *out, const void *a);
    void (*jac_mul)(void *out, const void *p, const uint64_t k[4]);
    void (*batch_to_aff)(void *out, const void *jac, size_t n);
} msm_curve_t;

extern const msm_curve_t msm_curve_g1, msm_curve_g2;

/* The window widths of the fixed-base tables (msm_fixed.c, zkcx_g?_msm_tables): at most
 * 16 keeps a bucket index and a digit in 16 bits and a task's buckets near L2. */
#define MSM_TABLES_C_MIN 4
#define MSM_TABLES_C_MAX 16

/* Scalars from Montgomery form (FrVec storage) to canonical limbs, multi-threaded,
 * IFMA when available. out may alias in. */
void msm_scalars_from_mont(uint64_t *out, const uint64_t *in, size_t n, int nthreads,
                           int use_ifma);

/* Memory aligned to a cache line: bucket and point arrays are accessed in random
 * order, and a 64-byte G1 point that straddles two lines costs two misses. Free with
 * free(). NULL on failure. msm_zalloc zeroes it (all-zero points are the identity). */
static inline void *msm_alloc(size_t bytes) {
    size_t sz = (bytes + 63) / 64 * 64;
    return aligned_alloc(64, sz ? sz : 64);
}

static inline void *msm_zalloc(size_t bytes) {
    void *p = msm_alloc(bytes);
    if (p) memset(p, 0, bytes);
    return p;
}

/* Signed digit of window w (width c bits) of a canonical scalar k < 2^254:
 * k = sum_w d_w 2^(c w) with d_w in [-2^(c-1), 2^(c-1)], computed independently per
 * window as d_w = bits[cw, cw + c) + bit(cw - 1) - 2^c bit(cw + c - 1) (the carry of the
 * usual sequential recoding is exactly the bit below the window). */
static inline int32_t msm_digit(const uint64_t k[4], unsigned w, unsigned c) {
    unsigned lo = w * c;
    uint64_t win = 0;
    if (lo < 256) {
        unsigned limb = lo >> 6, sh = lo & 63;
        win = k[limb] >> sh;
        if (sh + c > 64 && limb < 3) win |= k[limb + 1] << (64 - sh);
        win &= ((uint64_t)1 << c) - 1;
    }
    uint64_t below = 0;
    if (lo > 0 && lo <= 256) below = (k[(lo - 1) >> 6] >> ((lo - 1) & 63)) & 1;
    int32_t d = (int32_t)win + (int32_t)below;
    if ((win >> (c - 1)) & 1) d -= (int32_t)1 << c;
    return d;
}

#endif
