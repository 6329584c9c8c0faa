/* SPDX-License-Identifier: MIT */
/*
 * Multi-scalar multiplication sum_i [s_i] P_i on G1 and G2: zkcx_g1_msm, zkcx_g2_msm.
 *
 * Pippenger's bucket method (Pippenger 1976; in the form of Bernstein, Doumen, Lange,
 * Oosterwijk, "Faster batch forgery identification", INDOCRYPT 2012, sec. 4) with:
 *
 * - signed digits: k = sum_w d_w 2^(c w), |d_w| <= 2^(c-1), so a window needs 2^(c-1)
 *   buckets and -P costs nothing (msm_digit in msm.h computes each digit on its own);
 * - affine buckets filled by batch-affine additions (msm.h: one inversion shared by a
 *   batch of ~2048 independent additions, 6 Fq multiplications each, on the IFMA
 *   kernel when available): the points are read in order and each (point, digit)
 *   becomes a pair "bucket += +-P" of the current batch; a pair whose bucket is already
 *   in the batch waits in a queue for a later batch (the scheme of gnark-crypto's
 *   batch-affine MSM, and of Aztec's barretenberg); pairs that pile up on a few buckets
 *   (equal scalars) are summed as binary trees instead, level by level, one batch per
 *   level, so skewed inputs stay fast;
 * - bucket reduction sum_b b B_b by the running-sum method, batch-affine too: each
 *   window's buckets are dealt to G interleaved chains whose running sums advance in
 *   lock step across all windows (reduce_buckets explains the algebra);
 * - the windows combined by Horner's rule, c doublings per window;
 * - scalars sized before windowing: each k > (r - 1)/2 becomes r - k on -P (a circuit's
 *   witness is mostly bits and small signed values, -x being r - x), and the scalars of
 *   at most t bits are summed in a pass of ceil((t + 1)/c) windows while the larger
 *   ones get a full pass over a compact copy of their points, t chosen by the cost
 *   model (choose_split). With the pile-up queue below, the witness MSMs of a Groth16
 *   proof (mostly bits and small values) take about a third of their time before
 *   (benchmarks/RESULTS.md, Kernels, session 3, has the figures); uniform scalars pay
 *   a little for the folding pass.
 *
 * Each window (or, for small n, a few windows together) is one task, filled by one
 * thread with its own batch and queue. Every partial result is an exact group element,
 * so the output does not depend on the thread count or the kernel (IFMA or portable).
 *
 * GLV is not used here (g1.c's scalar multiplication uses it). It splits each scalar
 * into two ~128-bit halves (2n points, half as many windows), so the bucket additions,
 * about n per window, stay n * 255/c
 * in total; it only halves the reduction, 2 * 2^(c-1) additions per window: at 2^16
 * points (c = 13) it would save 82K of 1.4M additions (6%), while the decomposition
 * (~30 64-bit multiplications per scalar), the endomorphism images and the doubled
 * point array cost about as much (measured when this was written).
 */
#include <stdlib.h>
#include <string.h>
#include "msm.h"
#include "runtime.h"
#ifdef _OPENMP
#include <omp.h>
#endif
#include "../include/zkcx.h"

#ifdef MSM_PROFILE
#include <stdio.h>
#include <time.h>
static double prof_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}
#define PROF_START double prof_t = prof_now()
#define PROF(label)                                                                  \
    do {                                                                             \
        double t_ = prof_now();                                                      \
        fprintf(stderr, "  msm %-8s %8.3f ms\n", label, (t_ - prof_t) * 1e3);        \
        prof_t = t_;                                                                 \
    } while (0)
#else
#define PROF_START do { } while (0)
#define PROF(label) do { } while (0)
#endif

/* ---- the groups, seen through byte sizes and function pointers (msm.h) ---------------- */

/* The adapters of group G (g1, g2) to the untyped function pointers of msm_curve_t, and
 * its table msm_curve_G. */
#define MSM_CURVE(G)                                                                          \
    static void G##_batch_v(void *const *o, const msm_ptr_t *a, const msm_ptr_t *b, size_t m, \
                            void *s, int ifma) {                                              \
        msm_##G##_batch_add((G##_aff_t *const *)o, a, b, m, s, ifma);                         \
    }                                                                                         \
    static int G##_is_id_v(const void *p) { return G##_aff_is_identity(p); }                  \
    static void G##_neg_v(void *o, const void *p) { G##_aff_neg(o, p); }                      \
    static void G##_jac_id_v(void *p) { G##_jac_set_identity(p); }                            \
    static void G##_jac_from_aff_v(void *o, const void *p) { G##_jac_from_aff(o, p); }        \
    static void G##_jac_add_aff_v(void *o, const void *a, const void *b) {                    \
        G##_jac_add_aff(o, a, b);                                                             \
    }                                                                                         \
    static void G##_jac_add_v(void *o, const void *a, const void *b) { G##_jac_add(o, a, b); } \
    static void G##_jac_dbl_v(void *o, const void *a) { G##_jac_dbl(o, a); }                  \
    static void G##_jac_to_aff_v(void *o, const void *a) { G##_aff_from_jac(o, a); }          \
    static void G##_jac_mul_v(void *o, const void *p, const uint64_t k[4]) {                  \
        G##_jac_mul(o, p, k);                                                                 \
    }                                                                                         \
    static void G##_batch_to_aff_v(void *o, const void *j, size_t n) {                        \
        G##_batch_to_aff(o, j, n);                                                            \
    }                                                                                         \
    const msm_curve_t msm_curve_##G = {                                                       \
        sizeof(G##_aff_t), sizeof(G##_jac_t), G##_batch_v, msm_##G##_batch_scratch,           \
        G##_is_id_v, G##_neg_v, G##_jac_id_v, G##_jac_from_aff_v, G##_jac_add_aff_v,          \
        G##_jac_add_v, G##_jac_dbl_v, G##_jac_to_aff_v, G##_jac_mul_v, G##_batch_to_aff_v,    \
    };

MSM_CURVE(g1)
MSM_CURVE(g2)

/* ---- tuning ------------------------------------------------------------------------- */

/* Up to this many points, sum the single products: the bucket method already wins at
 * 3 points (measured when this was written). */
#define MSM_NAIVE_MAX 2
/* Pairs per batch-affine call while filling buckets: the inversion (the cost of many
 * multiplications) is shared by the batch, and the batch's points and buckets stay in
 * L1/L2. */
#define MSM_BATCH 2048
/* Bucket bytes a task should own at least (windows are grouped for small n), so that
 * batches fill up with few bucket conflicts, and each pass over the points and scalars
 * serves more windows: 1 MB (four G1 windows of c = 13, two of G2) took ~4-8% less CPU
 * than 8192 buckets (two G1 windows) for 2^15 and 2^16 G1 points on the Zen 4 test
 * machine (L2 1 MB a core); 4096 buckets took ~10% more. */
#define MSM_TASK_BYTES ((size_t)1 << 20)
/* Points whose digits are computed ahead of their bucket updates. */
#define ACC_AHEAD 16
/* Buckets (over all windows) from which the reduction runs on several threads. */
#define MSM_REDUCE_PARALLEL_MIN 4096
/* Bucket memory of the windows processed at one time. */
#define MSM_GROUP_BYTES ((size_t)64 << 20)

/* Window width for n points with scalars below 2^bits and nt threads. Cost model:
 * ceil((bits + 1)/c) windows (the signed digits may carry into bit `bits`), each
 * costing about n bucket additions plus MSM_REDUCE_WEIGHT * 2^(c-1) for its share of
 * the reduction; the bucket phase runs a window per thread at a time, so it takes
 * ceil(windows / nt) rounds. c is the model's minimum. The weight is fitted to
 * measurements of full-size scalars (session 10, IFMA kernels, CPU time): the reduction
 * makes two additions a bucket, and a larger window's buckets also cost the fill cache
 * misses. With the weight 1.5 used before, the model chose c = 12 at 2^14 points, 13 at
 * 2^15 on one thread and 16 at 2^18 on two, each 6-11% slower than the 10, 12 and 13 it
 * chooses now; at 2^16 it keeps c = 13 (12 measured no faster). c <= 16 keeps a window's
 * buckets (2 MB for G1) near the L2 cache. */
#define MSM_REDUCE_WEIGHT 3.0

static double msm_cost(size_t n, int nt, unsigned bits, unsigned *best_c) {
    unsigned best = 2;
    double best_cost = 0;
    for (unsigned c = 2; c <= 16; c++) {
        unsigned w = (bits + 1 + c - 1) / c;
        double rounds = (double)((w + (unsigned)nt - 1) / (unsigned)nt * (unsigned)nt);
        double cost = rounds * (double)n +
                      MSM_REDUCE_WEIGHT * (double)w * (double)((size_t)1 << (c - 1));
        if (c == 2 || cost < best_cost) { best = c; best_cost = cost; }
    }
    if (best_c) *best_c = best;
    return best_cost;
}

/* ---- shared state ------------------------------------------------------------------- */

typedef struct {
    const msm_curve_t *cv;
    const unsigned char *pts;
    const uint64_t *k;     /* canonical scalars, below 2^bits */
    const uint8_t *neg;    /* per point: 1 when its scalar was folded, k -> r - k */
    size_t n;
    unsigned bits, c, nwin;
    size_t nbw;            /* buckets per window, 2^(c-1) */
    int nt, ifma;
    unsigned ktab;         /* 0, or tables: pts holds rows of ktab = nwin points a base,
                            * [2^(c j)] P_i, and all windows share one bucket set */
} msm_t;

static inline size_t window_buckets(const msm_t *M, unsigned w) {
    /* scalars < 2^bits: the top window's digits are at most 2^(bits - c w) */
    unsigned top = M->bits - M->c * w;
    if (top >= M->c - 1) return M->nbw;
    return (size_t)1 << top;
}

/* 1 when the affine point of psz bytes is the identity, encoded (as every affine point
 * here) by x = y = 0: all its bytes are zero. */
static inline int point_is_zero(const unsigned char *p, size_t psz) {
    const uint64_t *w = (const uint64_t *)(const void *)p;
    uint64_t any = 0;
    for (size_t l = 0; l < psz / 8; l++) any |= w[l];
    return any == 0;
}

static inline void copy_tagged(const msm_curve_t *cv, void *dest, msm_ptr_t t) {
    memcpy(dest, MSM_ADDR(t), cv->psz);
    if (t & MSM_NEG) cv->neg(dest, dest);
}

/* ---- tree sums: the fallback for buckets hit many times in a row --------------------- */

typedef struct {
    size_t start, count;   /* elements [start, start + count) of the element list */
    void *dest;            /* where the run's sum goes */
} run_t;

typedef struct {
    size_t cap;            /* elements the buffers hold */
    unsigned char *buf;    /* cap points: the sums of every tree level, one after another */
    msm_ptr_t *elems;      /* cap element references */
    msm_ptr_t *a, *b;      /* cap/2 + 1 pair operands */
    void **o;              /* cap/2 + 1 pair outputs */
    run_t *runs;           /* cap runs */
    void *scratch;
} tree_t;

static void tree_free(tree_t *w) {
    free(w->buf);
    free(w->elems);
    free(w->a);
    free(w->b);
    free(w->o);
    free(w->runs);
    free(w->scratch);
    memset(w, 0, sizeof *w);
}

static int tree_alloc(tree_t *w, const msm_curve_t *cv, size_t cap) {
    memset(w, 0, sizeof *w);
    w->cap = cap;
    size_t half = cap / 2 + 1;
    w->buf = msm_zalloc(cap * cv->psz);
    w->elems = malloc(cap * sizeof *w->elems);
    w->a = malloc(half * sizeof *w->a);
    w->b = malloc(half * sizeof *w->b);
    w->o = malloc(half * sizeof *w->o);
    w->runs = malloc(cap * sizeof *w->runs);
    w->scratch = msm_zalloc(cv->scratch(half));
    if (!w->buf || !w->elems || !w->a || !w->b || !w->o || !w->runs || !w->scratch) {
        tree_free(w);
        return -1;
    }
    return 0;
}

/*
 * Sum each run of elements into its dest as a balanced binary tree built level by level:
 * a level adds elements (2t, 2t+1) of every run, all pairs of the level in one batch,
 * and an odd last element moves up unchanged (as a reference, not a copy). The element
 * list is rewritten in place (runs only shrink); level sums are appended to w->buf, so
 * it needs at most (number of elements) points. dest may be one of the run's elements.
 */
static void reduce_runs(const msm_t *M, tree_t *w, msm_ptr_t *el, run_t *runs, size_t nruns) {
    const msm_curve_t *cv = M->cv;
    const size_t psz = cv->psz;
    size_t live = 0;
    for (size_t r = 0; r < nruns; r++) {
        if (runs[r].count == 1) {
            if ((msm_ptr_t)runs[r].dest != el[runs[r].start])
                copy_tagged(cv, runs[r].dest, el[runs[r].start]);
        } else if (runs[r].count > 1) {
            runs[live++] = runs[r];
        }
    }
    nruns = live;
    unsigned char *out = w->buf;
    while (nruns > 0) {
        size_t m = 0, pos = 0;
        for (size_t r = 0; r < nruns; r++) {
            const size_t s = runs[r].start, cnt = runs[r].count, half = cnt / 2;
            for (size_t t = 0; t < half; t++) {
                w->a[m] = el[s + 2 * t];
                w->b[m] = el[s + 2 * t + 1];
                w->o[m] = out + m * psz;
                el[pos + t] = (msm_ptr_t)w->o[m];   /* pos + t < s + 2t: already read */
                m++;
            }
            if (cnt & 1) el[pos + half] = el[s + cnt - 1];
            runs[r].start = pos;
            runs[r].count = half + (cnt & 1);
            pos += runs[r].count;
        }
        cv->batch(w->o, w->a, w->b, m, w->scratch, M->ifma);
        out += m * psz;
        live = 0;
        for (size_t r = 0; r < nruns; r++) {
            if (runs[r].count == 1) copy_tagged(cv, runs[r].dest, el[runs[r].start]);
            else runs[live++] = runs[r];
        }
        nruns = live;
    }
}

/* ---- bucket accumulation ------------------------------------------------------------ */

typedef struct {
    uint32_t gb;           /* bucket of the task */
    msm_ptr_t ref;         /* point to add */
} qitem_t;

/*
 * One thread's state while it fills the buckets of a task (a few consecutive windows).
 * Points are read in order; each (point, digit) becomes a pair "bucket += +-point" of the
 * current batch, unless its bucket already is in the batch (the batch's additions must
 * be independent): then it waits in a queue and joins a later batch. A bucket's first
 * point is copied, not added. When the queue fills up with pairs for a few buckets
 * (skewed digits, e.g. equal scalars) those are summed as trees instead.
 */
typedef struct {
    const msm_t *M;
    unsigned char *bk;     /* the task's buckets */
    size_t nbt;            /* their number */
    size_t bmax, m;        /* batch capacity, pairs in it */
    msm_ptr_t *a, *b;
    void **o;
    void *scratch;
    qitem_t *q, *qtmp;
    size_t qcap, qn;
    qitem_t *ahead;        /* ACC_AHEAD points' pairs, computed ahead of use */
    uint32_t *state;       /* per bucket: 0 empty, else holds a point (maybe the
                            * identity) and was last paired in batch number state */
    uint32_t cur;          /* number of the current batch, >= 2 */
    tree_t tree;           /* qcap * 2 elements */
} acc_t;

static void acc_free(acc_t *A) {
    free(A->ahead);
    free(A->a);
    free(A->b);
    free(A->o);
    free(A->scratch);
    free(A->q);
    free(A->qtmp);
    free(A->state);
    tree_free(&A->tree);
}

static int acc_alloc(acc_t *A, const msm_t *M, size_t nbt_max, size_t bmax, size_t nw) {
    memset(A, 0, sizeof *A);
    A->ahead = malloc(ACC_AHEAD * nw * sizeof *A->ahead);
    A->M = M;
    A->bmax = bmax;
    /* The queue does not shrink with the batch: a window of few buckets (small c, for
     * small scalars) gets batches of at most half its buckets, and its pile-ups (a
     * witness's many scalars equal to 1) must still reach the trees in large runs. */
    A->qcap = bmax > MSM_BATCH ? bmax : MSM_BATCH;
    A->a = malloc(bmax * sizeof *A->a);
    A->b = malloc(bmax * sizeof *A->b);
    A->o = malloc(bmax * sizeof *A->o);
    A->scratch = msm_zalloc(M->cv->scratch(bmax));
    A->q = malloc(A->qcap * sizeof *A->q);
    A->qtmp = malloc(A->qcap * sizeof *A->qtmp);
    A->state = malloc(nbt_max * sizeof *A->state);
    if (!A->ahead || !A->a || !A->b || !A->o || !A->scratch || !A->q || !A->qtmp || !A->state ||
        tree_alloc(&A->tree, M->cv, 2 * A->qcap) != 0) {
        acc_free(A);
        return -1;
    }
    return 0;
}

static inline void *acc_bucket(const acc_t *A, uint32_t gb) {
    return A->bk + (size_t)gb * A->M->cv->psz;
}

static void acc_run_batch(acc_t *A) {
    A->M->cv->batch(A->o, A->a, A->b, A->m, A->scratch, A->M->ifma);
    A->m = 0;
    if (++A->cur == 0) {
        /* 2^32 batches: renumber, keeping 0 = empty and 1 = in no batch */
        for (size_t i = 0; i < A->nbt; i++)
            if (A->state[i]) A->state[i] = 1;
        A->cur = 2;
    }
}

static inline void acc_pair(acc_t *A, uint32_t gb, msm_ptr_t ref) {
    void *bp = acc_bucket(A, gb);
    __builtin_prefetch(bp);      /* the batch reads it soon; one line (msm_zalloc) */
    A->state[gb] = A->cur;
    A->a[A->m] = (msm_ptr_t)bp;
    A->b[A->m] = ref;
    A->o[A->m] = bp;
    A->m++;
}

/* Run the batch, then move waiting pairs into the next one. */
static void acc_flush(acc_t *A) {
    acc_run_batch(A);
    size_t keep = 0;
    for (size_t t = 0; t < A->qn; t++) {
        qitem_t it = A->q[t];
        if (A->m < A->bmax && A->state[it.gb] != A->cur) acc_pair(A, it.gb, it.ref);
        else A->q[keep++] = it;
    }
    A->qn = keep;
}

/* Sort the queue by bucket: LSD radix sort, two passes of 9 bits (tasks have fewer
 * than 2^18 buckets). tmp holds n items. */
static void qitem_sort(qitem_t *q, qitem_t *tmp, size_t n) {
    for (unsigned shift = 0; shift < 18; shift += 9) {
        size_t cnt[513] = {0};
        for (size_t i = 0; i < n; i++) cnt[((q[i].gb >> shift) & 511) + 1]++;
        for (int d = 0; d < 512; d++) cnt[d + 1] += cnt[d];
        for (size_t i = 0; i < n; i++) tmp[cnt[(q[i].gb >> shift) & 511]++] = q[i];
        memcpy(q, tmp, n * sizeof *q);
    }
}

/* Run the batch, then sum the queue per bucket as trees (each bucket joins its tree). */
static void acc_tree_queue(acc_t *A) {
    acc_run_batch(A);
    if (A->qn == 0) return;
    qitem_sort(A->q, A->qtmp, A->qn);
    tree_t *w = &A->tree;
    size_t ne = 0, nr = 0;
    for (size_t t = 0; t < A->qn;) {
        uint32_t gb = A->q[t].gb;
        void *bp = acc_bucket(A, gb);
        w->runs[nr].start = ne;
        w->runs[nr].dest = bp;
        w->elems[ne++] = (msm_ptr_t)bp;
        for (; t < A->qn && A->q[t].gb == gb; t++) w->elems[ne++] = A->q[t].ref;
        w->runs[nr].count = ne - w->runs[nr].start;
        nr++;
    }
    A->qn = 0;
    reduce_runs(A->M, w, w->elems, w->runs, nr);
}

static inline void acc_put(acc_t *A, uint32_t gb, msm_ptr_t ref) {
    if (A->state[gb] == 0) {
        copy_tagged(A->M->cv, acc_bucket(A, gb), ref);
        A->state[gb] = 1;
        return;
    }
    for (;;) {
        if (A->state[gb] == A->cur) {
            if (A->qn < A->qcap) {
                A->q[A->qn].gb = gb;
                A->q[A->qn].ref = ref;
                A->qn++;
                return;
            }
            acc_flush(A);
            /* still a full queue after a flush: the pairs pile up on few buckets */
            if (A->qn > A->qcap / 2) acc_tree_queue(A);
            continue;
        }
        if (A->m == A->bmax) {
            acc_flush(A);
            continue;
        }
        acc_pair(A, gb, ref);
        return;
    }
}

/* Fill the buckets of windows [w0, w1) from points [i0, i1) (bk: their nbw buckets
 * each, zeroed; with tables one set of nbw for all windows). */
static void acc_task(acc_t *A, unsigned w0, unsigned w1, size_t i_lo, size_t i_hi,
                     unsigned char *bk) {
    const msm_t *M = A->M;
    const size_t psz = M->cv->psz, nw = w1 - w0;
    const size_t row = M->ktab ? M->ktab * psz : psz;   /* bytes from a base to the next */
    A->bk = bk;
    A->nbt = M->ktab ? M->nbw : nw * M->nbw;
    A->m = A->qn = 0;
    A->cur = 2;
    memset(A->state, 0, A->nbt * sizeof *A->state);
    /* Digits are computed for a block of points ahead of their use, and the bucket
     * states prefetched: the batch kernel between two uses evicts them from L1. */
    for (size_t i0 = i_lo; i0 < i_hi; i0 += ACC_AHEAD) {
        const size_t i1 = i0 + ACC_AHEAD < i_hi ? i0 + ACC_AHEAD : i_hi;
        size_t ne = 0;
        for (size_t i = i0; i < i1; i++) {
            const uint64_t *k = M->k + 4 * i;
            if ((k[0] | k[1] | k[2] | k[3]) == 0) continue;
            msm_ptr_t p = (msm_ptr_t)(M->pts + i * row);
            /* the batch kernel reads the point soon: bring it to L2 */
            __builtin_prefetch((const void *)p);
            __builtin_prefetch((const char *)p + psz - 1);
            for (size_t wl = 0; wl < nw; wl++) {
                int32_t d = msm_digit(k, w0 + (unsigned)wl, M->c);
                if (d == 0) continue;
                uint32_t gb = (uint32_t)(d < 0 ? -d : d) - 1;
                if (M->ktab) {
                    /* this window's own multiple of the base, into the shared buckets */
                    p = (msm_ptr_t)(M->pts + i * row + (w0 + wl) * psz);
                    __builtin_prefetch((const void *)p);
                    __builtin_prefetch((const char *)p + psz - 1);
                } else {
                    gb += (uint32_t)(wl * M->nbw);
                }
                __builtin_prefetch(&A->state[gb]);
                /* and the bucket, written soon by its first copy or read by the batch
                 * (a new task's buckets are not in the caches yet): ~2% of a 2^16 MSM */
                __builtin_prefetch((const char *)A->bk + (size_t)gb * psz, 1);
                if (psz > 64)
                    __builtin_prefetch((const char *)A->bk + (size_t)gb * psz + psz - 1, 1);
                A->ahead[ne].gb = gb;
                A->ahead[ne].ref = p | (((d < 0) ^ M->neg[i]) ? MSM_NEG : 0);
                ne++;
            }
        }
        for (size_t e = 0; e < ne; e++) acc_put(A, A->ahead[e].gb, A->ahead[e].ref);
    }
    acc_flush(A);
    acc_tree_queue(A);
}

/* ---- bucket reduction --------------------------------------------------------------- */

/*
 * The group's bucket sums (nwg windows from w0; buckets[wl * nbw + b], affine) reduced
 * to one Jacobian sum per window: winsum[wl] = sum_b (b + 1) buckets[wl][b].
 *
 * Each window's buckets are dealt to G chains, chain g taking b = g + G k for
 * k = 0 .. L-1 (L = nbw / G). Every chain runs the running-sum method over its
 * buckets, k from the top: S_g += B_b, then T_g += S_g, so S_g = sum_k B and
 * T_g = sum_k (k + 1) B; all chains of all windows advance in lock step, one
 * batch-affine addition per half step. With b + 1 = G k + (g + 1):
 *     sum_b (b + 1) B_b = G sum_g T_g - sum_g (G - 1 - g) S_g
 *                       = [G] sum_g T_g - sum_{g <= G-2} (S_0 + ... + S_g),
 * a few Jacobian additions per chain. Interleaving (rather than contiguous segments)
 * makes each half step read one contiguous block of G buckets: segments L buckets
 * apart put all reads of a step at a power-of-two stride, into a few cache sets.
 */
static int reduce_buckets(const msm_t *M, unsigned w0, unsigned nwg, const unsigned char *buckets,
                          unsigned char *winsum) {
    const msm_curve_t *cv = M->cv;
    const size_t psz = cv->psz, nbw = M->nbw;
    /* L lock-step steps cost 2L batches (each with an inversion, ~1.6 us on the Zen 4
     * test machine), the Jacobian part ~3 additions per chain (~0.3 us each): G balances
     * the two, 2 nbw / G inversions against 3 nwg G additions (G = 32 for 20 windows of
     * 4096 buckets, 8 for 26 of 512). */
    size_t G = 1;
    while (G < nbw && (double)G * (double)G * nwg < 2.0 * (double)nbw) G *= 2;
    const size_t L = nbw / G;
    unsigned lgG = 0;
    while (((size_t)1 << lgG) < G) lgG++;
    PROF_START;

    const size_t nch = (size_t)nwg * G;        /* chain i: window i / G, g = i % G */
    unsigned char *S = msm_zalloc(nch * psz), *T = msm_zalloc(nch * psz);
    /* threads only when the reduction has work enough to pay for waking them (a small
     * MSM's reduction is a few hundred additions; waiting for a busy core costs ms) */
    const int big = nch >= 64 && (size_t)nwg * nbw >= MSM_REDUCE_PARALLEL_MIN;
    int nt = big ? M->nt : 1;
    if (nt > (int)nch) nt = (int)nch;
    if (!S || !T) {
        free(S);
        free(T);
        return -1;
    }
    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(nt) reduction(| : fail)
#endif
    for (int t = 0; t < nt; t++) {
        size_t lo = nch * (size_t)t / (size_t)nt, hi = nch * (size_t)(t + 1) / (size_t)nt;
        size_t cnt = hi - lo;
        msm_ptr_t *pa = malloc((cnt + 1) * sizeof *pa), *pb = malloc((cnt + 1) * sizeof *pb);
        void **po = malloc((cnt + 1) * sizeof *po);
        void *scr = msm_zalloc(cv->scratch(cnt + 1));
        if (!pa || !pb || !po || !scr) {
            fail |= 1;
        } else {
            for (size_t k = L; k-- > 0;) {
                size_t m = 0;
                for (size_t i = lo; i < hi; i++) {
                    const size_t wl = i / G, b = i % G + G * k;
                    if (b >= window_buckets(M, w0 + (unsigned)wl)) continue;
                    const unsigned char *B = buckets + (wl * nbw + b) * psz;
                    unsigned char *s = S + i * psz;
                    if (point_is_zero(B, psz)) continue;
                    if (point_is_zero(s, psz)) { memcpy(s, B, psz); continue; }
                    pa[m] = (msm_ptr_t)s;
                    pb[m] = (msm_ptr_t)B;
                    po[m] = s;
                    m++;
                }
                cv->batch(po, pa, pb, m, scr, M->ifma);
                m = 0;
                for (size_t i = lo; i < hi; i++) {
                    unsigned char *s = S + i * psz, *tt = T + i * psz;
                    if (point_is_zero(s, psz)) continue;
                    if (point_is_zero(tt, psz)) { memcpy(tt, s, psz); continue; }
                    pa[m] = (msm_ptr_t)tt;
                    pb[m] = (msm_ptr_t)s;
                    po[m] = tt;
                    m++;
                }
                cv->batch(po, pa, pb, m, scr, M->ifma);
            }
        }
        free(pa); free(pb); free(po); free(scr);
    }
    if (fail) {
        free(S);
        free(T);
        return -1;
    }
    PROF("lockstep");
    const int ntw = nwg >= 2 && big ? M->nt : 1;
    (void)ntw;   /* only read by OpenMP */
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(ntw)
#endif
    for (unsigned wl = 0; wl < nwg; wl++) {
        _Alignas(64) unsigned char tot[sizeof(g2_jac_t)], run[sizeof(g2_jac_t)], u[sizeof(g2_jac_t)];
        _Alignas(64) unsigned char ns[sizeof(g2_aff_t)];
        cv->jac_id(tot);
        cv->jac_id(run);
        cv->jac_id(u);
        const unsigned char *Sw = S + (size_t)wl * G * psz, *Tw = T + (size_t)wl * G * psz;
        /* run and u sum the negated S_g, so the window's sum is tot + u: one Jacobian
         * addition instead of an inversion (u to affine) and a mixed addition */
        for (size_t g = 0; g < G; g++) {
            cv->jac_add_aff(tot, tot, Tw + g * psz);
            if (g + 1 < G) {
                cv->neg(ns, Sw + g * psz);
                cv->jac_add_aff(run, run, ns);
                cv->jac_add(u, u, run);
            }
        }
        for (unsigned d = 0; d < lgG; d++) cv->jac_dbl(tot, tot);
        cv->jac_add(tot, tot, u);
        memcpy(winsum + wl * cv->jsz, tot, cv->jsz);
    }
    PROF("combine");
    free(S);
    free(T);
    return 0;
}

/* ---- one pass ----------------------------------------------------------------------- */

/* Windows [w0, w0 + nwg): fill their buckets, then reduce them to winsum. */
static int msm_group(const msm_t *M, unsigned w0, unsigned nwg, unsigned char *winsum) {
    const msm_curve_t *cv = M->cv;
    const size_t nbw = M->nbw, psz = cv->psz;
    PROF_START;
    unsigned char *buckets = msm_zalloc((size_t)nwg * nbw * psz);     /* identity = zeros */
    if (!buckets) return -1;
    /* tasks: runs of at most g consecutive windows, g >= 1 chosen so a task owns enough
     * buckets; their number a multiple of the threads' and the windows dealt evenly, so
     * that every thread gets the same number of windows (22 windows in runs of 4 would
     * give one thread 12 and the other 10) */
    unsigned g = (unsigned)((MSM_TASK_BYTES + nbw * psz - 1) / (nbw * psz));
    const unsigned per_thread = (nwg + (unsigned)M->nt - 1) / (unsigned)M->nt;
    if (g > per_thread) g = per_thread;       /* but at least one task per thread */
    if (g < 1) g = 1;
    unsigned ntask = (nwg + g - 1) / g;
    if (ntask % (unsigned)M->nt) ntask += (unsigned)M->nt - ntask % (unsigned)M->nt;
    if (ntask > nwg) ntask = nwg;
    size_t bmax = (size_t)g * nbw / 2;
    if (bmax > MSM_BATCH) bmax = MSM_BATCH;
    if (bmax < 8) bmax = 8;
    const int nt = ntask >= 2 && (size_t)M->n * nwg >= ZKCX_PARALLEL_MIN ? M->nt : 1;
    (void)nt;    /* only read by OpenMP */
    /* the tasks of ceil(nwg / ntask) windows first, then the smaller ones: taken in index
     * order, 20 windows in tasks of 3,3,4,3,3,4 would give one thread 4 + 4 + 3 */
    unsigned order[256];               /* ntask <= nwg <= 128 windows (c >= 2) */
    {
        unsigned no = 0;
        const unsigned big = (nwg + ntask - 1) / ntask;
        for (int pass = 0; pass < 2; pass++)
            for (unsigned t = 0; t < ntask; t++) {
                const unsigned sz =
                    (unsigned)((size_t)nwg * (t + 1) / ntask - (size_t)nwg * t / ntask);
                if ((sz == big) == (pass == 0)) order[no++] = t;
            }
    }
    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(nt) reduction(| : fail)
#endif
    {
        acc_t A;
        const int ok = acc_alloc(&A, M, (size_t)g * nbw, bmax, g) == 0;
        if (!ok) fail |= 1;
        /* every thread meets the work-sharing loop, even one whose allocation failed */
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (unsigned u = 0; u < ntask; u++) {
            if (!ok) continue;
            const unsigned t = order[u];
            /* windows [a, b): at most ceil(nwg / ntask) <= g of them */
            const unsigned a = (unsigned)((size_t)nwg * t / ntask);
            const unsigned b = (unsigned)((size_t)nwg * (t + 1) / ntask);
            acc_task(&A, w0 + a, w0 + b, 0, M->n, buckets + (size_t)a * nbw * psz);
        }
        if (ok) acc_free(&A);
    }
    PROF("buckets");
    int rc = fail ? -1 : reduce_buckets(M, w0, nwg, buckets, winsum);
    PROF("reduce");
    free(buckets);
    return rc;
}

/* Jacobian acc += sum_i (-1)^neg_i [k_i] P_i, canonical scalars below 2^bits. */
static int msm_pass(const msm_curve_t *cv, void *acc, const unsigned char *pts, const uint64_t *k,
                    const uint8_t *neg, size_t n, unsigned bits, int nt, int ifma) {
    _Alignas(64) unsigned char t[sizeof(g2_jac_t)], p[sizeof(g2_aff_t)];
    if (n <= MSM_NAIVE_MAX) {
        for (size_t i = 0; i < n; i++) {
            memcpy(p, pts + i * cv->psz, cv->psz);
            if (neg[i]) cv->neg(p, p);
            cv->jac_mul(t, p, k + 4 * i);
            cv->jac_add(acc, acc, t);
        }
        return 0;
    }
    unsigned c;
    (void)msm_cost(n, nt, bits, &c);
    if (nt > 1 && bits < 254 && n >= 2 * (size_t)ZKCX_PARALLEL_MIN) {
        /* The short pass of small scalars has few windows, loaded unevenly (a witness's
         * 1s all land in window 0): split the points instead, one single-threaded pass
         * per part, and add the parts. */
        unsigned char *part = malloc((size_t)nt * cv->jsz);
        if (!part) return -1;
        int fail = 0;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(nt) reduction(| : fail)
#endif
        for (int q = 0; q < nt; q++) {
            const size_t lo = n * (size_t)q / (size_t)nt, hi = n * (size_t)(q + 1) / (size_t)nt;
            unsigned char *acc_q = part + (size_t)q * cv->jsz;
            cv->jac_id(acc_q);
            fail |= msm_pass(cv, acc_q, pts + lo * cv->psz, k + 4 * lo, neg + lo, hi - lo, bits,
                             1, ifma) != 0;
        }
        for (int q = 0; q < nt && !fail; q++) cv->jac_add(acc, acc, part + (size_t)q * cv->jsz);
        free(part);
        return fail ? -1 : 0;
    }
    msm_t M;
    M.cv = cv;
    M.pts = pts;
    M.k = k;
    M.neg = neg;
    M.n = n;
    M.bits = bits;
    M.c = c;
    M.nwin = (bits + 1 + M.c - 1) / M.c;
    M.nbw = (size_t)1 << (M.c - 1);
    M.nt = nt;
    M.ifma = ifma;
    M.ktab = 0;
    unsigned char *winsum = malloc((size_t)M.nwin * cv->jsz);
    if (!winsum) return -1;
    size_t per = MSM_GROUP_BYTES / (M.nbw * cv->psz);
    unsigned gw = per < 1 ? 1 : per > M.nwin ? M.nwin : (unsigned)per;
    for (unsigned w0 = 0; w0 < M.nwin; w0 += gw) {
        unsigned nwg = M.nwin - w0 < gw ? M.nwin - w0 : gw;
        if (msm_group(&M, w0, nwg, winsum + (size_t)w0 * cv->jsz) != 0) {
            free(winsum);
            return -1;
        }
    }
    /* Horner: sum_w 2^(c w) W_w */
    cv->jac_id(t);
    for (unsigned w = M.nwin; w-- > 0;) {
        for (unsigned d = 0; d < M.c; d++) cv->jac_dbl(t, t);
        cv->jac_add(t, t, winsum + (size_t)w * cv->jsz);
    }
    cv->jac_add(acc, acc, t);
    free(winsum);
    return 0;
}

static unsigned u256_bits(const uint64_t k[4]) {
    for (int l = 3; l >= 0; l--)
        if (k[l]) return 64 * (unsigned)l + 64 - (unsigned)__builtin_clzll(k[l]);
    return 0;
}

/*
 * Fold every scalar above (r - 1)/2 to r - k on the negated point ([k]P = [r - k](-P)),
 * so the witness of a circuit over signed values (r - x for -x) has small scalars, and
 * histogram the folded scalars' bit lengths. The scalar of an identity point is set to
 * zero (the bucket fill skips zero scalars): a proving key's A and B vectors are mostly
 * identity points in circuits whose wires appear in few constraints (a circom matmul's
 * products), so their MSMs cost only the wires that appear. Returns 0, or -1 when out
 * of memory.
 */
static int fold_scalars(uint64_t *k, uint8_t *neg, size_t n, size_t hist[256], int nt,
                        const unsigned char *pts, size_t stride, size_t psz) {
    const uint64_t *r = fr_modulus.v;
    const uint64_t half[4] = {(r[0] >> 1) | (r[1] << 63), (r[1] >> 1) | (r[2] << 63),
                              (r[2] >> 1) | (r[3] << 63), r[3] >> 1};   /* (r - 1)/2 */
    /* a small MSM (a verifier's IC sum) stays on its thread: waking a busy second core
     * costs more than the loop */
    const int ntf = n >= ZKCX_PARALLEL_MIN && nt > 1 ? nt : 1;
    memset(hist, 0, 256 * sizeof *hist);
    size_t *part = calloc((size_t)ntf * 256, sizeof *part);
    if (!part) return -1;
#ifdef _OPENMP
#pragma omp parallel num_threads(ntf)
#endif
    {
#ifdef _OPENMP
        size_t *h = part + 256 * (size_t)omp_get_thread_num();
#pragma omp for schedule(static)
#else
        size_t *h = part;
#endif
        for (size_t i = 0; i < n; i++) {
            uint64_t *ki = k + 4 * i;
            neg[i] = 0;
            if (point_is_zero(pts + i * stride, psz)) memset(ki, 0, 32);
            else if (!fr_u256_geq(half, ki)) {             /* k > (r - 1)/2 */
                uint64_t t[4] = {r[0], r[1], r[2], r[3]};
                fr_u256_sub(t, ki);
                memcpy(ki, t, 32);
                neg[i] = 1;
            }
            h[u256_bits(ki)]++;
        }
    }
    for (int t = 0; t < ntf; t++)
        for (int b = 0; b < 256; b++) hist[b] += part[256 * t + b];
    free(part);
    return 0;
}

/*
 * The split: scalars of at most `small` bits are summed in a pass of ceil((small+1)/c)
 * windows over all points (the others' scalars set to zero, which the bucket fill
 * skips), the rest in a full pass over a compact copy of their points. `small` is the
 * bit length (any that occurs: a matmul's 17-bit products get 17-bit windows, not 24)
 * that minimises the model's cost of the two passes (msm_cost); 254 means one pass.
 */
static unsigned choose_split(const size_t hist[256], size_t n, int nt) {
    size_t cum[256];
    size_t acc = 0;
    for (int b = 0; b < 256; b++) { acc += hist[b]; cum[b] = acc; }
    const size_t nonzero = n - hist[0];
    double best = msm_cost(nonzero, nt, 254, NULL);
    unsigned best_t = 254;
    for (unsigned t = 1; t < 254; t++) {
        /* only bit lengths that occur: between two of them the small pass has the
         * same points and more windows */
        if (hist[t] == 0) continue;
        const size_t small = cum[t] - hist[0], large = n - cum[t];
        /* the small pass still walks all n points; the copy costs about a bucket add */
        double cost = msm_cost(small, nt, t, NULL) + 0.05 * (double)n;
        if (large > 0) cost += msm_cost(large, nt, 254, NULL) + (double)large;
        if (cost < best) { best = cost; best_t = t; }
    }
    return best_t;
}

static int msm_run(const msm_curve_t *cv, uint64_t *out, const uint64_t *points,
                   const uint64_t *scalars, size_t n) {
    const int nt = zkcx_runtime_threads(), ifma = zkcx_runtime_use_ifma();
    _Alignas(64) unsigned char acc[sizeof(g2_jac_t)];
    cv->jac_id(acc);
    if (n > SIZE_MAX / 256) return ZKCX_ERR_NOMEM;
    int rc = ZKCX_OK;
    if (n > 0) {
        uint64_t *k = malloc(n * 32), *kl = NULL;
        uint8_t *neg = malloc(n), *negl = NULL;
        unsigned char *pl = NULL;
        size_t hist[256];
        if (!k || !neg) { rc = ZKCX_ERR_NOMEM; goto done; }
        const unsigned char *pts = (const unsigned char *)points;
        msm_scalars_from_mont(k, scalars, n, nt, ifma);
        if (fold_scalars(k, neg, n, hist, nt, pts, cv->psz, cv->psz) != 0) {
            rc = ZKCX_ERR_NOMEM;
            goto done;
        }
        const unsigned split = choose_split(hist, n, nt);
        if (split >= 254) {
            if (msm_pass(cv, acc, pts, k, neg, n, 254, nt, ifma) != 0) rc = ZKCX_ERR_NOMEM;
            goto done;
        }
        size_t nl = 0;
        for (unsigned b = split + 1; b < 256; b++) nl += hist[b];
        if (nl > 0) {
            kl = malloc(nl * 32);
            negl = malloc(nl);
            pl = msm_zalloc(nl * cv->psz);
            if (!kl || !negl || !pl) { rc = ZKCX_ERR_NOMEM; goto done; }
            size_t j = 0;
            for (size_t i = 0; i < n; i++) {
                uint64_t *ki = k + 4 * i;
                if (u256_bits(ki) <= split) continue;
                memcpy(kl + 4 * j, ki, 32);
                negl[j] = neg[i];
                memcpy(pl + j * cv->psz, pts + i * cv->psz, cv->psz);
                memset(ki, 0, 32);
                j++;
            }
            if (msm_pass(cv, acc, pl, kl, negl, nl, 254, nt, ifma) != 0) {
                rc = ZKCX_ERR_NOMEM;
                goto done;
            }
        }
        if (msm_pass(cv, acc, pts, k, neg, n, split, nt, ifma) != 0) rc = ZKCX_ERR_NOMEM;
    done:
        free(k);
        free(neg);
        free(kl);
        free(negl);
        free(pl);
        if (rc != ZKCX_OK) return rc;
    }
    cv->jac_to_aff(out, acc);
    return ZKCX_OK;
}

/* ---- with tables ---------------------------------------------------------------------- */

unsigned zkcx_msm_tables_count(unsigned c) {
    return c >= MSM_TABLES_C_MIN && c <= MSM_TABLES_C_MAX ? (255 + c - 1) / c : 0;
}

/* The c minimizing K n bucket additions plus the reduction, MSM_REDUCE_WEIGHT additions
 * for each of a task's 2^(c-1) buckets, one task a thread (msm_cost's model). */
unsigned zkcx_msm_tables_window(size_t n) {
    const double nt = (double)zkcx_runtime_threads();
    unsigned best = MSM_TABLES_C_MIN;
    double best_cost = 0;
    for (unsigned c = MSM_TABLES_C_MIN; c <= MSM_TABLES_C_MAX; c++) {
        double cost = (double)zkcx_msm_tables_count(c) * (double)n +
                      MSM_REDUCE_WEIGHT * nt * (double)((size_t)1 << (c - 1));
        if (c == MSM_TABLES_C_MIN || cost < best_cost) { best = c; best_cost = cost; }
    }
    return best;
}

/*
 * sum_i [s_i] P_i from the tables T[i][j] = [2^(c j)] P_i of point_tables.c: each of the
 * ceil(255/c) windows of a folded scalar adds +-T[i][j] to the one bucket set of its
 * task, the tasks (one a thread) split the points, and each task's buckets are reduced
 * once (reduce_buckets, a task's set standing for a window); the task sums are added,
 * with no doubling. About ceil(255/c) n + 2 nt 2^(c-1) additions against
 * ceil(255/c') (n + 2 2^(c'-1)) for the plain MSM's smaller c'.
 */
static int msm_tables_run(const msm_curve_t *cv, uint64_t *out, const uint64_t *tables,
                          unsigned c, const uint64_t *scalars, size_t n) {
    const unsigned ktab = zkcx_msm_tables_count(c);
    if (ktab == 0) return ZKCX_ERR_ARG;
    if (n > SIZE_MAX / 8192) return ZKCX_ERR_NOMEM;
    const int nt = zkcx_runtime_threads(), ifma = zkcx_runtime_use_ifma();
    const size_t psz = cv->psz, nbw = (size_t)1 << (c - 1);
    _Alignas(64) unsigned char acc[sizeof(g2_jac_t)];
    cv->jac_id(acc);
    int rc = ZKCX_OK;
    uint64_t *k = malloc((n ? n : 1) * 32);
    uint8_t *neg = malloc(n ? n : 1);
    size_t hist[256];
    const unsigned ntask = n >= ZKCX_PARALLEL_MIN && nt > 1 ? (unsigned)nt : 1;
    unsigned char *buckets = msm_zalloc(ntask * nbw * psz), *winsum = malloc(ntask * cv->jsz);
    if (!k || !neg || !buckets || !winsum) { rc = ZKCX_ERR_NOMEM; goto done; }
    const unsigned char *pts = (const unsigned char *)tables;
    msm_scalars_from_mont(k, scalars, n, nt, ifma);
    if (fold_scalars(k, neg, n, hist, nt, pts, ktab * psz, psz) != 0) {
        rc = ZKCX_ERR_NOMEM;
        goto done;
    }
    msm_t M = {cv, pts, k, neg, n, 254, c, ktab, nbw, nt, ifma, ktab};
    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads((int)ntask) reduction(| : fail)
#endif
    {
        acc_t A;
        const int ok = acc_alloc(&A, &M, nbw, MSM_BATCH, ktab) == 0;
        if (!ok) fail |= 1;
#ifdef _OPENMP
#pragma omp for schedule(static, 1)
#endif
        for (unsigned t = 0; t < ntask; t++) {
            if (!ok) continue;
            acc_task(&A, 0, ktab, n * t / ntask, n * (t + 1) / ntask, buckets + t * nbw * psz);
        }
        if (ok) acc_free(&A);
    }
    if (fail || reduce_buckets(&M, 0, ntask, buckets, winsum) != 0) {
        rc = ZKCX_ERR_NOMEM;
        goto done;
    }
    for (unsigned t = 0; t < ntask; t++) cv->jac_add(acc, acc, winsum + t * cv->jsz);
    cv->jac_to_aff(out, acc);
done:
    free(k);
    free(neg);
    free(buckets);
    free(winsum);
    return rc;
}

int zkcx_g1_msm_tables(uint64_t *out, const uint64_t *tables, unsigned c,
                       const uint64_t *scalars, size_t n) {
    return msm_tables_run(&msm_curve_g1, out, tables, c, scalars, n);
}

int zkcx_g2_msm_tables(uint64_t *out, const uint64_t *tables, unsigned c,
                       const uint64_t *scalars, size_t n) {
    return msm_tables_run(&msm_curve_g2, out, tables, c, scalars, n);
}

int zkcx_g1_msm(uint64_t *out, const uint64_t *points, const uint64_t *scalars, size_t n) {
    return msm_run(&msm_curve_g1, out, points, scalars, n);
}

int zkcx_g2_msm(uint64_t *out, const uint64_t *points, const uint64_t *scalars, size_t n) {
    return msm_run(&msm_curve_g2, out, points, scalars, n);
}
