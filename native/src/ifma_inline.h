/* SPDX-License-Identifier: MIT */
/*
 * Inline AVX-512 IFMA building blocks shared by the vector kernels (field_ifma.c,
 * ntt_ifma.c, msm_ifma.c): the target attribute, radix-2^52 limb splitting of constants,
 * the 8-element transposition between the memory layout (4 x 64-bit limbs per element)
 * and the limb-sliced layout (vector k = limb k of 8 elements), the conversions
 * between 4 x 64-bit and 5 x 52-bit limbs, and the Montgomery multiplication.
 *
 * Include only from .c files, after field.h; everything here is static inline and is
 * compiled for AVX-512 through target attributes, so callers must check
 * zkcx_cpu_has_ifma() before running any of it. IFMA_AVAILABLE is 0 where the
 * intrinsics do not exist (or -DZKCX_NO_IFMA), and then nothing below is defined.
 */
#ifndef ZKCX_IFMA_INLINE_H
#define ZKCX_IFMA_INLINE_H

#include <stddef.h>
#include <stdint.h>
#include "constants.h"

#if !defined(ZKCX_NO_IFMA) && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define IFMA_AVAILABLE 1
#include <immintrin.h>

#define IFMA_TARGET __attribute__((target("avx512f,avx512ifma,avx512vl,avx512bw,avx512dq")))
#define IFMA_INLINE static inline __attribute__((always_inline)) IFMA_TARGET

#define M52 0xfffffffffffffULL

/* 52-bit limbs of a 4 x 64-bit constant (value < 2^256). */
#define L52_0(x0, x1, x2, x3) ((x0) & M52)
#define L52_1(x0, x1, x2, x3) (((x0) >> 52 | (x1) << 12) & M52)
#define L52_2(x0, x1, x2, x3) (((x1) >> 40 | (x2) << 24) & M52)
#define L52_3(x0, x1, x2, x3) (((x2) >> 28 | (x3) << 36) & M52)
#define L52_4(x0, x1, x2, x3) ((x3) >> 16)

/* (a | b) & c and (a & b) | c, each one vpternlogq. */
#define IFMA_OR_AND(a, b, c) _mm512_ternarylogic_epi64((a), (b), (c), 0xA8)
#define IFMA_AND_OR(a, b, c) _mm512_ternarylogic_epi64((a), (b), (c), 0xEA)

/* x[q] = elements 2q and 2q+1 (4 limbs each) -> v[k] = limb k of elements 0..7. */
IFMA_INLINE void ifma_transpose_in(__m512i v[4], const __m512i x[4]) {
    const __m512i ilo = _mm512_set_epi64(13, 9, 5, 1, 12, 8, 4, 0);
    const __m512i ihi = _mm512_set_epi64(15, 11, 7, 3, 14, 10, 6, 2);
    /* t0 = [l0 e0..e3 | l1 e0..e3], t1 = [l2 e0..e3 | l3 e0..e3], t2/t3 same for e4..e7 */
    __m512i t0 = _mm512_permutex2var_epi64(x[0], ilo, x[1]);
    __m512i t1 = _mm512_permutex2var_epi64(x[0], ihi, x[1]);
    __m512i t2 = _mm512_permutex2var_epi64(x[2], ilo, x[3]);
    __m512i t3 = _mm512_permutex2var_epi64(x[2], ihi, x[3]);
    v[0] = _mm512_shuffle_i64x2(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    v[1] = _mm512_shuffle_i64x2(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    v[2] = _mm512_shuffle_i64x2(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    v[3] = _mm512_shuffle_i64x2(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
}

/* The inverse of ifma_transpose_in. */
IFMA_INLINE void ifma_transpose_out(__m512i x[4], const __m512i v[4]) {
    const __m512i ilo = _mm512_set_epi64(13, 9, 5, 1, 12, 8, 4, 0);
    const __m512i ihi = _mm512_set_epi64(15, 11, 7, 3, 14, 10, 6, 2);
    __m512i t0 = _mm512_shuffle_i64x2(v[0], v[1], _MM_SHUFFLE(1, 0, 1, 0));
    __m512i t2 = _mm512_shuffle_i64x2(v[0], v[1], _MM_SHUFFLE(3, 2, 3, 2));
    __m512i t1 = _mm512_shuffle_i64x2(v[2], v[3], _MM_SHUFFLE(1, 0, 1, 0));
    __m512i t3 = _mm512_shuffle_i64x2(v[2], v[3], _MM_SHUFFLE(3, 2, 3, 2));
    x[0] = _mm512_permutex2var_epi64(t0, ilo, t1);
    x[1] = _mm512_permutex2var_epi64(t0, ihi, t1);
    x[2] = _mm512_permutex2var_epi64(t2, ilo, t3);
    x[3] = _mm512_permutex2var_epi64(t2, ihi, t3);
}

/* 4 x 64 -> 5 x 52 limbs of x (value < 2^256). */
IFMA_INLINE void ifma_to52(__m512i r[5], const __m512i x[4]) {
    const __m512i m = _mm512_set1_epi64((long long)M52);
    r[0] = _mm512_and_si512(x[0], m);
    r[1] = IFMA_OR_AND(_mm512_srli_epi64(x[0], 52), _mm512_slli_epi64(x[1], 12), m);
    r[2] = IFMA_OR_AND(_mm512_srli_epi64(x[1], 40), _mm512_slli_epi64(x[2], 24), m);
    r[3] = IFMA_OR_AND(_mm512_srli_epi64(x[2], 28), _mm512_slli_epi64(x[3], 36), m);
    r[4] = _mm512_srli_epi64(x[3], 16);
}

/* 4 x 64 -> 5 x 52 limbs of 16*x (x < 2^256, so 16x < 2^260 fits exactly). */
IFMA_INLINE void ifma_to52_x16(__m512i r[5], const __m512i x[4]) {
    const __m512i m = _mm512_set1_epi64((long long)M52);
    r[0] = _mm512_and_si512(_mm512_slli_epi64(x[0], 4), m);
    r[1] = IFMA_OR_AND(_mm512_srli_epi64(x[0], 48), _mm512_slli_epi64(x[1], 16), m);
    r[2] = IFMA_OR_AND(_mm512_srli_epi64(x[1], 36), _mm512_slli_epi64(x[2], 28), m);
    r[3] = IFMA_OR_AND(_mm512_srli_epi64(x[2], 24), _mm512_slli_epi64(x[3], 40), m);
    r[4] = _mm512_srli_epi64(x[3], 12);
}

/* 5 x 52 -> 4 x 64 for a value < 2^256 whose limbs 0..3 are valid in their low 52 bits
 * only (bits above are ignored) and whose limb 4 is exact (< 2^48). */
IFMA_INLINE void ifma_to64(__m512i x[4], const __m512i r[5]) {
    const __m512i m52 = _mm512_set1_epi64((long long)M52);
    const __m512i m40 = _mm512_set1_epi64((long long)(M52 >> 12));
    const __m512i m28 = _mm512_set1_epi64((long long)(M52 >> 24));
    const __m512i m16 = _mm512_set1_epi64((long long)(M52 >> 36));
    x[0] = IFMA_AND_OR(r[0], m52, _mm512_slli_epi64(r[1], 52));
    x[1] = IFMA_AND_OR(_mm512_srli_epi64(r[1], 12), m40, _mm512_slli_epi64(r[2], 40));
    x[2] = IFMA_AND_OR(_mm512_srli_epi64(r[2], 24), m28, _mm512_slli_epi64(r[3], 28));
    x[3] = IFMA_AND_OR(_mm512_srli_epi64(r[3], 36), m16, _mm512_slli_epi64(r[4], 16));
}

/* 16 a from exact 52-bit limbs of a < 2^256 (a 4-bit shift across the limbs; exact,
 * since 16 a < 2^260). */
IFMA_INLINE void ifma_limbs_x16(__m512i r[5], const __m512i a[5]) {
    const __m512i m = _mm512_set1_epi64((long long)M52);
    r[0] = _mm512_and_si512(_mm512_slli_epi64(a[0], 4), m);
    for (int k = 1; k < 5; k++)
        r[k] = IFMA_AND_OR(_mm512_slli_epi64(a[k], 4), m, _mm512_srli_epi64(a[k - 1], 48));
}

/* ------------------------------------------------- the Montgomery multiplication */

/*
 * The one AVX-512 IFMA Montgomery multiplication of the library, used by field_ifma.c
 * (vectors in memory), ntt.c's packed path and msm_ifma.c (chains kept in registers).
 *
 * Method (one element per 64-bit lane, 8 lanes per zmm register): operands are 5 limbs
 * of 52 bits. The first operand is given as 16 x (a bit offset of 4, exact because
 * 16 x < 2^260), so that the radix-2^52 Montgomery product, which divides by 2^260,
 * yields 16 x y / 2^260 = x y / 2^256 mod p: exactly the scalar fr_mul / fq_mul
 * (R = 2^256), with no separate radix correction. A schoolbook 5x5 product with
 * vpmadd52luq/huq fills 10 unnormalised 64-bit columns, interleaved with 5 Montgomery
 * reduction rounds of 52 bits each.
 *
 * Bounds: T = (16 x y + m p) / 2^260 with m < 2^260; for x, y < p < 2^254,
 * T < 16 p^2 / 2^260 + p < 1.25 p, so one conditional subtraction of p suffices
 * (IFMA_REDUCED, IFMA_EXACT). Callers that keep values lazily in [0, 2p) (msm_ifma.c) get
 * T < 64 p^2 / 2^260 + p < 1.76 p from the same columns. Column headroom: a column
 * receives at most 10 product halves per product summed (two at most), 10 reduction
 * halves, the 2^52 - 1 offset and a small carry, each < 2^52: below 31 * 2^52 < 2^57.
 * Nothing but the final select depends on the data, through a mask (no branch).
 */

/* A field in radix 2^52: modulus limbs and -p^-1 mod 2^52. Passed by value into
 * always-inline code, so its fields become broadcast constants. */
typedef struct {
    uint64_t p[5];
    uint64_t pinv;
} ifma_field_t;

#define IFMA_L52_ALL(UP)                                                                   \
    {L52_0(UP##_P0, UP##_P1, UP##_P2, UP##_P3), L52_1(UP##_P0, UP##_P1, UP##_P2, UP##_P3),  \
     L52_2(UP##_P0, UP##_P1, UP##_P2, UP##_P3), L52_3(UP##_P0, UP##_P1, UP##_P2, UP##_P3),  \
     L52_4(UP##_P0, UP##_P1, UP##_P2, UP##_P3)}
/* The ifma_field_t of FR or FQ (constants.h). */
#define IFMA_FIELD(UP) ((ifma_field_t){IFMA_L52_ALL(UP), (UP##_INV) & M52})

/* Blocks of 8 multiplied side by side: two independent chains keep both IFMA ports
 * busy. */
#define IFMA_NB_MAX 2

/* How ifma_montmul52_sum finishes its result r (see there). */
enum {
    IFMA_REDUCED, /* r < p; limbs 0..3 valid in their low 52 bits only, limb 4 exact */
    IFMA_EXACT,   /* r < p with exact limbs (one more AND per limb) */
    IFMA_LAZY     /* r = T, not reduced (< 1.76 p for operands < 2p), exact limbs */
};

/*
 * r[q] = (a[q] b[q] + c[q] d[q]) / 2^260 mod p for blocks q < nb, with a[q] = 16 x
 * and c[q] = 16 u in 5 x 52 limbs (only the low 52 bits of every operand limb are
 * read); c and d are NULL for a single product (a constant NULL folds away), and
 * mode (a constant) says how r is finished. IFMA_REDUCED suits ifma_to64, which
 * ignores the bits above 52. One function for all the variants: the columns z stay in
 * registers only when they are local to the function that finishes them (GCC 12
 * spilled them when they were passed between two inline functions).
 */
IFMA_INLINE void ifma_montmul52_core(__m512i r[][5], const __m512i a[][5], const __m512i b[][5],
                                     const __m512i c[][5], const __m512i d[][5], const int nb,
                                     const int mode, const int sqr, const ifma_field_t f) {
    const __m512i zero = _mm512_setzero_si512();
    const __m512i mask = _mm512_set1_epi64((long long)M52);
    const __m512i pinv = _mm512_set1_epi64((long long)f.pinv);
    /* m is computed from (column + M52); cfix = -M52 * pinv mod 2^52 undoes that.
     * m may exceed 2^52: vpmadd52 only reads its low 52 bits, which are exact. */
    const __m512i cfix = _mm512_set1_epi64((long long)((0 - M52 * f.pinv) & M52));
    __m512i P[5], z[IFMA_NB_MAX][10];
    for (int j = 0; j < 5; j++) P[j] = _mm512_set1_epi64((long long)f.p[j]);

    /*
     * Columns 0..4 start at M52 = 2^52 - 1 instead of 0: then the carry out of column i
     * in reduction round i is simply (column >> 52). Proof: column = H*2^52 + L; adding
     * lo52(m*p0) == -L mod 2^52 gives exactly (H + [L != 0]) * 2^52, and
     * (H*2^52 + L + 2^52 - 1) >> 52 = H + [L != 0]. So the lo52(m*p0) product is never
     * computed and the carry is known before m.
     */
    for (int q = 0; q < nb; q++)
        for (int k = 0; k < 10; k++) z[q][k] = k < 5 ? mask : zero;
#define IFMA_ROW(i)                                                                      \
    for (int j = 0; j < 5; j++)                                                          \
        for (int q = 0; q < nb; q++) {                                                   \
            z[q][(i) + j] = _mm512_madd52lo_epu64(z[q][(i) + j], a[q][i], b[q][j]);      \
            z[q][(i) + j + 1] = _mm512_madd52hi_epu64(z[q][(i) + j + 1], a[q][i], b[q][j]); \
            if (c) {                                                                     \
                z[q][(i) + j] = _mm512_madd52lo_epu64(z[q][(i) + j], c[q][i], d[q][j]);  \
                z[q][(i) + j + 1] =                                                      \
                    _mm512_madd52hi_epu64(z[q][(i) + j + 1], c[q][i], d[q][j]);          \
            }                                                                            \
        }
#define IFMA_ROUND(i)                                                                    \
    do {                                                                                 \
        __m512i m[IFMA_NB_MAX], h[IFMA_NB_MAX];                                          \
        for (int q = 0; q < nb; q++) m[q] = _mm512_madd52lo_epu64(cfix, z[q][i], pinv);  \
        for (int q = 0; q < nb; q++)                                                     \
            z[q][(i) + 1] = _mm512_add_epi64(z[q][(i) + 1], _mm512_srli_epi64(z[q][i], 52)); \
        for (int q = 0; q < nb; q++) h[q] = _mm512_madd52hi_epu64(zero, m[q], P[0]);     \
        for (int j = 1; j < 5; j++)                                                      \
            for (int q = 0; q < nb; q++)                                                 \
                z[q][(i) + j] = _mm512_madd52lo_epu64(z[q][(i) + j], m[q], P[j]);        \
        for (int j = 1; j < 5; j++)                                                      \
            for (int q = 0; q < nb; q++)                                                 \
                z[q][(i) + j + 1] = _mm512_madd52hi_epu64(z[q][(i) + j + 1], m[q], P[j]); \
        for (int q = 0; q < nb; q++) z[q][(i) + 1] = _mm512_add_epi64(z[q][(i) + 1], h[q]); \
    } while (0)
    /*
     * Schedule: row i (a[i] times b) is issued one round ahead of reduction round i, so
     * round i's column is complete when it starts and the scheduler interleaves
     * independent products with the serial m-chain.
     */
    if (sqr) {
        /*
         * a[q] = b[q] (and c[q] = d[q]): the 10 products a_i a_j, i < j, are computed
         * once and doubled (a column doubles at most 4 product halves a square, 8 for
         * two: it stays below 21 * 2^52 before the reduction's 10 halves), then the 5
         * squares a_i a_i are added; 30 IFMA a square instead of 50. All rows precede
         * the rounds (round 0 needs the doubled column 0 complete).
         */
        __m512i x[IFMA_NB_MAX][10];
        for (int q = 0; q < nb; q++)
            for (int k = 0; k < 10; k++) x[q][k] = zero;
#define IFMA_SQR_CROSS(A)                                                                \
    for (int i = 0; i < 5; i++)                                                          \
        for (int j = i + 1; j < 5; j++)                                                  \
            for (int q = 0; q < nb; q++) {                                               \
                x[q][i + j] = _mm512_madd52lo_epu64(x[q][i + j], A[q][i], A[q][j]);      \
                x[q][i + j + 1] = _mm512_madd52hi_epu64(x[q][i + j + 1], A[q][i], A[q][j]); \
            }
        /* cross products (j > i) into x, doubled into z; squares (j = i) into z */
        IFMA_SQR_CROSS(a)
        if (c) IFMA_SQR_CROSS(c)
        for (int q = 0; q < nb; q++)
            for (int k = 1; k < 9; k++)
                z[q][k] = _mm512_add_epi64(z[q][k], _mm512_add_epi64(x[q][k], x[q][k]));
        for (int i = 0; i < 5; i++)
            for (int q = 0; q < nb; q++) {
                z[q][2 * i] = _mm512_madd52lo_epu64(z[q][2 * i], a[q][i], a[q][i]);
                z[q][2 * i + 1] = _mm512_madd52hi_epu64(z[q][2 * i + 1], a[q][i], a[q][i]);
                if (c) {
                    z[q][2 * i] = _mm512_madd52lo_epu64(z[q][2 * i], c[q][i], c[q][i]);
                    z[q][2 * i + 1] = _mm512_madd52hi_epu64(z[q][2 * i + 1], c[q][i], c[q][i]);
                }
            }
#undef IFMA_SQR_CROSS
        IFMA_ROUND(0);
        IFMA_ROUND(1);
        IFMA_ROUND(2);
        IFMA_ROUND(3);
        IFMA_ROUND(4);
    } else {
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
    }
#undef IFMA_ROW
#undef IFMA_ROUND
    if (mode == IFMA_LAZY) {
        /* T = sum_k z[5+k] 2^(52k), carried into exact limbs */
        const __m512i m = _mm512_set1_epi64((long long)M52);
        for (int q = 0; q < nb; q++) {
            for (int k = 0; k < 5; k++) r[q][k] = z[q][5 + k];
            for (int k = 0; k < 4; k++) {
                r[q][k + 1] = _mm512_add_epi64(r[q][k + 1], _mm512_srli_epi64(r[q][k], 52));
                r[q][k] = _mm512_and_si512(r[q][k], m);
            }
        }
        return;
    }
    /*
     * T = sum_k z[5+k] 2^(52k) < 1.25p < 2^255 (columns 5..9 carry no offset).
     * Two independent carry chains on the unnormalised columns: t = T with unsigned
     * carries, d = T - p with signed (arithmetic shift) carries. In both, limbs 0..3
     * keep stale bits above bit 51; the top limb is exact, and d's top limb is
     * negative exactly when T < p.
     */
    for (int q = 0; q < nb; q++) {
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
        if (mode == IFMA_EXACT)
            for (int k = 0; k < 4; k++) r[q][k] = _mm512_and_si512(r[q][k], mask);
    }
}

/* The product (a b + c d) / 2^260 of ifma_montmul52_core, as documented above. */
IFMA_INLINE void ifma_montmul52_sum(__m512i r[][5], const __m512i a[][5], const __m512i b[][5],
                                    const __m512i c[][5], const __m512i d[][5], const int nb,
                                    const int mode, const ifma_field_t f) {
    ifma_montmul52_core(r, a, b, c, d, nb, mode, 0, f);
}

/* r[q] = (a[q]^2 + c[q]^2) / 2^260 mod p for q < nb (c NULL: a[q]^2), finished as mode
 * says: the products of ifma_montmul52_sum with b = a, d = c, computed with 30 IFMA a
 * square instead of 50. For x^2 / 2^256 pass a = 4 x (x < 2p: 4 x < 2^257 fits the 5
 * limbs exactly); the bounds are those of 16 x y with x, y < 2p. */
IFMA_INLINE void ifma_montsqr52(__m512i r[][5], const __m512i a[][5], const __m512i c[][5],
                                const int nb, const int mode, const ifma_field_t f) {
    ifma_montmul52_core(r, a, a, c, c, nb, mode, 1, f);
}

/* r[q] = a[q] b[q] / 2^260 mod p for q < nb, a[q] = 16 x and b[q] = y in 5 x 52 limbs,
 * x, y < p: the product reduced below p (IFMA_REDUCED). */
IFMA_INLINE void ifma_montmul52(__m512i r[][5], const __m512i a[][5], const __m512i b[][5],
                                const int nb, const ifma_field_t f) {
    ifma_montmul52_sum(r, a, b, NULL, NULL, nb, IFMA_REDUCED, f);
}

#else
#define IFMA_AVAILABLE 0
#endif

#endif
