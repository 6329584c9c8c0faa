/* SPDX-License-Identifier: MIT */
/*
 * Fixed-base tables of point vectors, for msm.c's zkcx_g?_msm_tables.
 *
 * A proving key's H points are the bases of an MSM with fresh full-size scalars in every
 * proof. With tables T[i][j] = [2^(c j)] P_i for the windows j < K = ceil(255/c) of a
 * folded scalar (msm.c), sum_i [k_i] P_i = sum_i sum_j [d_ij] T[i][j]: every window's
 * digit goes into one set of 2^(c-1) buckets, so there is one bucket reduction instead
 * of K and no doubling, and c can be larger than a per-window MSM affords. The tables
 * cost K points of memory a base and K - 1 runs of c doublings to build: eight bases at
 * a time on the IFMA kernel (point_fft_ifma.c's Jacobian lanes), one at a time on the
 * portable one, then one inversion per block of bases to make them affine.
 */
#include <stdlib.h>
#include <string.h>
#include "msm.h"
#include "point_fft.h"
#include "runtime.h"
#include "../include/zkcx.h"

/* Points per block: its K - 1 doubled points a base are made affine with one inversion. */
enum { TB_BLOCK = 64 };

static int tables_run(const msm_curve_t *cv, unsigned char *tables, const unsigned char *pts,
                      size_t n, unsigned c) {
    const unsigned k = zkcx_msm_tables_count(c);
    if (k == 0) return ZKCX_ERR_ARG;
    if (n == 0) return ZKCX_OK;
    if (n > SIZE_MAX / 8192) return ZKCX_ERR_NOMEM;
    const size_t psz = cv->psz, jsz = cv->jsz, steps = k - 1;
    const int nt = zkcx_runtime_threads(), ifma = zkcx_runtime_use_ifma();
    const size_t nblock = (n + TB_BLOCK - 1) / TB_BLOCK;
    const int ntb = nblock >= 2 ? nt : 1;
    (void)ntb;   /* only read by OpenMP */
    _Alignas(64) static const unsigned char zero[sizeof(g2_aff_t)];
    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(ntb) reduction(| : fail)
#endif
    {
        unsigned char *jac = msm_alloc(TB_BLOCK * steps * jsz);
        unsigned char *aff = msm_alloc(TB_BLOCK * steps * psz);
        if (!jac || !aff) fail |= 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (size_t b = 0; b < nblock; b++) {
            if (!jac || !aff) continue;
            const size_t i0 = b * TB_BLOCK, m = n - i0 < TB_BLOCK ? n - i0 : TB_BLOCK;
            size_t done = 0;
            if (ifma && steps > 0) {
                /* eight lanes at a time; lanes past the block's end double the identity */
                for (; done < m; done += 8) {
                    const void *in[8];
                    for (size_t l = 0; l < 8; l++)
                        in[l] = done + l < m ? pts + (i0 + done + l) * psz : zero;
                    unsigned char *o = jac + done * steps * jsz;
                    if (cv == &msm_curve_g1)
                        pf_g1_dbl_chain8_ifma((g1_jac_t *)(void *)o, steps,
                                              (const g1_aff_t *const *)in, c, (unsigned)steps);
                    else
                        pf_g2_dbl_chain8_ifma((g2_jac_t *)(void *)o, steps,
                                              (const g2_aff_t *const *)in, c, (unsigned)steps);
                }
                done = m;
            }
            for (size_t l = done; l < m; l++) {
                unsigned char *o = jac + l * steps * jsz;
                for (size_t j = 0; j < steps; j++) {
                    unsigned char *dst = o + j * jsz;
                    if (j == 0) cv->jac_from_aff(dst, pts + (i0 + l) * psz);
                    else memcpy(dst, dst - jsz, jsz);
                    for (unsigned d = 0; d < c; d++) cv->jac_dbl(dst, dst);
                }
            }
            cv->batch_to_aff(aff, jac, m * steps);
            for (size_t l = 0; l < m; l++) {
                unsigned char *row = tables + (i0 + l) * k * psz;
                memcpy(row, pts + (i0 + l) * psz, psz);
                memcpy(row + psz, aff + l * steps * psz, steps * psz);
            }
        }
        free(jac);
        free(aff);
    }
    return fail ? ZKCX_ERR_NOMEM : ZKCX_OK;
}

int zkcx_g1_msm_tables_build(uint64_t *tables, const uint64_t *points, size_t n, unsigned c) {
    return tables_run(&msm_curve_g1, (unsigned char *)tables, (const unsigned char *)points, n, c);
}

int zkcx_g2_msm_tables_build(uint64_t *tables, const uint64_t *points, size_t n, unsigned c) {
    return tables_run(&msm_curve_g2, (unsigned char *)tables, (const unsigned char *)points, n, c);
}
