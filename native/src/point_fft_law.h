/* SPDX-License-Identifier: MIT */
/*
 * The driver of the group FFT and of mul_all (point_fft.c) written once over a group
 * and instantiated for G1 and G2, as curve_law.h is. Define before including:
 *
 *   CURVE   the prefix of the group's names: g1 | g2 (CURVE_aff_t, CURVE_jac_mul,
 *           msm_CURVE_batch_add, pf_CURVE_digits, pf_CURVE_mul8_ifma, ...)
 *
 *   PF_W4   (optional) PF_W4(out, p, inverse) writes [w4] p, or [w4^-1] p when inverse,
 *           for w4 = omega_4 = 5^((r-1)/4): then stages run in pairs (radix 4)
 *
 * It defines static CURVE_fft_run(points, n, inverse) and CURVE_mul_all_run(out,
 * points, k, n, threads, ifma); every macro it uses is undefined at the end, CURVE too.
 */
#if !defined(CURVE)
#error "define CURVE before including point_fft_law.h"
#endif

#define PF_CAT2(a, b) a##b
#define PF_CAT(a, b) PF_CAT2(a, b)
#define GP(name) PF_CAT(CURVE, PF_CAT(_, name))     /* a group function: g1_jac_add */
#define MSM(name) PF_CAT(msm_, GP(name))            /* msm_g1_batch_add */
#define PF(name) PF_CAT(pf_, GP(name))              /* pf_g1_digits */
#define AFF_T GP(aff_t)
#define JAC_T GP(jac_t)
#define SCRATCH_T GP(pf_scratch_t)

/* Per-thread scratch of the G1 products of up to FFT_CHUNK points. */
typedef struct {
    AFF_T *tab;             /* PF_TABLE per point */
    JAC_T *jac;
    AFF_T *aff, *tmp;
    msm_ptr_t *pa, *pb;
    void **po;
    size_t *idx;
    void *batch;
} SCRATCH_T;

static void GP(scratch_free)(SCRATCH_T *S) {
    free(S->tab);
    free(S->jac);
    free(S->aff);
    free(S->tmp);
    free(S->pa);
    free(S->pb);
    free(S->po);
    free(S->idx);
    free(S->batch);
}

static int GP(scratch_alloc)(SCRATCH_T *S) {
    S->tab = msm_alloc(FFT_CHUNK * PF_TABLE * sizeof *S->tab);
    S->jac = msm_alloc(FFT_CHUNK * sizeof *S->jac);
    S->aff = msm_alloc(FFT_CHUNK * sizeof *S->aff);
    S->tmp = msm_alloc(FFT_CHUNK * sizeof *S->tmp);
    S->pa = malloc(FFT_CHUNK * sizeof *S->pa);
    S->pb = malloc(FFT_CHUNK * sizeof *S->pb);
    S->po = malloc(FFT_CHUNK * sizeof *S->po);
    S->idx = malloc(FFT_CHUNK * sizeof *S->idx);
    S->batch = msm_zalloc(MSM(batch_scratch)(FFT_CHUNK));
    if (S->tab && S->jac && S->aff && S->tmp && S->pa && S->pb && S->po && S->idx && S->batch)
        return 1;
    GP(scratch_free)(S);
    return 0;
}

/*
 * S->jac[i] = [k_i] p[i] for i < cnt <= FFT_CHUNK, where k_i is the canonical scalar
 * k[i] with digits dig[i] (NULL: multiply by 1). Identity points and scalars 1 are
 * copied; the rest run through the IFMA kernel eight at a time after their tables
 * y, 2y, ..., 16y are built with batch-affine additions (one inversion per row of the
 * whole chunk), or through GP(jac_mul) without IFMA.
 */
static void GP(mul_list)(SCRATCH_T *S, const AFF_T *const *p, const uint64_t *const *k,
                        const pf_digits_t *const *dig, size_t cnt, int ifma) {
    size_t m = 0;
    for (size_t i = 0; i < cnt; i++) {
        if (!dig[i] || GP(aff_is_identity)(p[i])) GP(jac_from_aff)(&S->jac[i], p[i]);
        else if (!ifma) GP(jac_mul)(&S->jac[i], p[i], k[i]);
        else S->idx[m++] = i;
    }
    if (m == 0) return;
    AFF_T *tab = S->tab;
    for (size_t q = 0; q < m; q++) tab[q * PF_TABLE] = *p[S->idx[q]];
    for (size_t row = 1; row < PF_TABLE; row++) {
        /* row r holds (r + 1) y: r y + y (r = 1: the doubling y + y) */
        for (size_t q = 0; q < m; q++) {
            AFF_T *t = tab + q * PF_TABLE;
            S->pa[q] = (msm_ptr_t)&t[row - 1];
            S->pb[q] = (msm_ptr_t)&t[0];
            S->po[q] = &t[row];
        }
        MSM(batch_add)((AFF_T *const *)S->po, S->pa, S->pb, m, S->batch, ifma);
    }
    for (size_t q0 = 0; q0 < m; q0 += 8) {
        const AFF_T *lt[8];
        const pf_digits_t *ld[8];
        for (int l = 0; l < 8; l++) {
            const size_t q = q0 + (size_t)l < m ? q0 + (size_t)l : m - 1;
            lt[l] = tab + q * PF_TABLE;
            ld[l] = dig[S->idx[q]];
        }
        _Alignas(64) JAC_T res[8];
        const unsigned bad = PF(mul8_ifma)(res, lt, ld);
        for (int l = 0; l < 8 && q0 + (size_t)l < m; l++) {
            const size_t i = S->idx[q0 + (size_t)l];
            if ((bad >> l) & 1) GP(jac_mul)(&S->jac[i], p[i], k[i]);
            else S->jac[i] = res[l];
        }
    }
}

/* The DIT stage of span m (see the top of the file) : per chunk of butterflies,
 * the products t = [w] y (GP(mul_list)), t to affine with one inversion, then
 * x - t and x + t as two batch-affine additions. w = omega_2m^j is twiddle j * stride
 * of the top stage's tables tw, dig. */
static int GP(fft_stage)(AFF_T *a, size_t n, size_t m, const uint64_t *tw,
                        const pf_digits_t *dig, size_t stride, const pf_first_t *first, int nt,
                        int ifma) {
    const size_t nb = n / 2, nchunk = (nb + FFT_CHUNK - 1) / FFT_CHUNK;
    const int ntc = nchunk >= 2 ? nt : 1;
    (void)ntc;   /* only read by OpenMP */
    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(ntc) reduction(| : fail)
#endif
    {
        SCRATCH_T S;
        const int ok = GP(scratch_alloc)(&S);
        if (!ok) fail |= 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (size_t c = 0; c < nchunk; c++) {
            if (!ok) continue;
            const size_t b0 = c * FFT_CHUNK, cnt = (b0 + FFT_CHUNK < nb ? FFT_CHUNK : nb - b0);
            const AFF_T *py[FFT_CHUNK];
            const uint64_t *pk[FFT_CHUNK];
            const pf_digits_t *pd[FFT_CHUNK];
            for (size_t i = 0; i < cnt; i++) {
                const size_t b = b0 + i, j = b % m, s = (b / m) * 2 * m + j;
                py[i] = &a[s + m];
                if (first && b < m) {        /* the first block's scaled twiddles */
                    pk[i] = first->tw + 4 * j;
                    pd[i] = &first->dig[j];
                } else {
                    pk[i] = tw + 4 * j * stride;
                    pd[i] = j ? &dig[j * stride] : NULL;
                }
            }
            GP(mul_list)(&S, py, pk, pd, cnt, ifma);
            GP(batch_to_aff)(S.aff, S.jac, cnt);
            for (size_t i = 0; i < cnt; i++) {
                const size_t b = b0 + i, j = b % m, s = (b / m) * 2 * m + j;
                S.pa[i] = (msm_ptr_t)&a[s];
                S.pb[i] = (msm_ptr_t)&S.aff[i] | MSM_NEG;
                S.po[i] = &S.tmp[i];
            }
            MSM(batch_add)((AFF_T *const *)S.po, S.pa, S.pb, cnt, S.batch, ifma);
            for (size_t i = 0; i < cnt; i++) {
                S.pb[i] = (msm_ptr_t)&S.aff[i];
                S.po[i] = (void *)S.pa[i];
            }
            MSM(batch_add)((AFF_T *const *)S.po, S.pa, S.pb, cnt, S.batch, ifma);
            for (size_t i = 0; i < cnt; i++) {
                const size_t b = b0 + i, j = b % m, s = (b / m) * 2 * m + j;
                a[s + m] = S.tmp[i];
            }
        }
        if (ok) GP(scratch_free)(&S);
    }
    return fail ? ZKCX_ERR_NOMEM : ZKCX_OK;
}

/* out_i = [k] p_i , one digit table for all points. out may alias p. */
static int GP(mul_all_run)(AFF_T *out, const AFF_T *p, const uint64_t k[4], size_t n,
                           int nt, int ifma) {
    pf_digits_t d;
    const int have = PF(digits)(&d, k);
    const size_t nchunk = (n + FFT_CHUNK - 1) / FFT_CHUNK;
    const int ntc = nchunk >= 2 ? nt : 1;
    (void)ntc;   /* only read by OpenMP */
    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(ntc) reduction(| : fail)
#endif
    {
        SCRATCH_T S;
        const int ok = GP(scratch_alloc)(&S);
        if (!ok) fail |= 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (size_t c = 0; c < nchunk; c++) {
            if (!ok) continue;
            const size_t i0 = c * FFT_CHUNK, cnt = (i0 + FFT_CHUNK < n ? FFT_CHUNK : n - i0);
            const AFF_T *py[FFT_CHUNK];
            const uint64_t *pk[FFT_CHUNK];
            const pf_digits_t *pd[FFT_CHUNK];
            for (size_t i = 0; i < cnt; i++) {
                py[i] = &p[i0 + i];
                pk[i] = k;
                pd[i] = &d;
            }
            GP(mul_list)(&S, py, pk, pd, cnt, ifma && have);
            GP(batch_to_aff)(&out[i0], S.jac, cnt);
        }
        if (ok) GP(scratch_free)(&S);
    }
    return fail ? ZKCX_ERR_NOMEM : ZKCX_OK;
}

#ifdef PF_W4
/*
 * Two DIT stages at once (spans m and 2m), for a group where multiplying by the 4th
 * root of unity w4 = omega_(4m)^m is an endomorphism (PF_W4(out, p, inverse): [w4] p,
 * or [w4^-1] p for the inverse transform). For the block of 4m points at base B and
 * j < m, with a, b, c, d the points at B + j, + m, + 2m, + 3m and t = omega_(4m)^j,
 * the two radix-2 stages give
 *     a + B' + (C' + D'),  a - B' + w4 (C' - D'),  a + B' - (C' + D'),  a - B' - w4 (C' - D')
 * at B + j, + m, + 2m, + 3m, with B' = [t^2] b, C' = [t] c, D' = [t^3] d: three products
 * per four points instead of the four of two radix-2 stages (radix 4). t^3 = omega^e with
 * e >= n/2 is -omega^(e - n/2). Per chunk of groups: the products (GP(mul_list)), one
 * conversion to affine, then two rounds of batch-affine additions.
 */
#define PF_GROUPS (FFT_CHUNK / 4)

static int GP(fft_stage4)(AFF_T *a, size_t n, size_t m, const uint64_t *tw,
                          const pf_digits_t *dig, const pf_first_t *first, int inverse, int nt,
                          int ifma) {
    const size_t ng = n / 4, nchunk = (ng + PF_GROUPS - 1) / PF_GROUPS, half = n / 2;
    const size_t stride = n / (4 * m);   /* t = omega_(4m)^j is omega_n^(j stride) */
    const int ntc = nchunk >= 2 ? nt : 1;
    (void)ntc;   /* only read by OpenMP */
    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(ntc) reduction(| : fail)
#endif
    {
        SCRATCH_T S;
        const int ok = GP(scratch_alloc)(&S);
        if (!ok) fail |= 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (size_t c = 0; c < nchunk; c++) {
            if (!ok) continue;
            const size_t g0 = c * PF_GROUPS, cnt = (g0 + PF_GROUPS < ng ? PF_GROUPS : ng - g0);
            const AFF_T *py[3 * PF_GROUPS];
            const uint64_t *pk[3 * PF_GROUPS];
            const pf_digits_t *pd[3 * PF_GROUPS];
            unsigned char negd[PF_GROUPS];
            for (size_t i = 0; i < cnt; i++) {
                const size_t g = g0 + i, j = g % m, base = (g / m) * 4 * m + j;
                const size_t e1 = j * stride, e2 = 2 * e1, e3 = 3 * e1;
                const size_t e3r = e3 >= half ? e3 - half : e3;
                negd[i] = e3 >= half;
                py[3 * i] = &a[base + m];          /* B' = [t^2] b */
                pk[3 * i] = tw + 4 * e2;
                pd[3 * i] = j ? &dig[e2] : NULL;
                py[3 * i + 1] = &a[base + 2 * m];  /* C' = [t] c */
                pk[3 * i + 1] = tw + 4 * e1;
                pd[3 * i + 1] = j ? &dig[e1] : NULL;
                py[3 * i + 2] = &a[base + 3 * m];  /* D' = [t^3] d, up to sign */
                pk[3 * i + 2] = tw + 4 * e3r;
                pd[3 * i + 2] = j ? &dig[e3r] : NULL;
                if (first && g < m) {              /* the first block's scaled twiddles */
                    negd[i] = 0;
                    for (int q = 0; q < 3; q++) {
                        pk[3 * i + (size_t)q] = first->tw + 4 * (3 * j + (size_t)q);
                        pd[3 * i + (size_t)q] = &first->dig[3 * j + (size_t)q];
                    }
                }
            }
            GP(mul_list)(&S, py, pk, pd, 3 * cnt, ifma);
            GP(batch_to_aff)(S.aff, S.jac, 3 * cnt);
            /* round 1: u1 = a + B', u2 = a - B', v1 = C' + D', v2 = C' - D' into tmp */
            for (size_t i = 0; i < cnt; i++) {
                const size_t g = g0 + i, j = g % m, base = (g / m) * 4 * m + j;
                const msm_ptr_t sd = negd[i] ? MSM_NEG : 0;
                S.pa[4 * i] = S.pa[4 * i + 1] = (msm_ptr_t)&a[base];
                S.pb[4 * i] = (msm_ptr_t)&S.aff[3 * i];
                S.pb[4 * i + 1] = (msm_ptr_t)&S.aff[3 * i] | MSM_NEG;
                S.pa[4 * i + 2] = S.pa[4 * i + 3] = (msm_ptr_t)&S.aff[3 * i + 1];
                S.pb[4 * i + 2] = (msm_ptr_t)&S.aff[3 * i + 2] | sd;
                S.pb[4 * i + 3] = (msm_ptr_t)&S.aff[3 * i + 2] | (sd ^ MSM_NEG);
                for (int q = 0; q < 4; q++) S.po[4 * i + q] = &S.tmp[4 * i + q];
            }
            MSM(batch_add)((AFF_T *const *)S.po, S.pa, S.pb, 4 * cnt, S.batch, ifma);
            /* w4 (C' - D'), then round 2 into the array */
            for (size_t i = 0; i < cnt; i++) PF_W4(&S.tmp[4 * i + 3], &S.tmp[4 * i + 3], inverse);
            for (size_t i = 0; i < cnt; i++) {
                const size_t g = g0 + i, j = g % m, base = (g / m) * 4 * m + j;
                AFF_T *u1 = &S.tmp[4 * i], *u2 = u1 + 1, *v1 = u1 + 2, *v2 = u1 + 3;
                S.pa[4 * i] = S.pa[4 * i + 2] = (msm_ptr_t)u1;
                S.pb[4 * i] = (msm_ptr_t)v1;
                S.pb[4 * i + 2] = (msm_ptr_t)v1 | MSM_NEG;
                S.pa[4 * i + 1] = S.pa[4 * i + 3] = (msm_ptr_t)u2;
                S.pb[4 * i + 1] = (msm_ptr_t)v2;
                S.pb[4 * i + 3] = (msm_ptr_t)v2 | MSM_NEG;
                for (int q = 0; q < 4; q++) S.po[4 * i + q] = &a[base + (size_t)q * m];
            }
            MSM(batch_add)((AFF_T *const *)S.po, S.pa, S.pb, 4 * cnt, S.batch, ifma);
        }
        if (ok) GP(scratch_free)(&S);
    }
    return fail ? ZKCX_ERR_NOMEM : ZKCX_OK;
}
#undef PF_GROUPS
#endif

static int GP(fft_run)(AFF_T *a, size_t n, int inverse) {
    const int log_n = ntt_log2(n);
    if (log_n < 0) return ZKCX_ERR_ARG;
    if (n == 1) return ZKCX_OK;
    const int nt = zkcx_runtime_threads(), ifma = zkcx_runtime_use_ifma();
    for (size_t i = 0; i < n; i++) {
        size_t r = fft_bit_rev(i, (unsigned)log_n);
        if (r > i) { AFF_T t = a[i]; a[i] = a[r]; a[r] = t; }
    }
    /* the top stage's twiddles omega^(+-j), j < n/2; stage m uses every (n/2m)-th */
    const size_t half = n / 2;
    uint64_t *tw = malloc(half * 32);
    pf_digits_t *dig = malloc(half * sizeof *dig);
    if (!tw || !dig) {
        free(tw);
        free(dig);
        return ZKCX_ERR_NOMEM;
    }
    fft_twiddles(tw, (unsigned)log_n, half, inverse);
    const int ntd = half >= ZKCX_PARALLEL_MIN ? nt : 1;
    (void)ntd;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(ntd)
#endif
    for (size_t j = 0; j < half; j++) {
        if (!PF(digits)(&dig[j], tw + 4 * j)) memset(&dig[j], 0, sizeof dig[j]);
    }
    /* The inverse's 1/n: only the first block of every stage needs it (see
     * pf_first_t), and the point a[0] once, before the stages. */
    fr_t scale;
    if (inverse) {
        fr_t c;
        fft_inv_size(&c, (unsigned)log_n);
        fr_to_mont(&scale, &c);
        JAC_T j0;
        GP(jac_mul)(&j0, &a[0], c.v);
        GP(batch_to_aff)(&a[0], &j0, 1);
    }
    /* the first block's twiddles: m <= n/2 of a radix-2 stage, 3m <= 3n/4 of a pair */
    const size_t nfirst = half + half / 2 + 1;
    uint64_t *ftw = inverse ? malloc(nfirst * 32) : NULL;
    pf_digits_t *fdig = inverse ? malloc(nfirst * sizeof *fdig) : NULL;
    int status = (inverse && (!ftw || !fdig)) ? ZKCX_ERR_NOMEM : ZKCX_OK;
    pf_first_t first = {ftw, fdig}, *fp = inverse ? &first : NULL;
    unsigned lm = 0;
#ifdef PF_W4
    if (log_n & 1 && status == ZKCX_OK) {   /* one radix-2 stage (span 1), then pairs */
        if (fp) fft_first_twiddles(fp, 1, tw, half, 1, 0, &scale, PF(digits), nt);
        status = GP(fft_stage)(a, n, 1, tw, dig, half, fp, nt, ifma);
        lm = 1;
    }
    for (; lm < (unsigned)log_n && status == ZKCX_OK; lm += 2) {
        const size_t m = (size_t)1 << lm;
        if (fp) {
            fft_first_twiddles(fp, m, tw, half, n / (4 * m), 1, &scale, PF(digits), nt);
        }
        status = GP(fft_stage4)(a, n, m, tw, dig, fp, inverse, nt, ifma);
    }
#endif
    for (; lm < (unsigned)log_n && status == ZKCX_OK; lm++) {
        const size_t m = (size_t)1 << lm;
        if (fp) fft_first_twiddles(fp, m, tw, half, half / m, 0, &scale, PF(digits), nt);
        status = GP(fft_stage)(a, n, m, tw, dig, half / m, fp, nt, ifma);
    }
    free(tw);
    free(dig);
    free(ftw);
    free(fdig);
    return status;
}

#undef PF_CAT2
#undef PF_CAT
#undef GP
#undef MSM
#undef PF
#undef AFF_T
#undef JAC_T
#undef SCRATCH_T
#undef CURVE
#undef PF_W4
