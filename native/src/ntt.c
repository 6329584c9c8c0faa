/* SPDX-License-Identifier: MIT */
/*
 * Radix-2 number-theoretic transforms over Fr, in place on n = 2^k Montgomery-form
 * elements (k <= 28, the 2-adicity of r - 1), and the Groth16 quotient of snarkjs.
 *
 * Definitions (omega a primitive n-th root of unity, g a non-zero shift):
 *   forward        A_i = sum_j a_j omega^(ij)                 (evaluate at omega^i)
 *   inverse        a_j = n^-1 sum_i A_i omega^(-ij)           (interpolate)
 *   coset forward  A_i = sum_j a_j (g omega^i)^j              (evaluate at g omega^i)
 *   coset inverse  the inverse of the above
 * Inputs and outputs are in natural order. The default root is snarkjs's
 * omega_n = 5^((r-1)/n) (docs/formats.md, "Roots of unity").
 *
 * Algorithm: the forward transform is a bit-reversal permutation followed by
 * decimation in time (Cooley-Tukey butterflies x, y <- x + wy, x - wy: bit-reversed
 * in, natural out); the inverse is decimation in frequency (Gentleman-Sande,
 * x, y <- x + y, (x - y)w: natural in, bit-reversed out) followed by the permutation.
 * Stage lm pairs a[x] with a[x + m], m = 2^lm, x mod 2m < m, with root w_2m^(x mod m).
 *
 * Memory layout of the work, so that large transforms cross memory few times:
 *   - Stages lm < kb act inside blocks of 2^kb elements. They run on a few blocks at
 *     a time held in the core's L2 cache, the blocks shared out among the threads.
 *     The coset and 1/n scalings are applied in the same pass, on bit-reversed
 *     positions, so they cost no extra trip through memory.
 *   - The wider stages are grouped by up to TILE_LOG: a group of stages [lo, hi)
 *     only mixes elements that differ in index bits lo..hi-1, so it splits into
 *     independent tiles of 2^(hi-lo) rows (stride 2^lo) by `cols` adjacent columns.
 *     Each tile is copied into a per-thread buffer (a contiguous copy also avoids the
 *     cache-set conflicts of power-of-two strides), transformed there through all the
 *     stages of the group, and copied back: one read and one write of the array per
 *     group instead of per stage.
 *   - The quotient chains an inverse DIF, the coset scaling and a forward DIT with no
 *     permutation at all, and finishes h = A B - C on the tiles of its last group.
 *
 * Twiddles: stage lm uses w_2m^j, j < m. The tables of all stages are stored side by
 * side (n - 1 elements), so each stage reads its roots contiguously and the in-block
 * stages share small cache-resident tables. They are computed per call into the
 * call's own buffer (a small part of a transform; see alloc_work for huge pages): no
 * global state, nothing to lock, no memory kept between calls.
 *
 * Two implementations of the butterfly passes, chosen per call:
 *   - packed (zkcx_runtime_use_ifma(), n >= 64): AVX-512 IFMA on packs of 8
 *     elements in radix 2^52, in ntt_ifma.c (which describes it);
 *   - scalar: fr_add/fr_sub/fr_mul on the 4 x 64-bit layout, here.
 * Both share the plan (ntt_plan.h), the blocks, the tiles and the twiddles.
 * Both are exact, so results are identical for every thread count and either setting.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "ntt.h"
#include "ntt_plan.h"
#include "field_ifma.h"
#include "runtime.h"
#include "../include/zkcx.h"

/* Scalar path: blocks of 2^BLOCK_LOG elements (256 KB of the 2 MB L2). */
#define BLOCK_LOG 13
/* Packed path: blocks of 2^PK_BLOCK_LOG, 8 at a time: 8192 elements, 320 KB packed. */
#define PK_BLOCK_LOG 10
/* Stage groups: up to TILE_LOG stages, on tiles of up to 2^TILE_LOG rows by up to
 * TILE_COLS columns (128 KB, 160 KB packed). */
#define TILE_LOG 6
#define TILE_ROWS (1u << TILE_LOG)
#define TILE_COLS 64u
#define POW_BLOCK 256u    /* powers: serial chain length, then vector steps of it */

/* ---------------------------------------------------------------- helpers */

int ntt_log2(size_t n) {
    if (n == 0 || (n & (n - 1)) != 0) return -1;
    int k = __builtin_ctzll((unsigned long long)n);
    return k <= NTT_MAX_LOG ? k : -1;
}

/* The low `bits` bits of i in reverse order. */
static inline size_t bit_reverse(size_t i, unsigned bits) {
    uint64_t x = (uint64_t)i;
    x = ((x >> 1) & 0x5555555555555555ULL) | ((x & 0x5555555555555555ULL) << 1);
    x = ((x >> 2) & 0x3333333333333333ULL) | ((x & 0x3333333333333333ULL) << 2);
    x = ((x >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((x & 0x0F0F0F0F0F0F0F0FULL) << 4);
    x = __builtin_bswap64(x);
    return bits ? (size_t)(x >> (64 - bits)) : 0;
}

static inline size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

/* z[t] = x[t] * s for t < len. */
static inline void vmul_by(fr_t *z, const fr_t *x, const fr_t *s, size_t len, int ifma) {
    if (ifma) {
        fr_vec_mul_by_ifma(z, x, s, len);
    } else {
        const fr_t c = *s;
        for (size_t t = 0; t < len; t++) fr_mul(&z[t], &x[t], &c);
    }
}

/* A fully reduced element (limbs < r), as every Montgomery input must be. */
static int fr_is_reduced(const fr_t *x) {
    for (int k = 3; k >= 0; k--) {
        if (x->v[k] != fr_modulus.v[k]) return x->v[k] < fr_modulus.v[k];
    }
    return 0;
}

/* omega has order exactly 2^k: omega^(2^(k-1)) = -1 (or omega = 1 for k = 0). */
static int is_primitive_root(const fr_t *omega, unsigned k) {
    if (!fr_is_reduced(omega)) return 0;
    fr_t x = *omega, minus_one;
    if (k == 0) return fr_eq(&x, &fr_one);
    for (unsigned i = 1; i < k; i++) fr_sqr(&x, &x);
    fr_neg(&minus_one, &fr_one);
    return fr_eq(&x, &minus_one);
}

void ntt_root_of_unity(fr_t *out, unsigned log_n) {
    /* e = (r - 1) / 2^28, the odd part of r - 1 (the low limb of r is ...0001). */
    const uint64_t *p = fr_modulus.v;
    const uint64_t e[4] = {((p[0] - 1) >> 28) | (p[1] << 36), (p[1] >> 28) | (p[2] << 36),
                           (p[2] >> 28) | (p[3] << 36), p[3] >> 28};
    fr_t five = {{5, 0, 0, 0}};
    fr_to_mont(&five, &five);
    fr_pow_limbs(out, &five, e); /* omega_(2^28), ffjavascript's w[28] */
    for (unsigned i = log_n; i < NTT_MAX_LOG; i++) fr_sqr(out, out);
}

void ntt_qap_shift(fr_t *out, unsigned log_n) {
    if (log_n < NTT_MAX_LOG) {
        ntt_root_of_unity(out, log_n + 1);
    } else {
        fr_t v = {{25, 0, 0, 0}}; /* ffjavascript's shift = nqr^2 */
        fr_to_mont(out, &v);
    }
}

static int threads_for(size_t n) { return n >= ZKCX_PARALLEL_MIN ? zkcx_runtime_threads() : 1; }

/* [lo, hi) of part t of nt equal parts of n. */
static inline void part(size_t n, int t, int nt, size_t *lo, size_t *hi) {
    *lo = n * (size_t)t / (size_t)nt;
    *hi = n * (size_t)(t + 1) / (size_t)nt;
}

/*
 * out[i] = x^i for i < len. A serial chain gives the first POW_BLOCK powers; every
 * later block is that block times x^(b POW_BLOCK), one vector product, so the work
 * runs at vector speed and splits among threads.
 */
static void powers(fr_t *out, const fr_t *x, size_t len, int nt, int ifma) {
    if (len == 0) return;
    const size_t L = min_size(len, POW_BLOCK);
    out[0] = fr_one;
    for (size_t t = 1; t < L; t++) fr_mul(&out[t], &out[t - 1], x);
    if (len == L) return;
    fr_t step;
    fr_mul(&step, &out[L - 1], x); /* x^L */
    const size_t nblk = (len + L - 1) / L;
    if (nblk - 1 < (size_t)nt) nt = 1;
    #pragma omp parallel for schedule(static) num_threads(nt)
    for (int t = 0; t < nt; t++) {
        size_t lo, hi;
        part(nblk - 1, t, nt, &lo, &hi);
        lo += 1;
        hi += 1;
        if (lo >= hi) continue;
        const uint64_t e[4] = {(uint64_t)lo, 0, 0, 0};
        fr_t f;
        fr_pow_limbs(&f, &step, e);
        for (size_t b = lo; b < hi; b++) {
            vmul_by(out + b * L, out, &f, min_size(L, len - b * L), ifma);
            fr_mul(&f, &f, &step);
        }
    }
}

/*
 * In-place permutation a[i] <-> a[bit_reverse(i, k)]. Large arrays go tile by tile
 * (Carter and Gatlin's blocked bit reversal): write i = (x, y, z) with x and z of
 * BR_LOG bits, so rev(i) = (rev z, rev y, rev x). For each middle value y the 2^(2 BR_LOG)
 * elements (., y, .) are runs of 2^BR_LOG contiguous elements, and they trade places
 * with those of rev y, transposed; every cache line is used whole, where the plain
 * swap loop touches a new line per element. The y are split among threads.
 */
#define BR_LOG 4
static void bit_reverse_permute(fr_t *a, unsigned k, int nt) {
    const size_t n = (size_t)1 << k;
    (void)nt; /* unused without OpenMP */
    if (k < 2 * BR_LOG + 2) {
        for (size_t i = 0; i < n; i++) {
            size_t j = bit_reverse(i, k);
            if (i < j) {
                fr_t t = a[i];
                a[i] = a[j];
                a[j] = t;
            }
        }
        return;
    }
    const unsigned mid = k - 2 * BR_LOG, hi_shift = k - BR_LOG;
    const size_t side = (size_t)1 << BR_LOG, ny = (size_t)1 << mid;
    #pragma omp parallel for schedule(static) num_threads(nt)
    for (size_t y = 0; y < ny; y++) {
        const size_t ry = bit_reverse(y, mid);
        if (ry < y) continue; /* the pair was done from ry */
        fr_t t1[1u << (2 * BR_LOG)], t2[1u << (2 * BR_LOG)];
        const size_t b1 = y << BR_LOG, b2 = ry << BR_LOG;
        for (size_t x = 0; x < side; x++) {
            memcpy(t1 + x * side, a + ((x << hi_shift) | b1), side * sizeof(fr_t));
            if (ry != y) memcpy(t2 + x * side, a + ((x << hi_shift) | b2), side * sizeof(fr_t));
        }
        /* (x, y, z) -> (rev z, rev y, rev x) */
        for (size_t z = 0; z < side; z++) {
            fr_t *dst = a + ((bit_reverse(z, BR_LOG) << hi_shift) | b2);
            for (size_t x = 0; x < side; x++) dst[bit_reverse(x, BR_LOG)] = t1[x * side + z];
        }
        if (ry != y) {
            for (size_t z = 0; z < side; z++) {
                fr_t *dst = a + ((bit_reverse(z, BR_LOG) << hi_shift) | b1);
                for (size_t x = 0; x < side; x++) dst[bit_reverse(x, BR_LOG)] = t2[x * side + z];
            }
        }
    }
}

/* ---------------------------------------------------------------- twiddles */

/*
 * tw[m - 1 + j] = w^(j n / 2m) = w_2m^j for every stage half-width m = 1, 2, ..., n/2
 * and j < m (n - 1 elements), for the root w of order n = 2^k. Stage k - 1 holds the
 * powers w^j, j < n/2; every narrower stage picks its roots from those directly (root
 * j of stage m is w^(j n/2m)), so all of them fill in one parallel loop, with no
 * barrier between stages.
 */
static void build_twiddles(fr_t *tw, const fr_t *w, unsigned k, int nt, int ifma) {
    const size_t half = ((size_t)1 << k) / 2;
    if (k == 0) return;
    const fr_t *top = tw + half - 1;
    powers(tw + half - 1, w, half, nt, ifma);
    const int ntc = half >= ZKCX_PARALLEL_MIN ? nt : 1;
    (void)ntc;
    #pragma omp parallel for schedule(static) num_threads(ntc)
    for (size_t i = 0; i < half - 1; i++) {
        const size_t m = (size_t)1 << (63 - __builtin_clzll((unsigned long long)i + 1));
        tw[i] = top[(i + 1 - m) * (half / m)]; /* i = m - 1 + j */
    }
}

/* ---------------------------------------------------------------- the run plan */

/* The plan itself (ntt_plan_t) is in ntt_plan.h, shared with ntt_ifma.c. */

/* The stage groups above the blocks: [kb, k) cut into nearly equal parts of at most
 * TILE_LOG stages; group g is [group_lo(g), group_lo(g + 1)). */
static unsigned group_count(unsigned k, unsigned kb) { return (k - kb + TILE_LOG - 1) / TILE_LOG; }
static unsigned group_lo(unsigned k, unsigned kb, unsigned g) {
    const unsigned ng = group_count(k, kb);
    return kb + (unsigned)(((k - kb) * g + ng - 1) / ng);
}

/*
 * Tile `id` of the group [lo, hi): rows t < 2^(hi-lo), columns c < cols; element
 * (t, c) is a[base + t 2^lo + c]. id numbers (upper index bits u, column block cb):
 * id = u 2^lo / cols + cb, base = u 2^hi + cb cols. Row t's butterflies in stage lm
 * use the contiguous roots w_2m^j, j = (base mod 2^lo) + (t mod 2^(lm-lo)) 2^lo + c.
 */
static size_t tile_base(size_t id, unsigned lo, unsigned hi, size_t cols) {
    const size_t per_u = ((size_t)1 << lo) / cols;
    return ((id / per_u) << hi) + (id % per_u) * cols;
}

static int thread_num(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/*
 * S[l] = c u^rev_kb(l) with u = h^(2^(k - kb)), for the scaling of position
 * p = b 2^kb + l by c h^rev_k(p): rev_k(p) = rev_kb(l) 2^(k - kb) + rev_(k-kb)(b), so
 * c h^rev_k(p) = S[l] h^rev_(k-kb)(b), one table shared by every block.
 */
static void coset_table(fr_t *S, const fr_t *c, const fr_t *h, unsigned k, unsigned kb, int nt,
                        int ifma) {
    const size_t nb = (size_t)1 << kb;
    fr_t u = *h;
    for (unsigned i = kb; i < k; i++) fr_sqr(&u, &u);
    powers(S, &u, nb, nt, ifma);
    bit_reverse_permute(S, kb, 1);
    if (!fr_eq(c, &fr_one)) vmul_by(S, S, c, nb, ifma);
}

void ntt_block_factor(fr_t *out, size_t b, const ntt_plan_t *P) {
    const uint64_t e[4] = {(uint64_t)bit_reverse(b, P->k - P->kb), 0, 0, 0};
    fr_pow_limbs(out, &P->h, e);
}

/* ---------------------------------------------------------------- scalar path */

/* len butterflies on x[t], y[t] with roots w[t] (mul = 0: every root is 1):
 *   DIT (Cooley-Tukey)     x, y <- x + y w, x - y w
 *   DIF (Gentleman-Sande)  x, y <- x + y, (x - y) w */
static void bfly_scalar(fr_t *x, fr_t *y, const fr_t *w, size_t len, int mul, int dit) {
    for (size_t t = 0; t < len; t++) {
        fr_t u = x[t], v = y[t];
        if (dit) {
            if (mul) fr_mul(&v, &v, &w[t]);
            fr_add(&x[t], &u, &v);
            fr_sub(&y[t], &u, &v);
        } else {
            fr_add(&x[t], &u, &v);
            fr_sub(&v, &u, &v);
            if (mul) fr_mul(&v, &v, &w[t]);
            y[t] = v;
        }
    }
}

/* Stage lm on the contiguous array a of 2^kb elements (lm < kb). */
static void block_stage(fr_t *a, unsigned kb, unsigned lm, const fr_t *tw, int dit) {
    const size_t m = (size_t)1 << lm, nb = (size_t)1 << kb;
    for (size_t x = 0; x < nb; x += 2 * m)
        bfly_scalar(a + x, a + x + m, tw + m - 1, m, lm > 0, dit);
}

/* The in-cache part on block b: its DIF stages, its scaling, its DIT stages. */
static void block_pass(fr_t *blk, size_t b, const ntt_plan_t *P) {
    const size_t nb = (size_t)1 << P->kb;
    if (P->dif) {
        for (unsigned lm = P->kb; lm-- > 0;) block_stage(blk, P->kb, lm, P->dif, 0);
    }
    if (P->scale == SCALE_CONST) {
        vmul_by(blk, blk, &P->c, nb, 0);
    } else if (P->scale == SCALE_COSET) {
        fr_t sigma;
        ntt_block_factor(&sigma, b, P);
        for (size_t l = 0; l < nb; l++) {
            fr_t f;
            fr_mul(&f, &P->S[l], &sigma);
            fr_mul(&blk[l], &blk[l], &f);
        }
    }
    if (P->dit) {
        for (unsigned lm = 0; lm < P->kb; lm++) block_stage(blk, P->kb, lm, P->dit, 1);
    }
}

static void tile_load(fr_t *buf, const fr_t *a, size_t base, unsigned lo, unsigned hi,
                      size_t cols) {
    for (size_t t = 0; t < ((size_t)1 << (hi - lo)); t++)
        memcpy(buf + t * cols, a + base + (t << lo), cols * sizeof(fr_t));
}

static void tile_store(fr_t *a, const fr_t *buf, size_t base, unsigned lo, unsigned hi,
                       size_t cols) {
    for (size_t t = 0; t < ((size_t)1 << (hi - lo)); t++)
        memcpy(a + base + (t << lo), buf + t * cols, cols * sizeof(fr_t));
}

/* Stages [lo, hi) on a loaded tile: DIF from hi - 1 down, DIT from lo up. */
static void tile_stages(fr_t *buf, size_t base, unsigned lo, unsigned hi, size_t cols,
                        const fr_t *tw, int dit) {
    const size_t col0 = base & (((size_t)1 << lo) - 1);
    for (unsigned s = 0; s < hi - lo; s++) {
        const unsigned lm = dit ? lo + s : hi - 1 - s;
        const size_t hr = (size_t)1 << (lm - lo), m = (size_t)1 << lm;
        for (size_t t = 0; t < ((size_t)1 << (hi - lo)); t++) {
            if (t & hr) continue;
            const size_t j = col0 + ((t & (hr - 1)) << lo);
            bfly_scalar(buf + t * cols, buf + (t + hr) * cols, tw + m - 1 + j, cols, 1, dit);
        }
    }
}

/* x[t] <- x[t] y[t] - z[t] for t < len. */
static void mul_sub_scalar(fr_t *x, const fr_t *y, const fr_t *z, size_t len) {
    for (size_t t = 0; t < len; t++) {
        fr_mul(&x[t], &x[t], &y[t]);
        fr_sub(&x[t], &x[t], &z[t]);
    }
}

/* ---------------------------------------------------------------- runs */

/* One stage group over the whole array, tile by tile (inside run's parallel region).
 * Tiles, like blocks, are small independent items (at most 2^TILE_LOG rows of
 * TILE_COLS elements): they are handed out dynamically, so a thread that the OS
 * preempts does not hold the others at the barrier; the result does not depend on
 * which thread does what. */
static void group_pass(fr_t *a, unsigned lo, unsigned hi, const fr_t *tw, int dit,
                       const ntt_plan_t *P, uint64_t *buf) {
    const size_t count = ((size_t)1 << (P->k - (hi - lo))) / P->cols; /* n / tile size */
    #pragma omp for schedule(dynamic, 1)
    for (size_t id = 0; id < count; id++) {
        const size_t base = tile_base(id, lo, hi, P->cols);
#if NTT_IFMA
        if (P->packed) {
            ntt_pk_tile_load(buf, a, base, lo, hi, P->cols);
            ntt_pk_tile_stages(buf, base, lo, hi, P->cols, tw, dit);
            ntt_pk_tile_store(a, buf, base, lo, hi, P->cols);
            continue;
        }
#endif
        tile_load((fr_t *)buf, a, base, lo, hi, P->cols);
        tile_stages((fr_t *)buf, base, lo, hi, P->cols, tw, dit);
        tile_store(a, (const fr_t *)buf, base, lo, hi, P->cols);
    }
}

/* One run over a by the threads of the enclosing parallel region (its loops are
 * orphaned worksharing: each ends at a barrier), buf the calling thread's scratch. */
static void run_in_team(fr_t *a, const ntt_plan_t *P, uint64_t *buf) {
    const unsigned k = P->k, kb = P->kb, ng = group_count(k, kb);
    if (P->dif) {
        for (unsigned g = ng; g-- > 0;)
            group_pass(a, group_lo(k, kb, g), group_lo(k, kb, g + 1), P->dif, 0, P, buf);
    }
#if NTT_IFMA
    if (P->packed) {
        #pragma omp for schedule(dynamic, 1)
        for (size_t s = 0; s < ((size_t)1 << (k - kb - 3)); s++) ntt_pk_superblock(a, s, P, buf);
    } else
#endif
    {
        #pragma omp for schedule(dynamic, 1)
        for (size_t b = 0; b < ((size_t)1 << (k - kb)); b++) block_pass(a + (b << kb), b, P);
    }
    if (P->dit) {
        const unsigned end = P->skip_top_dit && ng ? ng - 1 : ng;
        for (unsigned g = 0; g < end; g++)
            group_pass(a, group_lo(k, kb, g), group_lo(k, kb, g + 1), P->dit, 1, P, buf);
    }
}

static void run(fr_t *a, const ntt_plan_t *P) {
    #pragma omp parallel num_threads(P->nt)
    run_in_team(a, P, P->scratch + (size_t)thread_num() * P->scratch_len);
}

/* The top DIT group of the quotient on a, b and c together, tile by tile, each tile
 * finished with h = A B - C while it is in cache; only a is written back. By the
 * threads of the enclosing parallel region, as run_in_team. */
static void qap_top_group_in_team(fr_t *a, fr_t *b, fr_t *c, const ntt_plan_t *P,
                                  uint64_t *buf) {
    const unsigned k = P->k, lo = group_lo(k, P->kb, group_count(k, P->kb) - 1);
    const size_t count = ((size_t)1 << lo) / P->cols, len = ((size_t)1 << (k - lo)) * P->cols;
    /* words per tile buffer: a whole number of 64-byte lines (PACK_U64 = 5 lines) */
    const size_t third =
        P->packed ? TILE_ROWS * (P->cols / 8) * PACK_U64 : TILE_ROWS * TILE_COLS * 4;
    uint64_t *bufs[3] = {buf, buf + third, buf + 2 * third};
    fr_t *arrays[3] = {a, b, c};
    #pragma omp for schedule(dynamic, 1)
    for (size_t id = 0; id < count; id++) {
        const size_t base = tile_base(id, lo, k, P->cols);
#if NTT_IFMA
        if (P->packed) {
            for (int i = 0; i < 3; i++) {
                ntt_pk_tile_load(bufs[i], arrays[i], base, lo, k, P->cols);
                ntt_pk_tile_stages(bufs[i], base, lo, k, P->cols, P->dit, 1);
            }
            ntt_pk_mul_sub(bufs[0], bufs[1], bufs[2], len / 8);
            ntt_pk_tile_store(a, bufs[0], base, lo, k, P->cols);
            continue;
        }
#endif
        for (int i = 0; i < 3; i++) {
            tile_load((fr_t *)bufs[i], arrays[i], base, lo, k, P->cols);
            tile_stages((fr_t *)bufs[i], base, lo, k, P->cols, P->dit, 1);
        }
        mul_sub_scalar((fr_t *)bufs[0], (const fr_t *)bufs[1], (const fr_t *)bufs[2], len);
        tile_store(a, (const fr_t *)bufs[0], base, lo, k, P->cols);
    }
}

/* ---------------------------------------------------------------- set-up */

/* The block size and tile width of a run, and which path it takes. Packed: blocks of
 * up to 2^PK_BLOCK_LOG, 8 per pass, at least one pass per thread. Scalar: blocks of up
 * to 2^BLOCK_LOG, at least one per thread, and at least 2^7 once there are groups
 * (tiles of TILE_COLS columns must fit in a block's span). */
static void choose_layout(ntt_plan_t *P, unsigned k, int nt, int ifma) {
    const size_t n = (size_t)1 << k;
    P->k = k;
    P->nt = nt;
    P->packed = NTT_IFMA && ifma && k >= 6;
    if (P->packed) {
        unsigned kb = k - 3 < PK_BLOCK_LOG ? k - 3 : PK_BLOCK_LOG;
        while (kb > 3 && (n >> (kb + 3)) < (size_t)nt) kb--;
        P->kb = kb;
        P->cols = min_size(TILE_COLS, (size_t)1 << kb);
        const size_t block_words = ((size_t)1 << kb) * PACK_U64;
        const size_t tile_words = 3 * TILE_ROWS * (P->cols / 8) * PACK_U64;
        P->scratch_len = block_words > tile_words ? block_words : tile_words;
    } else {
        unsigned kb = k < BLOCK_LOG ? k : BLOCK_LOG;
        while (kb > 7 && (n >> kb) < (size_t)nt) kb--;
        P->kb = kb;
        P->cols = TILE_COLS;
        P->scratch_len = k > kb ? 3 * TILE_ROWS * TILE_COLS * 4 : 0;
    }
}

/*
 * Work memory of one call: the tables (elems elements) and the per-thread scratch,
 * the scratch 64-byte aligned for the vector loads. Large areas are mapped directly
 * and marked for transparent huge pages on Linux: a fresh table of 2^20 elements
 * costs 8192 page faults in 4 KB pages (a visible part of a transform) and 16 in 2 MB
 * pages.
 */
#define HUGE_AREA ((size_t)4 << 20)

typedef struct {
    void *base;
    size_t bytes;
    int mapped; /* from mmap, else malloc */
} work_mem_t;

static fr_t *alloc_work(size_t elems, ntt_plan_t *P, work_mem_t *wm) {
    const size_t scratch_words = (size_t)P->nt * P->scratch_len;
    if (elems > SIZE_MAX / 64 || scratch_words > SIZE_MAX / 16) return NULL;
    const size_t bytes = elems * sizeof(fr_t) + scratch_words * 8 + 64;
    unsigned char *mem = NULL;
    wm->bytes = bytes;
    wm->mapped = 0;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= HUGE_AREA) {
        void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
            (void)madvise(p, bytes, MADV_HUGEPAGE); /* a hint: fine if refused */
            mem = p;
            wm->mapped = 1;
        }
    }
#endif
    if (!mem) mem = malloc(bytes);
    wm->base = mem;
    if (!mem) return NULL;
    uintptr_t s = (uintptr_t)(mem + elems * sizeof(fr_t));
    P->scratch = (uint64_t *)(void *)((s + 63) & ~(uintptr_t)63);
    return (fr_t *)(void *)mem;
}

static void free_work(work_mem_t *wm) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (wm->mapped) {
        munmap(wm->base, wm->bytes);
        return;
    }
#endif
    free(wm->base);
}

/* n^-1 in Montgomery form. */
static void inverse_of_size(fr_t *out, size_t n) {
    fr_t v = {{(uint64_t)n, 0, 0, 0}};
    fr_to_mont(&v, &v);
    fr_inv(out, &v);
}

/* ---------------------------------------------------------------- transforms */

int ntt_fr(fr_t *a, size_t n, const fr_t *omega, const fr_t *shift, int inverse) {
    const int k = ntt_log2(n);
    if (k < 0) return ZKCX_ERR_ARG;
    fr_t w, g;
    if (omega) {
        if (!is_primitive_root(omega, (unsigned)k)) return ZKCX_ERR_ARG;
        w = *omega;
    } else {
        ntt_root_of_unity(&w, (unsigned)k);
    }
    if (shift) {
        if (!fr_is_reduced(shift) || fr_is_zero(shift)) return ZKCX_ERR_ARG;
        g = *shift;
    }
    if (n == 1) return ZKCX_OK; /* a_0 = A_0 = A(g), and n^-1 = 1 */

    const int ifma = zkcx_runtime_use_ifma();
    ntt_plan_t P = {.scale = SCALE_NONE};
    choose_layout(&P, (unsigned)k, threads_for(n), ifma);
    const size_t slen = shift ? (size_t)1 << P.kb : 0;
    work_mem_t wm;
    fr_t *mem = alloc_work(n - 1 + slen, &P, &wm);
    if (!mem) return ZKCX_ERR_NOMEM;

    if (inverse) fr_inv(&w, &w);
    build_twiddles(mem, &w, (unsigned)k, P.nt, ifma);
    fr_t c = fr_one;
    if (inverse) {
        P.dif = mem;
        inverse_of_size(&c, n);
        if (shift) fr_inv(&g, &g); /* a_j = n^-1 g^-j (INTT of A)_j */
    } else {
        P.dit = mem;
    }
    if (shift) {
        P.scale = SCALE_COSET;
        P.S = mem + n - 1;
        P.h = g;
        coset_table(mem + n - 1, &c, &g, (unsigned)k, P.kb, P.nt, ifma);
    } else if (inverse) {
        P.scale = SCALE_CONST;
        P.c = c;
    }
    if (!inverse) bit_reverse_permute(a, (unsigned)k, P.nt);
    run(a, &P);
    if (inverse) bit_reverse_permute(a, (unsigned)k, P.nt);
    free_work(&wm);
    return ZKCX_OK;
}

/*
 * The quotient's work memory (twiddles of omega^-1 and omega, the coset table, the
 * threads' scratch) for one plan, kept between calls: a prover computes the quotient of
 * every proof on the same domain, and building the tables (and faulting in fresh
 * pages) costs about a tenth of the transforms at 2^16. QAP_SLOTS slots, each taken by
 * exchange so that a call owns what it uses, put back after the call: two, so that
 * prove_many's two workers (two quotients at a time) each find theirs instead of one
 * of them building its tables every other proof; a caller that finds none builds its
 * own. Only for domains up to 2^QAP_CACHE_MAX_LOG, so that the memory kept (64 n bytes
 * a slot) stays small beside a proving key of that size.
 */
#define QAP_CACHE_MAX_LOG 16
#define QAP_SLOTS 2

typedef struct {
    ntt_plan_t P;   /* with dif, dit, S and scratch pointing into wm */
    int ifma;
    work_mem_t wm;
} qap_work_t;

static qap_work_t *qap_slots[QAP_SLOTS];

static void qap_work_free(qap_work_t *W) {
    if (!W) return;
    free_work(&W->wm);
    free(W);
}

/* The cached work of the plan P (k, layout, threads, kernel, shift h), or NULL. A slot
 * holding another plan's work is left as it is. */
static qap_work_t *qap_work_take(const ntt_plan_t *P, int ifma) {
    for (int i = 0; i < QAP_SLOTS; i++) {
        qap_work_t *W = __atomic_exchange_n(&qap_slots[i], NULL, __ATOMIC_ACQ_REL);
        if (!W) continue;
        if (W->P.k == P->k && W->P.kb == P->kb && W->P.nt == P->nt &&
            W->P.packed == P->packed && W->P.cols == P->cols &&
            W->P.scratch_len == P->scratch_len && W->ifma == ifma && fr_eq(&W->P.h, &P->h))
            return W;
        qap_work_t *empty = NULL;   /* put it back, unless another call filled the slot */
        if (!__atomic_compare_exchange_n(&qap_slots[i], &empty, W, 0, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE))
            qap_work_free(W);
    }
    return NULL;
}

/* Keep W in an empty slot, else in place of slot 0's work. */
static void qap_work_give(qap_work_t *W) {
    if (W->P.k > QAP_CACHE_MAX_LOG) {
        qap_work_free(W);
        return;
    }
    for (int i = 0; i < QAP_SLOTS; i++) {
        qap_work_t *empty = NULL;
        if (__atomic_compare_exchange_n(&qap_slots[i], &empty, W, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return;
    }
    qap_work_free(__atomic_exchange_n(&qap_slots[0], W, __ATOMIC_ACQ_REL));
}

/*
 * snarkjs's quotient scalars (docs/formats.md, QAP): per polynomial, DIF with omega^-1
 * (the interpolation, coefficients left in bit-reversed order), times n^-1 g^j on
 * bit-reversed positions, then DIT with omega (bit-reversed in, natural out): the
 * values at g omega^i in natural order, with no permutation pass. The top DIT group
 * runs on a, b and c together and ends with h = A'B' - C'.
 */
int ntt_fr_qap_quotient(fr_t *a, fr_t *b, fr_t *c, size_t n, const fr_t *shift) {
    const int k = ntt_log2(n);
    if (k < 0) return ZKCX_ERR_ARG;
    fr_t g;
    if (shift) {
        if (!fr_is_reduced(shift) || fr_is_zero(shift)) return ZKCX_ERR_ARG;
        g = *shift;
    } else {
        ntt_qap_shift(&g, (unsigned)k);
    }
    if (n == 1) { /* constant polynomials: A(g) = a_0 */
        mul_sub_scalar(a, b, c, 1);
        return ZKCX_OK;
    }
    const int ifma = zkcx_runtime_use_ifma();
    ntt_plan_t P = {.scale = SCALE_COSET, .h = g, .skip_top_dit = 1};
    choose_layout(&P, (unsigned)k, threads_for(n), ifma);
    qap_work_t *W = qap_work_take(&P, ifma);
    if (!W) {
        W = calloc(1, sizeof *W);
        if (!W) return ZKCX_ERR_NOMEM;
        fr_t *mem = alloc_work(2 * (n - 1) + ((size_t)1 << P.kb), &P, &W->wm);
        if (!mem) {
            free(W);
            return ZKCX_ERR_NOMEM;
        }
        fr_t w, winv, ninv;
        ntt_root_of_unity(&w, (unsigned)k);
        fr_inv(&winv, &w);
        inverse_of_size(&ninv, n);
        build_twiddles(mem, &winv, (unsigned)k, P.nt, ifma);
        build_twiddles(mem + n - 1, &w, (unsigned)k, P.nt, ifma);
        coset_table(mem + 2 * (n - 1), &ninv, &g, (unsigned)k, P.kb, P.nt, ifma);
        P.dif = mem;
        P.dit = mem + n - 1;
        P.S = mem + 2 * (n - 1);
        W->P = P;
        W->ifma = ifma;
    }
    /* the three runs and the top group in one parallel region: one wake-up of the
     * team instead of four (the loops' own barriers order the steps) */
    const ntt_plan_t *WP = &W->P;
    const int top = group_count(WP->k, WP->kb) > 0;
    #pragma omp parallel num_threads(WP->nt)
    {
        uint64_t *buf = WP->scratch + (size_t)thread_num() * WP->scratch_len;
        run_in_team(a, WP, buf);
        run_in_team(b, WP, buf);
        run_in_team(c, WP, buf);
        if (top) qap_top_group_in_team(a, b, c, WP, buf);
    }
    /* the transforms ran whole in one block (scalar path, small n): one more pass */
    if (!top) mul_sub_scalar(a, b, c, n);
    qap_work_give(W);
    return ZKCX_OK;
}

/* ---------------------------------------------------------------- exported */

#define AS(p) ((fr_t *)(void *)(p))
#define AS_C(p) ((const fr_t *)(const void *)(p))

int zkcx_fr_root_of_unity(uint64_t *out, size_t n) {
    const int k = ntt_log2(n);
    if (k < 0) return ZKCX_ERR_ARG;
    ntt_root_of_unity(AS(out), (unsigned)k);
    return ZKCX_OK;
}

int zkcx_fr_ntt(uint64_t *a, size_t n, const uint64_t *omega, int inverse) {
    return ntt_fr(AS(a), n, omega ? AS_C(omega) : NULL, NULL, inverse);
}

int zkcx_fr_coset_ntt(uint64_t *a, size_t n, const uint64_t *omega, const uint64_t *shift,
                      int inverse) {
    if (!shift) return ZKCX_ERR_ARG;
    return ntt_fr(AS(a), n, omega ? AS_C(omega) : NULL, AS_C(shift), inverse);
}

int zkcx_fr_qap_quotient(uint64_t *a, uint64_t *b, uint64_t *c, size_t n,
                         const uint64_t *shift) {
    return ntt_fr_qap_quotient(AS(a), AS(b), AS(c), n, shift ? AS_C(shift) : NULL);
}
