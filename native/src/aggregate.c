/* SPDX-License-Identifier: MIT */
/*
 * The GT and Fr vector operations of SnarkPack proof aggregation
 * (zkcx/groth16/aggregate.py): the verifier's multi-exponentiation in GT, the torus
 * compression of GT elements in an aggregate's bytes, and the division by (X - z) of
 * the KZG openings; and the prover's pairing products of vectors, whose G2 points are
 * shared between products (each point's Miller-loop lines are computed once).
 *
 * Every function works on caller-allocated arrays of the sizes its comment states;
 * the Python side checks lengths and ranges before calling (zkcx/_bindings.py).
 */
#include <stdlib.h>
#include <string.h>
#include "pairing.h"
#include "runtime.h"
#include "../include/zkcx.h"

/* ---- GT multi-exponentiation ------------------------------------------------------ */

enum { MULTI_POW_WINDOW = 4, MULTI_POW_TABLE = 1 << (MULTI_POW_WINDOW - 1) };

/* Signed width-4 windows of a 256-bit scalar, least significant first: digits in
 * {0, +-1, +-3, ..., +-7}; returns the number of digits (at most 257). */
static int signed_windows(int8_t *digits, const uint64_t *scalar) {
    uint64_t e[5] = {scalar[0], scalar[1], scalar[2], scalar[3], 0};
    int count = 0;
    while (e[0] | e[1] | e[2] | e[3] | e[4]) {
        int d = 0;
        if (e[0] & 1) {
            d = (int)(e[0] & 15);
            if (d >= 8) d -= 16;
            /* e -= d */
            if (d > 0) {
                uint64_t borrow = (uint64_t)d;
                for (int k = 0; k < 5 && borrow; k++) {
                    uint64_t before = e[k];
                    e[k] -= borrow;
                    borrow = e[k] > before;
                }
            } else {
                uint64_t carry = (uint64_t)(-d);
                for (int k = 0; k < 5 && carry; k++) {
                    e[k] += carry;
                    carry = e[k] < carry;
                }
            }
        }
        digits[count++] = (int8_t)d;
        for (int k = 0; k < 4; k++) e[k] = (e[k] >> 1) | (e[k + 1] << 63);
        e[4] >>= 1;
    }
    return count;
}

/* prod_{lo <= i < hi} base_i^scalar_i for cyclotomic bases (inverse = conjugate),
 * interleaved signed windows (Straus) sharing one chain of cyclotomic squarings.
 * Returns -1 when scratch memory cannot be allocated. */
static int multi_pow_range(fq12_t *out, const fq12_t *bases, const uint64_t *scalars,
                           size_t lo, size_t hi) {
    size_t n = hi - lo;
    fq12_set_one(out);
    if (n == 0) return 0;
    fq12_t *table = malloc(n * MULTI_POW_TABLE * sizeof(fq12_t));
    int8_t *digits = malloc(n * 260);
    int *lengths = malloc(n * sizeof(int));
    if (!table || !digits || !lengths) {
        free(table); free(digits); free(lengths);
        return -1;
    }
    int top = 0;
    for (size_t i = 0; i < n; i++) {
        fq12_t *t = table + i * MULTI_POW_TABLE;
        fq12_t sq;
        t[0] = bases[lo + i];
        fq12_cyclotomic_sqr(&sq, &t[0]);
        for (int k = 1; k < MULTI_POW_TABLE; k++) fq12_mul(&t[k], &t[k - 1], &sq);
        lengths[i] = signed_windows(digits + i * 260, scalars + 4 * (lo + i));
        if (lengths[i] > top) top = lengths[i];
    }
    fq12_t acc, inv;
    fq12_set_one(&acc);
    for (int b = top - 1; b >= 0; b--) {
        fq12_cyclotomic_sqr(&acc, &acc);
        for (size_t i = 0; i < n; i++) {
            if (b >= lengths[i]) continue;
            int d = digits[i * 260 + b];
            if (d > 0) {
                fq12_mul(&acc, &acc, &table[i * MULTI_POW_TABLE + (d - 1) / 2]);
            } else if (d < 0) {
                fq12_conj(&inv, &table[i * MULTI_POW_TABLE + (-d - 1) / 2]);
                fq12_mul(&acc, &acc, &inv);
            }
        }
    }
    *out = acc;
    free(table); free(digits); free(lengths);
    return 0;
}

int zkcx_gt_multi_pow(uint64_t *out, const uint64_t *bases, const uint64_t *scalars,
                      size_t n) {
    const fq12_t *b = (const fq12_t *)(const void *)bases;
    int nt = zkcx_runtime_threads();
    if (nt > 8) nt = 8;
    if (n < 16 || nt < 2) {
        fq12_t r;
        if (multi_pow_range(&r, b, scalars, 0, n) != 0) return ZKCX_ERR_NOMEM;
        memcpy(out, &r, sizeof r);
        return ZKCX_OK;
    }
    fq12_t part[8];
    int failed = 0;
    #pragma omp parallel for schedule(static) num_threads(nt) reduction(|:failed)
    for (int t = 0; t < nt; t++) {
        size_t lo = n * (size_t)t / (size_t)nt, hi = n * (size_t)(t + 1) / (size_t)nt;
        failed |= multi_pow_range(&part[t], b, scalars, lo, hi) != 0;
    }
    if (failed) return ZKCX_ERR_NOMEM;
    for (int t = 1; t < nt; t++) fq12_mul(&part[0], &part[0], &part[t]);
    memcpy(out, &part[0], sizeof part[0]);
    return ZKCX_OK;
}

/* ---- torus compression of GT -------------------------------------------------------
 * An element g = g0 + g1 w of norm 1 over Fq6 (GT is in that torus) other than +-1 is
 * (c + w) / (c - w) for the one c = (1 + g0) / g1 in Fq6; c = 0 stands for 1 (it would
 * decode to -1, which is not in GT). 24 words (six Fq) instead of 48. */

int zkcx_gt_compress(uint64_t *out, const uint64_t *in, size_t n) {
    for (size_t k = 0; k < n; k++) {
        const fq12_t *g = (const fq12_t *)(const void *)(in + 48 * k);
        fq6_t c, one, inv;
        if (fq12_is_one(g)) {
            memset(out + 24 * k, 0, 24 * sizeof(uint64_t));
            continue;
        }
        if (fq6_inv(&inv, &g->c1) != 0) return ZKCX_ERR_ARG;   /* +-1-like: not in GT */
        fq6_set_one(&one);
        fq6_add(&c, &g->c0, &one);
        fq6_mul(&c, &c, &inv);
        memcpy(out + 24 * k, &c, sizeof c);
    }
    return ZKCX_OK;
}

/* (c + w)/(c - w) = (c + w)^2 / (c^2 - v) = ((c^2 + v) + 2c w) / (c^2 - v). */
int zkcx_gt_decompress(uint64_t *out, const uint64_t *in, size_t n) {
    for (size_t k = 0; k < n; k++) {
        fq6_t c, c2, v, num0, num1, den;
        fq12_t g;
        memcpy(&c, in + 24 * k, sizeof c);
        if (fq6_is_zero(&c)) {
            fq12_set_one(&g);
        } else {
            fq6_set_zero(&v);
            fq2_set_one(&v.c1);                       /* v */
            fq6_sqr(&c2, &c);
            fq6_add(&num0, &c2, &v);
            fq6_dbl(&num1, &c);
            fq6_sub(&den, &c2, &v);
            if (fq6_inv(&den, &den) != 0) return ZKCX_ERR_ARG;   /* v is no square: never */
            fq6_mul(&g.c0, &num0, &den);
            fq6_mul(&g.c1, &num1, &den);
        }
        memcpy(out + 48 * k, &g, sizeof g);
    }
    return ZKCX_OK;
}

/* ---- polynomial division by (X - z) over Fr ------------------------------------------
 * f has n >= 1 Montgomery coefficients (constant first); q receives the n - 1
 * coefficients of (f(X) - f(z)) / (X - z) and *value f(z). */
void zkcx_fr_poly_divide_linear(uint64_t *q, uint64_t *value, const uint64_t *f, size_t n,
                                const uint64_t *z) {
    const fr_t *fz = (const fr_t *)(const void *)f;
    const fr_t *zz = (const fr_t *)(const void *)z;
    fr_t *qq = (fr_t *)(void *)q;
    fr_t acc = fz[n - 1];
    for (size_t k = n - 1; k > 0; k--) {
        qq[k - 1] = acc;
        fr_mul(&acc, &acc, zz);
        fr_add(&acc, &acc, &fz[k - 1]);
    }
    memcpy(value, &acc, sizeof acc);
}

/* ---- pairing products of vectors sharing their G2 points ------------------------------
 * out[t] = prod_{i < k} e(g1v[a[t]][i], g2v[b[t]][i]) for t < T, with n1 G1 vectors and
 * n2 G2 vectors of k points each. Every G2 point is prepared once (its lines) and
 * evaluated for each product that uses its vector. The index range is split over the
 * threads, in chunks of AGG_CHUNK indices (bounded scratch). Points are trusted. */
enum { AGG_CHUNK = 32, AGG_MAX_THREADS = 16 };

typedef fq2_t agg_lines_t[PAIRING_LINES][3];

static int products_range(fq12_t *acc, const g1_aff_t *g1v, size_t n1, const g2_aff_t *g2v,
                          size_t n2, size_t k, const int32_t *a, const int32_t *b, size_t T,
                          size_t lo, size_t hi) {
    agg_lines_t *lines = malloc(n2 * AGG_CHUNK * sizeof(agg_lines_t));
    g1_aff_t *pp = malloc(AGG_CHUNK * sizeof(g1_aff_t));
    const fq2_t (**prep)[3] = malloc(AGG_CHUNK * sizeof *prep);
    unsigned char *present = malloc(n2 * AGG_CHUNK);
    if (!lines || !pp || !prep || !present) {
        free(lines); free(pp); free(prep); free(present);
        return -1;
    }
    (void)n1;
    for (size_t t = 0; t < T; t++) fq12_set_one(&acc[t]);
    for (size_t c0 = lo; c0 < hi; c0 += AGG_CHUNK) {
        size_t len = hi - c0 < AGG_CHUNK ? hi - c0 : AGG_CHUNK;
        for (size_t v = 0; v < n2; v++) {
            for (size_t i = 0; i < len; i++) {
                const g2_aff_t *q = &g2v[v * k + c0 + i];
                present[v * AGG_CHUNK + i] = !g2_aff_is_identity(q);
                if (present[v * AGG_CHUNK + i])
                    pairing_prepare_g2(lines[v * AGG_CHUNK + i], q);
            }
        }
        for (size_t t = 0; t < T; t++) {
            size_t m = 0;
            for (size_t i = 0; i < len; i++) {
                if (!present[(size_t)b[t] * AGG_CHUNK + i]) continue;
                pp[m] = g1v[(size_t)a[t] * k + c0 + i];
                prep[m] = (const fq2_t (*)[3])lines[(size_t)b[t] * AGG_CHUNK + i];
                m++;
            }
            if (m == 0) continue;
            fq12_t g;
            pairing_miller_loop_mixed(&g, NULL, NULL, 0, pp, (const fq2_t (*const *)[3])prep, m);
            fq12_mul(&acc[t], &acc[t], &g);
        }
    }
    free(lines); free(pp); free(prep); free(present);
    return 0;
}

int zkcx_pairing_vector_products(uint64_t *out, const uint64_t *g1v, size_t n1,
                                 const uint64_t *g2v, size_t n2, size_t k, const int32_t *a,
                                 const int32_t *b, size_t T) {
    for (size_t t = 0; t < T; t++)
        if (a[t] < 0 || (size_t)a[t] >= n1 || b[t] < 0 || (size_t)b[t] >= n2)
            return ZKCX_ERR_ARG;
    const g1_aff_t *p1 = (const g1_aff_t *)(const void *)g1v;
    const g2_aff_t *p2 = (const g2_aff_t *)(const void *)g2v;
    int nt = zkcx_runtime_threads();
    if (nt > AGG_MAX_THREADS) nt = AGG_MAX_THREADS;
    if ((size_t)nt > (k + AGG_CHUNK - 1) / AGG_CHUNK) nt = (int)((k + AGG_CHUNK - 1) / AGG_CHUNK);
    if (nt < 1) nt = 1;
    fq12_t *acc = malloc((size_t)nt * (T ? T : 1) * sizeof(fq12_t));
    if (!acc) return ZKCX_ERR_NOMEM;
    int failed = 0;
    #pragma omp parallel for schedule(static) num_threads(nt) reduction(|:failed)
    for (int th = 0; th < nt; th++) {
        size_t lo = k * (size_t)th / (size_t)nt, hi = k * (size_t)(th + 1) / (size_t)nt;
        failed |= products_range(acc + (size_t)th * T, p1, n1, p2, n2, k, a, b, T, lo, hi) != 0;
    }
    if (failed) { free(acc); return ZKCX_ERR_NOMEM; }
    #pragma omp parallel for schedule(dynamic) num_threads(nt)
    for (size_t t = 0; t < T; t++) {
        fq12_t f = acc[t], r;
        for (int th = 1; th < nt; th++) fq12_mul(&f, &f, &acc[(size_t)th * T + t]);
        if (pairing_final_exp(&r, &f) != 0) fq12_set_one(&r);   /* f = 0 cannot happen */
        memcpy(out + 48 * t, &r, sizeof r);
    }
    free(acc);
    return ZKCX_OK;
}
