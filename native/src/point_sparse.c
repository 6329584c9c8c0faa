/* SPDX-License-Identifier: MIT */
/*
 * Sparse matrix times point vector: out[w] = sum_{t in [start[w], start[w+1])}
 * [coef[t]] points[index[t]], for G1 and G2 (zkcx_g1_sparse_sum, zkcx_g2_sparse_sum).
 * This is the work of a Groth16 key made from a prepared powers-of-tau file: each of
 * the key's points is a combination of a few Lagrange-basis points, weighted by the
 * circuit's coefficients (one term per nonzero of the constraint matrices).
 *
 * Threads take blocks of outputs (dynamic schedule: a wire may have many terms). Circuit
 * coefficients are mostly 1 or -1 (r - 1), so each output is classified:
 *
 * - a *unit* output (every nonzero coefficient +-1, at most SPARSE_UNIT_MAX terms) starts
 *   as its first point, copied (negated for -1; an output with one term costs no group
 *   operation at all), and takes its other terms in rounds of batch-affine additions
 *   over the whole block (msm_g?_batch_add: one inversion per round);
 * - any other output is accumulated in Jacobian coordinates: a coefficient k with
 *   |k| < 2^48 (k or r - k below 2^48) as a short double-and-add chain over its bits, any
 *   other as a windowed GLV scalar multiplication (g?_jac_mul); the block's Jacobian
 *   sums return to affine with one inversion;
 * - an output with many terms (the constant-one wire of a circuit with large constants
 *   has one per constraint) is a Pippenger MSM over its terms, gathered: the MSM threads
 *   itself.
 *
 * Coefficients stay in Montgomery form: +-1 are recognised by their Montgomery words,
 * the others converted one at a time.
 */
#include <stdlib.h>
#include <string.h>
#include "msm.h"
#include "runtime.h"
#include "../include/zkcx.h"

/* Outputs per block (one batched inversion per round of additions). */
enum { SPARSE_BLOCK = 1024 };
/* Coefficients of magnitude below 2^SPARSE_SMALL_BITS take the double-and-add chain. */
#define SPARSE_SMALL_BITS 48
/* Outputs with at least this many terms are one MSM each. */
#define SPARSE_MSM_MIN 256
/* Unit outputs with more nonzero terms than this take the Jacobian path (each term of
 * a unit output is one round of additions). */
#define SPARSE_UNIT_MAX 16

typedef int (*sparse_msm_fn)(uint64_t *out, const uint64_t *points, const uint64_t *scalars,
                             size_t n);

enum { TERM_ZERO, TERM_PLUS, TERM_MINUS, TERM_OTHER };

/* A Montgomery-form coefficient as zero, +1, -1 or anything else. */
static int sparse_kind(const uint64_t m[4]) {
    static const uint64_t minus_one[4] = {
        0x974bc177a0000006ULL, 0xf13771b2da58a367ULL, 0x51e1a2470908122eULL,
        0x2259d6b14729c0faULL};   /* r - (2^256 mod r) */
    const fr_t *one = &fr_one;
    if (!(m[0] | m[1] | m[2] | m[3])) return TERM_ZERO;
    if (!memcmp(m, one->v, 32)) return TERM_PLUS;
    if (!memcmp(m, minus_one, 32)) return TERM_MINUS;
    return TERM_OTHER;
}

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

/* acc += [coef] p, coef in Montgomery form. tmp, neg: scratch. */
static void sparse_add_term(const msm_curve_t *cv, void *acc, const void *p,
                            const uint64_t *coef, void *tmp, void *neg) {
    fr_t k;
    uint64_t kn[4];
    fr_from_mont(&k, (const fr_t *)(const void *)coef);
    if (sparse_is_small(k.v)) {
        sparse_add_small(cv, acc, p, k.v[0], tmp);
        return;
    }
    sparse_negate(kn, k.v);
    if (sparse_is_small(kn)) {
        cv->neg(neg, p);
        sparse_add_small(cv, acc, neg, kn[0], tmp);
        return;
    }
    cv->jac_mul(tmp, p, k.v);
    cv->jac_add(acc, acc, tmp);
}

/* The points, as tables of table_len points each: term index i is point i % table_len
 * of table i / table_len (several mapped blocks of a file used without a copy). */
typedef struct {
    const unsigned char *const *tables;
    size_t len, psz;
} sparse_points_t;

static inline const unsigned char *sparse_point(const sparse_points_t *pt, int64_t i) {
    const size_t u = (size_t)i;
    return pt->tables[u / pt->len] + (u % pt->len) * pt->psz;
}

/* The terms in row order: term t of the rows is stored term perm[t] (perm NULL: t). */
typedef struct {
    const int64_t *start, *index, *perm;
    const uint64_t *coef;
} sparse_terms_t;

static inline int64_t term_index(const sparse_terms_t *ts, int64_t t) {
    return ts->index[ts->perm ? ts->perm[t] : t];
}

static inline const uint64_t *term_coef(const sparse_terms_t *ts, int64_t t) {
    return ts->coef + 4 * (size_t)(ts->perm ? ts->perm[t] : t);
}

/* out[w] = the MSM of row w's terms, gathered (a row with many terms). */
static int sparse_heavy(const msm_curve_t *cv, sparse_msm_fn msm, uint64_t *out,
                        const sparse_terms_t *ts, int64_t t0, int64_t t1,
                        const sparse_points_t *pin) {
    const size_t n = (size_t)(t1 - t0), words = cv->psz / 8;
    uint64_t *pts = msm_alloc(n * cv->psz), *sc = malloc(n * 32);
    if (!pts || !sc) {
        free(pts);
        free(sc);
        return ZKCX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(pts + i * words, sparse_point(pin, term_index(ts, t0 + (int64_t)i)), cv->psz);
        memcpy(sc + 4 * i, term_coef(ts, t0 + (int64_t)i), 32);
    }
    int rc = msm(out, pts, sc, n);
    free(pts);
    free(sc);
    return rc;
}

/* One thread's scratch for a block of outputs. */
typedef struct {
    unsigned char *jac, *aff, *tmp, *neg, *scratch;
    size_t *gen, *unit;
    int64_t *next;
    void **sum;
    msm_ptr_t *pa, *pb;
} sparse_ws_t;

static void sparse_ws_free(sparse_ws_t *ws) {
    free(ws->jac); free(ws->aff); free(ws->tmp); free(ws->neg); free(ws->scratch);
    free(ws->gen); free(ws->unit); free(ws->next); free(ws->sum); free(ws->pa);
    free(ws->pb);
}

static int sparse_ws_alloc(sparse_ws_t *ws, const msm_curve_t *cv) {
    memset(ws, 0, sizeof *ws);
    const size_t b = SPARSE_BLOCK;
    ws->jac = msm_alloc(b * cv->jsz);
    ws->aff = msm_alloc(b * cv->psz);
    ws->tmp = msm_alloc(cv->jsz);
    ws->neg = msm_alloc(cv->psz);
    ws->scratch = malloc(cv->scratch(b));
    ws->gen = malloc(b * sizeof *ws->gen);
    ws->unit = malloc(b * sizeof *ws->unit);
    ws->next = malloc(b * sizeof *ws->next);
    ws->sum = malloc(b * sizeof *ws->sum);
    ws->pa = malloc(b * sizeof *ws->pa);
    ws->pb = malloc(b * sizeof *ws->pb);
    if (ws->jac && ws->aff && ws->tmp && ws->neg && ws->scratch && ws->gen && ws->unit
        && ws->next && ws->sum && ws->pa && ws->pb)
        return ZKCX_OK;
    sparse_ws_free(ws);
    return ZKCX_ERR_NOMEM;
}

/* The next nonzero term of [t, end) (end if none); *kind its kind. */
static int64_t sparse_next_nonzero(const sparse_terms_t *ts, int64_t t, int64_t end,
                                   int *kind) {
    for (; t < end; t++) {
        *kind = sparse_kind(term_coef(ts, t));
        if (*kind != TERM_ZERO) return t;
    }
    return end;
}

/* Outputs w0 .. w0 + m - 1 (rows below SPARSE_MSM_MIN terms; the others are left). */
static void sparse_block(const msm_curve_t *cv, sparse_ws_t *ws, unsigned char *pout,
                         size_t w0, size_t m, const sparse_terms_t *ts,
                         const sparse_points_t *pin, int ifma) {
    const int64_t *start = ts->start;
    size_t ngen = 0, nunit = 0;
    for (size_t i = 0; i < m; i++) {
        const size_t w = w0 + i;
        const int64_t t0 = start[w], t1 = start[w + 1];
        if (t1 - t0 >= SPARSE_MSM_MIN) continue;
        int unit = 1, count = 0;
        for (int64_t t = t0; t < t1 && unit; t++) {
            int kind = sparse_kind(term_coef(ts, t));
            if (kind == TERM_OTHER) unit = 0;
            count += kind != TERM_ZERO;
        }
        if (!unit || count > SPARSE_UNIT_MAX) {
            void *acc = ws->jac + ngen * cv->jsz;
            cv->jac_id(acc);
            for (int64_t t = t0; t < t1; t++)
                sparse_add_term(cv, acc, sparse_point(pin, term_index(ts, t)),
                                term_coef(ts, t), ws->tmp, ws->neg);
            ws->gen[ngen++] = w;
            continue;
        }
        unsigned char *o = pout + w * cv->psz;
        int kind = TERM_ZERO;
        const int64_t t = sparse_next_nonzero(ts, t0, t1, &kind);
        if (t == t1) {
            memset(o, 0, cv->psz);
            continue;
        }
        const void *p = sparse_point(pin, term_index(ts, t));
        if (kind == TERM_MINUS) cv->neg(o, p);
        else memcpy(o, p, cv->psz);
        if (t + 1 < t1) {
            ws->unit[nunit] = w;
            ws->next[nunit++] = t + 1;
        }
    }
    /* rounds of batch-affine additions: each live unit output takes its next term */
    while (nunit) {
        size_t live = 0, pairs = 0;
        for (size_t j = 0; j < nunit; j++) {
            const size_t w = ws->unit[j];
            int kind = TERM_ZERO;
            const int64_t t = sparse_next_nonzero(ts, ws->next[j], start[w + 1], &kind);
            if (t == start[w + 1]) continue;
            void *o = pout + w * cv->psz;
            ws->sum[pairs] = o;
            ws->pa[pairs] = (msm_ptr_t)o;
            ws->pb[pairs++] = (msm_ptr_t)(sparse_point(pin, term_index(ts, t)))
                              | (kind == TERM_MINUS ? MSM_NEG : 0);
            if (t + 1 < start[w + 1]) {
                ws->unit[live] = w;
                ws->next[live++] = t + 1;
            }
        }
        if (pairs) cv->batch(ws->sum, ws->pa, ws->pb, pairs, ws->scratch, ifma);
        nunit = live;
    }
    if (ngen) {
        cv->batch_to_aff(ws->aff, ws->jac, ngen);
        for (size_t i = 0; i < ngen; i++)
            memcpy(pout + ws->gen[i] * cv->psz, ws->aff + i * cv->psz, cv->psz);
    }
}

static int sparse_run(const msm_curve_t *cv, sparse_msm_fn msm, uint64_t *out,
                      const sparse_terms_t *ts, size_t n_out, const uint64_t *const *tables,
                      size_t table_len) {
    const int64_t *start = ts->start;
    if (n_out == 0) return ZKCX_OK;
    if (table_len == 0) return ZKCX_ERR_ARG;
    const size_t n_terms = (size_t)start[n_out];
    const int nt = zkcx_runtime_threads(), ifma = zkcx_runtime_use_ifma();
    const size_t nblock = (n_out + SPARSE_BLOCK - 1) / SPARSE_BLOCK;
    const int ntb = n_terms >= 256 && nblock >= 2 ? nt : 1;
    (void)ntb;   /* only read by OpenMP */
    const sparse_points_t pts = {(const unsigned char *const *)(const void *)tables,
                                 table_len, cv->psz};
    const sparse_points_t *pin = &pts;
    unsigned char *pout = (unsigned char *)out;
    int rc = ZKCX_OK;
#ifdef _OPENMP
#pragma omp parallel num_threads(ntb)
#endif
    {
        sparse_ws_t ws;
        int ok = sparse_ws_alloc(&ws, cv) == ZKCX_OK;
        if (!ok) {
#ifdef _OPENMP
#pragma omp atomic write
#endif
            rc = ZKCX_ERR_NOMEM;
        }
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (size_t b = 0; b < nblock; b++) {
            if (!ok) continue;
            const size_t w0 = b * SPARSE_BLOCK;
            const size_t m = n_out - w0 < SPARSE_BLOCK ? n_out - w0 : SPARSE_BLOCK;
            sparse_block(cv, &ws, pout, w0, m, ts, pin, ifma);
        }
        if (ok) sparse_ws_free(&ws);
    }
    if (rc != ZKCX_OK) return rc;
    for (size_t w = 0; w < n_out; w++) {
        if (start[w + 1] - start[w] < SPARSE_MSM_MIN) continue;
        rc = sparse_heavy(cv, msm, out + w * (cv->psz / 8), ts, start[w], start[w + 1], pin);
        if (rc != ZKCX_OK) return rc;
    }
    return ZKCX_OK;
}

/* Terms given by output (wire) instead of in rows: a counting sort (stable) gives the
 * rows' start offsets and the order of the terms; a negative wire skips its term. */
static int sparse_run_coo(const msm_curve_t *cv, sparse_msm_fn msm, uint64_t *out,
                          const int64_t *wire, const int64_t *index, const uint64_t *coef,
                          size_t n_terms, size_t n_out, const uint64_t *const *tables,
                          size_t table_len) {
    int64_t *start = calloc(n_out + 2, sizeof *start);
    int64_t *perm = malloc((n_terms ? n_terms : 1) * sizeof *perm);
    if (!start || !perm) {
        free(start);
        free(perm);
        return ZKCX_ERR_NOMEM;
    }
    for (size_t t = 0; t < n_terms; t++)
        if (wire[t] >= 0) start[wire[t] + 2]++;
    for (size_t w = 2; w < n_out + 2; w++) start[w] += start[w - 1];
    for (size_t t = 0; t < n_terms; t++)   /* start[w + 1]: the next slot of row w */
        if (wire[t] >= 0) perm[start[wire[t] + 1]++] = (int64_t)t;
    const sparse_terms_t ts = {start, index, perm, coef};
    int rc = sparse_run(cv, msm, out, &ts, n_out, tables, table_len);
    free(start);
    free(perm);
    return rc;
}

int zkcx_g1_sparse_sum(uint64_t *out, const int64_t *start, const int64_t *index,
                       const uint64_t *coef, size_t n_out, const uint64_t *const *tables,
                       size_t table_len) {
    const sparse_terms_t ts = {start, index, NULL, coef};
    return sparse_run(&msm_curve_g1, zkcx_g1_msm, out, &ts, n_out, tables, table_len);
}

int zkcx_g2_sparse_sum(uint64_t *out, const int64_t *start, const int64_t *index,
                       const uint64_t *coef, size_t n_out, const uint64_t *const *tables,
                       size_t table_len) {
    const sparse_terms_t ts = {start, index, NULL, coef};
    return sparse_run(&msm_curve_g2, zkcx_g2_msm, out, &ts, n_out, tables, table_len);
}

int zkcx_g1_sparse_sum_coo(uint64_t *out, const int64_t *wire, const int64_t *index,
                           const uint64_t *coef, size_t n_terms, size_t n_out,
                           const uint64_t *const *tables, size_t table_len) {
    return sparse_run_coo(&msm_curve_g1, zkcx_g1_msm, out, wire, index, coef, n_terms, n_out,
                          tables, table_len);
}

int zkcx_g2_sparse_sum_coo(uint64_t *out, const int64_t *wire, const int64_t *index,
                           const uint64_t *coef, size_t n_terms, size_t n_out,
                           const uint64_t *const *tables, size_t table_len) {
    return sparse_run_coo(&msm_curve_g2, zkcx_g2_msm, out, wire, index, coef, n_terms, n_out,
                          tables, table_len);
}
