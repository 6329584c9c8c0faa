/* SPDX-License-Identifier: MIT */
/*
 * The group law of a short Weierstrass curve y^2 = x^3 + b (a = 0), written once over
 * its coordinate field and instantiated for G1 over Fq (g1.c) and G2 over Fq2 (g2.c),
 * the way field_arith.h is written once for Fr and Fq. Define before including:
 *
 *   CURVE    the prefix of the group's names: g1 | g2 (types CURVE_aff_t and CURVE_jac_t,
 *            declared in g1.h / g2.h, and CURVE_jac_mul, defined by the includer)
 *   COORD    the prefix of the coordinate field: fq | fq2 (COORD_t, COORD_mul, ...)
 *   CURVE_B  the name of a const COORD_t holding b in Montgomery form
 *
 * It defines the affine and Jacobian functions declared in g1.h / g2.h (everything but
 * CURVE_jac_mul), the width-w NAF helpers the scalar multiplications share, and the
 * exports zkcx_CURVE_{is_on_curve, add, dbl, neg, eq, mul, batch_normalize} of zkcx.h.
 *
 * Formulas are the a = 0 ones of the Explicit-Formulas Database (Bernstein, Lange):
 * dbl-2009-l, add-2007-bl, madd-2007-bl. Every function allows out to alias inputs
 * unless noted. Nothing here is constant time (see g1.h).
 */
#if !defined(CURVE) || !defined(COORD) || !defined(CURVE_B)
#error "define CURVE, COORD and CURVE_B before including curve_law.h"
#endif

#define CL_CAT2(a, b) a##b
#define CL_CAT(a, b) CL_CAT2(a, b)
#define GP(name) CL_CAT(CURVE, CL_CAT(_, name))     /* a group function: g1_jac_add */
#define FE(name) CL_CAT(COORD, CL_CAT(_, name))     /* a coordinate op: fq_mul */
#define API(name) CL_CAT(zkcx_, GP(name))           /* an export: zkcx_g1_add */
#define FE_T CL_CAT(COORD, _t)
#define AFF_T GP(aff_t)
#define JAC_T GP(jac_t)

/* ---- affine ---------------------------------------------------------------------------- */

int GP(aff_is_identity)(const AFF_T *p) { return FE(is_zero)(&p->x) && FE(is_zero)(&p->y); }

int GP(aff_is_on_curve)(const AFF_T *p) {
    if (GP(aff_is_identity)(p)) return 1;
    FE_T l, r;
    FE(sqr)(&l, &p->y);
    FE(sqr)(&r, &p->x);
    FE(mul)(&r, &r, &p->x);
    FE(add)(&r, &r, &CURVE_B);
    return FE(eq)(&l, &r);
}

void GP(aff_neg)(AFF_T *out, const AFF_T *p) {
    out->x = p->x;
    FE(neg)(&out->y, &p->y);    /* neg(0) = 0 keeps the identity */
}

void GP(aff_from_jac)(AFF_T *out, const JAC_T *p) {
    if (GP(jac_is_identity)(p)) { FE(set_zero)(&out->x); FE(set_zero)(&out->y); return; }
    FE_T zi, zi2, x, y;
    FE(inv)(&zi, &p->z);
    FE(sqr)(&zi2, &zi);
    FE(mul)(&x, &p->x, &zi2);
    FE(mul)(&zi2, &zi2, &zi);
    FE(mul)(&y, &p->y, &zi2);
    out->x = x;
    out->y = y;
}

/* The coordinates are whole fq_t's (one for G1, two for G2) side by side, x then y, so
 * the point is read and written as its limbs in memory order. */
int GP(aff_load)(AFF_T *p, const uint64_t *in) {
    for (size_t c = 0; c < sizeof *p / sizeof *in; c += 4) {
        if (!curve_fq_in_range(in + c)) return 0;
    }
    memcpy(p, in, sizeof *p);
    return GP(aff_is_on_curve)(p);
}

void GP(aff_store)(uint64_t *out, const AFF_T *p) { memcpy(out, p, sizeof *p); }

/* ---- Jacobian -------------------------------------------------------------------------- */

void GP(jac_set_identity)(JAC_T *p) { FE(set_one)(&p->x); FE(set_one)(&p->y); FE(set_zero)(&p->z); }
int GP(jac_is_identity)(const JAC_T *p) { return FE(is_zero)(&p->z); }

void GP(jac_from_aff)(JAC_T *out, const AFF_T *p) {
    if (GP(aff_is_identity)(p)) { GP(jac_set_identity)(out); return; }
    out->x = p->x;
    out->y = p->y;
    FE(set_one)(&out->z);
}

/* Y^2 = X^3 + b Z^6 */
int GP(jac_is_on_curve)(const JAC_T *p) {
    if (GP(jac_is_identity)(p)) return 1;
    FE_T l, r, z2, z6;
    FE(sqr)(&l, &p->y);
    FE(sqr)(&r, &p->x);
    FE(mul)(&r, &r, &p->x);
    FE(sqr)(&z2, &p->z);
    FE(sqr)(&z6, &z2);
    FE(mul)(&z6, &z6, &z2);
    FE(mul)(&z6, &z6, &CURVE_B);
    FE(add)(&r, &r, &z6);
    return FE(eq)(&l, &r);
}

/* X1 Z2^2 = X2 Z1^2 and Y1 Z2^3 = Y2 Z1^3 */
int GP(jac_eq)(const JAC_T *a, const JAC_T *b) {
    int ia = GP(jac_is_identity)(a), ib = GP(jac_is_identity)(b);
    if (ia || ib) return ia && ib;
    FE_T za2, zb2, l, r;
    FE(sqr)(&za2, &a->z);
    FE(sqr)(&zb2, &b->z);
    FE(mul)(&l, &a->x, &zb2);
    FE(mul)(&r, &b->x, &za2);
    if (!FE(eq)(&l, &r)) return 0;
    FE(mul)(&zb2, &zb2, &b->z);
    FE(mul)(&za2, &za2, &a->z);
    FE(mul)(&l, &a->y, &zb2);
    FE(mul)(&r, &b->y, &za2);
    return FE(eq)(&l, &r);
}

void GP(jac_neg)(JAC_T *out, const JAC_T *p) {
    out->x = p->x;
    FE(neg)(&out->y, &p->y);
    out->z = p->z;
}

/* dbl-2009-l (2M + 5S):
 *   A = X^2, B = Y^2, C = B^2, D = 2((X + B)^2 - A - C) = 4 X B, E = 3A, F = E^2,
 *   X3 = F - 2D, Y3 = E (D - X3) - 8C, Z3 = 2 Y Z */
void GP(jac_dbl)(JAC_T *out, const JAC_T *p) {
    if (GP(jac_is_identity)(p)) { *out = *p; return; }
    FE_T a, b, c, d, e, f, x3, y3, z3;
    FE(sqr)(&a, &p->x);
    FE(sqr)(&b, &p->y);
    FE(sqr)(&c, &b);
    FE(mul)(&d, &p->x, &b);
    FE(dbl)(&d, &d);
    FE(dbl)(&d, &d);
    FE(dbl)(&e, &a);
    FE(add)(&e, &e, &a);
    FE(sqr)(&f, &e);
    FE(mul)(&z3, &p->y, &p->z);
    FE(dbl)(&z3, &z3);
    FE(dbl)(&x3, &d);
    FE(sub)(&x3, &f, &x3);
    FE(sub)(&y3, &d, &x3);
    FE(mul)(&y3, &y3, &e);
    FE(dbl)(&c, &c);
    FE(dbl)(&c, &c);
    FE(dbl)(&c, &c);
    FE(sub)(&y3, &y3, &c);
    out->x = x3;
    out->y = y3;
    out->z = z3;
}

/* add-2007-bl (11M + 5S):
 *   U1 = X1 Z2^2, U2 = X2 Z1^2, S1 = Y1 Z2^3, S2 = Y2 Z1^3, H = U2 - U1, I = (2H)^2,
 *   J = H I, r = 2(S2 - S1), V = U1 I, X3 = r^2 - J - 2V, Y3 = r(V - X3) - 2 S1 J,
 *   Z3 = 2 Z1 Z2 H. H = 0 means equal x: a doubling when r = 0, else P + (-P) = O. */
void GP(jac_add)(JAC_T *out, const JAC_T *a, const JAC_T *b) {
    if (GP(jac_is_identity)(a)) { *out = *b; return; }
    if (GP(jac_is_identity)(b)) { *out = *a; return; }
    FE_T z1z1, z2z2, u1, u2, s1, s2, h, i, j, r, v, x3, y3, z3;
    FE(sqr)(&z1z1, &a->z);
    FE(sqr)(&z2z2, &b->z);
    FE(mul)(&u1, &a->x, &z2z2);
    FE(mul)(&u2, &b->x, &z1z1);
    FE(mul)(&s1, &a->y, &b->z);
    FE(mul)(&s1, &s1, &z2z2);
    FE(mul)(&s2, &b->y, &a->z);
    FE(mul)(&s2, &s2, &z1z1);
    FE(sub)(&h, &u2, &u1);
    FE(sub)(&r, &s2, &s1);
    if (FE(is_zero)(&h)) {
        if (FE(is_zero)(&r)) GP(jac_dbl)(out, a);
        else GP(jac_set_identity)(out);
        return;
    }
    FE(dbl)(&r, &r);
    FE(dbl)(&i, &h);
    FE(sqr)(&i, &i);
    FE(mul)(&j, &h, &i);
    FE(mul)(&v, &u1, &i);
    FE(sqr)(&x3, &r);
    FE(sub)(&x3, &x3, &j);
    FE(sub)(&x3, &x3, &v);
    FE(sub)(&x3, &x3, &v);
    FE(sub)(&y3, &v, &x3);
    FE(mul)(&y3, &y3, &r);
    FE(mul)(&s1, &s1, &j);
    FE(dbl)(&s1, &s1);
    FE(sub)(&y3, &y3, &s1);
    FE(mul)(&z3, &a->z, &b->z);
    FE(dbl)(&z3, &z3);
    FE(mul)(&z3, &z3, &h);
    out->x = x3;
    out->y = y3;
    out->z = z3;
}

/* madd-2007-bl (7M + 4S), b affine (Z2 = 1):
 *   U2 = X2 Z1^2, S2 = Y2 Z1^3, H = U2 - X1, I = 4 H^2, J = H I, r = 2(S2 - Y1),
 *   V = X1 I, X3 = r^2 - J - 2V, Y3 = r(V - X3) - 2 Y1 J, Z3 = 2 Z1 H */
void GP(jac_add_aff)(JAC_T *out, const JAC_T *a, const AFF_T *b) {
    if (GP(aff_is_identity)(b)) { *out = *a; return; }
    if (GP(jac_is_identity)(a)) { GP(jac_from_aff)(out, b); return; }
    FE_T z1z1, u2, s2, h, i, j, r, v, x3, y3, z3, t;
    FE(sqr)(&z1z1, &a->z);
    FE(mul)(&u2, &b->x, &z1z1);
    FE(mul)(&s2, &b->y, &a->z);
    FE(mul)(&s2, &s2, &z1z1);
    FE(sub)(&h, &u2, &a->x);
    FE(sub)(&r, &s2, &a->y);
    if (FE(is_zero)(&h)) {
        if (FE(is_zero)(&r)) GP(jac_dbl)(out, a);
        else GP(jac_set_identity)(out);
        return;
    }
    FE(dbl)(&r, &r);
    FE(sqr)(&i, &h);
    FE(dbl)(&i, &i);
    FE(dbl)(&i, &i);
    FE(mul)(&j, &h, &i);
    FE(mul)(&v, &a->x, &i);
    FE(sqr)(&x3, &r);
    FE(sub)(&x3, &x3, &j);
    FE(sub)(&x3, &x3, &v);
    FE(sub)(&x3, &x3, &v);
    FE(sub)(&y3, &v, &x3);
    FE(mul)(&y3, &y3, &r);
    FE(mul)(&t, &a->y, &j);
    FE(dbl)(&t, &t);
    FE(sub)(&y3, &y3, &t);
    FE(mul)(&z3, &a->z, &h);
    FE(dbl)(&z3, &z3);
    out->x = x3;
    out->y = y3;
    out->z = z3;
}

void GP(batch_to_aff)(AFF_T *out, const JAC_T *in, size_t n) {
    /* Montgomery's trick: out[i].x holds the product of the earlier non-zero Z's until
     * the backward pass turns it into Z_i^-1. */
    FE_T acc;
    FE(set_one)(&acc);
    for (size_t i = 0; i < n; i++) {
        if (GP(jac_is_identity)(&in[i])) continue;
        out[i].x = acc;
        FE(mul)(&acc, &acc, &in[i].z);
    }
    FE(inv)(&acc, &acc);
    for (size_t i = n; i-- > 0;) {
        if (GP(jac_is_identity)(&in[i])) { FE(set_zero)(&out[i].x); FE(set_zero)(&out[i].y); continue; }
        FE_T zi, zi2;
        FE(mul)(&zi, &acc, &out[i].x);
        FE(mul)(&acc, &acc, &in[i].z);
        FE(sqr)(&zi2, &zi);
        FE(mul)(&out[i].x, &in[i].x, &zi2);
        FE(mul)(&zi2, &zi2, &zi);
        FE(mul)(&out[i].y, &in[i].y, &zi2);
    }
}

/* ---- width-w NAF scalar multiplication ----------------------------------------------- */

/* The widest NAF the helpers below take: tables of 2^(w-2) = 16 odd multiples. */
#define CURVE_WNAF_MAX_W 6

/* ta[i] = (2i + 1) P for i < tn (the odd multiples P, 3P, ..., of a width-w NAF,
 * tn = 2^(w-2) <= 16), affine, with one inversion when tn > 1. P is not the identity. */
static void GP(odd_multiples)(AFF_T *ta, const AFF_T *p, int tn) {
    if (tn == 1) { ta[0] = *p; return; }
    JAC_T tj[1 << (CURVE_WNAF_MAX_W - 2)], p2;
    GP(jac_from_aff)(&tj[0], p);
    GP(jac_dbl)(&p2, &tj[0]);
    for (int i = 1; i < tn; i++) GP(jac_add)(&tj[i], &tj[i - 1], &p2);
    GP(batch_to_aff)(ta, tj, (size_t)tn);
}

/* acc += d P for a NAF digit d (odd or 0) and the table ta of odd multiples of P. */
static void GP(add_digit)(JAC_T *acc, const AFF_T *ta, int d) {
    if (d > 0) {
        GP(jac_add_aff)(acc, acc, &ta[d >> 1]);
    } else if (d < 0) {
        AFF_T neg;
        GP(aff_neg)(&neg, &ta[(-d) >> 1]);
        GP(jac_add_aff)(acc, acc, &neg);
    }
}

/* [k]P by double-and-add over the width-w NAF of the whole scalar (2 <= w <= 6):
 * ~256 doublings and ~256/(w+1) additions. */
static void GP(jac_mul_wnaf)(JAC_T *out, const AFF_T *p, const uint64_t k[4], int w) {
    int8_t digits[257];
    const int len = curve_scalar_wnaf(digits, k, w);
    GP(jac_set_identity)(out);
    if (len == 0 || GP(aff_is_identity)(p)) return;
    AFF_T ta[1 << (CURVE_WNAF_MAX_W - 2)];
    GP(odd_multiples)(ta, p, 1 << (w - 2));
    for (int i = len - 1; i >= 0; i--) {
        GP(jac_dbl)(out, out);
        GP(add_digit)(out, ta, digits[i]);
    }
}

/* ---- exports (zkcx.h) ------------------------------------------------------------ */

int API(is_on_curve)(const uint64_t *p) {
    AFF_T a;
    return GP(aff_load)(&a, p);
}

int API(add)(uint64_t *out, const uint64_t *a, const uint64_t *b) {
    AFF_T pa, pb, r;
    if (!GP(aff_load)(&pa, a) || !GP(aff_load)(&pb, b)) return ZKCX_ERR_ARG;
    JAC_T ja;
    GP(jac_from_aff)(&ja, &pa);
    GP(jac_add_aff)(&ja, &ja, &pb);
    GP(aff_from_jac)(&r, &ja);
    GP(aff_store)(out, &r);
    return ZKCX_OK;
}

int API(dbl)(uint64_t *out, const uint64_t *a) {
    AFF_T pa, r;
    if (!GP(aff_load)(&pa, a)) return ZKCX_ERR_ARG;
    JAC_T ja;
    GP(jac_from_aff)(&ja, &pa);
    GP(jac_dbl)(&ja, &ja);
    GP(aff_from_jac)(&r, &ja);
    GP(aff_store)(out, &r);
    return ZKCX_OK;
}

int API(neg)(uint64_t *out, const uint64_t *a) {
    AFF_T pa, r;
    if (!GP(aff_load)(&pa, a)) return ZKCX_ERR_ARG;
    GP(aff_neg)(&r, &pa);
    GP(aff_store)(out, &r);
    return ZKCX_OK;
}

/* Affine coordinates are fully reduced, so the point is its limbs. */
int API(eq)(const uint64_t *a, const uint64_t *b) { return memcmp(a, b, sizeof(AFF_T)) == 0; }

int API(mul)(uint64_t *out, const uint64_t *p, const uint64_t *scalar) {
    AFF_T pa, r;
    if (!GP(aff_load)(&pa, p)) return ZKCX_ERR_ARG;
    uint64_t k[4] = {scalar[0], scalar[1], scalar[2], scalar[3]};
    JAC_T acc;
    GP(jac_mul)(&acc, &pa, k);
    GP(aff_from_jac)(&r, &acc);
    GP(aff_store)(out, &r);
    return ZKCX_OK;
}

/* Jacobian (3 coordinates per point) to affine (2) with one inversion for all n.
 * When out overlaps jac the result goes through a temporary array. */
int API(batch_normalize)(uint64_t *out, const uint64_t *jac, size_t n) {
    if (n == 0) return ZKCX_OK;
    const size_t jac_limbs = sizeof(JAC_T) / sizeof(uint64_t);
    for (size_t i = 0; i < jac_limbs * n; i += 4) {
        if (!curve_fq_in_range(jac + i)) return ZKCX_ERR_ARG;
    }
    const JAC_T *in = (const JAC_T *)(const void *)jac;
    uintptr_t o0 = (uintptr_t)out, o1 = o0 + sizeof(AFF_T) * n;
    uintptr_t i0 = (uintptr_t)jac, i1 = i0 + sizeof(JAC_T) * n;
    if (o1 <= i0 || i1 <= o0) {
        GP(batch_to_aff)((AFF_T *)(void *)out, in, n);
        return ZKCX_OK;
    }
    AFF_T *tmp = malloc(n * sizeof *tmp);
    if (!tmp) return ZKCX_ERR_NOMEM;
    GP(batch_to_aff)(tmp, in, n);
    memcpy(out, tmp, n * sizeof *tmp);
    free(tmp);
    return ZKCX_OK;
}

#undef CL_CAT2
#undef CL_CAT
#undef GP
#undef FE
#undef API
#undef FE_T
#undef AFF_T
#undef JAC_T
#undef CURVE_WNAF_MAX_W
