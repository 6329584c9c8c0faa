/* SPDX-License-Identifier: MIT */
/*
 * The G1 twiddle products of the group FFT on AVX-512 IFMA (point_fft.h): eight scalar
 * multiplications side by side, one per 64-bit lane, in Jacobian coordinates kept in
 * radix 2^52 in the vector registers for the whole multiplication (ifma_fq52.h, lazily
 * reduced in [0, 2p)). Every lane follows the same schedule (4 doublings, then up to
 * two mixed additions of table points per window), so no lane waits on another's
 * branches; a zero digit masks its addition off.
 *
 * Formulas (a = 0, Explicit-Formulas Database, as curve_law.h): dbl-2009-l and
 * madd-2007-bl. An addition whose operands have equal x (equal or opposite points)
 * would need the doubling or give the identity; the generic formula instead sets H = 0
 * and so Z3 = 0, which every later doubling (Z3 = 2 Y Z) and addition (Z3 = 2 Z H)
 * keeps. A lane with Z = 0 at the end is reported, and the caller recomputes it with
 * the scalar g1_jac_mul: results never depend on the kernel.
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

MI f52 sq(const f52 a) { return mm(x16(a), a); }
MI f52 mul(const f52 a, const f52 b) { return mm(x16(a), b); }

MI f52 blend(unsigned mask, const f52 a, const f52 b) {   /* b where mask, else a */
    f52 r;
    for (int k = 0; k < 5; k++) r.l[k] = _mm512_mask_blend_epi64((__mmask8)mask, a.l[k], b.l[k]);
    return r;
}

typedef struct { f52 x, y, z; } jac8;

/* dbl-2009-l: A = X^2, B = Y^2, C = B^2, D = 4 X B, E = 3A, F = E^2, X3 = F - 2D,
 * Y3 = E (D - X3) - 8C, Z3 = 2 Y Z */
MI void dbl8(jac8 *p) {
    const f52 a = sq(p->x), b = sq(p->y), c = sq(b);
    f52 d = mul(p->x, b);
    d = addm(d, d);
    d = addm(d, d);
    const f52 e = addm(addm(a, a), a);
    const f52 f = sq(e);
    f52 z3 = mul(p->y, p->z);
    z3 = addm(z3, z3);
    const f52 x3 = subm(subm(f, d), d);
    f52 c8 = addm(c, c);
    c8 = addm(c8, c8);
    c8 = addm(c8, c8);
    p->y = subm(mul(e, subm(d, x3)), c8);
    p->x = x3;
    p->z = z3;
}

/* madd-2007-bl, (x2, y2) affine (< 2p): Z1Z1 = Z1^2, U2 = x2 Z1Z1, S2 = y2 Z1 Z1Z1,
 * H = U2 - X1, I = 4 H^2, J = H I, r = 2 (S2 - Y1), V = X1 I, X3 = r^2 - J - 2V,
 * Y3 = r (V - X3) - 2 Y1 J, Z3 = 2 Z1 H; written only in the lanes of mask. */
MI void madd8(jac8 *p, const f52 x2, const f52 y2, unsigned mask) {
    const f52 z1z1 = sq(p->z);
    const f52 u2 = mul(x2, z1z1);
    const f52 s2 = mul(y2, mul(p->z, z1z1));
    const f52 h = subm(u2, p->x);
    f52 i = sq(h);
    i = addm(i, i);
    i = addm(i, i);
    const f52 j = mul(h, i);
    f52 r = subm(s2, p->y);
    r = addm(r, r);
    const f52 v = mul(p->x, i);
    const f52 x3 = subm(subm(subm(sq(r), j), v), v);
    const f52 yj = mul(p->y, j);
    const f52 y3 = subm(subm(mul(r, subm(v, x3)), yj), yj);
    f52 z3 = mul(p->z, h);
    z3 = addm(z3, z3);
    p->x = blend(mask, p->x, x3);
    p->y = blend(mask, p->y, y3);
    p->z = blend(mask, p->z, z3);
}

/* reduce a < 2p below p and test it for zero, per lane */
MI unsigned zero_mask(const f52 a) {
    const f52 r = reduce1(a);
    __m512i o = _mm512_or_si512(_mm512_or_si512(r.l[0], r.l[1]),
                                _mm512_or_si512(r.l[2], _mm512_or_si512(r.l[3], r.l[4])));
    return (unsigned)_mm512_cmpeq_epi64_mask(o, _mm512_setzero_si512());
}

IFMA_TARGET unsigned pf_g1_mul8_ifma(g1_jac_t out[8], const g1_aff_t *const tab[8],
                                     const pf_g1_digits_t *const dig[8]) {
    static const fq_t beta = {G1_GLV_BETA_MONT};
    const f52 beta16 = x16(bcast52(&beta)), one = bcast52(&fq_one);
    jac8 acc;
    for (int k = 0; k < 5; k++)
        acc.x.l[k] = acc.y.l[k] = acc.z.l[k] = _mm512_setzero_si512();
    unsigned inf = 0xff;   /* lanes whose accumulator is still the identity */
    for (int w = PF_G1_WINDOWS - 1; w >= 0; w--) {
        if (inf != 0xff) {
            for (int t = 0; t < 4; t++) dbl8(&acc);
        }
        for (int half = 0; half < 2; half++) {
            const uint64_t *ptr[8];
            unsigned nz = 0, neg = 0;
            for (int l = 0; l < 8; l++) {
                const int d = half ? dig[l]->d2[w] : dig[l]->d1[w];
                const int a = d < 0 ? -d : d;
                nz |= (unsigned)(d != 0) << l;
                neg |= (unsigned)(d < 0) << l;
                ptr[l] = (const uint64_t *)(const void *)&tab[l][a ? a - 1 : 0];
            }
            if (!nz) continue;
            __m512i x64[4], y64[4];
            ld_fq(x64, ptr, 0);
            ld_fq(y64, ptr, 4);
            f52 x = to52(x64), y = to52(y64);
            if (half) x = mm(beta16, x);          /* phi: (beta x, y) */
            f52 zero;
            for (int k = 0; k < 5; k++) zero.l[k] = _mm512_setzero_si512();
            y = blend(neg, y, sub_p(zero, y));    /* p - y for a negative digit */
            madd8(&acc, x, y, nz & ~inf);
            const unsigned set = nz & inf;        /* first addition: acc = (x, y, 1) */
            if (set) {
                acc.x = blend(set, acc.x, x);
                acc.y = blend(set, acc.y, y);
                acc.z = blend(set, acc.z, one);
                inf &= ~nz;
            }
        }
    }
    const unsigned bad = zero_mask(acc.z) | inf;
    uint64_t *dst[8];
    for (int l = 0; l < 8; l++) dst[l] = (uint64_t *)(void *)&out[l];
    __m512i v[4];
    to64(v, reduce1(acc.x));
    st_fq(dst, 0, v, 0xff);
    to64(v, reduce1(acc.y));
    st_fq(dst, 4, v, 0xff);
    to64(v, reduce1(acc.z));
    st_fq(dst, 8, v, 0xff);
    return bad & 0xff;
}

#else

unsigned pf_g1_mul8_ifma(g1_jac_t out[8], const g1_aff_t *const tab[8],
                         const pf_g1_digits_t *const dig[8]) {
    (void)out;
    (void)tab;
    (void)dig;
    return 0xff;
}

#endif
