/* SPDX-License-Identifier: MIT */
/*
 * Sparse matrix times point vector: out[w] = sum_{t in [start[w], start[w+1])}
 * [coef[t]] points[index[t]], for G1 and G2 (zkcx_g1_sparse_sum, zkcx_g2_sparse_sum).
 * This is the work of a Groth16 key made from a prepared powers-of-tau file: each of
 * the key's points is a combination of a few Lagrange-basis points, weighted by the
 * circuit's coefficients (one term per nonzero of the constraint matrices).
 *
 * Circuit coefficients are mostly tiny in absolute value (circom writes 1, -1, small
 * constants; -1 is r - 1), so each term is classified: a coefficient k with |k| < 2^48
 * (k or r - k below 2^48) is a short double-and-add chain over its bits (one mixed
 * addition for +-1), any other a windowed GLV scalar multiplication (g?_jac_mul).
 * Outputs are accumulated in Jacobian coordinates, threads take blocks of outputs
 * (dynamic schedule: a wire may have many terms), and each block returns to affine
 * with one inversion. An output with many terms (the constant-one wire of a circuit
 * with large constants has one per constraint) is instead a Pippenger MSM over its
 * terms, gathered: the MSM threads itself.
 */
#include <stdlib.h>
#include <string.h>
#include "msm.h"
#include "runtime.h"
#include "../include/zkcx.h"

/* Outputs per block (one batched conversion to affine each). */
enum { SPARSE_BLOCK = 64 };
/* Coefficients of magnitude below 2^SPARSE_SMALL_BITS take the double-and-add chain. */
#define SPARSE_SMALL_BITS 48
/* Outputs with at least this many terms are one MSM each. */
#define SPARSE_MSM_MIN 256

typedef int (*sparse_msm_fn)(uint64_t *out, const uint64_t *points, const uint64_t *scalars,
                             size_t n);

/* r - k for a canonical k (0 < k < r). */
static void sparse_negate(uint64_t out[4], const uint64_t k[4]) {
    memcpy(out, fr_modulus.v, 32);
    fr_u256_sub(out, k);
}

static int sparse_is_small(const uint64_t k[4]) {
    return k[1] == 0 && k[2] == 0 && k[3] == 0 && (k[0] >> SPARSE_SMALL_BITS) == 0;
}

/* acc += [k] p for a small positive k (k < 2^48), p affine. tmp: Jacobian scratch. */
static void sparse_add_small(const msm_curve_t *cv, void *acc, const void *p, uint64_t k,
                             void *tmp) {
    if (k == 0) return;
    if (k == 1) { cv->jac_add_aff(acc, acc, p); return; }
    int top = 63 - __builtin_clzll(k);
    cv->jac_from_aff(tmp, p);
    for (int b = top - 1; b >= 0; b--) {
        cv->jac_dbl(tmp, tmp);
        if ((k >> b) & 1) cv->jac_add_aff(tmp, tmp, p);
    }
    cv->jac_add(acc, acc, tmp);
}

/* out[w] = the MSM of row w's terms, gathered (a row with many terms). */
static int sparse_heavy(const msm_curve_t *cv, sparse_msm_fn msm, uint64_t *out,
                        const int64_t *index, const uint64_t *coef, int64_t t0, int64_t t1,
                        const unsigned char *pin) {
    const size_t n = (size_t)(t1 - t0), words = cv->psz / 8;
    uint64_t *pts = msm_alloc(n * cv->psz), *sc = malloc(n * 32);
    if (!pts || !sc) {
        free(pts);
        free(sc);
        return ZKCX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        memcpy(pts + i * words, pin + (size_t)index[t0 + (int64_t)i] * cv->psz, cv->psz);
    memcpy(sc, coef + 4 * (size_t)t0, n * 32);
    int rc = msm(out, pts, sc, n);
    free(pts);
    free(sc);
    return rc;
}

static int sparse_run(const msm_curve_t *cv, sparse_msm_fn msm, uint64_t *out,
                      const int64_t *start, const int64_t *index, const uint64_t *coef,
                      size_t n_out, const uint64_t *points) {
    if (n_out == 0) return ZKCX_OK;
    const size_t n_terms = (size_t)start[n_out];
    const int nt = zkcx_runtime_threads(), ifma = zkcx_runtime_use_ifma();
    uint64_t *k = NULL;
    if (n_terms) {
        if (n_terms > SIZE_MAX / 32) return ZKCX_ERR_NOMEM;
        k = malloc(n_terms * 32);
        if (!k) return ZKCX_ERR_NOMEM;
        msm_scalars_from_mont(k, coef, n_terms, nt, ifma);
    }
    const size_t nblock = (n_out + SPARSE_BLOCK - 1) / SPARSE_BLOCK;
    const int ntb = n_terms >= 256 && nblock >= 2 ? nt : 1;
    (void)ntb;   /* only read by OpenMP */
    const unsigned char *pin = (const unsigned char *)points;
    unsigned char *pout = (unsigned char *)out;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(ntb)
#endif
    for (size_t b = 0; b < nblock; b++) {
        _Alignas(64) unsigned char jac[SPARSE_BLOCK * sizeof(g2_jac_t)];
        _Alignas(64) unsigned char tmp[sizeof(g2_jac_t)], neg[sizeof(g2_aff_t)];
        const size_t w0 = b * SPARSE_BLOCK;
        const size_t m = n_out - w0 < SPARSE_BLOCK ? n_out - w0 : SPARSE_BLOCK;
        for (size_t i = 0; i < m; i++) {
            void *acc = jac + i * cv->jsz;
            cv->jac_id(acc);
            if (start[w0 + i + 1] - start[w0 + i] >= SPARSE_MSM_MIN) continue;  /* below */
            for (int64_t t = start[w0 + i]; t < start[w0 + i + 1]; t++) {
                const void *p = pin + (size_t)index[t] * cv->psz;
                const uint64_t *kt = k + 4 * (size_t)t;
                uint64_t kn[4];
                if (sparse_is_small(kt)) {
                    sparse_add_small(cv, acc, p, kt[0], tmp);
                    continue;
                }
                sparse_negate(kn, kt);
                if (sparse_is_small(kn)) {
                    cv->neg(neg, p);
                    sparse_add_small(cv, acc, neg, kn[0], tmp);
                    continue;
                }
                cv->jac_mul(tmp, p, kt);
                cv->jac_add(acc, acc, tmp);
            }
        }
        cv->batch_to_aff(pout + w0 * cv->psz, jac, m);
    }
    free(k);
    for (size_t w = 0; w < n_out; w++) {
        if (start[w + 1] - start[w] < SPARSE_MSM_MIN) continue;
        int rc = sparse_heavy(cv, msm, out + w * (cv->psz / 8), index, coef, start[w],
                              start[w + 1], pin);
        if (rc != ZKCX_OK) return rc;
    }
    return ZKCX_OK;
}

int zkcx_g1_sparse_sum(uint64_t *out, const int64_t *start, const int64_t *index,
                       const uint64_t *coef, size_t n_out, const uint64_t *points) {
    return sparse_run(&msm_curve_g1, zkcx_g1_msm, out, start, index, coef, n_out, points);
}

int zkcx_g2_sparse_sum(uint64_t *out, const int64_t *start, const int64_t *index,
                       const uint64_t *coef, size_t n_out, const uint64_t *points) {
    return sparse_run(&msm_curve_g2, zkcx_g2_msm, out, start, index, coef, n_out, points);
}
