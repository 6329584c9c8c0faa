/* SPDX-License-Identifier: MIT */
/*
 * AVX-512 IFMA Montgomery multiplication for Fr and Fq, eight elements at a time,
 * bit-identical to the scalar fr_mul / fq_mul (R = 2^256, fully reduced output).
 *
 * Method (one element per 64-bit lane, 8 lanes per zmm register):
 *   1. Load 8 elements (4 x 64-bit limbs each) and transpose so that register k holds
 *      limb k of all eight elements (8 shuffles per 8 elements).
 *   2. Re-split into 5 limbs of 52 bits. The first operand is converted as 16*x (a bit
 *      offset of 4 in the conversion, exact because 16*x < 2^258 < 2^260), so that the
 *      radix-2^52 Montgomery product, which divides by 2^260, yields
 *      16*x*y / 2^260 = x*y / 2^256 mod p: exactly the scalar result, with no
 *      separate radix correction.
 *   3. Schoolbook 5x5 product with vpmadd52luq/huq into 10 unnormalised 64-bit
 *      columns, interleaved with 5 Montgomery reduction rounds of 52 bits each.
 *      Bound: T = (16xy + m*p) / 2^260 with m < 2^260 and x, y < p < 2^254, so
 *      T < 16p^2/2^260 + p < p/4 + p, hence one conditional subtraction of p suffices.
 *   4. Propagate carries, subtract p when T >= p (branch-free select), re-pack to
 *      4 x 64 and transpose back.
 *
 * Column headroom: a column receives at most 10 product halves, 10 reduction halves,
 * the 2^52 - 1 offset and a small carry, each < 2^52, so it stays below 2^57.
 * Only the result of the final select depends on the data, through a mask (no branch),
 * like the scalar reduce_once.
 */
#include "field.h"
#include "field_ifma.h"

#include "ifma_inline.h"

/* -DZKCX_NO_IFMA compiles the portable stand-ins only (zkcx_cpu_has_ifma() == 0). */
#define ZKCX_IFMA_X86 IFMA_AVAILABLE

/* ---------------------------------------------------------------- CPU detection */

#if ZK_HAVE_ADX_ASM
#include <cpuid.h>
#include <stdlib.h>

/* Read by every Fr/Fq multiplication (field_arith.h); written once, at load, before
 * any caller can run. */
int zk_cpu_adx = 0;

__attribute__((constructor)) static void zk_detect_adx(void) {
    unsigned a, b, c, d;
    const char *off = getenv("ZKCX_NO_ADX");
    if (off != NULL && off[0] != '\0' && off[0] != '0') return;
    if (__get_cpuid_max(0, NULL) < 7) return;
    __cpuid_count(7, 0, a, b, c, d);
    zk_cpu_adx = ((b >> 8) & 1) && ((b >> 19) & 1);     /* BMI2 (MULX) and ADX */
}

int zkcx_cpu_has_adx(void) { return zk_cpu_adx; }
#else
int zkcx_cpu_has_adx(void) { return 0; }
#endif

int zkcx_cpu_has_ifma(void) {
    static int cached = -1; /* the only mutable global: -1 unknown, else 0/1 */
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

/* Field constants in radix 2^52: modulus limbs and -p^-1 mod 2^52. Passed by value
 * into always-inline code, so they become broadcast constants. */
typedef struct {
    uint64_t p[5];
    uint64_t pinv;
} ifma_field_t;

#define IFMA_MADLO(acc, x, y) _mm512_madd52lo_epu64((acc), (x), (y))
#define IFMA_MADHI(acc, x, y) _mm512_madd52hi_epu64((acc), (x), (y))

/* Blocks of 8 multiplied side by side in the vector loops: two independent
 * dependency chains keep both IFMA ports busy (measured ~20% faster than one). */
#define IFMA_NB_MAX 2
#define IFMA_FOR_Q for (int q = 0; q < nb; q++)

/*
 * r[q] = a[q] * b[q] / 2^260 mod p for q < nb, with a[q] = 16x and b[q] = y in
 * 5 x 52 limbs, x, y < p (see the bound at the top of the file).
 * Output limbs r[q][0..4] hold a value < p; limbs 0..3 are only correct in their low
 * 52 bits (the bits above are cleared by ifma_to64), limb 4 is exact.
 */
IFMA_INLINE void ifma_montmul52(__m512i r[][5], const __m512i a[][5], const __m512i b[][5],
                                const int nb, const ifma_field_t f) {
    const __m512i zero = _mm512_setzero_si512();
    const __m512i mask = _mm512_set1_epi64((long long)M52);
    const __m512i pinv = _mm512_set1_epi64((long long)f.pinv);
    /* m is computed from (column + M52); cfix = -M52 * pinv mod 2^52 undoes that.
     * m may exceed 2^52: vpmadd52 only reads its low 52 bits, which are exact. */
    const __m512i cfix = _mm512_set1_epi64((long long)((0 - M52 * f.pinv) & M52));
    __m512i P[5];
    for (int j = 0; j < 5; j++) P[j] = _mm512_set1_epi64((long long)f.p[j]);
    __m512i z[IFMA_NB_MAX][10];

    /*
     * Schoolbook product into 10 columns (column k has weight 2^(52k)). Columns 0..4
     * start at M52 = 2^52 - 1 instead of 0: then the carry out of column i in
     * reduction round i is simply (column >> 52). Proof: column = H*2^52 + L; adding
     * lo52(m*p0) == -L mod 2^52 gives exactly (H + [L != 0]) * 2^52, and
     * (H*2^52 + L + 2^52 - 1) >> 52 = H + [L != 0]. So the lo52(m*p0) product is never
     * computed and the carry is known before m.
     */
    IFMA_FOR_Q for (int k = 0; k < 10; k++) z[q][k] = k < 5 ? mask : zero;
#define IFMA_ROW(i)                                                                      \
    for (int j = 0; j < 5; j++) IFMA_FOR_Q {                                             \
            z[q][(i) + j] = IFMA_MADLO(z[q][(i) + j], a[q][i], b[q][j]);                 \
            z[q][(i) + j + 1] = IFMA_MADHI(z[q][(i) + j + 1], a[q][i], b[q][j]);         \
        }
#define IFMA_ROUND(i)                                                                    \
    do {                                                                                 \
        __m512i m[IFMA_NB_MAX], h[IFMA_NB_MAX];                                          \
        IFMA_FOR_Q m[q] = IFMA_MADLO(cfix, z[q][i], pinv);                               \
        IFMA_FOR_Q z[q][(i) + 1] =                                                       \
            _mm512_add_epi64(z[q][(i) + 1], _mm512_srli_epi64(z[q][i], 52));             \
        IFMA_FOR_Q h[q] = IFMA_MADHI(zero, m[q], P[0]);                                  \
        for (int j = 1; j < 5; j++)                                                      \
            IFMA_FOR_Q z[q][(i) + j] = IFMA_MADLO(z[q][(i) + j], m[q], P[j]);            \
        for (int j = 1; j < 5; j++)                                                      \
            IFMA_FOR_Q z[q][(i) + j + 1] = IFMA_MADHI(z[q][(i) + j + 1], m[q], P[j]);    \
        IFMA_FOR_Q z[q][(i) + 1] = _mm512_add_epi64(z[q][(i) + 1], h[q]);                \
    } while (0)
    /*
     * Schedule: row i (a[i] times b, 10 products) is issued one round ahead of
     * reduction round i, so round i's column is complete when it starts and the
     * scheduler interleaves independent products with the serial m-chain.
     */
    IFMA_ROW(0)
    IFMA_ROW(1)
    IFMA_ROUND(0);
    IFMA_ROW(2)
    IFMA_ROUND(1);
    IFMA_ROW(3)
    IFMA_ROUND(2);
    IFMA_ROW(4)
    IFMA_ROUND(3);
    IFMA_ROUND(4);
#undef IFMA_ROW
#undef IFMA_ROUND

    /*
     * T = sum_k z[5+k] 2^(52k) < 1.25p < 2^255 (columns 5..9 carry no offset).
     * Two independent carry chains on the unnormalised columns: t = T with unsigned
     * carries, d = T - p with signed (arithmetic shift) carries. In both, limbs 0..3
     * keep stale bits above bit 51 (ifma_to64 masks them); the top limb is exact, and
     * d's top limb is negative exactly when T < p.
     */
    IFMA_FOR_Q {
        __m512i t0 = z[q][5], t1 = z[q][6], t2 = z[q][7], t3 = z[q][8], t4 = z[q][9];
        __m512i d0 = _mm512_sub_epi64(t0, P[0]);
        __m512i d1 = _mm512_add_epi64(_mm512_sub_epi64(t1, P[1]), _mm512_srai_epi64(d0, 52));
        __m512i d2 = _mm512_add_epi64(_mm512_sub_epi64(t2, P[2]), _mm512_srai_epi64(d1, 52));
        __m512i d3 = _mm512_add_epi64(_mm512_sub_epi64(t3, P[3]), _mm512_srai_epi64(d2, 52));
        __m512i d4 = _mm512_add_epi64(_mm512_sub_epi64(t4, P[4]), _mm512_srai_epi64(d3, 52));
        t1 = _mm512_add_epi64(t1, _mm512_srli_epi64(t0, 52));
        t2 = _mm512_add_epi64(t2, _mm512_srli_epi64(t1, 52));
        t3 = _mm512_add_epi64(t3, _mm512_srli_epi64(t2, 52));
        t4 = _mm512_add_epi64(t4, _mm512_srli_epi64(t3, 52));
        const __mmask8 keep = _mm512_movepi64_mask(d4); /* sign of T - p: T < p */
        r[q][0] = _mm512_mask_blend_epi64(keep, d0, t0);
        r[q][1] = _mm512_mask_blend_epi64(keep, d1, t1);
        r[q][2] = _mm512_mask_blend_epi64(keep, d2, t2);
        r[q][3] = _mm512_mask_blend_epi64(keep, d3, t3);
        r[q][4] = _mm512_mask_blend_epi64(keep, d4, t4);
    }
}

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

#define IFMA_FIELD_CONST(UP)                                                           \
    {                                                                                  \
        {L52_0(UP##_P0, UP##_P1, UP##_P2, UP##_P3), L52_1(UP##_P0, UP##_P1, UP##_P2, UP##_P3), \
         L52_2(UP##_P0, UP##_P1, UP##_P2, UP##_P3), L52_3(UP##_P0, UP##_P1, UP##_P2, UP##_P3), \
         L52_4(UP##_P0, UP##_P1, UP##_P2, UP##_P3)},                                   \
        (UP##_INV) & M52                                                               \
    }

#define IFMA_DEFINE_FIELD(F, UP)                                                       \
    IFMA_TARGET void F##_mul8_ifma(F##_t z[8], const F##_t x[8], const F##_t y[8]) {   \
        const ifma_field_t f = IFMA_FIELD_CONST(UP);                                   \
        ifma_mul_blocks(z[0].v, x[0].v, y[0].v, 1, f);                                 \
    }                                                                                  \
                                                                                       \
    IFMA_TARGET void F##_vec_mul_ifma(F##_t *out, const F##_t *a, const F##_t *b,      \
                                      size_t n) {                                      \
        const ifma_field_t f = IFMA_FIELD_CONST(UP);                                   \
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
        const ifma_field_t f = IFMA_FIELD_CONST(UP);                                   \
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
