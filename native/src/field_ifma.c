/* SPDX-License-Identifier: MIT */
/*
 * AVX-512 IFMA Montgomery multiplication for Fr and Fq on vectors in memory, eight
 * elements at a time, bit-identical to the scalar fr_mul / fq_mul (R = 2^256, fully
 * reduced output). Per 8 elements (one per 64-bit lane):
 *   1. load the 8 elements (4 x 64-bit limbs each) and transpose, so that register k
 *      holds limb k of all eight (8 shuffles);
 *   2. re-split into 5 limbs of 52 bits, the first operand as 16 x;
 *   3. multiply with ifma_montmul52 (ifma_inline.h gives the method and the bounds);
 *   4. re-pack to 4 x 64 bits and transpose back.
 * Blocks of 8 are multiplied two at a time: two independent dependency chains keep
 * both IFMA ports busy.
 */
#include "field.h"
#include "field_ifma.h"

#include "ifma_inline.h"

/* -DZKCX_NO_IFMA compiles the portable stand-ins only (zkcx_cpu_has_ifma() == 0). */
#define ZKCX_IFMA_X86 IFMA_AVAILABLE

/* ---------------------------------------------------------------- CPU detection */

#if ZK_HAVE_ADX_ASM
#include <cpuid.h>

/* Read by every Fr/Fq multiplication (field_arith.h): whether the MULX/ADX path is in
 * use. Set at load from the CPU, before any caller can run; zkcx_set_adx may switch it
 * off (both paths give identical results, so a switch between calls is harmless). */
int zk_cpu_adx = 0;
static int zk_adx_detected = 0;

__attribute__((constructor)) static void zk_detect_adx(void) {
    unsigned a, b, c, d;
    if (__get_cpuid_max(0, NULL) < 7) return;
    __cpuid_count(7, 0, a, b, c, d);
    zk_adx_detected = ((b >> 8) & 1) && ((b >> 19) & 1);     /* BMI2 (MULX) and ADX */
    zk_cpu_adx = zk_adx_detected;
}

int zkcx_set_adx(int enabled) {
    zk_cpu_adx = enabled && zk_adx_detected;
    return zk_cpu_adx;
}

int zkcx_cpu_has_adx(void) { return zk_cpu_adx; }
#else
int zkcx_set_adx(int enabled) { (void)enabled; return 0; }
int zkcx_cpu_has_adx(void) { return 0; }
#endif

int zkcx_cpu_has_ifma(void) {
    static int cached = -1; /* -1 until the first call, then 0/1 (racing first calls store the same value) */
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
#if ZKCX_IFMA_X86
        __builtin_cpu_init();
        /* libgcc / compiler-rt only report AVX-512 features when XGETBV says the OS
         * saves the opmask and zmm state, so this also covers OS support. */
        v = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
            __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
            __builtin_cpu_supports("avx512ifma");
        v = v ? 1 : 0;
#else
        v = 0;
#endif
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
}

#if ZKCX_IFMA_X86

/* -------------------------------------------------------------- layout helpers */

/* Load 8 consecutive elements (32 qwords) and transpose: v[k] = limb k of elements 0..7. */
IFMA_INLINE void ifma_load_t(__m512i v[4], const uint64_t *src) {
    __m512i x[4];
    for (int q = 0; q < 4; q++) x[q] = _mm512_loadu_si512((const void *)(src + 8 * q));
    ifma_transpose_in(v, x);
}

/* Inverse of ifma_load_t: store v[k] = limb k of elements 0..7 as 8 consecutive elements. */
IFMA_INLINE void ifma_store_t(uint64_t *dst, const __m512i v[4]) {
    __m512i x[4];
    ifma_transpose_out(x, v);
    for (int q = 0; q < 4; q++) _mm512_storeu_si512((void *)(dst + 8 * q), x[q]);
}

/* ------------------------------------------------------------- the multiplier */

#define IFMA_FOR_Q for (int q = 0; q < nb; q++)

/* nb blocks of 8 products: dst = x * y on raw limbs (8 * nb consecutive elements). */
IFMA_INLINE void ifma_mul_blocks(uint64_t *dst, const uint64_t *x, const uint64_t *y,
                                 const int nb, const ifma_field_t f) {
    __m512i a[IFMA_NB_MAX][5], b[IFMA_NB_MAX][5], r[IFMA_NB_MAX][5];
    IFMA_FOR_Q {
        __m512i xv[4], yv[4];
        ifma_load_t(xv, x + 32 * q);
        ifma_load_t(yv, y + 32 * q);
        ifma_to52_x16(a[q], xv);
        ifma_to52(b[q], yv);
    }
    ifma_montmul52(r, (const __m512i(*)[5])a, (const __m512i(*)[5])b, nb, f);
    IFMA_FOR_Q {
        __m512i o[4];
        ifma_to64(o, r[q]);
        ifma_store_t(dst + 32 * q, o);
    }
}

/* nb blocks of 8 products by a fixed multiplier given as 16*s in 5 x 52 limbs. */
IFMA_INLINE void ifma_mul_by_blocks(uint64_t *dst, const uint64_t *x, const __m512i s16[5],
                                    const int nb, const ifma_field_t f) {
    __m512i a[IFMA_NB_MAX][5], b[IFMA_NB_MAX][5], r[IFMA_NB_MAX][5];
    IFMA_FOR_Q {
        __m512i xv[4];
        ifma_load_t(xv, x + 32 * q);
        ifma_to52(b[q], xv);
        for (int k = 0; k < 5; k++) a[q][k] = s16[k];
    }
    ifma_montmul52(r, (const __m512i(*)[5])a, (const __m512i(*)[5])b, nb, f);
    IFMA_FOR_Q {
        __m512i o[4];
        ifma_to64(o, r[q]);
        ifma_store_t(dst + 32 * q, o);
    }
}

/* Broadcast 16*s (s < 2^256) as 5 x 52 limbs. */
IFMA_INLINE void ifma_bcast_x16(__m512i r[5], const uint64_t s[4]) {
    __m512i v[4];
    for (int k = 0; k < 4; k++) v[k] = _mm512_set1_epi64((long long)s[k]);
    ifma_to52_x16(r, v);
}

/* ----------------------------------------------------- per-field instantiation */

#define IFMA_DEFINE_FIELD(F, UP)                                                       \
    IFMA_TARGET void F##_mul8_ifma(F##_t z[8], const F##_t x[8], const F##_t y[8]) {   \
        const ifma_field_t f = IFMA_FIELD(UP);                                   \
        ifma_mul_blocks(z[0].v, x[0].v, y[0].v, 1, f);                                 \
    }                                                                                  \
                                                                                       \
    IFMA_TARGET void F##_vec_mul_ifma(F##_t *out, const F##_t *a, const F##_t *b,      \
                                      size_t n) {                                      \
        const ifma_field_t f = IFMA_FIELD(UP);                                   \
        size_t i = 0;                                                                  \
        for (; i + 16 <= n; i += 16) ifma_mul_blocks(out[i].v, a[i].v, b[i].v, 2, f);  \
        if (i + 8 <= n) {                                                              \
            ifma_mul_blocks(out[i].v, a[i].v, b[i].v, 1, f);                           \
            i += 8;                                                                    \
        }                                                                              \
        for (; i < n; i++) F##_mul(&out[i], &a[i], &b[i]);                             \
    }                                                                                  \
                                                                                       \
    IFMA_TARGET void F##_vec_mul_by_ifma(F##_t *out, const F##_t *a, const F##_t *s,   \
                                         size_t n) {                                   \
        const ifma_field_t f = IFMA_FIELD(UP);                                   \
        const F##_t sv = *s; /* read once: s may point into out */                     \
        __m512i s16[5];                                                                \
        ifma_bcast_x16(s16, sv.v);                                                     \
        size_t i = 0;                                                                  \
        for (; i + 16 <= n; i += 16) ifma_mul_by_blocks(out[i].v, a[i].v, s16, 2, f);  \
        if (i + 8 <= n) {                                                              \
            ifma_mul_by_blocks(out[i].v, a[i].v, s16, 1, f);                           \
            i += 8;                                                                    \
        }                                                                              \
        for (; i < n; i++) F##_mul(&out[i], &a[i], &sv);                               \
    }

IFMA_DEFINE_FIELD(fr, FR)
IFMA_DEFINE_FIELD(fq, FQ)

#else /* not x86-64 GCC/Clang, or ZKCX_NO_IFMA: portable stand-ins, never selected by
       * dispatch since zkcx_cpu_has_ifma() == 0, but correct if called. */

#define IFMA_DEFINE_FIELD(F)                                                           \
    void F##_mul8_ifma(F##_t z[8], const F##_t x[8], const F##_t y[8]) {               \
        for (int k = 0; k < 8; k++) F##_mul(&z[k], &x[k], &y[k]);                      \
    }                                                                                  \
    void F##_vec_mul_ifma(F##_t *out, const F##_t *a, const F##_t *b, size_t n) {      \
        for (size_t i = 0; i < n; i++) F##_mul(&out[i], &a[i], &b[i]);                 \
    }                                                                                  \
    void F##_vec_mul_by_ifma(F##_t *out, const F##_t *a, const F##_t *s, size_t n) {   \
        const F##_t sv = *s;                                                           \
        for (size_t i = 0; i < n; i++) F##_mul(&out[i], &a[i], &sv);                   \
    }

IFMA_DEFINE_FIELD(fr)
IFMA_DEFINE_FIELD(fq)

#endif
