/* SPDX-License-Identifier: MIT */
/*
 * The number-theoretic transform over a group, G1 or G2 points instead of Fr elements
 * (zkcx_g1_fft, zkcx_g2_fft), and one scalar times many points (zkcx_g?_mul_all).
 *
 * For points P_0 .. P_(n-1), n = 2^k <= 2^28, and snarkjs's root
 * omega = omega_n = 5^((r-1)/n) (ntt.h, the root of zkcx_fr_ntt):
 *   forward   Q_i = sum_j [omega^(ij)] P_j
 *   inverse   Q_i = sum_j [n^-1 omega^(-ij)] P_j
 * natural order in and out, the identity allowed anywhere. A prepared ptau's Lagrange
 * block of size M is the inverse transform of its first M monomial points [tau^j] G:
 * sum_j [M^-1 omega_M^(-ij) tau^j] G = [L_i(tau)] G.
 *
 * Algorithm: the bit-reversal permutation, then decimation in time (Cooley-Tukey)
 * stage by stage: stage lm pairs x = a[s], y = a[s + m], m = 2^lm, s mod 2m < m, and
 * writes x + [w] y, x - [w] y with w = omega_2m^(s mod m) (omega_2m = omega^(n / 2m);
 * the inverse uses the inverse roots). Points stay affine between stages: a stage
 * computes its products and sums in Jacobian coordinates and converts them back with
 * one inversion per chunk (Montgomery's trick). Butterflies with w = 1 skip the
 * multiplication. The inverse's 1/n is one more multiplication of every point.
 */
#include <stdlib.h>
#include <string.h>
#include "g1.h"
#include "g2.h"
#include "msm.h"
#include "ntt.h"
#include "point_fft.h"
#include "runtime.h"
#include "../include/zkcx.h"

/* Butterflies per work item: their Jacobian results convert to affine together. */
#define FFT_CHUNK 256

/* The low `bits` bits of i in reverse order. */
static size_t fft_bit_rev(size_t i, unsigned bits) {
    size_t r = 0;
    for (unsigned b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    return r;
}

/* tw[j] = omega_(2^log_2m)^(+-j) as canonical limbs, j < m (the inverse root when
 * inverse). */
static void fft_twiddles(uint64_t *tw, unsigned log_2m, size_t m, int inverse) {
    fr_t w, x;
    ntt_root_of_unity(&w, log_2m);
    if (inverse) fr_inv(&w, &w);
    fr_set_one(&x);
    for (size_t j = 0; j < m; j++) {
        fr_t c;
        fr_from_mont(&c, &x);
        memcpy(tw + 4 * j, c.v, 32);
        fr_mul(&x, &x, &w);
    }
}

/* 2^-log_n as canonical limbs. */
static void fft_inv_size(fr_t *out, unsigned log_n) {
    fr_t s = fr_one;
    for (unsigned i = 0; i < log_n; i++) fr_add(&s, &s, &s);
    fr_inv(&s, &s);
    fr_from_mont(out, &s);
}

#define CURVE g2
#include "point_fft_law.h"

/* ---- G1: GLV digits, tables built by batch-affine additions, the IFMA kernel ---------- */

int pf_g1_digits(pf_g1_digits_t *out, const uint64_t k[4]) {
    fq_t k1, k2;
    int n1, n2;
    if (!g1_glv_split(k, &k1, &n1, &k2, &n2)) return 0;
    for (unsigned w = 0; w < PF_G1_WINDOWS; w++) {
        const int32_t a = msm_digit(k1.v, w, 4), b = msm_digit(k2.v, w, 4);
        out->d1[w] = (int8_t)(n1 ? -a : a);
        out->d2[w] = (int8_t)(n2 ? -b : b);
    }
    return 1;
}

/* Per-thread scratch of the G1 products of up to FFT_CHUNK points. */
typedef struct {
    g1_aff_t *tab;             /* PF_G1_TABLE per point */
    g1_jac_t *jac;
    g1_aff_t *aff, *tmp;
    msm_ptr_t *pa, *pb;
    void **po;
    size_t *idx;
    void *batch;
} g1_scratch_t;

static void g1_scratch_free(g1_scratch_t *S) {
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

static int g1_scratch_alloc(g1_scratch_t *S) {
    S->tab = msm_alloc(FFT_CHUNK * PF_G1_TABLE * sizeof *S->tab);
    S->jac = msm_alloc(FFT_CHUNK * sizeof *S->jac);
    S->aff = msm_alloc(FFT_CHUNK * sizeof *S->aff);
    S->tmp = msm_alloc(FFT_CHUNK * sizeof *S->tmp);
    S->pa = malloc(FFT_CHUNK * sizeof *S->pa);
    S->pb = malloc(FFT_CHUNK * sizeof *S->pb);
    S->po = malloc(FFT_CHUNK * sizeof *S->po);
    S->idx = malloc(FFT_CHUNK * sizeof *S->idx);
    S->batch = msm_zalloc(msm_g1_batch_scratch(FFT_CHUNK));
    if (S->tab && S->jac && S->aff && S->tmp && S->pa && S->pb && S->po && S->idx && S->batch)
        return 1;
    g1_scratch_free(S);
    return 0;
}

/*
 * S->jac[i] = [k_i] p[i] for i < cnt <= FFT_CHUNK, where k_i is the canonical scalar
 * k[i] with digits dig[i] (NULL: multiply by 1). Identity points and scalars 1 are
 * copied; the rest run through the IFMA kernel eight at a time after their tables
 * y, 2y, ..., 8y are built with batch-affine additions (one inversion per row of the
 * whole chunk), or through g1_jac_mul without IFMA.
 */
static void g1_mul_list(g1_scratch_t *S, const g1_aff_t *const *p, const uint64_t *const *k,
                        const pf_g1_digits_t *const *dig, size_t cnt, int ifma) {
    size_t m = 0;
    for (size_t i = 0; i < cnt; i++) {
        if (!dig[i] || g1_aff_is_identity(p[i])) g1_jac_from_aff(&S->jac[i], p[i]);
        else if (!ifma) g1_jac_mul(&S->jac[i], p[i], k[i]);
        else S->idx[m++] = i;
    }
    if (m == 0) return;
    g1_aff_t *tab = S->tab;
    for (size_t q = 0; q < m; q++) tab[q * PF_G1_TABLE] = *p[S->idx[q]];
    for (size_t row = 1; row < PF_G1_TABLE; row++) {
        /* row r holds (r + 1) y: r y + y (r = 1: the doubling y + y) */
        for (size_t q = 0; q < m; q++) {
            g1_aff_t *t = tab + q * PF_G1_TABLE;
            S->pa[q] = (msm_ptr_t)&t[row - 1];
            S->pb[q] = (msm_ptr_t)&t[0];
            S->po[q] = &t[row];
        }
        msm_g1_batch_add((g1_aff_t *const *)S->po, S->pa, S->pb, m, S->batch, ifma);
    }
    for (size_t q0 = 0; q0 < m; q0 += 8) {
        const g1_aff_t *lt[8];
        const pf_g1_digits_t *ld[8];
        for (int l = 0; l < 8; l++) {
            const size_t q = q0 + (size_t)l < m ? q0 + (size_t)l : m - 1;
            lt[l] = tab + q * PF_G1_TABLE;
            ld[l] = dig[S->idx[q]];
        }
        _Alignas(64) g1_jac_t res[8];
        const unsigned bad = pf_g1_mul8_ifma(res, lt, ld);
        for (int l = 0; l < 8 && q0 + (size_t)l < m; l++) {
            const size_t i = S->idx[q0 + (size_t)l];
            if ((bad >> l) & 1) g1_jac_mul(&S->jac[i], p[i], k[i]);
            else S->jac[i] = res[l];
        }
    }
}

/* The DIT stage of span m (see the top of the file) on G1: per chunk of butterflies,
 * the products t = [w] y (g1_mul_list), t to affine with one inversion, then
 * x - t and x + t as two batch-affine additions. w = omega_2m^j is twiddle j * stride
 * of the top stage's tables tw, dig. */
static int g1_fft_stage(g1_aff_t *a, size_t n, size_t m, const uint64_t *tw,
                        const pf_g1_digits_t *dig, size_t stride, int nt, int ifma) {
    const size_t nb = n / 2, nchunk = (nb + FFT_CHUNK - 1) / FFT_CHUNK;
    const int ntc = nchunk >= 2 ? nt : 1;
    (void)ntc;   /* only read by OpenMP */
    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(ntc) reduction(| : fail)
#endif
    {
        g1_scratch_t S;
        const int ok = g1_scratch_alloc(&S);
        if (!ok) fail |= 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (size_t c = 0; c < nchunk; c++) {
            if (!ok) continue;
            const size_t b0 = c * FFT_CHUNK, cnt = (b0 + FFT_CHUNK < nb ? FFT_CHUNK : nb - b0);
            const g1_aff_t *py[FFT_CHUNK];
            const uint64_t *pk[FFT_CHUNK];
            const pf_g1_digits_t *pd[FFT_CHUNK];
            for (size_t i = 0; i < cnt; i++) {
                const size_t b = b0 + i, j = b % m, s = (b / m) * 2 * m + j;
                py[i] = &a[s + m];
                pk[i] = tw + 4 * j * stride;
                pd[i] = j ? &dig[j * stride] : NULL;
            }
            g1_mul_list(&S, py, pk, pd, cnt, ifma);
            g1_batch_to_aff(S.aff, S.jac, cnt);
            for (size_t i = 0; i < cnt; i++) {
                const size_t b = b0 + i, j = b % m, s = (b / m) * 2 * m + j;
                S.pa[i] = (msm_ptr_t)&a[s];
                S.pb[i] = (msm_ptr_t)&S.aff[i] | MSM_NEG;
                S.po[i] = &S.tmp[i];
            }
            msm_g1_batch_add((g1_aff_t *const *)S.po, S.pa, S.pb, cnt, S.batch, ifma);
            for (size_t i = 0; i < cnt; i++) {
                S.pb[i] = (msm_ptr_t)&S.aff[i];
                S.po[i] = (void *)S.pa[i];
            }
            msm_g1_batch_add((g1_aff_t *const *)S.po, S.pa, S.pb, cnt, S.batch, ifma);
            for (size_t i = 0; i < cnt; i++) {
                const size_t b = b0 + i, j = b % m, s = (b / m) * 2 * m + j;
                a[s + m] = S.tmp[i];
            }
        }
        if (ok) g1_scratch_free(&S);
    }
    return fail ? ZKCX_ERR_NOMEM : ZKCX_OK;
}

/* out_i = [k] p_i on G1, one digit table for all points. out may alias p. */
static int g1_mul_all_fast(g1_aff_t *out, const g1_aff_t *p, const uint64_t k[4], size_t n,
                           int nt, int ifma) {
    pf_g1_digits_t d;
    const int have = pf_g1_digits(&d, k);
    const size_t nchunk = (n + FFT_CHUNK - 1) / FFT_CHUNK;
    const int ntc = nchunk >= 2 ? nt : 1;
    (void)ntc;   /* only read by OpenMP */
    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(ntc) reduction(| : fail)
#endif
    {
        g1_scratch_t S;
        const int ok = g1_scratch_alloc(&S);
        if (!ok) fail |= 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (size_t c = 0; c < nchunk; c++) {
            if (!ok) continue;
            const size_t i0 = c * FFT_CHUNK, cnt = (i0 + FFT_CHUNK < n ? FFT_CHUNK : n - i0);
            const g1_aff_t *py[FFT_CHUNK];
            const uint64_t *pk[FFT_CHUNK];
            const pf_g1_digits_t *pd[FFT_CHUNK];
            for (size_t i = 0; i < cnt; i++) {
                py[i] = &p[i0 + i];
                pk[i] = k;
                pd[i] = &d;
            }
            g1_mul_list(&S, py, pk, pd, cnt, ifma && have);
            g1_batch_to_aff(&out[i0], S.jac, cnt);
        }
        if (ok) g1_scratch_free(&S);
    }
    return fail ? ZKCX_ERR_NOMEM : ZKCX_OK;
}

static int g1_fft_fast(g1_aff_t *a, size_t n, int inverse) {
    const int log_n = ntt_log2(n);
    if (log_n < 0) return ZKCX_ERR_ARG;
    if (n == 1) return ZKCX_OK;
    const int nt = zkcx_runtime_threads(), ifma = zkcx_runtime_use_ifma();
    for (size_t i = 0; i < n; i++) {
        size_t r = fft_bit_rev(i, (unsigned)log_n);
        if (r > i) { g1_aff_t t = a[i]; a[i] = a[r]; a[r] = t; }
    }
    /* the top stage's twiddles omega^(+-j), j < n/2; stage m uses every (n/2m)-th */
    const size_t half = n / 2;
    uint64_t *tw = malloc(half * 32);
    pf_g1_digits_t *dig = malloc(half * sizeof *dig);
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
        if (!pf_g1_digits(&dig[j], tw + 4 * j)) memset(&dig[j], 0, sizeof dig[j]);
    }
    int status = ZKCX_OK;
    for (unsigned lm = 0; lm < (unsigned)log_n && status == ZKCX_OK; lm++) {
        const size_t m = (size_t)1 << lm;
        status = g1_fft_stage(a, n, m, tw, dig, half / m, nt, ifma);
    }
    free(tw);
    free(dig);
    if (status == ZKCX_OK && inverse) {
        fr_t s;
        fft_inv_size(&s, (unsigned)log_n);
        status = g1_mul_all_fast(a, a, s.v, n, nt, ifma);
    }
    return status;
}

/* ---- exports ------------------------------------------------------------------------- */

int zkcx_g1_fft(uint64_t *points, size_t n, int inverse) {
    return g1_fft_fast((g1_aff_t *)(void *)points, n, inverse);
}

int zkcx_g2_fft(uint64_t *points, size_t n, int inverse) {
    return g2_fft_run((g2_aff_t *)(void *)points, n, inverse);
}

/* The scalar in Montgomery form (an Fr's storage), any reduced value. */
static int mul_all_scalar(uint64_t k[4], const uint64_t *scalar) {
    fr_t s;
    memcpy(s.v, scalar, 32);
    if (fr_u256_geq(s.v, fr_modulus.v)) return 0;
    fr_from_mont(&s, &s);
    memcpy(k, s.v, 32);
    return 1;
}

int zkcx_g1_mul_all(uint64_t *out, const uint64_t *points, const uint64_t *scalar, size_t n) {
    uint64_t k[4];
    if (!mul_all_scalar(k, scalar)) return ZKCX_ERR_ARG;
    return g1_mul_all_fast((g1_aff_t *)(void *)out, (const g1_aff_t *)(const void *)points, k,
                           n, zkcx_runtime_threads(), zkcx_runtime_use_ifma());
}

int zkcx_g2_mul_all(uint64_t *out, const uint64_t *points, const uint64_t *scalar, size_t n) {
    uint64_t k[4];
    if (!mul_all_scalar(k, scalar)) return ZKCX_ERR_ARG;
    return g2_mul_all_run((g2_aff_t *)(void *)out, (const g2_aff_t *)(const void *)points, k,
                          n, zkcx_runtime_threads());
}
