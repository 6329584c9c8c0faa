/* SPDX-License-Identifier: MIT */
/*
 * Inline AVX-512 IFMA building blocks shared by the vector kernels (field_ifma.c,
 * ntt.c, msm_ifma.c): the target attribute, radix-2^52 limb splitting of constants,
 * the 8-element transposition between the memory layout (4 x 64-bit limbs per element)
 * and the limb-sliced layout (vector k = limb k of 8 elements), and the conversions
 * between 4 x 64-bit and 5 x 52-bit limbs.
 *
 * Include only from .c files, after field.h; everything here is static inline and is
 * compiled for AVX-512 through target attributes, so callers must check
 * zkcx_cpu_has_ifma() before running any of it. IFMA_AVAILABLE is 0 where the
 * intrinsics do not exist (or -DZKCX_NO_IFMA), and then nothing below is defined.
 */
#ifndef ZKCX_IFMA_INLINE_H
#define ZKCX_IFMA_INLINE_H

#include <stdint.h>

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

#else
#define IFMA_AVAILABLE 0
#endif

#endif
