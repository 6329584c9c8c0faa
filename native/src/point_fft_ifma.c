/* SPDX-License-Identifier: MIT */
/*
 * The twiddle products of the group FFT on AVX-512 IFMA (point_fft.h), G1 and G2: eight
 * scalar multiplications side by side, one per 64-bit lane, in Jacobian coordinates kept in
 * radix 2^52 in the vector registers for the whole multiplication (ifma_fq52.h, lazily
 * reduced in [0, 2p)). Every lane follows the same schedule (5 doublings, then up to
 * two mixed additions of table points per window), so no lane waits on another's
 * branches; a zero digit masks its addition off.
 *
 * Formulas (a = 0, Explicit-Formulas Database, as curve_law.h): dbl-2009-l and
 * madd-2007-bl. An addition whose operands have equal x (equal or opposite points)
 * would need the doubling or give the identity; the generic formula instead sets H = 0
 * and so Z3 = 0, which every later doubling (Z3 = 2 Y Z) and addition (Z3 = 2 Z H)
 * keeps. A lane with Z = 0 at the end is reported, and the caller recomputes it with
 * the scalar g?_jac_mul: results never depend on the kernel. The formulas are written
 * once (point_fft_ifma_law.h) over the eight-lane Fq and Fq2 arithmetic defined here.
 */
#include <string.h>
#include "point_fft.h"
#include "msm.h"
#include "ifma_inline.h"
#include "ifma_fq52.h"

#if IFMA_AVAILABLE

#define MI IFMA_INLINE

/* a + b for a, b < 2p: in [0, 2p) */
MI f52 addm(const f52 a, const f52 b) {
    f52 t;
    for (int k = 0; k < 5; k++) t.l[k] = _mm512_add_epi64(a.l[k], b.l[k]);
    return reduce2(carry_s(t));
}

/* a - b for a, b < 2p: a + 2p - b in (0, 4p), then in [0, 2p) */
MI f52 subm(const f52 a, const f52 b) {
    static const uint64_t P[5] = IFMA_L52_ALL(FQ);
    f52 t;
    for (int k = 0; k < 5; k++)
        t.l[k] = _mm512_sub_epi64(_mm512_add_epi64(a.l[k], bc(2 * P[k])), b.l[k]);
    return reduce2(carry_s(t));
}

/* ---- G1: coordinates in Fq ----------------------------------------------------------- */

MI f52 f52_sq(const f52 a) { return mm(x16(a), a); }
MI f52 f52_mul(const f52 a, const f52 b) { return mm(x16(a), b); }
MI f52 f52_add(const f52 a, const f52 b) { return addm(a, b); }

/* Two independent Montgomery products (or sums of two products, when c and d are not
 * NULL) interleaved in one call: r[q] = (a[q] b[q] + c[q] d[q]) / 2^256 mod p, q < 2, with
 * a, c given as 16 times their value (x16). One reduction chain each, so that the
 * serial rounds of one fill the other's latency. Lazy: results < 1.76 p (one product)
 * or < 2.52 p (a sum; the caller reduces it). */
MI void mm_pair(f52 r[2], const f52 a16[2], const f52 b[2], const f52 *c16, const f52 *d,
                int sum) {
    __m512i A[2][5], B[2][5], C[2][5], D[2][5], R[2][5];
    for (int q = 0; q < 2; q++)
        for (int k = 0; k < 5; k++) {
            A[q][k] = a16[q].l[k];
            B[q][k] = b[q].l[k];
            if (sum) {
                C[q][k] = c16[q].l[k];
                D[q][k] = d[q].l[k];
            }
        }
    if (sum)
        ifma_montmul52_sum(R, (const __m512i (*)[5])A, (const __m512i (*)[5])B,
                           (const __m512i (*)[5])C, (const __m512i (*)[5])D, 2, IFMA_LAZY,
                           IFMA_FIELD(FQ));
    else
        ifma_montmul52_sum(R, (const __m512i (*)[5])A, (const __m512i (*)[5])B, NULL, NULL, 2,
                           IFMA_LAZY, IFMA_FIELD(FQ));
    for (int q = 0; q < 2; q++)
        for (int k = 0; k < 5; k++) r[q].l[k] = R[q][k];
}

/* *r = a b and *s = c d */
MI void f52_mul_pair(f52 *r, const f52 a, const f52 b, f52 *s, const f52 c, const f52 d) {
    const f52 a16[2] = {x16(a), x16(c)}, bb[2] = {b, d};
    f52 out[2];
    mm_pair(out, a16, bb, NULL, NULL, 0);
    *r = out[0];
    *s = out[1];
}

MI f52 f52_sub(const f52 a, const f52 b) { return subm(a, b); }

MI f52 f52_blend(unsigned mask, const f52 a, const f52 b) {   /* b where mask, else a */
    f52 r;
    for (int k = 0; k < 5; k++) r.l[k] = _mm512_mask_blend_epi64((__mmask8)mask, a.l[k], b.l[k]);
    return r;
}

MI f52 f52_one(void) { return bcast52(&fq_one); }

/* lanes where a (< 2p) is 0 mod p */
MI unsigned f52_zero_mask(const f52 a) {
    const f52 r = reduce1(a);
    __m512i o = _mm512_or_si512(_mm512_or_si512(r.l[0], r.l[1]),
                                _mm512_or_si512(r.l[2], _mm512_or_si512(r.l[3], r.l[4])));
    return (unsigned)_mm512_cmpeq_epi64_mask(o, _mm512_setzero_si512());
}

MI f52 f52_load(const uint64_t *const ptr[8], int off) {
    __m512i v[4];
    ld_fq(v, ptr, off);
    return to52(v);
}

MI void f52_store(uint64_t *const ptr[8], int off, const f52 a) {
    __m512i v[4];
    to64(v, reduce1(a));
    st_fq(ptr, off, v, 0xff);
}

MI f52 f52_neg(const f52 a, unsigned mask) {
    f52 zero;
    for (int k = 0; k < 5; k++) zero.l[k] = _mm512_setzero_si512();
    return f52_blend(mask, a, sub_p(zero, a));
}

/* phi(x, y) = (beta x, y) = [lambda](x, y) */
MI void f52_endo(f52 *x, f52 *y, int h) {
    static const fq_t beta = {G1_GLV_BETA_MONT};
    (void)y;
    (void)h;   /* PARTS = 2: h = 1 */
    *x = mm(x16(bcast52(&beta)), *x);
}

/* ---- G2: coordinates in Fq2 = Fq[i]/(i^2 + 1) ------------------------------------------ */

typedef struct { f52 c0, c1; } f52x2;

/* 2p - a for a <= 2p: in [0, 2p] */
MI f52 neg2p(const f52 a) {
    static const uint64_t P[5] = IFMA_L52_ALL(FQ);
    f52 t;
    for (int k = 0; k < 5; k++) t.l[k] = _mm512_sub_epi64(bc(2 * P[k]), a.l[k]);
    return carry_s(t);
}

/* (a0 + a1 i)(b0 + b1 i) = (a0 b0 - a1 b1) + (a0 b1 + a1 b0) i, two dual products */
MI f52x2 f52x2_mul(const f52x2 x, const f52x2 y) {
    const f52 x0 = x16(x.c0), x1 = x16(x.c1), x1n = x16(neg2p(x.c1));
    const f52 a16[2] = {x0, x0}, b[2] = {y.c0, y.c1}, c16[2] = {x1n, x1}, d[2] = {y.c1, y.c0};
    f52 out[2];
    mm_pair(out, a16, b, c16, d, 1);
    f52x2 r = {reduce1(out[0]), reduce1(out[1])};
    return r;
}

/* (a0 + a1 i)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 i */
MI f52x2 f52x2_sq(const f52x2 a) {
    f52x2 r;
    f52_mul_pair(&r.c0, addm(a.c0, a.c1), subm(a.c0, a.c1), &r.c1, a.c0, a.c1);
    r.c1 = addm(r.c1, r.c1);
    return r;
}

MI void f52x2_mul_pair(f52x2 *r, const f52x2 a, const f52x2 b, f52x2 *s, const f52x2 c,
                       const f52x2 d) {
    *r = f52x2_mul(a, b);
    *s = f52x2_mul(c, d);
}

MI f52x2 f52x2_add(const f52x2 a, const f52x2 b) {
    f52x2 r = {addm(a.c0, b.c0), addm(a.c1, b.c1)};
    return r;
}

MI f52x2 f52x2_sub(const f52x2 a, const f52x2 b) {
    f52x2 r = {subm(a.c0, b.c0), subm(a.c1, b.c1)};
    return r;
}

MI f52x2 f52x2_blend(unsigned mask, const f52x2 a, const f52x2 b) {
    f52x2 r = {f52_blend(mask, a.c0, b.c0), f52_blend(mask, a.c1, b.c1)};
    return r;
}

MI f52x2 f52x2_one(void) {
    f52x2 r = {f52_one(), f52_sub(f52_one(), f52_one())};
    return r;
}

MI unsigned f52x2_zero_mask(const f52x2 a) { return f52_zero_mask(a.c0) & f52_zero_mask(a.c1); }

MI f52x2 f52x2_load(const uint64_t *const ptr[8], int off) {
    f52x2 r = {f52_load(ptr, off), f52_load(ptr, off + 4)};
    return r;
}

MI void f52x2_store(uint64_t *const ptr[8], int off, const f52x2 a) {
    f52_store(ptr, off, a.c0);
    f52_store(ptr, off + 4, a.c1);
}

MI f52x2 f52x2_neg(const f52x2 a, unsigned mask) {
    f52x2 r = {f52_neg(a.c0, mask), f52_neg(a.c1, mask)};
    return r;
}

/* psi(x, y) = (conj(x) gamma_12, conj(y) gamma_13) = [p](x, y) on G2 (g2.h) */
MI void f52x2_psi(f52x2 *x, f52x2 *y) {
    f52x2 g2 = {bcast52(&fq12_frob_gamma1[2].c0), bcast52(&fq12_frob_gamma1[2].c1)};
    f52x2 g3 = {bcast52(&fq12_frob_gamma1[3].c0), bcast52(&fq12_frob_gamma1[3].c1)};
    f52x2 cx = {x->c0, neg2p(x->c1)}, cy = {y->c0, neg2p(y->c1)};   /* conj, < 2p */
    *x = f52x2_mul(cx, g2);
    *y = f52x2_mul(cy, g3);
}

/* psi^2(x, y) = (x gamma2_2, -y), gamma2_2 in Fq (pairing.c's frobenius_points) */
MI void f52x2_psi2(f52x2 *x, f52x2 *y) {
    const f52 g = x16(bcast52(&fq12_frob_gamma2[2]));
    x->c0 = mm(g, x->c0);
    x->c1 = mm(g, x->c1);
    y->c0 = reduce1(neg2p(y->c0));
    y->c1 = reduce1(neg2p(y->c1));
}

/* psi^h, h = 1, 2, 3 */
MI void f52x2_endo(f52x2 *x, f52x2 *y, int h) {
    if (h >= 2) f52x2_psi2(x, y);
    if (h != 2) f52x2_psi(x, y);
}

#define CURVE g1
#define E f52
#define PARTS PF_G1_PARTS
#define WINDOWS PF_G1_WINDOWS
#include "point_fft_ifma_law.h"

#define CURVE g2
#define E f52x2
#define PARTS PF_G2_PARTS
#define WINDOWS PF_G2_WINDOWS
#include "point_fft_ifma_law.h"

#else

unsigned pf_g1_mul8_ifma(g1_jac_t out[8], const g1_aff_t *const tab[8],
                         const pf_digits_t *const dig[8]) {
    (void)out;
    (void)tab;
    (void)dig;
    return 0xff;
}

unsigned pf_g2_mul8_ifma(g2_jac_t out[8], const g2_aff_t *const tab[8],
                         const pf_digits_t *const dig[8]) {
    (void)out;
    (void)tab;
    (void)dig;
    return 0xff;
}

/* never called without IFMA (the caller doubles on the portable kernel) */
#define DBL_CHAIN_STUB(G)                                                                \
    void pf_##G##_dbl_chain8_ifma(G##_jac_t *out, size_t stride,                         \
                                  const G##_aff_t *const in[8], unsigned c, unsigned steps) { \
        (void)out;                                                                        \
        (void)stride;                                                                     \
        (void)in;                                                                         \
        (void)c;                                                                          \
        (void)steps;                                                                      \
    }
DBL_CHAIN_STUB(g1)
DBL_CHAIN_STUB(g2)
#undef DBL_CHAIN_STUB

#endif
