/* SPDX-License-Identifier: MIT */
/*
 * The portable batch-affine addition of the MSM (see msm_batch.c for the formulas),
 * written once over the coordinate field and instantiated for G1 over Fq and G2 over
 * Fq2 by msm_batch.c, as curve_law.h is by g1.c and g2.c. Define before including:
 *
 *   CURVE      the prefix of the group's names: g1 | g2
 *   COORD      the prefix of the coordinate field: fq | fq2
 *   COORD_INV  the name of the inversion of one COORD_t: msm_fq_inv | fq2_inv_fast
 *
 * It defines msm_CURVE_add_den, msm_CURVE_add_finish (the rare cases the IFMA kernels
 * share), msm_COORD_batch_inv, msm_CURVE_batch_add_portable and msm_CURVE_batch_add of
 * msm.h. Every macro it uses is undefined at the end, CURVE, COORD and COORD_INV too.
 */
#if !defined(CURVE) || !defined(COORD) || !defined(COORD_INV)
#error "define CURVE, COORD and COORD_INV before including msm_batch_law.h"
#endif

#define MB_CAT2(a, b) a##b
#define MB_CAT(a, b) MB_CAT2(a, b)
#define GP(name) MB_CAT(CURVE, MB_CAT(_, name))     /* a group function: g1_aff_neg */
#define FE(name) MB_CAT(COORD, MB_CAT(_, name))     /* a coordinate op: fq_mul */
#define MSM(name) MB_CAT(msm_, GP(name))            /* an MSM function: msm_g1_add_den */
#define MSM_FE(name) MB_CAT(msm_, FE(name))         /* msm_fq_batch_inv */
#define FE_T MB_CAT(COORD, _t)
#define AFF_T GP(aff_t)

/* ---- shared rare cases -------------------------------------------------------------- */

void MSM(add_den)(FE_T *den, const AFF_T *a, const AFF_T *b) {
    if (GP(aff_is_identity)(a) || GP(aff_is_identity)(b)) { FE(set_one)(den); return; }
    if (FE(eq)(&a->x, &b->x)) {
        /* equal x: P + P (tangent, denominator 2y) or P + (-P) = O (no inversion) */
        if (FE(eq)(&a->y, &b->y) && !FE(is_zero)(&a->y)) FE(dbl)(den, &a->y);
        else FE(set_one)(den);
        return;
    }
    FE(sub)(den, &b->x, &a->x);
}

void MSM(add_finish)(AFF_T *out, const AFF_T *a, const AFF_T *b, const FE_T *inv) {
    if (GP(aff_is_identity)(a)) { *out = *b; return; }
    if (GP(aff_is_identity)(b)) { *out = *a; return; }
    FE_T lam, t, x3, y3;
    if (FE(eq)(&a->x, &b->x)) {
        if (!FE(eq)(&a->y, &b->y) || FE(is_zero)(&a->y)) {
            FE(set_zero)(&out->x);
            FE(set_zero)(&out->y);
            return;
        }
        FE(sqr)(&t, &a->x);                  /* lambda = 3 x^2 / (2 y) */
        FE(add)(&lam, &t, &t);
        FE(add)(&lam, &lam, &t);
        FE(mul)(&lam, &lam, inv);
    } else {
        FE(sub)(&t, &b->y, &a->y);
        FE(mul)(&lam, &t, inv);
    }
    FE(sqr)(&x3, &lam);
    FE(sub)(&x3, &x3, &a->x);
    FE(sub)(&x3, &x3, &b->x);
    FE(sub)(&t, &a->x, &x3);
    FE(mul)(&y3, &lam, &t);
    FE(sub)(&y3, &y3, &a->y);
    out->x = x3;
    out->y = y3;
}

/* ---- batch inversion of a few elements (the lane accumulators of the IFMA kernels) ---- */

void MSM_FE(batch_inv)(FE_T *v, FE_T *tmp, size_t n) {
    FE_T acc;
    FE(set_one)(&acc);
    for (size_t i = 0; i < n; i++) {
        tmp[i] = acc;
        FE(mul)(&acc, &acc, &v[i]);
    }
    COORD_INV(&acc, &acc);
    for (size_t i = n; i-- > 0;) {
        FE_T t;
        FE(mul)(&t, &acc, &tmp[i]);
        FE(mul)(&acc, &acc, &v[i]);
        v[i] = t;
    }
}

/* ---- portable kernel ---------------------------------------------------------------- */

static inline void GP(load_tagged)(AFF_T *p, msm_ptr_t t) {
    memcpy(p, MSM_ADDR(t), sizeof *p);
    if (t & MSM_NEG) FE(neg)(&p->y, &p->y);
}

/* The common case: two distinct x, neither point the identity. */
static inline int GP(generic_pair)(const AFF_T *a, const AFF_T *b) {
    return !FE(eq)(&a->x, &b->x) && !GP(aff_is_identity)(a) && !GP(aff_is_identity)(b);
}

void MSM(batch_add_portable)(AFF_T *const *out, const msm_ptr_t *a, const msm_ptr_t *b,
                             size_t m, void *scratch) {
    if (m == 0) return;
    FE_T *pre = (FE_T *)scratch, *den = pre + m;   /* running products, denominators */
    FE_T acc;
    FE(set_one)(&acc);
    for (size_t j = 0; j < m; j++) {
        AFF_T pa, pb;
        GP(load_tagged)(&pa, a[j]);
        GP(load_tagged)(&pb, b[j]);
        if (GP(generic_pair)(&pa, &pb)) FE(sub)(&den[j], &pb.x, &pa.x);
        else MSM(add_den)(&den[j], &pa, &pb);
        pre[j] = acc;
        FE(mul)(&acc, &acc, &den[j]);
    }
    COORD_INV(&acc, &acc);      /* nonzero: every denominator is */
    for (size_t j = m; j-- > 0;) {
        AFF_T pa, pb;
        GP(load_tagged)(&pa, a[j]);
        GP(load_tagged)(&pb, b[j]);
        FE_T inv;
        FE(mul)(&inv, &acc, &pre[j]);
        FE(mul)(&acc, &acc, &den[j]);
        if (!GP(generic_pair)(&pa, &pb)) { MSM(add_finish)(out[j], &pa, &pb, &inv); continue; }
        FE_T lam, t, x3, y3;
        FE(sub)(&t, &pb.y, &pa.y);
        FE(mul)(&lam, &t, &inv);
        FE(sqr)(&x3, &lam);
        FE(sub)(&x3, &x3, &pa.x);
        FE(sub)(&x3, &x3, &pb.x);
        FE(sub)(&t, &pa.x, &x3);
        FE(mul)(&y3, &lam, &t);
        FE(sub)(&y3, &y3, &pa.y);
        out[j]->x = x3;
        out[j]->y = y3;
    }
}

void MSM(batch_add)(AFF_T *const *out, const msm_ptr_t *a, const msm_ptr_t *b, size_t m,
                    void *scratch, int use_ifma) {
    if (use_ifma) MSM(batch_add_ifma)(out, a, b, m, scratch);
    else MSM(batch_add_portable)(out, a, b, m, scratch);
}

#undef MB_CAT2
#undef MB_CAT
#undef GP
#undef FE
#undef MSM
#undef MSM_FE
#undef FE_T
#undef AFF_T
#undef CURVE
#undef COORD
#undef COORD_INV
