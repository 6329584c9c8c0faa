/* SPDX-License-Identifier: MIT */
/*
 * The eight-lane scalar multiplication of point_fft_ifma.c written once over the
 * coordinate field and instantiated for G1 (Fq) and G2 (Fq2), as curve_law.h is for
 * the scalar group law. Define before including:
 *
 *   CURVE   g1 | g2: defines pf_CURVE_mul8_ifma (point_fft.h)
 *   PARTS, WINDOWS  the scalar's parts and windows per part (point_fft.h)
 *   E       the eight-lane coordinate type (f52 | f52x2), with the static inline
 *           E_sq, E_mul, E_mul_pair (two products), E_add, E_sub (inputs and outputs in [0, 2p) per component),
 *           E_blend(mask, a, b) (b in the lanes of mask), E_one(), E_zero_mask(a)
 *           (lanes where a = 0 mod p), E_load(v, ptr, off) (the element at
 *           ptr[lane] + off words), E_store(ptr, off, a) (reduced below p), E_neg(a, mask)
 *           (p - a in the lanes of mask, a < p) and E_endo(x, y, h) (endo^h of an affine
 *           point, 0 < h < PARTS: phi or psi^h)
 *
 * Every macro it uses is undefined at the end, CURVE and E too.
 */
#if !defined(CURVE) || !defined(E) || !defined(PARTS) || !defined(WINDOWS)
#error "define CURVE and E before including point_fft_ifma_law.h"
#endif

#define PL_CAT2(a, b) a##b
#define PL_CAT(a, b) PL_CAT2(a, b)
#define GP(name) PL_CAT(CURVE, PL_CAT(_, name))
#define EF(name) PL_CAT(E, PL_CAT(_, name))
#define JAC8 GP(jac8)

typedef struct { E x, y, z; } JAC8;

/* dbl-2009-l: A = X^2, B = Y^2, C = B^2, D = 4 X B, E = 3A, F = E^2, X3 = F - 2D,
 * Y3 = E (D - X3) - 8C, Z3 = 2 Y Z */
MI void GP(dbl8)(JAC8 *p) {
    E a, b, c, d, f, z3;
    EF(mul_pair)(&a, p->x, p->x, &b, p->y, p->y);
    EF(mul_pair)(&c, b, b, &d, p->x, b);
    d = EF(add)(d, d);
    d = EF(add)(d, d);
    const E e = EF(add)(EF(add)(a, a), a);
    EF(mul_pair)(&f, e, e, &z3, p->y, p->z);
    z3 = EF(add)(z3, z3);
    const E x3 = EF(sub)(EF(sub)(f, d), d);
    E c8 = EF(add)(c, c);
    c8 = EF(add)(c8, c8);
    c8 = EF(add)(c8, c8);
    p->y = EF(sub)(EF(mul)(e, EF(sub)(d, x3)), c8);
    p->x = x3;
    p->z = z3;
}

/* madd-2007-bl, (x2, y2) affine: Z1Z1 = Z1^2, U2 = x2 Z1Z1, S2 = y2 Z1 Z1Z1,
 * H = U2 - X1, I = 4 H^2, J = H I, r = 2 (S2 - Y1), V = X1 I, X3 = r^2 - J - 2V,
 * Y3 = r (V - X3) - 2 Y1 J, Z3 = 2 Z1 H; written only in the lanes of mask. */
MI void GP(madd8)(JAC8 *p, const E x2, const E y2, unsigned mask) {
    E u2, t, s2, i, j, v, rr, yj, y3, z3;
    const E z1z1 = EF(sq)(p->z);
    EF(mul_pair)(&u2, x2, z1z1, &t, p->z, z1z1);
    const E h = EF(sub)(u2, p->x);
    EF(mul_pair)(&s2, y2, t, &i, h, h);
    i = EF(add)(i, i);
    i = EF(add)(i, i);
    EF(mul_pair)(&j, h, i, &v, p->x, i);
    E r = EF(sub)(s2, p->y);
    r = EF(add)(r, r);
    EF(mul_pair)(&rr, r, r, &yj, p->y, j);
    const E x3 = EF(sub)(EF(sub)(EF(sub)(rr, j), v), v);
    EF(mul_pair)(&y3, r, EF(sub)(v, x3), &z3, p->z, h);
    y3 = EF(sub)(EF(sub)(y3, yj), yj);
    z3 = EF(add)(z3, z3);
    p->x = EF(blend)(mask, p->x, x3);
    p->y = EF(blend)(mask, p->y, y3);
    p->z = EF(blend)(mask, p->z, z3);
}

IFMA_TARGET unsigned PL_CAT(pf_, GP(mul8_ifma))(GP(jac_t) out[8], const GP(aff_t) *const tab[8],
                                              const pf_digits_t *const dig[8]) {
    const E one = EF(one)();
    JAC8 acc;
    acc.x = acc.y = acc.z = EF(blend)(0xff, one, EF(sub)(one, one));   /* zeros */
    unsigned inf = 0xff;   /* lanes whose accumulator is still the identity */
    const size_t yoff = sizeof(E) / sizeof(f52) * 4;   /* words of one coordinate */
    for (int w = WINDOWS - 1; w >= 0; w--) {
        if (inf != 0xff) {
            for (int t = 0; t < PF_WIDTH; t++) GP(dbl8)(&acc);
        }
        for (int half = 0; half < PARTS; half++) {
            const uint64_t *ptr[8];
            unsigned nz = 0, neg = 0;
            for (int l = 0; l < 8; l++) {
                const int d = dig[l]->d[half][w];
                const int a = d < 0 ? -d : d;
                nz |= (unsigned)(d != 0) << l;
                neg |= (unsigned)(d < 0) << l;
                ptr[l] = (const uint64_t *)(const void *)&tab[l][a ? a - 1 : 0];
            }
            if (!nz) continue;
            E x = EF(load)(ptr, 0), y = EF(load)(ptr, (int)yoff);
            if (half) EF(endo)(&x, &y, half);
            y = EF(neg)(y, neg);
            GP(madd8)(&acc, x, y, nz & ~inf);
            const unsigned set = nz & inf;        /* first addition: acc = (x, y, 1) */
            if (set) {
                acc.x = EF(blend)(set, acc.x, x);
                acc.y = EF(blend)(set, acc.y, y);
                acc.z = EF(blend)(set, acc.z, one);
                inf &= ~nz;
            }
        }
    }
    const unsigned bad = EF(zero_mask)(acc.z) | inf;
    uint64_t *dst[8];
    for (int l = 0; l < 8; l++) dst[l] = (uint64_t *)(void *)&out[l];
    EF(store)(dst, 0, acc.x);
    EF(store)(dst, (int)yoff, acc.y);
    EF(store)(dst, 2 * (int)yoff, acc.z);
    return bad & 0xff;
}

/* out[l * stride + j] = [2^(c (j + 1))] in_l for j < steps, Jacobian: c doublings a
 * step in every lane (dbl-2009-l has no exceptional case on a curve of odd order but
 * the identity, whose Z = 0 it keeps). An identity input (x = y = 0) starts at Z = 0. */
IFMA_TARGET void PL_CAT(pf_, GP(dbl_chain8_ifma))(GP(jac_t) *out, size_t stride,
                                                const GP(aff_t) *const in[8], unsigned c,
                                                unsigned steps) {
    const size_t yoff = sizeof(E) / sizeof(f52) * 4;   /* words of one coordinate */
    const uint64_t *src[8];
    for (int l = 0; l < 8; l++) src[l] = (const uint64_t *)(const void *)in[l];
    JAC8 acc;
    acc.x = EF(load)(src, 0);
    acc.y = EF(load)(src, (int)yoff);
    const E one = EF(one)();
    const unsigned id = EF(zero_mask)(acc.x) & EF(zero_mask)(acc.y);
    acc.z = EF(blend)(id, one, EF(sub)(one, one));
    for (unsigned j = 0; j < steps; j++) {
        for (unsigned t = 0; t < c; t++) GP(dbl8)(&acc);
        uint64_t *dst[8];
        for (int l = 0; l < 8; l++) dst[l] = (uint64_t *)(void *)&out[(size_t)l * stride + j];
        EF(store)(dst, 0, acc.x);
        EF(store)(dst, (int)yoff, acc.y);
        EF(store)(dst, 2 * (int)yoff, acc.z);
    }
}

#undef PL_CAT2
#undef PL_CAT
#undef GP
#undef EF
#undef JAC8
#undef CURVE
#undef E
#undef PARTS
#undef WINDOWS
