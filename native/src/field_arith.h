/* SPDX-License-Identifier: MIT */
/*
 * Inline Montgomery arithmetic for one 254-bit prime field, written once and
 * instantiated for Fr and Fq by field.h (FIELD = fr|fq, FIELD_UP = FR|FQ).
 *
 * Elements are 4 little-endian 64-bit limbs holding a*R mod p, R = 2^256, always
 * fully reduced (< p), so equality is limb equality. Every function allows its
 * output to alias any input.
 *
 * Multiplication is CIOS Montgomery multiplication (Koc, Acar, Kaliski 1996) with the
 * "no-carry" shortcut that holds when the top limb of p is below 2^63 - 1 (both BN254
 * moduli qualify): the running total then never needs a fifth limb.
 */
#ifndef FIELD
#error "define FIELD and FIELD_UP before including field_arith.h"
#endif

#define ZK_CAT2(a, b) a##b
#define ZK_CAT(a, b) ZK_CAT2(a, b)
#define FN(name) ZK_CAT(FIELD, ZK_CAT(_, name))
#define T ZK_CAT(FIELD, _t)
#define K(name) ZK_CAT(FIELD_UP, ZK_CAT(_, name))

typedef struct { uint64_t v[4]; } T;

static const T FN(modulus) = {K(MODULUS_LIMBS)};
static const T FN(one) = {K(R_LIMBS)};
static const T FN(r2) = {K(R2_LIMBS)};
static const T FN(r3) = {K(R3_LIMBS)};

static inline void FN(set_zero)(T *z) { z->v[0] = z->v[1] = z->v[2] = z->v[3] = 0; }
static inline void FN(set_one)(T *z) { *z = FN(one); }

static inline int FN(is_zero)(const T *x) {
    return (x->v[0] | x->v[1] | x->v[2] | x->v[3]) == 0;
}

static inline int FN(eq)(const T *x, const T *y) {
    return ((x->v[0] ^ y->v[0]) | (x->v[1] ^ y->v[1]) | (x->v[2] ^ y->v[2]) |
            (x->v[3] ^ y->v[3])) == 0;
}

/*
 * Addition and subtraction use the add-with-carry intrinsics on x86-64 (plain ADC/SBB,
 * no -march needed): GCC 12 compiles the portable unsigned __int128 versions into long,
 * spill-heavy sequences inside large functions (the pairing ran several times slower
 * with them when this was written).
 * Both versions compute the same values; other targets use the portable one.
 */
#ifndef ZK_ADC
/*
 * Multiplication uses MULX/ADCX/ADOX (BMI2 + ADX) where the CPU has them, chosen at run
 * time through zk_cpu_adx (set at load by field_ifma.c; zkcx_set_adx(0), which Python
 * calls for ZKCX_NO_ADX=1, forces the portable path, which the tests also run). Build with
 * -DZKCX_NO_ADX to leave the assembly out.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(ZKCX_NO_ADX)
#define ZK_HAVE_ADX_ASM 1
extern int zk_cpu_adx;
#else
#define ZK_HAVE_ADX_ASM 0
#endif
#if defined(__x86_64__)
#include <x86intrin.h>
typedef unsigned long long zk_u64c;   /* the intrinsics' limb type */
#define ZK_ADC(c, a, b, out) _addcarry_u64((c), (a), (b), (out))
#define ZK_SBB(c, a, b, out) _subborrow_u64((c), (a), (b), (out))
#else
typedef uint64_t zk_u64c;
static inline unsigned char zk_adc(unsigned char c, uint64_t a, uint64_t b, uint64_t *out) {
    u128 s = (u128)a + b + c; *out = (uint64_t)s; return (unsigned char)(s >> 64);
}
static inline unsigned char zk_sbb(unsigned char c, uint64_t a, uint64_t b, uint64_t *out) {
    u128 d = (u128)a - b - c; *out = (uint64_t)d; return (unsigned char)((d >> 64) & 1);
}
#define ZK_ADC(c, a, b, out) zk_adc((c), (a), (b), (out))
#define ZK_SBB(c, a, b, out) zk_sbb((c), (a), (b), (out))
#endif
#endif

/* z = t - p if t >= p else t, for t < 2p given as 4 limbs (no fifth limb needed
 * because 2p < 2^255). Branch-free. */
static inline void FN(reduce_once)(T *z, zk_u64c t0, zk_u64c t1, zk_u64c t2, zk_u64c t3) {
    zk_u64c s0, s1, s2, s3;
    unsigned char b;
    b = ZK_SBB(0, t0, K(P0), &s0);
    b = ZK_SBB(b, t1, K(P1), &s1);
    b = ZK_SBB(b, t2, K(P2), &s2);
    b = ZK_SBB(b, t3, K(P3), &s3);
    uint64_t keep = (uint64_t)0 - b;        /* all ones: t < p, keep t */
    z->v[0] = (t0 & keep) | (s0 & ~keep);
    z->v[1] = (t1 & keep) | (s1 & ~keep);
    z->v[2] = (t2 & keep) | (s2 & ~keep);
    z->v[3] = (t3 & keep) | (s3 & ~keep);
}

/*
 * z = w mod p for w < 16 p given as five limbs. With W = floor(w / 2^194) < 2^64,
 * P = floor(p / 2^194) + 1 and M = floor(2^72 / P), the estimate
 *     q' = floor(W M / 2^72) <= W / P <= w / p
 * is at most one below floor(w / p) (the truncations lose far less than 1 for W M < 2^77),
 * so w - q' p < 2p and one conditional subtraction finishes. No division, no branch;
 * the multiply-by-xi of the tower uses it.
 */
static inline void FN(reduce_small)(T *z, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
                                    uint64_t w4) {
    static const uint64_t multiples[16][5] = K(SMALL_MULTIPLES);
    const uint64_t top = (w3 >> 2) | (w4 << 62);
    const unsigned q = (unsigned)(((u128)top * K(SMALL_RECIPROCAL)) >> 72);
    const uint64_t *m = multiples[q];
    zk_u64c r0, r1, r2, r3, r4;
    unsigned char b;
    b = ZK_SBB(0, w0, m[0], &r0);
    b = ZK_SBB(b, w1, m[1], &r1);
    b = ZK_SBB(b, w2, m[2], &r2);
    b = ZK_SBB(b, w3, m[3], &r3);
    (void)ZK_SBB(b, w4, m[4], &r4);     /* r < 2p < 2^255: r4 = 0 */
    FN(reduce_once)(z, r0, r1, r2, r3);
}

/* z = k x + y mod p for x < p, y <= p and k <= 14 (k x + y < 16 p). */
static inline void FN(mul_small_add)(T *z, const T *x, uint64_t k, const T *y) {
    u128 t;
    uint64_t w0, w1, w2, w3, w4;
    t = (u128)x->v[0] * k + y->v[0];               w0 = (uint64_t)t;
    t = (u128)x->v[1] * k + y->v[1] + (t >> 64);   w1 = (uint64_t)t;
    t = (u128)x->v[2] * k + y->v[2] + (t >> 64);   w2 = (uint64_t)t;
    t = (u128)x->v[3] * k + y->v[3] + (t >> 64);   w3 = (uint64_t)t;
    w4 = (uint64_t)(t >> 64);
    FN(reduce_small)(z, w0, w1, w2, w3, w4);
}

static inline void FN(add)(T *z, const T *x, const T *y) {
    zk_u64c t0, t1, t2, t3;
    unsigned char c;
    /* x + y < 2p < 2^255: no carry out of the top limb */
    c = ZK_ADC(0, x->v[0], y->v[0], &t0);
    c = ZK_ADC(c, x->v[1], y->v[1], &t1);
    c = ZK_ADC(c, x->v[2], y->v[2], &t2);
    (void)ZK_ADC(c, x->v[3], y->v[3], &t3);
    FN(reduce_once)(z, t0, t1, t2, t3);
}

static inline void FN(dbl)(T *z, const T *x) { FN(add)(z, x, x); }

static inline void FN(sub)(T *z, const T *x, const T *y) {
    zk_u64c t0, t1, t2, t3, r0, r1, r2, r3;
    unsigned char b, c;
    b = ZK_SBB(0, x->v[0], y->v[0], &t0);
    b = ZK_SBB(b, x->v[1], y->v[1], &t1);
    b = ZK_SBB(b, x->v[2], y->v[2], &t2);
    b = ZK_SBB(b, x->v[3], y->v[3], &t3);
    uint64_t mask = (uint64_t)0 - b;        /* add p back when x < y */
    c = ZK_ADC(0, t0, K(P0) & mask, &r0);
    c = ZK_ADC(c, t1, K(P1) & mask, &r1);
    c = ZK_ADC(c, t2, K(P2) & mask, &r2);
    (void)ZK_ADC(c, t3, K(P3) & mask, &r3);
    z->v[0] = r0; z->v[1] = r1; z->v[2] = r2; z->v[3] = r3;
}

static inline void FN(neg)(T *z, const T *x) {
    zk_u64c r0, r1, r2, r3;
    unsigned char b;
    uint64_t nz = (uint64_t)0 - (uint64_t)((x->v[0] | x->v[1] | x->v[2] | x->v[3]) != 0);
    b = ZK_SBB(0, K(P0), x->v[0], &r0);
    b = ZK_SBB(b, K(P1), x->v[1], &r1);
    b = ZK_SBB(b, K(P2), x->v[2], &r2);
    (void)ZK_SBB(b, K(P3), x->v[3], &r3);
    z->v[0] = r0 & nz; z->v[1] = r1 & nz; z->v[2] = r2 & nz; z->v[3] = r3 & nz;   /* -0 = 0 */
}

/* One CIOS round: t = (t + xi*y + m*p) / 2^64 with m chosen to clear the low limb. */
#define ZK_CIOS_ROUND(xi)                                                        \
    do {                                                                         \
        u128 s_;                                                                 \
        uint64_t a_, c_, m_, lo_;                                                \
        s_ = (u128)(xi) * y0 + t0;       a_ = (uint64_t)(s_ >> 64); t0 = (uint64_t)s_; \
        m_ = t0 * K(INV);                                                        \
        s_ = (u128)m_ * K(P0) + t0;      c_ = (uint64_t)(s_ >> 64);             \
        s_ = (u128)(xi) * y1 + t1 + a_;  a_ = (uint64_t)(s_ >> 64); lo_ = (uint64_t)s_; \
        s_ = (u128)m_ * K(P1) + lo_ + c_; c_ = (uint64_t)(s_ >> 64); t0 = (uint64_t)s_; \
        s_ = (u128)(xi) * y2 + t2 + a_;  a_ = (uint64_t)(s_ >> 64); lo_ = (uint64_t)s_; \
        s_ = (u128)m_ * K(P2) + lo_ + c_; c_ = (uint64_t)(s_ >> 64); t1 = (uint64_t)s_; \
        s_ = (u128)(xi) * y3 + t3 + a_;  a_ = (uint64_t)(s_ >> 64); lo_ = (uint64_t)s_; \
        s_ = (u128)m_ * K(P3) + lo_ + c_; c_ = (uint64_t)(s_ >> 64); t2 = (uint64_t)s_; \
        t3 = c_ + a_;                                                            \
    } while (0)

#if ZK_HAVE_ADX_ASM
/*
 * The same CIOS rounds with MULX and the two independent carry chains of ADCX (CF)
 * and ADOX (OF), so the additions of low and high product halves interleave
 * (Gueron and Krasnov, "Fast Multiplication with ADX", Intel 2012). Registers rotate
 * instead of moving: after a round the low word is zero and the next round starts
 * one register up. Only called when the CPU has BMI2 and ADX (zk_cpu_adx).
 */
/* A..E += y_i * (x0..x3), E fresh: one row of the product (E = the high word). */
#define ZK_ADX_PRODUCT_ROW(YI, A, B, C, D, E)                                     \
    "movq %[" #YI "], %%rdx\n\t"                                                  \
    "xorl %k[lo], %k[lo]\n\t"                                                     \
    "mulxq %[x0], %[lo], %[hi]\n\t"                                               \
    "adoxq %[lo], %[" #A "]\n\t"                                                  \
    "adcxq %[hi], %[" #B "]\n\t"                                                  \
    "mulxq %[x1], %[lo], %[hi]\n\t"                                               \
    "adoxq %[lo], %[" #B "]\n\t"                                                  \
    "adcxq %[hi], %[" #C "]\n\t"                                                  \
    "mulxq %[x2], %[lo], %[hi]\n\t"                                               \
    "adoxq %[lo], %[" #C "]\n\t"                                                  \
    "adcxq %[hi], %[" #D "]\n\t"                                                  \
    "mulxq %[x3], %[lo], %[" #E "]\n\t"                                           \
    "adoxq %[lo], %[" #D "]\n\t"                                                  \
    "movl $0, %k[lo]\n\t"                                                         \
    "adcxq %[lo], %[" #E "]\n\t"                                                  \
    "adoxq %[lo], %[" #E "]\n\t"

/* A..E += m p with m = A (-p^-1) mod 2^64, which clears A; the OF chain's last carry
 * into E is left to the caller. */
#define ZK_ADX_MP_ROW(A, B, C, D, E)                                              \
    "movq %[" #A "], %%rdx\n\t"                                                   \
    "imulq %[inv], %%rdx\n\t"                                                     \
    "xorl %k[lo], %k[lo]\n\t"                                                     \
    "mulxq %[p0], %[lo], %[hi]\n\t"                                               \
    "adoxq %[lo], %[" #A "]\n\t"                                                  \
    "adcxq %[hi], %[" #B "]\n\t"                                                  \
    "mulxq %[p1], %[lo], %[hi]\n\t"                                               \
    "adoxq %[lo], %[" #B "]\n\t"                                                  \
    "adcxq %[hi], %[" #C "]\n\t"                                                  \
    "mulxq %[p2], %[lo], %[hi]\n\t"                                               \
    "adoxq %[lo], %[" #C "]\n\t"                                                  \
    "adcxq %[hi], %[" #D "]\n\t"                                                  \
    "mulxq %[p3], %[lo], %[hi]\n\t"                                               \
    "adoxq %[lo], %[" #D "]\n\t"                                                  \
    "adcxq %[hi], %[" #E "]\n\t"

/* One Montgomery round of the product: E takes the last carry (no overflow: t < 2p). */
#define ZK_ADX_REDUCE_ROW(A, B, C, D, E)                                          \
    ZK_ADX_MP_ROW(A, B, C, D, E)                                                  \
    "movl $0, %k[lo]\n\t"                                                         \
    "adoxq %[lo], %[" #E "]\n\t"

#define ZK_ADX_ROUND(YI, A, B, C, D, E)                                           \
    ZK_ADX_PRODUCT_ROW(YI, A, B, C, D, E) ZK_ADX_REDUCE_ROW(A, B, C, D, E)

/* One row of a Montgomery reduction of eight limbs: A..E += m p as above, plus the
 * carry word c of the previous row at E; the carries out of E become the new c. */
#define ZK_ADX_REDC_ROW(A, B, C, D, E)                                            \
    ZK_ADX_MP_ROW(A, B, C, D, E)                                                  \
    "adoxq %[c], %[" #E "]\n\t"                                                   \
    "movl $0, %k[c]\n\t"                                                          \
    "movl $0, %k[lo]\n\t"                                                         \
    "adcxq %[lo], %[c]\n\t"                                                       \
    "adoxq %[lo], %[c]\n\t"

static inline void FN(mul_adx)(T *z, const T *x, const T *y) {
    uint64_t r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4, lo, hi;
    static const uint64_t inv = K(INV);
    __asm__(ZK_ADX_ROUND(y0, r0, r1, r2, r3, r4)
            ZK_ADX_ROUND(y1, r1, r2, r3, r4, r0)
            ZK_ADX_ROUND(y2, r2, r3, r4, r0, r1)
            ZK_ADX_ROUND(y3, r3, r4, r0, r1, r2)
            : [r0] "+&r"(r0), [r1] "+&r"(r1), [r2] "+&r"(r2), [r3] "+&r"(r3),
              [r4] "=&r"(r4), [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [x0] "rm"(x->v[0]), [x1] "rm"(x->v[1]), [x2] "rm"(x->v[2]), [x3] "rm"(x->v[3]),
              [y0] "rm"(y->v[0]), [y1] "rm"(y->v[1]), [y2] "rm"(y->v[2]), [y3] "rm"(y->v[3]),
              [p0] "m"(FN(modulus).v[0]), [p1] "m"(FN(modulus).v[1]),
              [p2] "m"(FN(modulus).v[2]), [p3] "m"(FN(modulus).v[3]), [inv] "m"(inv)
            : "rdx", "cc");
    FN(reduce_once)(z, r4, r0, r1, r2);
}

static inline void FN(mul_wide_adx)(uint64_t w[8], const T *x, const T *y) {
    uint64_t r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4, r5, r6, r7, lo, hi;
    __asm__(ZK_ADX_PRODUCT_ROW(y0, r0, r1, r2, r3, r4)
            ZK_ADX_PRODUCT_ROW(y1, r1, r2, r3, r4, r5)
            ZK_ADX_PRODUCT_ROW(y2, r2, r3, r4, r5, r6)
            ZK_ADX_PRODUCT_ROW(y3, r3, r4, r5, r6, r7)
            : [r0] "+&r"(r0), [r1] "+&r"(r1), [r2] "+&r"(r2), [r3] "+&r"(r3),
              [r4] "=&r"(r4), [r5] "=&r"(r5), [r6] "=&r"(r6), [r7] "=&r"(r7),
              [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [x0] "m"(x->v[0]), [x1] "m"(x->v[1]), [x2] "m"(x->v[2]), [x3] "m"(x->v[3]),
              [y0] "m"(y->v[0]), [y1] "m"(y->v[1]), [y2] "m"(y->v[2]), [y3] "m"(y->v[3])
            : "rdx", "cc");
    w[0] = r0; w[1] = r1; w[2] = r2; w[3] = r3; w[4] = r4; w[5] = r5; w[6] = r6; w[7] = r7;
}

static inline void FN(redc_adx)(T *z, const uint64_t w[8]) {
    uint64_t r0 = w[0], r1 = w[1], r2 = w[2], r3 = w[3], r4 = w[4], r5 = w[5], r6 = w[6],
             r7 = w[7], lo, hi, c = 0;
    static const uint64_t inv = K(INV);
    __asm__(ZK_ADX_REDC_ROW(r0, r1, r2, r3, r4)
            ZK_ADX_REDC_ROW(r1, r2, r3, r4, r5)
            ZK_ADX_REDC_ROW(r2, r3, r4, r5, r6)
            ZK_ADX_REDC_ROW(r3, r4, r5, r6, r7)
            : [r0] "+&r"(r0), [r1] "+&r"(r1), [r2] "+&r"(r2), [r3] "+&r"(r3),
              [r4] "+&r"(r4), [r5] "+&r"(r5), [r6] "+&r"(r6), [r7] "+&r"(r7),
              [lo] "=&r"(lo), [hi] "=&r"(hi), [c] "+&r"(c)
            : [p0] "m"(FN(modulus).v[0]), [p1] "m"(FN(modulus).v[1]),
              [p2] "m"(FN(modulus).v[2]), [p3] "m"(FN(modulus).v[3]), [inv] "m"(inv)
            : "rdx", "cc");
    FN(reduce_once)(z, r4, r5, r6, r7);
}
#endif

static inline void FN(mul_portable)(T *z, const T *x, const T *y) {
    const uint64_t y0 = y->v[0], y1 = y->v[1], y2 = y->v[2], y3 = y->v[3];
    const uint64_t x0 = x->v[0], x1 = x->v[1], x2 = x->v[2], x3 = x->v[3];
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    ZK_CIOS_ROUND(x0);
    ZK_CIOS_ROUND(x1);
    ZK_CIOS_ROUND(x2);
    ZK_CIOS_ROUND(x3);
    FN(reduce_once)(z, t0, t1, t2, t3);
}

/* z = x y R^-1 mod p (Montgomery product, CIOS), x, y < p; z may alias x or y. */
static inline void FN(mul)(T *z, const T *x, const T *y) {
#if ZK_HAVE_ADX_ASM
    if (__builtin_expect(zk_cpu_adx, 1)) { FN(mul_adx)(z, x, y); return; }
#endif
    FN(mul_portable)(z, x, y);
}

/*
 * Lazy reduction (Aranha, Karabina, Longa, Gebotys, Lopez, "Faster explicit formulas
 * for computing pairings over ordinary curves", EUROCRYPT 2011): the plain 512-bit
 * product, and Montgomery reduction of a 512-bit w < p 2^256 to w 2^-256 mod p, so sums
 * of products pay one reduction. mul(x, y) = redc(mul_wide(x, y)).
 */
static inline void FN(mul_wide_portable)(uint64_t w[8], const T *x, const T *y) {
    uint64_t r[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 4; j++) {
            u128 t = (u128)x->v[j] * y->v[i] + r[i + j] + carry;
            r[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        r[i + 4] = carry;
    }
    for (int k = 0; k < 8; k++) w[k] = r[k];
}

static inline void FN(redc_portable)(T *z, const uint64_t w[8]) {
    uint64_t r[8], top = 0;   /* top: the carry that entered word i + 4 in row i */
    for (int k = 0; k < 8; k++) r[k] = w[k];
    for (int i = 0; i < 4; i++) {
        uint64_t m = r[i] * K(INV), carry = 0;
        for (int j = 0; j < 4; j++) {
            u128 t = (u128)m * FN(modulus).v[j] + r[i + j] + carry;
            r[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        u128 t = (u128)r[i + 4] + carry + top;
        r[i + 4] = (uint64_t)t;
        top = (uint64_t)(t >> 64);
    }
    FN(reduce_once)(z, r[4], r[5], r[6], r[7]);
}

static inline void FN(mul_wide)(uint64_t w[8], const T *x, const T *y) {
#if ZK_HAVE_ADX_ASM
    if (__builtin_expect(zk_cpu_adx, 1)) { FN(mul_wide_adx)(w, x, y); return; }
#endif
    FN(mul_wide_portable)(w, x, y);
}

static inline void FN(redc)(T *z, const uint64_t w[8]) {
#if ZK_HAVE_ADX_ASM
    if (__builtin_expect(zk_cpu_adx, 1)) { FN(redc_adx)(z, w); return; }
#endif
    FN(redc_portable)(z, w);
}

static inline void FN(sqr)(T *z, const T *x) { FN(mul)(z, x, x); }

/* x from canonical limbs (may be any value < 2^256 that is < p) into Montgomery form. */
static inline void FN(to_mont)(T *z, const T *x) { FN(mul)(z, x, &FN(r2)); }

/* Montgomery form back to canonical limbs: multiply by the plain integer 1. */
static inline void FN(from_mont)(T *z, const T *x) {
    static const T plain_one = {{1, 0, 0, 0}};
    FN(mul)(z, x, &plain_one);
}

/* z = x^e for a 256-bit exponent e given as 4 little-endian limbs (left to right,
 * square and multiply). */
static inline void FN(pow_limbs)(T *z, const T *x, const uint64_t e[4]) {
    T base = *x, acc = FN(one);
    int started = 0;
    for (int word = 3; word >= 0; word--) {
        for (int bit = 63; bit >= 0; bit--) {
            if (started) FN(sqr)(&acc, &acc);
            if ((e[word] >> bit) & 1) {
                FN(mul)(&acc, &acc, &base);
                started = 1;
            }
        }
    }
    *z = acc;
}

/* --- plain 256-bit helpers for the binary inversion ------------------------------- */
static inline int FN(u256_is_one)(const uint64_t a[4]) {
    return a[0] == 1 && (a[1] | a[2] | a[3]) == 0;
}
static inline int FN(u256_geq)(const uint64_t a[4], const uint64_t b[4]) {
    for (int k = 3; k >= 0; k--) {
        if (a[k] != b[k]) return a[k] > b[k];
    }
    return 1;
}
static inline void FN(u256_sub)(uint64_t a[4], const uint64_t b[4]) {
    uint64_t borrow = 0;
    for (int k = 0; k < 4; k++) {
        u128 d = (u128)a[k] - b[k] - borrow;
        a[k] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
}
static inline void FN(u256_shr1)(uint64_t a[4], uint64_t top_in) {
    a[0] = (a[0] >> 1) | (a[1] << 63);
    a[1] = (a[1] >> 1) | (a[2] << 63);
    a[2] = (a[2] >> 1) | (a[3] << 63);
    a[3] = (a[3] >> 1) | (top_in << 63);
}
/* a = a/2 mod p for a < p: if a is odd, halve a + p (which may need a 257th bit). */
static inline void FN(halve_mod)(uint64_t a[4]) {
    if (a[0] & 1) {
        u128 s = 0;
        uint64_t carry = 0;
        const uint64_t *p = FN(modulus).v;
        for (int k = 0; k < 4; k++) {
            s = (u128)a[k] + p[k] + carry;
            a[k] = (uint64_t)s;
            carry = (uint64_t)(s >> 64);
        }
        FN(u256_shr1)(a, carry);
    } else {
        FN(u256_shr1)(a, 0);
    }
}
/* a = a - b mod p, plain integers < p. */
static inline void FN(submod_plain)(uint64_t a[4], const uint64_t b[4]) {
    if (FN(u256_geq)(a, b)) {
        FN(u256_sub)(a, b);
    } else {
        uint64_t t[4] = {b[0], b[1], b[2], b[3]};
        FN(u256_sub)(t, a);                 /* t = b - a */
        uint64_t p[4] = {FN(modulus).v[0], FN(modulus).v[1], FN(modulus).v[2], FN(modulus).v[3]};
        FN(u256_sub)(p, t);                 /* p - (b - a) */
        a[0] = p[0]; a[1] = p[1]; a[2] = p[2]; a[3] = p[3];
    }
}

/*
 * z = x^-1. Returns 0, or -1 (and z = 0) when x = 0.
 * Binary extended Euclid on the Montgomery representative X = xR gives X^-1 =
 * x^-1 R^-1; one Montgomery multiplication by R^3 turns that into x^-1 R.
 * Not constant time: zkcx never inverts secret values where timing is observable.
 */
static inline int FN(inv)(T *z, const T *x) {
    if (FN(is_zero)(x)) { FN(set_zero)(z); return -1; }
    uint64_t u[4] = {x->v[0], x->v[1], x->v[2], x->v[3]};
    uint64_t v[4] = {FN(modulus).v[0], FN(modulus).v[1], FN(modulus).v[2], FN(modulus).v[3]};
    uint64_t x1[4] = {1, 0, 0, 0}, x2[4] = {0, 0, 0, 0};
    while (!FN(u256_is_one)(u) && !FN(u256_is_one)(v)) {
        while ((u[0] & 1) == 0) { FN(u256_shr1)(u, 0); FN(halve_mod)(x1); }
        while ((v[0] & 1) == 0) { FN(u256_shr1)(v, 0); FN(halve_mod)(x2); }
        if (FN(u256_geq)(u, v)) { FN(u256_sub)(u, v); FN(submod_plain)(x1, x2); }
        else                    { FN(u256_sub)(v, u); FN(submod_plain)(x2, x1); }
    }
    T plain;
    const uint64_t *res = FN(u256_is_one)(u) ? x1 : x2;
    plain.v[0] = res[0]; plain.v[1] = res[1]; plain.v[2] = res[2]; plain.v[3] = res[3];
    FN(mul)(z, &plain, &FN(r3));
    return 0;
}

#undef FN
#undef T
#undef K
