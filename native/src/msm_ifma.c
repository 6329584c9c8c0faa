/* SPDX-License-Identifier: MIT */
/*
 * Batch-affine point additions (msm.h) on AVX-512 IFMA: eight additions side by side,
 * one per 64-bit lane, the whole addition computed in radix 2^52 without leaving the
 * vector registers.
 *
 * field_ifma.c multiplies vectors of field elements that live in memory; here the
 * ~6 multiplications of an addition are chained, so converting to 4 x 64-bit limbs and
 * transposing after every product would cost more than the products themselves. The
 * points are loaded and transposed once (lane k = pair k), converted to 5 x 52-bit
 * limbs, combined, and converted back once.
 *
 * Multiplication: the Montgomery product of ifma_inline.h (see the proof of its bounds
 * and of the carry shortcut there), mm(A, B) = A B / 2^260 mod p, with A = 16 a given as
 * 52-bit limbs: 16 a b / 2^260 = a b / 2^256, exactly the scalar fq_mul, so values stay
 * in zkcx's Montgomery form (R = 2^256) and no conversion of the domain is ever needed.
 * Reduction is lazy: every intermediate is kept in [0, 2p) (a - b + p for a, b < p;
 * mm of two such values is < 1.76 p, see mm), and only the coordinates that are stored
 * are fully reduced below p, so stored points stay canonical (equal points have equal
 * limbs, which the special-case test below relies on).
 *
 * A batch is processed as rows of two blocks of 8 pairs, each block with its own chain
 * of running products: two independent chains of Montgomery products keep both vector
 * ports busy (on the CPU this was written on, IFMA and every other 512-bit operation
 * share two ports, so the kernel's cost is essentially its count of vector operations).
 *
 * Every lane whose pair is not the generic case (equal x, an identity operand, or a
 * padding lane of the last block) is flagged from a cheap comparison; its denominator
 * and its result come from the scalar helpers msm_g?_add_den/finish, shared with the
 * portable kernel, so both kernels return identical points.
 */
#include <string.h>
#include "msm.h"
#include "field_ifma.h"
#include "ifma_inline.h"
#include "ifma_fq52.h"

#if IFMA_AVAILABLE

#define MT IFMA_TARGET
#define MI IFMA_INLINE

/* Where the 8 lanes of the block at pair j0 read; lanes past m (padding, also whole
 * phantom blocks) repeat pair m - 1 and are masked out. Returns the mask of real lanes. */
static inline unsigned block_ptrs(const uint64_t *pa[8], const uint64_t *pb[8], unsigned *nega,
                                  unsigned *negb, const msm_ptr_t *a, const msm_ptr_t *b,
                                  size_t j0, size_t m) {
    unsigned valid = 0, na = 0, nb = 0;
    for (int k = 0; k < 8; k++) {
        const int real = j0 + (size_t)k < m;
        const size_t j = real ? j0 + (size_t)k : m - 1;
        pa[k] = (const uint64_t *)MSM_ADDR(a[j]);
        pb[k] = (const uint64_t *)MSM_ADDR(b[j]);
        na |= (unsigned)(a[j] & MSM_NEG) << k;
        nb |= (unsigned)(b[j] & MSM_NEG) << k;
        valid |= (unsigned)real << k;
    }
    *nega = na;
    *negb = nb;
    return valid;
}

static inline void prefetch_pairs(const msm_ptr_t *a, const msm_ptr_t *b, size_t j0, size_t j1,
                                  size_t m, size_t psz) {
    if (j1 > m) j1 = m;
    for (size_t j = j0; j < j1; j++) {
        const char *x = (const char *)MSM_ADDR(a[j]), *y = (const char *)MSM_ADDR(b[j]);
        __builtin_prefetch(x);
        __builtin_prefetch(x + psz - 1);
        __builtin_prefetch(y);
        __builtin_prefetch(y + psz - 1);
    }
}

/* Two blocks of 8 pairs are processed side by side, each with its own chain of running
 * products (even blocks: chain 0, odd blocks: chain 1): the two dependency chains of
 * Montgomery products interleave and keep the vector ports busy. */
#define NCH 2

/* ================================ G1 ================================================= */

static inline void g1_tagged(g1_aff_t *p, msm_ptr_t t) {
    memcpy(p, MSM_ADDR(t), sizeof *p);
    if (t & MSM_NEG) fq_neg(&p->y, &p->y);
}

/* Lanes in exc get the denominator of msm_g1_add_den (1 for padding lanes). */
static __attribute__((noinline)) void g1_fix_den(uint64_t d[5][8], unsigned exc, unsigned valid,
                                                 const msm_ptr_t *a, const msm_ptr_t *b,
                                                 size_t j0) {
    for (int k = 0; k < 8; k++) {
        if (!((exc >> k) & 1)) continue;
        fq_t den;
        if ((valid >> k) & 1) {
            g1_aff_t pa, pb;
            g1_tagged(&pa, a[j0 + (size_t)k]);
            g1_tagged(&pb, b[j0 + (size_t)k]);
            msm_g1_add_den(&den, &pa, &pb);
        } else {
            fq_set_one(&den);
        }
        fq_to_lane(d, k, &den);
    }
}

/* inv holds the lanes' 1/den (< 2p). */
static __attribute__((noinline)) void g1_fix_finish(g1_aff_t res[8], const uint64_t inv[5][8],
                                                    unsigned lanes, const msm_ptr_t *a,
                                                    const msm_ptr_t *b, size_t j0) {
    for (int k = 0; k < 8; k++) {
        if (!((lanes >> k) & 1)) continue;
        g1_aff_t pa, pb;
        fq_t iv;
        g1_tagged(&pa, a[j0 + (size_t)k]);
        g1_tagged(&pb, b[j0 + (size_t)k]);
        fq_from_lane(&iv, inv, k);
        fq_reduce_once(&iv, iv.v[0], iv.v[1], iv.v[2], iv.v[3]);
        msm_g1_add_finish(&res[k], &pa, &pb, &iv);
    }
}

/* Lanes needing the scalar path: equal x (doubling or P + (-P)), an x of 0 (maybe the
 * identity; the scalar helper decides), padding. */
MI unsigned g1_exc_mask(const __m512i xa[4], const __m512i xb[4], unsigned valid) {
    const __m512i zero = _mm512_setzero_si512();
    __mmask8 eq = _mm512_cmpeq_epi64_mask(xa[0], xb[0]) & _mm512_cmpeq_epi64_mask(xa[1], xb[1]) &
                  _mm512_cmpeq_epi64_mask(xa[2], xb[2]) & _mm512_cmpeq_epi64_mask(xa[3], xb[3]);
    __m512i oa = _mm512_or_si512(_mm512_or_si512(xa[0], xa[1]), _mm512_or_si512(xa[2], xa[3]));
    __m512i ob = _mm512_or_si512(_mm512_or_si512(xb[0], xb[1]), _mm512_or_si512(xb[2], xb[3]));
    __mmask8 z = _mm512_cmpeq_epi64_mask(oa, zero) | _mm512_cmpeq_epi64_mask(ob, zero);
    return ((unsigned)(eq | z) | ~valid) & 0xffu;
}

/* y or p - y per lane (y < p; the identity's y = 0 is handled by the scalar path) */
MI f52 cond_neg(const f52 y, unsigned neg) {
    if (!neg) return y;
    f52 zero;
    for (int k = 0; k < 5; k++) zero.l[k] = _mm512_setzero_si512();
    f52 ny = sub_p(zero, y), r;
    for (int k = 0; k < 5; k++) r.l[k] = _mm512_mask_blend_epi64((__mmask8)neg, y.l[k], ny.l[k]);
    return r;
}

/* What the forward pass keeps of a block for the backward pass. */
typedef struct {
    uint64_t pre[5][8];    /* running product before the block */
    uint64_t xa[5][8], xb[5][8], d[5][8];
    uint64_t exc, pad[7];
} g1_blk_t;

/* Forward step of one block: its denominators d (x_b - x_a + p, or the scalar path's),
 * the running product before it stored in pre, and acc *= d. */
MI void g1_fwd_block(f52 *acc, g1_blk_t *blk, const msm_ptr_t *a, const msm_ptr_t *b,
                     size_t j0, size_t m) {
    const uint64_t *pa[8], *pb[8];
    unsigned na, nb;
    const unsigned valid = block_ptrs(pa, pb, &na, &nb, a, b, j0, m);
    __m512i xa64[4], xb64[4];
    ld_fq(xa64, pa, 0);
    ld_fq(xb64, pb, 0);
    const unsigned exc = g1_exc_mask(xa64, xb64, valid);
    const f52 xa = to52(xa64), xb = to52(xb64);
    f52 d = sub_p(xb, xa);
    if (exc) {
        uint64_t tmp[5][8];
        st52(tmp, d);
        g1_fix_den(tmp, exc, valid, a, b, j0);
        d = ld52(tmp);
    }
    st52(blk->pre, *acc);
    st52(blk->xa, xa);
    st52(blk->xb, xb);
    st52(blk->d, d);
    blk->exc = exc;
    *acc = mm(x16(d), *acc);
}

MT void msm_g1_batch_add_ifma(g1_aff_t *const *out, const msm_ptr_t *a, const msm_ptr_t *b,
                              size_t m, void *scratch) {
    if (m == 0) return;
    const size_t nrow = (m + 8 * NCH - 1) / (8 * NCH);     /* rows of NCH blocks */
    g1_blk_t *blk = (g1_blk_t *)scratch;                   /* per block */

    /* forward */
    f52 acc[NCH];
    for (int q = 0; q < NCH; q++) acc[q] = bcast52(&fq_one);
    for (size_t row = 0; row < nrow; row++) {
        const size_t j0 = row * 8 * NCH;
        prefetch_pairs(a, b, j0 + 16 * NCH, j0 + 24 * NCH, m, sizeof(g1_aff_t));
        for (int q = 0; q < NCH; q++)
            g1_fwd_block(&acc[q], &blk[row * NCH + (size_t)q], a, b, j0 + 8 * (size_t)q, m);
    }

    /* invert the 8 NCH lane products together */
    f52 ainv16[NCH];
    {
        fq_t lane[8 * NCH], ltmp[8 * NCH];
        for (int q = 0; q < NCH; q++) {
            __m512i v[4], x[4];
            to64(v, reduce1(acc[q]));
            ifma_transpose_out(x, v);
            for (int i = 0; i < 4; i++) _mm512_storeu_si512((void *)lane[8 * q + 2 * i].v, x[i]);
        }
        msm_fq_batch_inv(lane, ltmp, 8 * NCH);
        for (int q = 0; q < NCH; q++) {
            __m512i v[4], x[4];
            for (int i = 0; i < 4; i++) x[i] = _mm512_loadu_si512((const void *)lane[8 * q + 2 * i].v);
            ifma_transpose_in(v, x);
            ainv16[q] = x16(to52(v));
        }
    }

    /* backward: per block, 1/d from the running products, then the sums */
    for (size_t row = nrow; row-- > 0;) {
        const size_t j0 = row * 8 * NCH;
        if (row >= 2) prefetch_pairs(a, b, j0 - 16 * NCH, j0 - 8 * NCH, m, sizeof(g1_aff_t));
        f52 xa[NCH], xb[NCH], ya[NCH], yb[NCH], d[NCH], inv[NCH], lam[NCH], lam4[NCH], x3[NCH];
        f52 y3[NCH];
        unsigned valid[NCH], exc[NCH];
        for (int q = 0; q < NCH; q++) {
            const size_t jq = j0 + 8 * (size_t)q;
            const uint64_t *pa[8], *pb[8];
            unsigned na, nb;
            valid[q] = block_ptrs(pa, pb, &na, &nb, a, b, jq, m);
            const g1_blk_t *bq = &blk[row * NCH + (size_t)q];
            __m512i ya64[4], yb64[4];
            ld_fq(ya64, pa, 4);
            ld_fq(yb64, pb, 4);
            exc[q] = (unsigned)bq->exc;
            xa[q] = ld52(bq->xa);
            xb[q] = ld52(bq->xb);
            d[q] = ld52(bq->d);
            ya[q] = cond_neg(to52(ya64), na);
            yb[q] = cond_neg(to52(yb64), nb);
        }
        for (int q = 0; q < NCH; q++) inv[q] = mm(ainv16[q], ld52(blk[row * NCH + (size_t)q].pre));
        for (int q = 0; q < NCH; q++) ainv16[q] = x16(mm(ainv16[q], d[q]));
        for (int q = 0; q < NCH; q++) lam[q] = mm(x16(sub_p(yb[q], ya[q])), inv[q]);
        /* 4 lambda serves both products: the square's symmetric operand, and with
         * 4 (xa - x3 + p) the 16 x y of mm (ifma_fq52.h: sq, sub_p4) */
        for (int q = 0; q < NCH; q++) lam4[q] = x4(lam[q]);
        /* x3 = lambda^2 - xa - xb: lambda^2 + 2p - xa - xb is in (0, 4p) */
        for (int q = 0; q < NCH; q++) x3[q] = reduce1(reduce2(sub2_2p(sq(lam4[q]), xa[q], xb[q])));
        /* y3 = lambda (xa - x3) - ya: the product (< 2p) - ya + p is in (0, 3p) */
        for (int q = 0; q < NCH; q++)
            y3[q] = reduce1(reduce2(sub_p(mm(lam4[q], sub_p4(xa[q], x3[q])), ya[q])));
        for (int q = 0; q < NCH; q++) {
            const size_t jq = j0 + 8 * (size_t)q;
            if (!valid[q]) continue;
            g1_aff_t res[8];
            const unsigned special = exc[q] & valid[q];
            if (special) {
                uint64_t tmp[5][8];
                st52(tmp, inv[q]);
                g1_fix_finish(res, tmp, special, a, b, jq);
            }
            uint64_t *po[8];
            for (int k = 0; k < 8; k++) po[k] = out[jq + (size_t)k < m ? jq + (size_t)k : m - 1]->x.v;
            __m512i o[4];
            to64(o, x3[q]);
            st_fq(po, 0, o, valid[q] & ~exc[q]);
            to64(o, y3[q]);
            st_fq(po, 4, o, valid[q] & ~exc[q]);
            for (int k = 0; k < 8; k++)
                if ((special >> k) & 1) *out[jq + (size_t)k] = res[k];
        }
    }
}

/* ================================ G2 ================================================= */

/* Eight Fq2 elements (c0 + c1 i). */
typedef struct { f52 c0, c1; } f52x2;

/* 2p - a for a <= 2p: in [0, 2p] */
MI f52 neg2p(const f52 a) {
    static const uint64_t P[5] = IFMA_L52_ALL(FQ);
    f52 t;
    for (int k = 0; k < 5; k++) t.l[k] = _mm512_sub_epi64(bc(2 * P[k]), a.l[k]);
    return carry_s(t);
}

/* x y for components < 2p: two dual products (mm2), components < 1.52 p */
MI f52x2 mul2(const f52x2 x, const f52x2 y) {
    const f52 x0 = x16(x.c0), x1 = x16(x.c1), x1n = x16(neg2p(x.c1));
    f52x2 r;
    r.c0 = mm2(x0, y.c0, x1n, y.c1);
    r.c1 = mm2(x0, y.c1, x1, y.c0);
    return r;
}

/* x^2 for components < 1.52 p (mul2's): (x0 + x1)(x0 - x1) + 2 x0 x1 i, two products
 * (mul2 takes two dual products, each 1.5 products' IFMA); components < 2p. For c0,
 * 16 (x0 + x1) < 48.7 p < 2^260 and x0 - x1 + 2p < 3.52 p, so the product is below
 * 16 * 3.04 * 3.52 p^2 / 2^260 + p < 3.06 p and one subtraction of 2p brings it below
 * 2p; the doubled c1, < 3.52 p, is reduced by 2p once. */
MI f52x2 sqr2(const f52x2 x) {
    static const uint64_t P[5] = IFMA_L52_ALL(FQ);
    const f52 x0 = x16(x.c0);
    f52 s, t;
    for (int k = 0; k < 5; k++) {
        s.l[k] = _mm512_add_epi64(x.c0.l[k], x.c1.l[k]);
        t.l[k] = _mm512_sub_epi64(_mm512_add_epi64(x.c0.l[k], bc(2 * P[k])), x.c1.l[k]);
    }
    f52x2 r;
    r.c0 = reduce2(mm(x16(carry_s(s)), carry_s(t)));
    t = mm(x0, x.c1);                                 /* < 1.76 p */
    for (int k = 0; k < 5; k++) t.l[k] = _mm512_add_epi64(t.l[k], t.l[k]);
    r.c1 = reduce2(carry_s(t));
    return r;
}

MI f52x2 sub2_p(const f52x2 a, const f52x2 b) {
    f52x2 r;
    r.c0 = sub_p(a.c0, b.c0);
    r.c1 = sub_p(a.c1, b.c1);
    return r;
}

MI void ld_fq2(f52x2 *v, __m512i raw0[4], __m512i raw1[4], const uint64_t *const p[8], int off) {
    ld_fq(raw0, p, off);
    ld_fq(raw1, p, off + 4);
    v->c0 = to52(raw0);
    v->c1 = to52(raw1);
}

static inline void g2_tagged(g2_aff_t *p, msm_ptr_t t) {
    memcpy(p, MSM_ADDR(t), sizeof *p);
    if (t & MSM_NEG) fq2_neg(&p->y, &p->y);
}

static __attribute__((noinline)) void g2_fix_den(uint64_t d0[5][8], uint64_t d1[5][8],
                                                 unsigned exc, unsigned valid,
                                                 const msm_ptr_t *a, const msm_ptr_t *b,
                                                 size_t j0) {
    for (int k = 0; k < 8; k++) {
        if (!((exc >> k) & 1)) continue;
        fq2_t den;
        if ((valid >> k) & 1) {
            g2_aff_t pa, pb;
            g2_tagged(&pa, a[j0 + (size_t)k]);
            g2_tagged(&pb, b[j0 + (size_t)k]);
            msm_g2_add_den(&den, &pa, &pb);
        } else {
            fq2_set_one(&den);
        }
        fq_to_lane(d0, k, &den.c0);
        fq_to_lane(d1, k, &den.c1);
    }
}

static __attribute__((noinline)) void g2_fix_finish(g2_aff_t res[8], const uint64_t i0[5][8],
                                                    const uint64_t i1[5][8], unsigned lanes,
                                                    const msm_ptr_t *a, const msm_ptr_t *b,
                                                    size_t j0) {
    for (int k = 0; k < 8; k++) {
        if (!((lanes >> k) & 1)) continue;
        g2_aff_t pa, pb;
        fq2_t iv;
        g2_tagged(&pa, a[j0 + (size_t)k]);
        g2_tagged(&pb, b[j0 + (size_t)k]);
        fq_from_lane(&iv.c0, i0, k);
        fq_from_lane(&iv.c1, i1, k);
        fq_reduce_once(&iv.c0, iv.c0.v[0], iv.c0.v[1], iv.c0.v[2], iv.c0.v[3]);
        fq_reduce_once(&iv.c1, iv.c1.v[0], iv.c1.v[1], iv.c1.v[2], iv.c1.v[3]);
        msm_g2_add_finish(&res[k], &pa, &pb, &iv);
    }
}

/* equal x (both components), or an x of 0 (both components; maybe the identity), or
 * padding */
MI unsigned g2_exc_mask(const __m512i xa0[4], const __m512i xa1[4], const __m512i xb0[4],
                        const __m512i xb1[4], unsigned valid) {
    const __m512i zero = _mm512_setzero_si512();
    __mmask8 eq = 0xff;
    __m512i oa = zero, ob = zero;
    for (int k = 0; k < 4; k++) {
        eq &= _mm512_cmpeq_epi64_mask(xa0[k], xb0[k]) & _mm512_cmpeq_epi64_mask(xa1[k], xb1[k]);
        oa = _mm512_or_si512(oa, _mm512_or_si512(xa0[k], xa1[k]));
        ob = _mm512_or_si512(ob, _mm512_or_si512(xb0[k], xb1[k]));
    }
    __mmask8 z = _mm512_cmpeq_epi64_mask(oa, zero) | _mm512_cmpeq_epi64_mask(ob, zero);
    return ((unsigned)(eq | z) | ~valid) & 0xffu;
}

MI f52x2 cond_neg2(const f52x2 y, unsigned neg) {
    f52x2 r;
    r.c0 = cond_neg(y.c0, neg);
    r.c1 = cond_neg(y.c1, neg);
    return r;
}

/* Forward step of one block: its denominators d (x_b - x_a + p per component, or the
 * scalar path's), their norms N(d) = d0^2 + d1^2 in Fq (nonzero for d != 0: -1 is not a
 * square mod p), and acc *= N(d). blk[0] gets the running product before the block,
 * blk[1] the norms: the backward pass inverts d as conj(d) / N(d), so the chain of running
 * products is in Fq, not Fq2. */
MI void g2_fwd_block(f52 *acc, uint64_t blk[2][5][8], const msm_ptr_t *a, const msm_ptr_t *b,
                     size_t j0, size_t m) {
    const uint64_t *pa[8], *pb[8];
    unsigned na, nb;
    const unsigned valid = block_ptrs(pa, pb, &na, &nb, a, b, j0, m);
    __m512i ra0[4], ra1[4], rb0[4], rb1[4];
    f52x2 xa, xb;
    ld_fq2(&xa, ra0, ra1, pa, 0);
    ld_fq2(&xb, rb0, rb1, pb, 0);
    const unsigned exc = g2_exc_mask(ra0, ra1, rb0, rb1, valid);
    f52x2 d = sub2_p(xb, xa);
    if (exc) {
        uint64_t t0[5][8], t1[5][8];
        st52(t0, d.c0);
        st52(t1, d.c1);
        g2_fix_den(t0, t1, exc, valid, a, b, j0);
        d.c0 = ld52(t0);
        d.c1 = ld52(t1);
    }
    /* d0 d0 + d1 d1 (components < 2p): < 1.54 p, by symmetric squares (sq2) */
    const f52 nrm = sq2(x4(d.c0), x4(d.c1));
    st52(blk[0], *acc);
    st52(blk[1], nrm);
    *acc = mm(x16(nrm), *acc);
}

MT void msm_g2_batch_add_ifma(g2_aff_t *const *out, const msm_ptr_t *a, const msm_ptr_t *b,
                              size_t m, void *scratch) {
    if (m == 0) return;
    const size_t nrow = (m + 8 * NCH - 1) / (8 * NCH);
    uint64_t(*blk)[2][5][8] = (uint64_t(*)[2][5][8])scratch;   /* per block, g2_fwd_block */

    f52 acc[NCH];
    for (int q = 0; q < NCH; q++) acc[q] = bcast52(&fq_one);
    for (size_t row = 0; row < nrow; row++) {
        const size_t j0 = row * 8 * NCH;
        prefetch_pairs(a, b, j0 + 16 * NCH, j0 + 24 * NCH, m, sizeof(g2_aff_t));
        for (int q = 0; q < NCH; q++)
            g2_fwd_block(&acc[q], blk[row * NCH + (size_t)q], a, b, j0 + 8 * (size_t)q, m);
    }

    /* invert the 8 NCH lane products of norms together (Fq) */
    f52 ainv16[NCH];
    {
        fq_t lane[8 * NCH], ltmp[8 * NCH];
        for (int q = 0; q < NCH; q++) {
            __m512i v[4], x[4];
            to64(v, reduce1(acc[q]));
            ifma_transpose_out(x, v);
            for (int i = 0; i < 4; i++) _mm512_storeu_si512((void *)lane[8 * q + 2 * i].v, x[i]);
        }
        msm_fq_batch_inv(lane, ltmp, 8 * NCH);
        for (int q = 0; q < NCH; q++) {
            __m512i v[4], x[4];
            for (int i = 0; i < 4; i++) x[i] = _mm512_loadu_si512((const void *)lane[8 * q + 2 * i].v);
            ifma_transpose_in(v, x);
            ainv16[q] = x16(to52(v));
        }
    }

    for (size_t row = nrow; row-- > 0;) {
        const size_t j0 = row * 8 * NCH;
        if (row >= 2) prefetch_pairs(a, b, j0 - 16 * NCH, j0 - 8 * NCH, m, sizeof(g2_aff_t));
        f52x2 xa[NCH], xb[NCH], ya[NCH], yb[NCH], d[NCH], inv[NCH], lam[NCH], x3[NCH], y3[NCH];
        unsigned valid[NCH], exc[NCH];
        for (int q = 0; q < NCH; q++) {
            const size_t jq = j0 + 8 * (size_t)q;
            const uint64_t *pa[8], *pb[8];
            unsigned na, nb;
            valid[q] = block_ptrs(pa, pb, &na, &nb, a, b, jq, m);
            __m512i ra0[4], ra1[4], rb0[4], rb1[4], tmp0[4], tmp1[4];
            ld_fq2(&xa[q], ra0, ra1, pa, 0);
            ld_fq2(&xb[q], rb0, rb1, pb, 0);
            exc[q] = g2_exc_mask(ra0, ra1, rb0, rb1, valid[q]);
            ld_fq2(&ya[q], tmp0, tmp1, pa, 8);
            ya[q] = cond_neg2(ya[q], na);
            ld_fq2(&yb[q], tmp0, tmp1, pb, 8);
            yb[q] = cond_neg2(yb[q], nb);
            d[q] = sub2_p(xb[q], xa[q]);
            if (exc[q]) {
                uint64_t t0[5][8], t1[5][8];
                st52(t0, d[q].c0);
                st52(t1, d[q].c1);
                g2_fix_den(t0, t1, exc[q], valid[q], a, b, jq);
                d[q].c0 = ld52(t0);
                d[q].c1 = ld52(t1);
            }
        }
        /* 1/d = conj(d) / N(d): 1/N(d) from the running products, then two Fq products
         * (2p - d1 <= 2p is a valid first operand of mm, as in mul2) */
        f52 invn[NCH];
        for (int q = 0; q < NCH; q++) invn[q] = mm(ainv16[q], ld52(blk[row * NCH + (size_t)q][0]));
        for (int q = 0; q < NCH; q++)
            ainv16[q] = x16(mm(ainv16[q], ld52(blk[row * NCH + (size_t)q][1])));
        for (int q = 0; q < NCH; q++) {
            inv[q].c0 = mm(x16(invn[q]), d[q].c0);
            inv[q].c1 = mm(x16(neg2p(d[q].c1)), invn[q]);
        }
        for (int q = 0; q < NCH; q++) lam[q] = mul2(sub2_p(yb[q], ya[q]), inv[q]);
        for (int q = 0; q < NCH; q++) {
            /* x3 = lambda^2 - xa - xb, each component in (0, 4p) before reduction */
            f52x2 l2 = sqr2(lam[q]);
            x3[q].c0 = reduce1(reduce2(sub2_2p(l2.c0, xa[q].c0, xb[q].c0)));
            x3[q].c1 = reduce1(reduce2(sub2_2p(l2.c1, xa[q].c1, xb[q].c1)));
        }
        for (int q = 0; q < NCH; q++) {
            /* y3 = lambda (xa - x3) - ya: (< 2p) - ya + p is in (0, 3p) */
            f52x2 t = mul2(lam[q], sub2_p(xa[q], x3[q]));
            y3[q].c0 = reduce1(reduce2(sub_p(t.c0, ya[q].c0)));
            y3[q].c1 = reduce1(reduce2(sub_p(t.c1, ya[q].c1)));
        }
        for (int q = 0; q < NCH; q++) {
            const size_t jq = j0 + 8 * (size_t)q;
            if (!valid[q]) continue;
            g2_aff_t res[8];
            const unsigned special = exc[q] & valid[q];
            if (special) {
                uint64_t t0[5][8], t1[5][8];
                st52(t0, inv[q].c0);
                st52(t1, inv[q].c1);
                g2_fix_finish(res, t0, t1, special, a, b, jq);
            }
            uint64_t *po[8];
            for (int k = 0; k < 8; k++) po[k] = out[jq + (size_t)k < m ? jq + (size_t)k : m - 1]->x.c0.v;
            const unsigned st = valid[q] & ~exc[q];
            __m512i o[4];
            to64(o, x3[q].c0);
            st_fq(po, 0, o, st);
            to64(o, x3[q].c1);
            st_fq(po, 4, o, st);
            to64(o, y3[q].c0);
            st_fq(po, 8, o, st);
            to64(o, y3[q].c1);
            st_fq(po, 12, o, st);
            for (int k = 0; k < 8; k++)
                if ((special >> k) & 1) *out[jq + (size_t)k] = res[k];
        }
    }
}

#else /* no IFMA on this target: never dispatched (zkcx_cpu_has_ifma() == 0), correct anyway */

void msm_g1_batch_add_ifma(g1_aff_t *const *out, const msm_ptr_t *a, const msm_ptr_t *b,
                           size_t m, void *scratch) {
    msm_g1_batch_add_portable(out, a, b, m, scratch);
}

void msm_g2_batch_add_ifma(g2_aff_t *const *out, const msm_ptr_t *a, const msm_ptr_t *b,
                           size_t m, void *scratch) {
    msm_g2_batch_add_portable(out, a, b, m, scratch);
}

#endif
