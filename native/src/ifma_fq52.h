/* SPDX-License-Identifier: MIT */
/*
 * Eight Fq elements in AVX-512 IFMA registers (radix 2^52, one element per 64-bit lane)
 * and their lazily reduced arithmetic, shared by the kernels that chain many Fq
 * operations without leaving the registers: msm_ifma.c (batch-affine additions) and
 * point_fft_ifma.c (Jacobian doublings and additions of the group FFT). See msm_ifma.c
 * for the bounds: every intermediate stays in [0, 2p); mm is ifma_inline.h's Montgomery
 * product (R = 2^256, the scalar fq_mul's), so values stay in zkcx's Montgomery form.
 *
 * Include only from .c files, after field.h and ifma_inline.h; everything is static
 * inline and compiled for AVX-512 through target attributes (callers check
 * zkcx_cpu_has_ifma() first). Nothing is defined when IFMA_AVAILABLE is 0.
 */
#ifndef ZKCX_IFMA_FQ52_H
#define ZKCX_IFMA_FQ52_H

#include <stdint.h>
#include "field.h"
#include "ifma_inline.h"

#if IFMA_AVAILABLE

/* Eight Fq elements: l[k] holds 52-bit limb k of lanes 0..7. "Normalized" means every
 * limb < 2^52 (limb 4 is then < 2^51 for the values < 2^255 used here). */
typedef struct { __m512i l[5]; } f52;

IFMA_INLINE __m512i bc(uint64_t v) { return _mm512_set1_epi64((long long)v); }

/* ---- layout ----------------------------------------------------------------------- */

/* v[k] = limb k of the Fq element at p[lane] + off (uint64 offset), lanes 0..7. */
IFMA_INLINE void ld_fq(__m512i v[4], const uint64_t *const p[8], int off) {
    /* r[q] = [element a | element b] for (a, b) = (0, 2), (1, 3), (4, 6), (5, 7); the
     * in-lane unpacks pair limbs (l0, l2 | l1, l3) of elements (0 1), (2 3), ..., and one
     * 128-bit shuffle per limb gathers the four pairs in element order. In-lane unpacks
     * instead of the two-source permutes of ifma_transpose_in: on Zen 4 (the test
     * machine) the kernels ran ~1% faster; on Intel both are one port-5 uop. */
    static const int src[4][2] = {{0, 2}, {1, 3}, {4, 6}, {5, 7}};
    __m512i r[4];
    for (int q = 0; q < 4; q++) {
        __m256i lo = _mm256_loadu_si256((const __m256i *)(const void *)(p[src[q][0]] + off));
        __m256i hi = _mm256_loadu_si256((const __m256i *)(const void *)(p[src[q][1]] + off));
        r[q] = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
    }
    const __m512i t0 = _mm512_unpacklo_epi64(r[0], r[1]), t1 = _mm512_unpackhi_epi64(r[0], r[1]);
    const __m512i t2 = _mm512_unpacklo_epi64(r[2], r[3]), t3 = _mm512_unpackhi_epi64(r[2], r[3]);
    v[0] = _mm512_shuffle_i64x2(t0, t2, _MM_SHUFFLE(2, 0, 2, 0));
    v[1] = _mm512_shuffle_i64x2(t1, t3, _MM_SHUFFLE(2, 0, 2, 0));
    v[2] = _mm512_shuffle_i64x2(t0, t2, _MM_SHUFFLE(3, 1, 3, 1));
    v[3] = _mm512_shuffle_i64x2(t1, t3, _MM_SHUFFLE(3, 1, 3, 1));
}

/* Inverse of ld_fq for the lanes set in mask. */
IFMA_INLINE void st_fq(uint64_t *const p[8], int off, const __m512i v[4], unsigned mask) {
    __m512i x[4];
    ifma_transpose_out(x, v);
    for (int q = 0; q < 4; q++) {
        if ((mask >> (2 * q)) & 1)
            _mm256_storeu_si256((__m256i *)(void *)(p[2 * q] + off), _mm512_castsi512_si256(x[q]));
        if ((mask >> (2 * q + 1)) & 1)
            _mm256_storeu_si256((__m256i *)(void *)(p[2 * q + 1] + off),
                                _mm512_extracti64x4_epi64(x[q], 1));
    }
}

/* ---- radix conversions -------------------------------------------------------------- */

IFMA_INLINE f52 to52(const __m512i x[4]) {
    f52 r;
    ifma_to52(r.l, x);
    return r;
}

/* normalized a < 2^256 -> 4 x 64 */
IFMA_INLINE void to64(__m512i x[4], const f52 a) {
    x[0] = _mm512_or_si512(a.l[0], _mm512_slli_epi64(a.l[1], 52));
    x[1] = _mm512_or_si512(_mm512_srli_epi64(a.l[1], 12), _mm512_slli_epi64(a.l[2], 40));
    x[2] = _mm512_or_si512(_mm512_srli_epi64(a.l[2], 24), _mm512_slli_epi64(a.l[3], 28));
    x[3] = _mm512_or_si512(_mm512_srli_epi64(a.l[3], 36), _mm512_slli_epi64(a.l[4], 16));
}

/* 16 a for normalized a < 2^256 (exact, < 2^260) */
IFMA_INLINE f52 x16(const f52 a) {
    f52 r;
    ifma_limbs_x16(r.l, a.l);
    return r;
}

IFMA_INLINE f52 bcast52(const fq_t *s) {
    f52 r;
    r.l[0] = bc(L52_0(s->v[0], s->v[1], s->v[2], s->v[3]));
    r.l[1] = bc(L52_1(s->v[0], s->v[1], s->v[2], s->v[3]));
    r.l[2] = bc(L52_2(s->v[0], s->v[1], s->v[2], s->v[3]));
    r.l[3] = bc(L52_3(s->v[0], s->v[1], s->v[2], s->v[3]));
    r.l[4] = bc(L52_4(s->v[0], s->v[1], s->v[2], s->v[3]));
    return r;
}

/* ---- modular add/sub in radix 2^52 -------------------------------------------------- */

/* Carry propagation of limbs that may be negative (arithmetic shifts): the result is
 * normalized when the value it represents is in [0, 2^260). */
IFMA_INLINE f52 carry_s(f52 t) {
    const __m512i m = bc(M52);
    for (int k = 0; k < 4; k++) {
        t.l[k + 1] = _mm512_add_epi64(t.l[k + 1], _mm512_srai_epi64(t.l[k], 52));
        t.l[k] = _mm512_and_si512(t.l[k], m);
    }
    return t;
}

/* a - b + p, normalized: in (0, 2p) for a, b < p, in (0, 3p) for a < 2p, b < p */
IFMA_INLINE f52 sub_p(const f52 a, const f52 b) {
    static const uint64_t P[5] = IFMA_L52_ALL(FQ);
    f52 t;
    for (int k = 0; k < 5; k++)
        t.l[k] = _mm512_sub_epi64(_mm512_add_epi64(a.l[k], bc(P[k])), b.l[k]);
    return carry_s(t);
}

/* a + 2p - b - c for a < 2p, b, c < p: in (0, 4p) */
IFMA_INLINE f52 sub2_2p(const f52 a, const f52 b, const f52 c) {
    static const uint64_t P[5] = IFMA_L52_ALL(FQ);
    f52 t;
    for (int k = 0; k < 5; k++)
        t.l[k] = _mm512_sub_epi64(_mm512_add_epi64(a.l[k], bc(2 * P[k])),
                                  _mm512_add_epi64(b.l[k], c.l[k]));
    return carry_s(t);
}

/* a - p if a >= p else a (normalized a < 2^259) */
IFMA_INLINE f52 reduce1(const f52 a) {
    static const uint64_t P[5] = IFMA_L52_ALL(FQ);
    f52 d;
    for (int k = 0; k < 5; k++) d.l[k] = _mm512_sub_epi64(a.l[k], bc(P[k]));
    d = carry_s(d);
    const __mmask8 keep = _mm512_movepi64_mask(d.l[4]);   /* a - p < 0 */
    for (int k = 0; k < 5; k++) d.l[k] = _mm512_mask_blend_epi64(keep, d.l[k], a.l[k]);
    return d;
}

/* a - 2p if a >= 2p else a (normalized a < 2^259) */
IFMA_INLINE f52 reduce2(const f52 a) {
    static const uint64_t P[5] = IFMA_L52_ALL(FQ);
    f52 d;
    for (int k = 0; k < 5; k++) d.l[k] = _mm512_sub_epi64(a.l[k], bc(2 * P[k]));
    d = carry_s(d);
    const __mmask8 keep = _mm512_movepi64_mask(d.l[4]);
    for (int k = 0; k < 5; k++) d.l[k] = _mm512_mask_blend_epi64(keep, d.l[k], a.l[k]);
    return d;
}

/* ---- the Montgomery product (ifma_inline.h's, lazily reduced) ---------------------- */

/*
 * a16 = 16 a with a < 2p, b < 2p, both normalized -> a b / 2^256 mod p, normalized,
 * < 1.76 p (< 2p). Lazy: the final conditional subtraction of ifma_montmul52 is
 * skipped, since [0, 2p) is closed under mm (ifma_inline.h gives the bound) and the
 * vector units are the bottleneck (IFMA shares its two ports with every other 512-bit op).
 */
IFMA_INLINE f52 mm(const f52 a16, const f52 b) {
    f52 r;
    ifma_montmul52_sum(&r.l, &a16.l, &b.l, NULL, NULL, 1, IFMA_LAZY, IFMA_FIELD(FQ));
    return r;
}

/*
 * Two products with one reduction: (a b + c d) / 2^256 mod p for a16 = 16 a, c16 = 16 c,
 * a, c <= 2p and b, d < 2p, normalized. The two products share the columns, so the
 * Montgomery reduction, half of a product's cost, is paid once.
 * T < 2 * 64 p^2 / 2^260 + p < 2.52 p; one conditional subtraction brings the result
 * below 1.52 p < 2p. Used for Fq2 products:
 * (a0 + a1 i)(b0 + b1 i) = (a0 b0 + (2p - a1) b1) + (a0 b1 + a1 b0) i.
 */
IFMA_INLINE f52 mm2(const f52 a16, const f52 b, const f52 c16, const f52 d) {
    f52 r;
    ifma_montmul52_sum(&r.l, &a16.l, &b.l, &c16.l, &d.l, 1, IFMA_LAZY, IFMA_FIELD(FQ));
    return reduce1(r);
}

/* 4 a for normalized a < 2^258 (exact, < 2^260): the operand of sq for a^2 */
IFMA_INLINE f52 x4(const f52 a) {
    const __m512i m = bc(M52);
    f52 r;
    r.l[0] = _mm512_and_si512(_mm512_slli_epi64(a.l[0], 2), m);
    for (int k = 1; k < 5; k++)
        r.l[k] = IFMA_AND_OR(_mm512_slli_epi64(a.l[k], 2), m, _mm512_srli_epi64(a.l[k - 1], 50));
    return r;
}

/* 4 (a - b + p), normalized: in (0, 8p) for a, b < p. The limbs of a - b + p are scaled
 * before the carries, so the factor costs one shift a limb (sub_p then x4 would cost
 * three). With a4 = x4(a) for a < 2p, mm(a4, sub_p4(b, c)) = a (b - c) / 2^256 mod p:
 * 16 a (b - c + p) / 2^260, with operands < 8p (the bound of mm's 16 a, b < 2p). */
IFMA_INLINE f52 sub_p4(const f52 a, const f52 b) {
    static const uint64_t P[5] = IFMA_L52_ALL(FQ);
    f52 t;
    for (int k = 0; k < 5; k++)
        t.l[k] = _mm512_slli_epi64(_mm512_sub_epi64(_mm512_add_epi64(a.l[k], bc(P[k])), b.l[k]), 2);
    return carry_s(t);
}

/*
 * a^2 / 2^256 mod p from a4 = x4(a), a < 2p: (4 a)^2 / 2^260, the symmetric product of
 * ifma_montsqr52 (30 IFMA instead of mm's 50); lazy like mm, < 1.76 p (4 a < 8p: the
 * bound of mm's operands, 16 a b < 64 p^2).
 */
IFMA_INLINE f52 sq(const f52 a4) {
    f52 r;
    ifma_montsqr52(&r.l, &a4.l, NULL, 1, IFMA_LAZY, IFMA_FIELD(FQ));
    return r;
}

/* (a^2 + c^2) / 2^256 mod p from a4 = x4(a), c4 = x4(c), a, c < 2p: T < 2.54 p before
 * one conditional subtraction, like mm2 (60 IFMA of products instead of mm2's 100). */
IFMA_INLINE f52 sq2(const f52 a4, const f52 c4) {
    f52 r;
    ifma_montsqr52(&r.l, &a4.l, &c4.l, 1, IFMA_LAZY, IFMA_FIELD(FQ));
    return reduce1(r);
}

/* ---- scalar <-> lane helpers (rare paths) ------------------------------------------- */

IFMA_INLINE void st52(uint64_t dst[5][8], const f52 a) {
    for (int k = 0; k < 5; k++) _mm512_storeu_si512((void *)dst[k], a.l[k]);
}
IFMA_INLINE f52 ld52(const uint64_t src[5][8]) {
    f52 a;
    for (int k = 0; k < 5; k++) a.l[k] = _mm512_loadu_si512((const void *)src[k]);
    return a;
}

static inline void fq_to_lane(uint64_t d[5][8], int k, const fq_t *v) {
    d[0][k] = L52_0(v->v[0], v->v[1], v->v[2], v->v[3]);
    d[1][k] = L52_1(v->v[0], v->v[1], v->v[2], v->v[3]);
    d[2][k] = L52_2(v->v[0], v->v[1], v->v[2], v->v[3]);
    d[3][k] = L52_3(v->v[0], v->v[1], v->v[2], v->v[3]);
    d[4][k] = L52_4(v->v[0], v->v[1], v->v[2], v->v[3]);
}
static inline void fq_from_lane(fq_t *v, const uint64_t d[5][8], int k) {
    v->v[0] = d[0][k] | d[1][k] << 52;
    v->v[1] = d[1][k] >> 12 | d[2][k] << 40;
    v->v[2] = d[2][k] >> 24 | d[3][k] << 28;
    v->v[3] = d[3][k] >> 36 | d[4][k] << 16;
}

#endif

#endif
