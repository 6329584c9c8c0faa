/* SPDX-License-Identifier: MIT */
/*
 * One Groth16 proof with snarkjs's conventions (zkcx/groth16/prove.py's docstring has
 * the equations): zkcx_groth16_prove computes
 *
 *   a = A·w, b = B·w (the zkey's coefficient rows, CSR), c = a∘b
 *   h = the quotient scalars (zkcx_fr_qap_quotient, in a's memory)
 *   pi_a = alpha_1 + sum w_s A_s + [r] delta_1
 *   B1   = beta_1  + sum w_s B1_s + [s] delta_1
 *   pi_b = beta_2  + sum w_s B2_s + [s] delta_2
 *   pi_c = sum_{s > n_public} w_s C_s + sum h_i H_i + [s] pi_a + [r] B1 - [r s] delta_1
 *        = sum w_s C_s + sum h_i H_i + [s] A0 + [r] B0 + [r s] delta_1
 *          with A0 = pi_a - [r] delta_1 and B0 = B1 - [s] delta_1 (the unblinded sums)
 *   vk_x = IC_0 + sum_{i=1}^{n_public} w_i IC_i   (for the caller's self-check)
 *
 * by calling the library's own kernels (sparse matvec, quotient, MSMs, point law): it is
 * the prover of both Python paths (zkcx.groth16.prove over numpy arrays and the
 * numpy-free zkcx.groth16.lean over a mapped key), which only fill zkcx_groth16_key with
 * pointers. Every kernel spreads over the calling thread's thread count
 * (zkcx_set_local_threads), so prove_many's one-thread workers still work; cffi releases
 * the GIL for the whole call. The points are trusted (validated when the key was
 * loaded); the proof's own verification is the caller's (a pairing check), which needs
 * vk_x: its MSM (one point per public value: 1,024 for a matmul's outputs) is computed
 * here, where a thread would otherwise wait (beside the witness MSMs).
 *
 * A, B1 and B2 may be given as their non-identity points only (index != NULL: points[k]
 * is the wire index[k]'s point), the witness values then gathered for them: a circom
 * circuit's A and B vectors are mostly identities (zkcx_points_nonidentity and
 * zkcx_points_gather make that form once per key). A point vector that lies inside
 * [mapped_start, mapped_start + mapped_length), a read-only file mapping, has its pages
 * dropped from resident memory after its MSM (madvise MADV_DONTNEED: they stay in the
 * page cache and are read again on the next proof), so the peak holds one section at a
 * time; memory outside the range (the process's own: DONTNEED would zero it) is never
 * touched.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../include/zkcx.h"
#include "runtime.h"

#define FR_WORDS 4

static void release(const zkcx_groth16_key *key, const uint64_t *points, size_t bytes) {
#ifdef MADV_DONTNEED
    uintptr_t map_lo = (uintptr_t)key->mapped_start, map_hi = map_lo + key->mapped_length;
    uintptr_t start = (uintptr_t)points, end = start + bytes;
    if (key->mapped_start == NULL || bytes == 0 || start < map_lo || end > map_hi) return;
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0) return;
    uintptr_t lo = (start + (uintptr_t)page - 1) / (uintptr_t)page * (uintptr_t)page;
    uintptr_t hi = end / (uintptr_t)page * (uintptr_t)page;
    if (hi > lo) madvise((void *)lo, hi - lo, MADV_DONTNEED);
#else
    (void)key; (void)points; (void)bytes;
#endif
}

/* sum_k w[index[k]] points[k] (or sum_s w_s points_s without index); scratch holds
 * count scalars. The empty sum is the identity (all zero). */
static int witness_msm(uint64_t *out, int g2, const uint64_t *points, const int64_t *index,
                       size_t count, const uint64_t *w, uint64_t *scratch) {
    size_t words = g2 ? 16 : 8;
    if (count == 0) {
        memset(out, 0, words * sizeof(uint64_t));
        return ZKCX_OK;
    }
    const uint64_t *scalars = w;
    if (index != NULL) {
        for (size_t k = 0; k < count; k++)
            memcpy(scratch + FR_WORDS * k, w + FR_WORDS * (size_t)index[k],
                   FR_WORDS * sizeof(uint64_t));
        scalars = scratch;
    }
    return g2 ? zkcx_g2_msm(out, points, scalars, count)
              : zkcx_g1_msm(out, points, scalars, count);
}

/* out = p + [k] q (k plain), G1 or G2 */
static int add_multiple(uint64_t *out, int g2, const uint64_t *p, const uint64_t *q,
                        const uint64_t *k) {
    uint64_t t[16];
    int rc = g2 ? zkcx_g2_mul(t, q, k) : zkcx_g1_mul(t, q, k);
    if (rc != ZKCX_OK) return rc;
    return g2 ? zkcx_g2_add(out, p, t) : zkcx_g1_add(out, p, t);
}

/* pi_a = alpha_1 + sum w_s A_s + [r] delta_1 (part 0), B1 = beta_1 + sum w_s B1_s +
 * [s] delta_1 (part 1) or pi_b = beta_2 + sum w_s B2_s + [s] delta_2 (part 2, G2): a
 * witness MSM plus its constant and blinding terms (not formed when out is NULL: the
 * prover needs B1 only through [r] B0); gathered holds the part's count of scalars.
 * Parts 0 and 1 also write pi_c's term of them to cross, [s] A0 or [r] B0 (the sum
 * before its blinding term: see the top), so that pi_c's scalar multiplications run
 * with the parts (side by side in the job phase) rather than after H. */
static int witness_part(int part, uint64_t *out, uint64_t *cross, const zkcx_groth16_key *key,
                        const uint64_t *w, const uint64_t *r, const uint64_t *s,
                        uint64_t *gathered) {
    const int g2 = part == 2;
    const uint64_t *points = part == 0 ? key->a_points : part == 1 ? key->b1_points
                                                                   : key->b2_points;
    const int64_t *index = part == 0 ? key->a_index : part == 1 ? key->b1_index
                                                                : key->b2_index;
    size_t count = part == 0 ? key->a_count : part == 1 ? key->b1_count : key->b2_count;
    const uint64_t *base = part == 0 ? key->alpha_1 : part == 1 ? key->beta_1 : key->beta_2;
    uint64_t sum[16], t[16];
    int rc = witness_msm(sum, g2, points, index, count, w, gathered);
    if (rc != ZKCX_OK) return rc;
    release(key, points, count * (g2 ? 16 : 8) * sizeof(uint64_t));
    rc = g2 ? zkcx_g2_add(t, base, sum) : zkcx_g1_add(t, base, sum);
    if (rc != ZKCX_OK) return rc;
    if (!g2 && (rc = zkcx_g1_mul(cross, t, part == 0 ? s : r)) != ZKCX_OK) return rc;
    if (out == NULL) return ZKCX_OK;
    return add_multiple(out, g2, t, g2 ? key->delta_2 : key->delta_1, part == 0 ? r : s);
}

/* [r s] delta_1, pi_c's last term (r, s plain) */
static int rs_delta(uint64_t *out, const zkcx_groth16_key *key, const uint64_t *r,
                    const uint64_t *s) {
    uint64_t rs_m[4], r_m[4], s_m[4], rs[4];
    zkcx_fr_vec_from_canonical(r_m, r, 1);
    zkcx_fr_vec_from_canonical(s_m, s, 1);
    zkcx_fr_mul(rs_m, r_m, s_m);
    zkcx_fr_vec_to_canonical(rs, rs_m, 1);
    return zkcx_g1_mul(out, key->delta_1, rs);
}

/* sum_{s > n_public} w_s C_s over the wires [n_public + 1 + lo, n_public + 1 + hi) */
static int c_sum(uint64_t *out, const zkcx_groth16_key *key, const uint64_t *w, size_t lo,
                 size_t hi) {
    const uint64_t *points = key->c_points + 8 * lo;
    int rc = witness_msm(out, 0, points, NULL, hi - lo, w + FR_WORDS * (key->n_public + 1 + lo),
                         NULL);
    release(key, points, (hi - lo) * 8 * sizeof(uint64_t));
    return rc;
}

/* vk_x = IC_0 + sum_{i=1}^{n_public} w_i IC_i */
static int public_sum(uint64_t *vk_x, const zkcx_groth16_key *key, const uint64_t *w) {
    uint64_t sum[8];
    int rc = witness_msm(sum, 0, key->ic_points + 8, NULL, key->n_public, w + FR_WORDS, NULL);
    if (rc != ZKCX_OK) return rc;
    return zkcx_g1_add(vk_x, key->ic_points, sum);
}

/* a = A·w, b = B·w, c = a∘b */
static void evaluations(uint64_t *a, uint64_t *b, uint64_t *c, const zkcx_groth16_key *key,
                        const uint64_t *w, size_t n) {
    zkcx_fr_sparse_matvec(a, key->a_row_ptr, key->a_col, key->a_coef, n, w);
    zkcx_fr_sparse_matvec(b, key->b_row_ptr, key->b_col, key->b_coef, n, w);
    zkcx_fr_vec_mul(c, a, b, n);
}

static size_t max_size(size_t x, size_t y) { return x > y ? x : y; }

int zkcx_groth16_prove(uint64_t *pi_a, uint64_t *pi_b, uint64_t *pi_c, uint64_t *vk_x,
                       const zkcx_groth16_key *key, const uint64_t *w, const uint64_t *r,
                       const uint64_t *s) {
    size_t n = key->domain, wires = key->n_wires;
    if (key->n_public + 1 > wires || n == 0 || (n & (n - 1)) != 0) return ZKCX_ERR_ARG;
    if (key->a_count > wires || key->b1_count > wires || key->b2_count > wires)
        return ZKCX_ERR_ARG;
    uint64_t nnz = (uint64_t)key->a_row_ptr[n] + (uint64_t)key->b_row_ptr[n];
    uint64_t weighted = (uint64_t)key->a_count + key->b1_count + 3 * (uint64_t)key->b2_count;
    const int jobs = zkcx_runtime_threads() >= 2 && 8 * weighted <= nnz;
    const size_t counts[3] = {key->a_count, key->b1_count, key->b2_count};
    /* a, b, c, then the gathered witness scalars of A, B1 and B2: each its own in the job
     * phase below, else one area of the largest count, used in turn */
    size_t gathered_words = jobs ? counts[0] + counts[1] + counts[2]
                                 : max_size(counts[0], max_size(counts[1], counts[2]));
    gathered_words *= FR_WORDS;
    uint64_t *work = malloc((3 * FR_WORDS * n + gathered_words) * sizeof(uint64_t));
    if (work == NULL) return ZKCX_ERR_NOMEM;
    uint64_t *a = work, *b = work + FR_WORDS * n, *c = work + 2 * FR_WORDS * n;
    uint64_t *gathered = work + 3 * FR_WORDS * n;
    uint64_t c_part[8], rsd[8], cross[2][8];
    uint64_t *parts[3] = {pi_a, NULL, pi_b};
    size_t n_c = wires - key->n_public - 1;
    int rc = ZKCX_OK;

    /* The evaluations, vk_x, C's MSM and the witness MSMs of pi_a, B1, pi_b depend on w
     * only. When the witness MSMs are small (few non-identity points, as in circuits
     * whose A and B rows name few wires: at most one weighted point, G2 counting 3, per
     * 8 nonzero coefficients of A and B), each of these steps is too small to keep two
     * threads busy (a matmul 32^3: 0.5-1.2 ms each, C about 5 ms), so with two threads
     * or more they run as jobs, one thread each (nested regions inside them run on one
     * thread: the local count is 1), handed out largest first to whichever thread is
     * free: C in two halves, the evaluations, pi_b (G2), vk_x and [r s] delta_1, pi_a, B1. Otherwise
     * (e.g. a full-size witness on most wires) they run one after the other, each on
     * all threads, as do the quotient and H. */
    if (jobs) {
        enum { JOB_C0, JOB_EVAL, JOB_C1, JOB_B2, JOB_VK, JOB_A, JOB_B1, JOB_COUNT };
        int rcs[JOB_COUNT] = {0};
        uint64_t c_half[2][8];
        const size_t c_mid = n_c / 2;
        #pragma omp parallel for schedule(dynamic, 1) num_threads(2)
        for (int job = 0; job < JOB_COUNT; job++) {
            int saved = zkcx_runtime_local_threads();
            zkcx_set_local_threads(1);
            switch (job) {
            case JOB_C0: rcs[job] = c_sum(c_half[0], key, w, 0, c_mid); break;
            case JOB_C1: rcs[job] = c_sum(c_half[1], key, w, c_mid, n_c); break;
            case JOB_EVAL: evaluations(a, b, c, key, w, n); break;
            case JOB_VK:
                rcs[job] = public_sum(vk_x, key, w);
                if (rcs[job] == ZKCX_OK) rcs[job] = rs_delta(rsd, key, r, s);
                break;
            default: {
                const int part = job == JOB_A ? 0 : job == JOB_B1 ? 1 : 2;
                uint64_t *scratch = gathered;
                for (int q = 0; q < part; q++) scratch += FR_WORDS * counts[q];
                rcs[job] = witness_part(part, parts[part], cross[part < 2 ? part : 0], key, w,
                                        r, s, scratch);
            }
            }
            zkcx_set_local_threads(saved);
        }
        for (int job = 0; job < JOB_COUNT && rc == ZKCX_OK; job++) rc = rcs[job];
        if (rc == ZKCX_OK) rc = zkcx_g1_add(c_part, c_half[0], c_half[1]);
        if (rc != ZKCX_OK) goto done;
    } else {
        evaluations(a, b, c, key, w, n);
        for (int part = 0; part < 3 && rc == ZKCX_OK; part++)
            rc = witness_part(part, parts[part], cross[part < 2 ? part : 0], key, w, r, s,
                              gathered);
        if (rc == ZKCX_OK) rc = public_sum(vk_x, key, w);
        if (rc == ZKCX_OK) rc = rs_delta(rsd, key, r, s);
        if (rc == ZKCX_OK) rc = c_sum(c_part, key, w, 0, n_c);
        if (rc != ZKCX_OK) goto done;
    }
    /* the quotient: h in a */
    rc = zkcx_fr_qap_quotient(a, b, c, n, NULL);
    if (rc != ZKCX_OK) goto done;

    uint64_t h_part[8], t1[8];
    /* pi_c = C + H + [s] A0 + [r] B0 + [r s] delta_1 */
    if (key->h_tables != NULL) {
        rc = zkcx_g1_msm_tables(h_part, key->h_tables, key->h_table_c, a, n);
        if (rc != ZKCX_OK) goto done;
    } else {
        if ((rc = zkcx_g1_msm(h_part, key->h_points, a, n)) != ZKCX_OK) goto done;
        release(key, key->h_points, n * 8 * sizeof(uint64_t));
    }
    if ((rc = zkcx_g1_add(t1, c_part, h_part)) != ZKCX_OK) goto done;
    if ((rc = zkcx_g1_add(t1, t1, cross[0])) != ZKCX_OK) goto done;
    if ((rc = zkcx_g1_add(t1, t1, cross[1])) != ZKCX_OK) goto done;
    rc = zkcx_g1_add(pi_c, t1, rsd);
done:
    free(work);
    return rc;
}

long long zkcx_points_nonidentity(int64_t *index, const uint64_t *points, size_t n,
                                  size_t words) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        const uint64_t *p = points + words * i;
        uint64_t any = 0;
        for (size_t k = 0; k < words; k++) any |= p[k];
        if (any) index[count++] = (int64_t)i;
    }
    return (long long)count;
}

void zkcx_points_gather(uint64_t *out, const uint64_t *points, const int64_t *index,
                        size_t count, size_t words) {
    for (size_t k = 0; k < count; k++)
        memcpy(out + words * k, points + words * (size_t)index[k], words * sizeof(uint64_t));
}
