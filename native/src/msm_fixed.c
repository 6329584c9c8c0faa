/* SPDX-License-Identifier: MIT */
/*
 * Fixed-base batch multiplication out_i = [s_i] B (zkcx_g1_fixed_base_mul,
 * zkcx_g2_fixed_base_mul), the work of key generation (Groth16 setup multiplies one
 * generator by millions of scalars).
 *
 * Fixed-base windowing (Hankerson, Menezes, Vanstone, "Guide to Elliptic Curve
 * Cryptography", sec. 3.3.2) with the signed digits of msm.h and one table row per
 * window position, so that no doubling is left: with w-bit windows,
 * k = sum_j d_j 2^(w j) and |d_j| <= 2^(w-1), so [k] B = sum_j [d_j] (2^(w j) B).
 * A table holds T[j][d - 1] = [d 2^(w j)] B for d = 1 .. 2^(w-1), affine; a negative
 * digit uses -T (a tagged reference, msm.h).
 * Then every output costs ceil(255 / w) table additions and no doubling.
 *
 * All outputs advance together: for each window j, out_i += +-T[j][|d_ij| - 1] is a
 * batch of independent affine additions (msm.h), one inversion for a chunk of outputs.
 * The table is built the same way: T[j][k .. 2k-1] = T[j][k - 1] + T[j][0 .. k-1] for
 * k = 1, 2, 4, ..., one batch per k for all windows.
 */
#include <stdlib.h>
#include <string.h>
#include "msm.h"
#include "runtime.h"
#include "../include/zkcx.h"

/* Up to this many outputs, single scalar multiplications beat building a table (at
 * least ~100 small batches; measured when this was written). */
#define FB_NAIVE_MAX 4
/* Outputs advanced together per batch (the batch stays in L1/L2 with its table rows). */
#define FB_CHUNK 2048
/* Pairs per batch while building the table. */
#define FB_TABLE_BATCH 4096

/* Window width for n outputs: ceil(255/w) additions per output plus a table of
 * ceil(255/w) 2^(w-1) points, each costing about one addition and memory traffic in the
 * main loop; w <= 14 keeps a window's table row (<= 0.5 MB for G1) in L2. */
static unsigned fb_window(size_t n) {
    unsigned best = 2;
    double best_cost = 0;
    for (unsigned w = 2; w <= 14; w++) {
        double nw = (double)((255 + w - 1) / w);
        double cost = nw * ((double)n + 2.0 * (double)((size_t)1 << (w - 1)));
        if (w == 2 || cost < best_cost) { best = w; best_cost = cost; }
    }
    return best;
}

/* table[j * half + d - 1] = [d 2^(w j)] base for j < nwin, d = 1 .. half = 2^(w-1). */
static int fb_table(const msm_curve_t *cv, unsigned char *table, const void *base, unsigned w,
                    unsigned nwin, int nt, int ifma) {
    const size_t psz = cv->psz, half = (size_t)1 << (w - 1);
    /* the window bases 2^(w j) B: doublings in Jacobian coordinates, one inversion */
    unsigned char *jac = malloc((size_t)nwin * cv->jsz), *aff = malloc((size_t)nwin * psz);
    if (!jac || !aff) {
        free(jac);
        free(aff);
        return -1;
    }
    cv->jac_from_aff(jac, base);
    for (unsigned j = 1; j < nwin; j++) {
        unsigned char *q = jac + (size_t)j * cv->jsz;
        memcpy(q, q - cv->jsz, cv->jsz);
        for (unsigned t = 0; t < w; t++) cv->jac_dbl(q, q);
    }
    cv->batch_to_aff(aff, jac, nwin);
    for (unsigned j = 0; j < nwin; j++)
        memcpy(table + (size_t)j * half * psz, aff + (size_t)j * psz, psz);
    free(jac);
    free(aff);

    /* the multiples: rows [k, 2k) from rows [0, k), all windows in one pass per k */
    int fail = 0;
    for (size_t k = 1; k < half; k *= 2) {
        const size_t npairs = (size_t)nwin * k;
        const int ntk = npairs >= 256 ? nt : 1;
        (void)ntk;   /* only read by OpenMP */
#ifdef _OPENMP
#pragma omp parallel num_threads(ntk) reduction(| : fail)
#endif
        {
            msm_ptr_t *pa = malloc(FB_TABLE_BATCH * sizeof *pa);
            msm_ptr_t *pb = malloc(FB_TABLE_BATCH * sizeof *pb);
            void **po = malloc(FB_TABLE_BATCH * sizeof *po);
            void *scr = msm_zalloc(cv->scratch(FB_TABLE_BATCH));
            const int ok = pa && pb && po && scr;
            if (!ok) fail |= 1;
            const size_t nb = (npairs + FB_TABLE_BATCH - 1) / FB_TABLE_BATCH;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (size_t bi = 0; bi < nb; bi++) {
                if (!ok) continue;
                size_t p0 = bi * FB_TABLE_BATCH, p1 = p0 + FB_TABLE_BATCH;
                if (p1 > npairs) p1 = npairs;
                for (size_t p = p0; p < p1; p++) {
                    size_t j = p / k, i = p % k;
                    unsigned char *row = table + j * half * psz;
                    pa[p - p0] = (msm_ptr_t)(row + (k - 1) * psz);   /* [k] Q_j */
                    pb[p - p0] = (msm_ptr_t)(row + i * psz);         /* [i + 1] Q_j */
                    po[p - p0] = row + (k + i) * psz;                /* [k + i + 1] Q_j */
                }
                cv->batch(po, pa, pb, p1 - p0, scr, ifma);
            }
            free(pa);
            free(pb);
            free(po);
            free(scr);
        }
        if (fail) return -1;
    }
    return 0;
}

static int fb_run(const msm_curve_t *cv, uint64_t *out, const uint64_t *base_in,
                  const uint64_t *scalars, size_t n) {
    const size_t psz = cv->psz;
    if (n == 0) return ZKCX_OK;
    if (n > SIZE_MAX / 256) return ZKCX_ERR_NOMEM;
    _Alignas(64) unsigned char base[sizeof(g2_aff_t)];
    memcpy(base, base_in, psz);                 /* out may alias the base */
    const int nt = zkcx_runtime_threads(), ifma = zkcx_runtime_use_ifma();
    uint64_t *k = malloc(n * 32);
    if (!k) return ZKCX_ERR_NOMEM;
    msm_scalars_from_mont(k, scalars, n, nt, ifma);   /* before out is written: may alias */
    if (cv->is_id(base)) {
        memset(out, 0, n * psz);
        free(k);
        return ZKCX_OK;
    }
    if (n <= FB_NAIVE_MAX) {
        _Alignas(64) unsigned char jac[FB_NAIVE_MAX * sizeof(g2_jac_t)];
        for (size_t i = 0; i < n; i++) cv->jac_mul(jac + i * cv->jsz, base, k + 4 * i);
        cv->batch_to_aff(out, jac, n);
        free(k);
        return ZKCX_OK;
    }
    const unsigned w = fb_window(n), nwin = (255 + w - 1) / w;
    const size_t half = (size_t)1 << (w - 1);
    unsigned char *table = msm_zalloc((size_t)nwin * half * psz);
    if (!table || fb_table(cv, table, base, w, nwin, nt, ifma) != 0) {
        free(table);
        free(k);
        return ZKCX_ERR_NOMEM;
    }

    unsigned char *acc = (unsigned char *)out;  /* the outputs accumulate in place */
    const size_t nchunk = (n + FB_CHUNK - 1) / FB_CHUNK;
    const int ntc = nchunk >= 2 ? nt : 1;
    (void)ntc;   /* only read by OpenMP */
    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(ntc) reduction(| : fail)
#endif
    {
        msm_ptr_t *pa = malloc(FB_CHUNK * sizeof *pa), *pb = malloc(FB_CHUNK * sizeof *pb);
        void **po = malloc(FB_CHUNK * sizeof *po);
        void *scr = msm_zalloc(cv->scratch(FB_CHUNK));
        const int ok = pa && pb && po && scr;
        if (!ok) fail |= 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (size_t c = 0; c < nchunk; c++) {
            if (!ok) continue;
            const size_t i0 = c * FB_CHUNK, i1 = i0 + FB_CHUNK < n ? i0 + FB_CHUNK : n;
            memset(acc + i0 * psz, 0, (i1 - i0) * psz);
            for (unsigned j = 0; j < nwin; j++) {
                const unsigned char *row = table + (size_t)j * half * psz;
                size_t m = 0;
                for (size_t i = i0; i < i1; i++) {
                    int32_t d = msm_digit(k + 4 * i, j, w);
                    if (d == 0) continue;
                    msm_ptr_t t = (msm_ptr_t)(row + (size_t)((d < 0 ? -d : d) - 1) * psz) |
                                  (d < 0 ? MSM_NEG : 0);
                    unsigned char *o = acc + i * psz;
                    if (cv->is_id(o)) {
                        /* first digit (or an exact cancellation so far): copy */
                        memcpy(o, MSM_ADDR(t), psz);
                        if (t & MSM_NEG) cv->neg(o, o);
                        continue;
                    }
                    pa[m] = (msm_ptr_t)o;
                    pb[m] = t;
                    po[m] = o;
                    m++;
                }
                cv->batch(po, pa, pb, m, scr, ifma);
            }
        }
        free(pa);
        free(pb);
        free(po);
        free(scr);
    }
    free(table);
    free(k);
    return fail ? ZKCX_ERR_NOMEM : ZKCX_OK;
}

int zkcx_g1_fixed_base_mul(uint64_t *out, const uint64_t *base, const uint64_t *scalars, size_t n) {
    return fb_run(&msm_curve_g1, out, base, scalars, n);
}

int zkcx_g2_fixed_base_mul(uint64_t *out, const uint64_t *base, const uint64_t *scalars, size_t n) {
    return fb_run(&msm_curve_g2, out, base, scalars, n);
}

/* out_i = [s_i] P_i for every i (distinct points, distinct scalars): one windowed
 * scalar multiplication each, threads over i, then one batched conversion to affine
 * per block. Points are trusted (validated G1Vec/G2Vec storage); out may alias points
 * (each block reads its points before writing them back). */
enum { EACH_BLOCK = 64 };

static int each_run(const msm_curve_t *cv, uint64_t *out, const uint64_t *points,
                    const uint64_t *scalars, size_t n) {
    if (n == 0) return ZKCX_OK;
    if (n > SIZE_MAX / 64) return ZKCX_ERR_NOMEM;
    const int nt = zkcx_runtime_threads(), ifma = zkcx_runtime_use_ifma();
    uint64_t *k = malloc(n * 32);
    if (!k) return ZKCX_ERR_NOMEM;
    msm_scalars_from_mont(k, scalars, n, nt, ifma);
    const size_t nblock = (n + EACH_BLOCK - 1) / EACH_BLOCK;
    const int ntb = nblock >= 2 ? nt : 1;
    (void)ntb;   /* only read by OpenMP */
    const unsigned char *pin = (const unsigned char *)points;
    unsigned char *pout = (unsigned char *)out;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(ntb)
#endif
    for (size_t b = 0; b < nblock; b++) {
        _Alignas(64) unsigned char jac[EACH_BLOCK * sizeof(g2_jac_t)];
        const size_t i0 = b * EACH_BLOCK, m = n - i0 < EACH_BLOCK ? n - i0 : EACH_BLOCK;
        for (size_t i = 0; i < m; i++)
            cv->jac_mul(jac + i * cv->jsz, pin + (i0 + i) * cv->psz, k + 4 * (i0 + i));
        cv->batch_to_aff(pout + i0 * cv->psz, jac, m);
    }
    free(k);
    return ZKCX_OK;
}

int zkcx_g1_mul_each(uint64_t *out, const uint64_t *points, const uint64_t *scalars, size_t n) {
    return each_run(&msm_curve_g1, out, points, scalars, n);
}

int zkcx_g2_mul_each(uint64_t *out, const uint64_t *points, const uint64_t *scalars, size_t n) {
    return each_run(&msm_curve_g2, out, points, scalars, n);
}
