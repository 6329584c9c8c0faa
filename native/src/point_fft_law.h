/* SPDX-License-Identifier: MIT */
/*
 * The group FFT of point_fft.c written once over a group and instantiated for G1 and G2
 * (as curve_law.h). Define before including:
 *
 *   CURVE   the prefix of the group's names: g1 | g2 (CURVE_aff_t, CURVE_jac_t, ...)
 *
 * It defines static CURVE_fft_run(points, n, inverse) and CURVE_mul_all_run(out, points,
 * k, n); every macro it uses is undefined at the end, CURVE too.
 */
#if !defined(CURVE)
#error "define CURVE before including point_fft_law.h"
#endif

#define PF_CAT2(a, b) a##b
#define PF_CAT(a, b) PF_CAT2(a, b)
#define GP(name) PF_CAT(CURVE, PF_CAT(_, name))     /* a group function: g1_jac_add */
#define AFF_T GP(aff_t)
#define JAC_T GP(jac_t)

/* One DIT stage of span m on the affine points a: butterflies b < n/2 in chunks, each
 * chunk's 2 FFT_CHUNK Jacobian results converted back with one inversion. tw[j] holds
 * the canonical scalar of omega_2m^j, j < m. */
static int GP(fft_stage)(AFF_T *a, size_t n, size_t m, const uint64_t *tw, int nt) {
    const size_t nb = n / 2, nchunk = (nb + FFT_CHUNK - 1) / FFT_CHUNK;
    const int ntc = nchunk >= 2 ? nt : 1;
    (void)ntc;   /* only read by OpenMP */
    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(ntc) reduction(| : fail)
#endif
    {
        JAC_T *jac = malloc(2 * FFT_CHUNK * sizeof *jac);
        AFF_T *aff = malloc(2 * FFT_CHUNK * sizeof *aff);
        const int ok = jac && aff;
        if (!ok) fail |= 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (size_t c = 0; c < nchunk; c++) {
            if (!ok) continue;
            const size_t b0 = c * FFT_CHUNK, b1 = b0 + FFT_CHUNK < nb ? b0 + FFT_CHUNK : nb;
            for (size_t b = b0; b < b1; b++) {
                const size_t j = b % m, s = (b / m) * 2 * m + j;   /* group b / m, offset j */
                JAC_T *u = &jac[2 * (b - b0)], *v = u + 1;
                if (j == 0) GP(jac_from_aff)(v, &a[s + m]);
                else GP(jac_mul)(v, &a[s + m], tw + 4 * j);        /* t = [w] y */
                GP(jac_add_aff)(u, v, &a[s]);                      /* x + t */
                GP(jac_neg)(v, v);
                GP(jac_add_aff)(v, v, &a[s]);                      /* x - t */
            }
            GP(batch_to_aff)(aff, jac, 2 * (b1 - b0));
            for (size_t b = b0; b < b1; b++) {
                const size_t j = b % m, s = (b / m) * 2 * m + j;
                a[s] = aff[2 * (b - b0)];
                a[s + m] = aff[2 * (b - b0) + 1];
            }
        }
        free(jac);
        free(aff);
    }
    return fail ? ZKCX_ERR_NOMEM : ZKCX_OK;
}

/* out_i = [k] p_i for one canonical scalar k, in chunks converted back with one
 * inversion each. out may alias p. */
static int GP(mul_all_run)(AFF_T *out, const AFF_T *p, const uint64_t k[4], size_t n, int nt) {
    const size_t nchunk = (n + FFT_CHUNK - 1) / FFT_CHUNK;
    const int ntc = nchunk >= 2 ? nt : 1;
    (void)ntc;   /* only read by OpenMP */
    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(ntc) reduction(| : fail)
#endif
    {
        JAC_T *jac = malloc(FFT_CHUNK * sizeof *jac);
        if (!jac) fail |= 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (size_t c = 0; c < nchunk; c++) {
            if (!jac) continue;
            const size_t i0 = c * FFT_CHUNK, i1 = i0 + FFT_CHUNK < n ? i0 + FFT_CHUNK : n;
            for (size_t i = i0; i < i1; i++) GP(jac_mul)(&jac[i - i0], &p[i], k);
            GP(batch_to_aff)(&out[i0], jac, i1 - i0);
        }
        free(jac);
    }
    return fail ? ZKCX_ERR_NOMEM : ZKCX_OK;
}

static int GP(fft_run)(AFF_T *a, size_t n, int inverse) {
    const int log_n = ntt_log2(n);
    if (log_n < 0) return ZKCX_ERR_ARG;
    if (n == 1) return ZKCX_OK;    /* omega_1 = 1 and 1/n = 1 */
    const int nt = zkcx_runtime_threads();
    for (size_t i = 0; i < n; i++) {
        size_t r = fft_bit_rev(i, (unsigned)log_n);
        if (r > i) { AFF_T t = a[i]; a[i] = a[r]; a[r] = t; }
    }
    uint64_t *tw = malloc(n / 2 * 4 * sizeof *tw);
    if (!tw) return ZKCX_ERR_NOMEM;
    int status = ZKCX_OK;
    for (unsigned lm = 0; lm < (unsigned)log_n && status == ZKCX_OK; lm++) {
        const size_t m = (size_t)1 << lm;
        fft_twiddles(tw, lm + 1, m, inverse);
        status = GP(fft_stage)(a, n, m, tw, nt);
    }
    if (status == ZKCX_OK && inverse) {
        fr_t s;
        fft_inv_size(&s, (unsigned)log_n);
        status = GP(mul_all_run)(a, a, s.v, n, nt);
    }
    free(tw);
    return status;
}

#undef PF_CAT2
#undef PF_CAT
#undef GP
#undef AFF_T
#undef JAC_T
#undef CURVE
