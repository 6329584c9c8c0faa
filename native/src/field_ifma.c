/* SPDX-License-Identifier: MIT */
/*
 * AVX-512 IFMA Montgomery multiplication for Fr and Fq, eight elements at a time.
 *
 * Method (one element per 64-bit lane, 8 lanes per zmm register):
 *   1. Load 8 elements (4 x 64-bit limbs each) and transpose so that register k holds
 *      limb k of all eight elements.
 *   2. Re-split into 5 limbs of 52 bits. The first operand is converted as 16*a (a bit
 *      offset of 4 in the conversion, exact because 16*a < 2^258 < 2^260), so that the
 *      radix-2^52 Montgomery product, which divides by 2^260, yields
 *      16*a*b / 2^260 = a*b / 2^256 mod p: exactly the scalar (R = 2^256) result.
 *   3. Schoolbook 5x5 product with vpmadd52luq/huq into 10 unnormalised 64-bit
 *      columns, then 5 Montgomery reduction rounds of 52 bits each.
 *      Bound: T = (16ab + m*p) / 2^260 with m < 2^260 and a, b < p < 2^254, so
 *      T < 16p^2/2^260 + p < p/4 + p, hence one conditional subtraction of p suffices.
 *   4. Propagate carries, subtract p when T >= p, re-pack to 4 x 64 and transpose back.
 *
 * Column headroom: every column receives at most 10 product halves plus 10 reduction
 * halves plus a carry, each < 2^52, so it stays far below 2^64.
 */
#include "field.h"
#include "field_ifma.h"

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

/* ---------------------------------------------------------------- CPU detection */

int zkcx_cpu_has_ifma(void) {
    static int cached = -1; /* the only mutable global: -1 unknown, else 0/1 */
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
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

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

/* -------------------------------------------------------------- layout helpers */

/* Load 8 consecutive elements (32 qwords) and transpose: v[k] = limb k of elements 0..7. */
IFMA_INLINE void ifma_load_t(__m512i v[4], const uint64_t *src) {
    const __m512i ilo = _mm512_set_epi64(13, 9, 5, 1, 12, 8, 4, 0);
    const __m512i ihi = _mm512_set_epi64(15, 11, 7, 3, 14, 10, 6, 2);
    __m512i x0 = _mm512_loadu_si512((const void *)(src + 0));
    __m512i x1 = _mm512_loadu_si512((const void *)(src + 8));
    __m512i x2 = _mm512_loadu_si512((const void *)(src + 16));
    __m512i x3 = _mm512_loadu_si512((const void *)(src + 24));
    /* t0 = [l0 e0..e3 | l1 e0..e3], t1 = [l2 e0..e3 | l3 e0..e3], t2/t3 same for e4..e7 */
    __m512i t0 = _mm512_permutex2var_epi64(x0, ilo, x1);
    __m512i t1 = _mm512_permutex2var_epi64(x0, ihi, x1);
    __m512i t2 = _mm512_permutex2var_epi64(x2, ilo, x3);
    __m512i t3 = _mm512_permutex2var_epi64(x2, ihi, x3);
    v[0] = _mm512_shuffle_i64x2(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    v[1] = _mm512_shuffle_i64x2(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    v[2] = _mm512_shuffle_i64x2(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    v[3] = _mm512_shuffle_i64x2(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
}

/* Inverse of ifma_load_t: store v[k] = limb k of elements 0..7 as 8 consecutive elements. */
IFMA_INLINE void ifma_store_t(uint64_t *dst, const __m512i v[4]) {
    const __m512i ilo = _mm512_set_epi64(13, 9, 5, 1, 12, 8, 4, 0);
    const __m512i ihi = _mm512_set_epi64(15, 11, 7, 3, 14, 10, 6, 2);
    __m512i t0 = _mm512_shuffle_i64x2(v[0], v[1], _MM_SHUFFLE(1, 0, 1, 0));
    __m512i t2 = _mm512_shuffle_i64x2(v[0], v[1], _MM_SHUFFLE(3, 2, 3, 2));
    __m512i t1 = _mm512_shuffle_i64x2(v[2], v[3], _MM_SHUFFLE(1, 0, 1, 0));
    __m512i t3 = _mm512_shuffle_i64x2(v[2], v[3], _MM_SHUFFLE(3, 2, 3, 2));
    _mm512_storeu_si512((void *)(dst + 0), _mm512_permutex2var_epi64(t0, ilo, t1));
    _mm512_storeu_si512((void *)(dst + 8), _mm512_permutex2var_epi64(t0, ihi, t1));
    _mm512_storeu_si512((void *)(dst + 16), _mm512_permutex2var_epi64(t2, ilo, t3));
    _mm512_storeu_si512((void *)(dst + 24), _mm512_permutex2var_epi64(t2, ihi, t3));
}

/* (a | b) & c in one vpternlogq. */
#define IFMA_OR_AND(a, b, c) _mm512_ternarylogic_epi64((a), (b), (c), 0xA8)

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

/* 5 x 52 (normalised, value < 2^256) -> 4 x 64. */
IFMA_INLINE void ifma_to64(__m512i x[4], const __m512i r[5]) {
    x[0] = _mm512_or_si512(r[0], _mm512_slli_epi64(r[1], 52));
    x[1] = _mm512_or_si512(_mm512_srli_epi64(r[1], 12), _mm512_slli_epi64(r[2], 40));
    x[2] = _mm512_or_si512(_mm512_srli_epi64(r[2], 24), _mm512_slli_epi64(r[3], 28));
    x[3] = _mm512_or_si512(_mm512_srli_epi64(r[3], 36), _mm512_slli_epi64(r[4], 16));
}

/* ------------------------------------------------------------- the multiplier */

/* Field constants in radix 2^52: modulus limbs and -p^-1 mod 2^52. Passed by value
 * into always-inline code, so they become immediate broadcast constants. */
typedef struct {
    uint64_t p[5];
    uint64_t pinv;
} ifma_field_t;

#define IFMA_MADLO(acc, x, y) _mm512_madd52lo_epu64((acc), (x), (y))
#define IFMA_MADHI(acc, x, y) _mm512_madd52hi_epu64((acc), (x), (y))

/*
 * r = a * b / 2^260 mod p for a, b in 5 x 52 limbs (each limb < 2^52), where a = 16x
 * and b = y with x, y < p (see the bound at the top of the file).
 * Output: 5 normalised 52-bit limbs of a value < p.
 */
IFMA_INLINE void ifma_montmul52(__m512i r[5], const __m512i a[5], const __m512i b[5],
                                const ifma_field_t f) {
    const __m512i zero = _mm512_setzero_si512();
    const __m512i mask = _mm512_set1_epi64((long long)M52);
    const __m512i pinv = _mm512_set1_epi64((long long)f.pinv);
    const __m512i p0 = _mm512_set1_epi64((long long)f.p[0]);
    const __m512i p1 = _mm512_set1_epi64((long long)f.p[1]);
    const __m512i p2 = _mm512_set1_epi64((long long)f.p[2]);
    const __m512i p3 = _mm512_set1_epi64((long long)f.p[3]);
    const __m512i p4 = _mm512_set1_epi64((long long)f.p[4]);
    __m512i z[10];

    /* Schoolbook product into 10 columns (column k holds weight 2^(52k)). */
    z[0] = IFMA_MADLO(zero, a[0], b[0]);
    z[1] = IFMA_MADHI(zero, a[0], b[0]);
    z[1] = IFMA_MADLO(z[1], a[0], b[1]);
    z[1] = IFMA_MADLO(z[1], a[1], b[0]);
    z[2] = IFMA_MADHI(zero, a[0], b[1]);
    z[3] = IFMA_MADHI(zero, a[0], b[2]);
    z[4] = IFMA_MADHI(zero, a[0], b[3]);
    z[5] = IFMA_MADHI(zero, a[0], b[4]);
    z[6] = IFMA_MADHI(zero, a[1], b[4]);
    z[7] = IFMA_MADHI(zero, a[2], b[4]);
    z[8] = IFMA_MADHI(zero, a[3], b[4]);
    z[9] = IFMA_MADHI(zero, a[4], b[4]);
    z[2] = IFMA_MADHI(z[2], a[1], b[0]);
    z[2] = IFMA_MADLO(z[2], a[0], b[2]);
    z[2] = IFMA_MADLO(z[2], a[1], b[1]);
    z[2] = IFMA_MADLO(z[2], a[2], b[0]);
    z[3] = IFMA_MADHI(z[3], a[1], b[1]);
    z[3] = IFMA_MADHI(z[3], a[2], b[0]);
    z[3] = IFMA_MADLO(z[3], a[0], b[3]);
    z[3] = IFMA_MADLO(z[3], a[1], b[2]);
    z[3] = IFMA_MADLO(z[3], a[2], b[1]);
    z[3] = IFMA_MADLO(z[3], a[3], b[0]);
    z[4] = IFMA_MADHI(z[4], a[1], b[2]);
    z[4] = IFMA_MADHI(z[4], a[2], b[1]);
    z[4] = IFMA_MADHI(z[4], a[3], b[0]);
    z[4] = IFMA_MADLO(z[4], a[0], b[4]);
    z[4] = IFMA_MADLO(z[4], a[1], b[3]);
    z[4] = IFMA_MADLO(z[4], a[2], b[2]);
    z[4] = IFMA_MADLO(z[4], a[3], b[1]);
    z[4] = IFMA_MADLO(z[4], a[4], b[0]);
    z[5] = IFMA_MADHI(z[5], a[1], b[3]);
    z[5] = IFMA_MADHI(z[5], a[2], b[2]);
    z[5] = IFMA_MADHI(z[5], a[3], b[1]);
    z[5] = IFMA_MADHI(z[5], a[4], b[0]);
    z[5] = IFMA_MADLO(z[5], a[1], b[4]);
    z[5] = IFMA_MADLO(z[5], a[2], b[3]);
    z[5] = IFMA_MADLO(z[5], a[3], b[2]);
    z[5] = IFMA_MADLO(z[5], a[4], b[1]);
    z[6] = IFMA_MADHI(z[6], a[2], b[3]);
    z[6] = IFMA_MADHI(z[6], a[3], b[2]);
    z[6] = IFMA_MADHI(z[6], a[4], b[1]);
    z[6] = IFMA_MADLO(z[6], a[2], b[4]);
    z[6] = IFMA_MADLO(z[6], a[3], b[3]);
    z[6] = IFMA_MADLO(z[6], a[4], b[2]);
    z[7] = IFMA_MADHI(z[7], a[3], b[3]);
    z[7] = IFMA_MADHI(z[7], a[4], b[2]);
    z[7] = IFMA_MADLO(z[7], a[3], b[4]);
    z[7] = IFMA_MADLO(z[7], a[4], b[3]);
    z[8] = IFMA_MADHI(z[8], a[4], b[3]);
    z[8] = IFMA_MADLO(z[8], a[4], b[4]);

    /*
     * Five reduction rounds. Round i picks m = z[i] * (-p^-1) mod 2^52 and adds
     * m*p*2^(52i), which clears the low 52 bits of column i; its remaining high bits
     * carry into column i+1. The hi half of m*p0 goes to a separate register so the
     * next round's column is ready sooner.
     */
#define IFMA_REDUCE_ROUND(i)                                                         \
    do {                                                                             \
        __m512i m_ = IFMA_MADLO(zero, z[i], pinv);                                   \
        __m512i u_ = IFMA_MADLO(z[i], m_, p0);                                       \
        __m512i h_ = IFMA_MADHI(zero, m_, p0);                                       \
        z[(i) + 1] = IFMA_MADLO(z[(i) + 1], m_, p1);                                 \
        z[(i) + 2] = IFMA_MADLO(z[(i) + 2], m_, p2);                                 \
        z[(i) + 3] = IFMA_MADLO(z[(i) + 3], m_, p3);                                 \
        z[(i) + 4] = IFMA_MADLO(z[(i) + 4], m_, p4);                                 \
        z[(i) + 2] = IFMA_MADHI(z[(i) + 2], m_, p1);                                 \
        z[(i) + 3] = IFMA_MADHI(z[(i) + 3], m_, p2);                                 \
        z[(i) + 4] = IFMA_MADHI(z[(i) + 4], m_, p3);                                 \
        z[(i) + 5] = IFMA_MADHI(z[(i) + 5], m_, p4);                                 \
        z[(i) + 1] = _mm512_add_epi64(_mm512_add_epi64(z[(i) + 1], h_),              \
                                      _mm512_srli_epi64(u_, 52));                    \
    } while (0)

    IFMA_REDUCE_ROUND(0);
    IFMA_REDUCE_ROUND(1);
    IFMA_REDUCE_ROUND(2);
    IFMA_REDUCE_ROUND(3);
    IFMA_REDUCE_ROUND(4);
#undef IFMA_REDUCE_ROUND

    /* T = sum z[5+k] 2^(52k) < 1.25 p < 2^255: normalise to 52-bit limbs. */
    __m512i t0 = z[5], t1 = z[6], t2 = z[7], t3 = z[8], t4 = z[9];
    t1 = _mm512_add_epi64(t1, _mm512_srli_epi64(t0, 52));
    t0 = _mm512_and_si512(t0, mask);
    t2 = _mm512_add_epi64(t2, _mm512_srli_epi64(t1, 52));
    t1 = _mm512_and_si512(t1, mask);
    t3 = _mm512_add_epi64(t3, _mm512_srli_epi64(t2, 52));
    t2 = _mm512_and_si512(t2, mask);
    t4 = _mm512_add_epi64(t4, _mm512_srli_epi64(t3, 52));
    t3 = _mm512_and_si512(t3, mask);

    /* d = T - p with signed borrows; keep T where d < 0. */
    __m512i d0 = _mm512_sub_epi64(t0, p0);
    __m512i d1 = _mm512_add_epi64(_mm512_sub_epi64(t1, p1), _mm512_srai_epi64(d0, 52));
    __m512i d2 = _mm512_add_epi64(_mm512_sub_epi64(t2, p2), _mm512_srai_epi64(d1, 52));
    __m512i d3 = _mm512_add_epi64(_mm512_sub_epi64(t3, p3), _mm512_srai_epi64(d2, 52));
    __m512i d4 = _mm512_add_epi64(_mm512_sub_epi64(t4, p4), _mm512_srai_epi64(d3, 52));
    __mmask8 keep = _mm512_movepi64_mask(d4); /* sign bit: T < p */
    r[0] = _mm512_mask_blend_epi64(keep, _mm512_and_si512(d0, mask), t0);
    r[1] = _mm512_mask_blend_epi64(keep, _mm512_and_si512(d1, mask), t1);
    r[2] = _mm512_mask_blend_epi64(keep, _mm512_and_si512(d2, mask), t2);
    r[3] = _mm512_mask_blend_epi64(keep, _mm512_and_si512(d3, mask), t3);
    r[4] = _mm512_mask_blend_epi64(keep, d4, t4);
}

/* 8 products: dst[k] = x[k] * y[k] (all as raw 4 x 64 limbs, 8 consecutive elements). */
IFMA_INLINE void ifma_mul8_raw(uint64_t *dst, const uint64_t *x, const uint64_t *y,
                               const ifma_field_t f) {
    __m512i xv[4], yv[4], a[5], b[5], r[5], o[4];
    ifma_load_t(xv, x);
    ifma_load_t(yv, y);
    ifma_to52_x16(a, xv);
    ifma_to52(b, yv);
    ifma_montmul52(r, a, b, f);
    ifma_to64(o, r);
    ifma_store_t(dst, o);
}

/* 8 products by a fixed multiplier given as 16*s in 5 x 52 limbs (broadcast). */
IFMA_INLINE void ifma_mul8_by_raw(uint64_t *dst, const uint64_t *x, const __m512i s16[5],
                                  const ifma_field_t f) {
    __m512i xv[4], b[5], r[5], o[4];
    ifma_load_t(xv, x);
    ifma_to52(b, xv);
    ifma_montmul52(r, s16, b, f);
    ifma_to64(o, r);
    ifma_store_t(dst, o);
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
        ifma_mul8_raw(z[0].v, x[0].v, y[0].v, f);                                      \
    }                                                                                  \
                                                                                       \
    IFMA_TARGET void F##_vec_mul_ifma(F##_t *out, const F##_t *a, const F##_t *b,      \
                                      size_t n) {                                      \
        const ifma_field_t f = IFMA_FIELD_CONST(UP);                                   \
        size_t i = 0;                                                                  \
        for (; i + 8 <= n; i += 8) ifma_mul8_raw(out[i].v, a[i].v, b[i].v, f);         \
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
        for (; i + 8 <= n; i += 8) ifma_mul8_by_raw(out[i].v, a[i].v, s16, f);         \
        for (; i < n; i++) F##_mul(&out[i], &a[i], &sv);                               \
    }

IFMA_DEFINE_FIELD(fr, FR)
IFMA_DEFINE_FIELD(fq, FQ)

#else /* not x86-64 GCC/Clang: portable stand-ins (never selected, zkcx_cpu_has_ifma() == 0) */

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
