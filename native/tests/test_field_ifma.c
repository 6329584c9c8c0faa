/* SPDX-License-Identifier: MIT */
/*
 * Standalone test and benchmark for native/src/field_ifma.c: every IFMA function is
 * compared limb for limb with the scalar fr_mul / fq_mul of field_arith.h.
 *
 * Build and run (portable build, no -march flags):
 *   gcc -O3 -Wall -Wextra -I native/src native/tests/test_field_ifma.c \
 *       native/src/field_ifma.c -o /tmp/test_field_ifma && /tmp/test_field_ifma
 * Options: --quick (fewer random products, short benchmark), --no-bench.
 * Exit status: 0 all passed, 1 a mismatch or guard violation, 77 CPU has no IFMA.
 * Add -DZKCX_NO_IFMA (to both files) to test the portable stand-in build instead.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>

#include "field.h"
#include "field_ifma.h"

/* ------------------------------------------------------------------ utilities */

static uint64_t rng_state[4] = {0x9e3779b97f4a7c15ULL, 0xbf58476d1ce4e5b9ULL,
                                0x94d049bb133111ebULL, 0x2545f4914f6cdd1dULL};
static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
static uint64_t rnd(void) { /* xoshiro256** */
    uint64_t *s = rng_state;
    uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45);
    return r;
}

static long failures = 0;
static long checks = 0;

static double now_sec(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int u256_geq(const uint64_t a[4], const uint64_t b[4]) {
    for (int k = 3; k >= 0; k--)
        if (a[k] != b[k]) return a[k] > b[k];
    return 1;
}
static void u256_sub(uint64_t a[4], const uint64_t b[4]) {
    uint64_t borrow = 0;
    for (int k = 0; k < 4; k++) {
        u128 d = (u128)a[k] - b[k] - borrow;
        a[k] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
}
/* x mod p for any x < 2^256 (p > 2^253, so at most 7 subtractions). */
static void u256_mod(uint64_t x[4], const uint64_t p[4]) {
    while (u256_geq(x, p)) u256_sub(x, p);
}

/* Guarded allocation: `bytes` bytes placed either flush against a following
 * PROT_NONE page (tail = 1) or right after a preceding PROT_NONE page (tail = 0). */
typedef struct { void *base; size_t len; } region_t;
static void *guarded_alloc(region_t *rg, size_t bytes, int tail) {
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    size_t body = (bytes + pg - 1) / pg * pg;
    if (body == 0) body = pg;
    rg->len = body + 2 * pg;
    unsigned char *m = mmap(NULL, rg->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                            -1, 0);
    if (m == MAP_FAILED) { perror("mmap"); exit(2); }
    mprotect(m, pg, PROT_NONE);
    mprotect(m + pg + body, pg, PROT_NONE);
    rg->base = m;
    return tail ? (void *)(m + pg + body - bytes) : (void *)(m + pg);
}
static void guarded_free(region_t *rg) { munmap(rg->base, rg->len); }

/* ------------------------------------------------------ per-field test bodies */

#define NEDGE_MAX 256

#define DEFINE_FIELD_TESTS(F, UP)                                                          \
    static F##_t F##_edges[NEDGE_MAX];                                                     \
    static int F##_nedges = 0;                                                             \
                                                                                           \
    static void F##_add_edge_raw(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {         \
        uint64_t x[4] = {a, b, c, d};                                                      \
        u256_mod(x, F##_modulus.v);                                                        \
        if (F##_nedges >= NEDGE_MAX) { fprintf(stderr, "too many edges\n"); exit(2); }     \
        memcpy(F##_edges[F##_nedges++].v, x, sizeof x);                                    \
    }                                                                                      \
                                                                                           \
    static void F##_build_edges(void) {                                                    \
        const uint64_t *p = F##_modulus.v;                                                 \
        const uint64_t ff = ~(uint64_t)0;                                                  \
        F##_add_edge_raw(0, 0, 0, 0);                                                      \
        F##_add_edge_raw(1, 0, 0, 0);                                                      \
        F##_add_edge_raw(2, 0, 0, 0);                                                      \
        F##_add_edge_raw(16, 0, 0, 0);                                                     \
        F##_add_edge_raw(p[0] - 1, p[1], p[2], p[3]);                /* p-1 */             \
        F##_add_edge_raw(p[0] - 2, p[1], p[2], p[3]);                /* p-2 */             \
        F##_add_edge_raw(p[0] - 16, p[1], p[2], p[3]);               /* p-16 */            \
        F##_add_edge_raw(0, 0, 0, p[3]);                                                   \
        F##_add_edge_raw(ff, ff, ff, p[3] - 1);                                            \
        F##_add_edge_raw(ff, ff, p[2] - 1, p[3]);                                          \
        F##_add_edge_raw(ff, p[1] - 1, p[2], p[3]);                                        \
        {                                                                                  \
            const F##_t one = F##_one, r2 = F##_r2, r3 = F##_r3;                           \
            F##_add_edge_raw(one.v[0], one.v[1], one.v[2], one.v[3]);  /* R mod p */       \
            F##_add_edge_raw(r2.v[0], r2.v[1], r2.v[2], r2.v[3]);                          \
            F##_add_edge_raw(r3.v[0], r3.v[1], r3.v[2], r3.v[3]);                          \
            F##_t mone;                                                                    \
            F##_neg(&mone, &one);                                    /* -1 Montgomery */   \
            F##_add_edge_raw(mone.v[0], mone.v[1], mone.v[2], mone.v[3]);                  \
        }                                                                                  \
        F##_add_edge_raw(0, 0, 0, (uint64_t)1 << 61);                /* 2^253 */           \
        F##_add_edge_raw(0, 0, 0, ((uint64_t)1 << 61) - 1);          /* 2^253 - 1 */       \
        F##_add_edge_raw(ff, ff, ff, ((uint64_t)1 << 62) - 1);       /* 2^254-1 mod p */   \
        F##_add_edge_raw(ff, ff, ff, ((uint64_t)1 << 61) - 1);       /* 2^253-1 */         \
        /* every subset of limbs set to all ones, then reduced */                          \
        for (int mask = 1; mask < 16; mask++)                                              \
            F##_add_edge_raw(mask & 1 ? ff : 0, mask & 2 ? ff : 0, mask & 4 ? ff : 0,      \
                             mask & 8 ? ff : 0);                                           \
        /* radix-2^52 and 2^64 boundaries: 2^k - 1, 2^k, 2^k + 1 */                        \
        static const int ks[] = {1, 4, 12, 48, 51, 52, 53, 63, 64, 65, 103, 104, 105,      \
                                 127, 128, 129, 155, 156, 157, 191, 192, 193, 207, 208,    \
                                 209, 240, 250, 252, 253};                                 \
        for (size_t j = 0; j < sizeof ks / sizeof ks[0]; j++) {                            \
            int k = ks[j];                                                                 \
            uint64_t x[4] = {0, 0, 0, 0};                                                  \
            x[k / 64] = (uint64_t)1 << (k % 64);                                           \
            F##_add_edge_raw(x[0], x[1], x[2], x[3]);                                      \
            F##_add_edge_raw(x[0] + 1, x[1], x[2], x[3]);                                  \
            uint64_t y[4] = {x[0], x[1], x[2], x[3]};                                      \
            u256_sub(y, (const uint64_t[4]){1, 0, 0, 0});                                  \
            F##_add_edge_raw(y[0], y[1], y[2], y[3]);                                      \
        }                                                                                  \
        /* all 52-bit digits at their maximum 2^52 - 1 (as far as < p allows) */           \
        F##_add_edge_raw(ff, ff, ff, ff >> 2);                                             \
        F##_add_edge_raw(0xfffffffffffffULL, 0, 0, 0);                                     \
        F##_add_edge_raw(ff, 0xffffffffffULL, 0, 0);                                       \
        /* p minus digit-boundary powers */                                                \
        for (int k = 0; k < 4; k++) {                                                      \
            uint64_t x[4] = {p[0], p[1], p[2], p[3]};                                      \
            uint64_t e[4] = {0, 0, 0, 0};                                                  \
            int bit = 52 * (k + 1);                                                        \
            e[bit / 64] = (uint64_t)1 << (bit % 64);                                       \
            u256_sub(x, e);                                                                \
            F##_add_edge_raw(x[0], x[1], x[2], x[3]);                                      \
        }                                                                                  \
        /* (p - 1) / 2, (p + 1) / 2 */                                                     \
        {                                                                                  \
            uint64_t h[4] = {p[0], p[1], p[2], p[3]};                                      \
            h[0] = (h[0] >> 1) | (h[1] << 63); h[1] = (h[1] >> 1) | (h[2] << 63);          \
            h[2] = (h[2] >> 1) | (h[3] << 63); h[3] >>= 1;                                 \
            F##_add_edge_raw(h[0], h[1], h[2], h[3]);                                      \
            F##_add_edge_raw(h[0] + 1, h[1], h[2], h[3]);                                  \
        }                                                                                  \
    }                                                                                      \
                                                                                           \
    /* Random element < p; `kind` picks the distribution. */                               \
    static void F##_rand_elem(F##_t *x, int kind) {                                        \
        const uint64_t *p = F##_modulus.v;                                                 \
        uint64_t v[4];                                                                     \
        switch (kind % 6) {                                                                \
        case 0: case 1: case 2: /* uniform < p by rejection */                             \
            do {                                                                           \
                for (int k = 0; k < 4; k++) v[k] = rnd();                                  \
                v[3] &= ((uint64_t)1 << 62) - 1;                                           \
            } while (u256_geq(v, p));                                                      \
            break;                                                                         \
        case 3: /* many high bits set, then reduced */                                     \
            for (int k = 0; k < 4; k++) v[k] = rnd() | rnd() | rnd();                      \
            u256_mod(v, p);                                                                \
            break;                                                                         \
        case 4: { /* just below p */                                                       \
            uint64_t d[4] = {rnd() >> (rnd() & 63), 0, 0, 0};                              \
            memcpy(v, p, sizeof v);                                                        \
            u256_sub(v, d);                                                                \
            if (!u256_geq(p, v) || (v[0] == p[0] && v[1] == p[1] && v[2] == p[2] &&        \
                                    v[3] == p[3]))                                         \
                v[0] = v[1] = v[2] = v[3] = 0;                                             \
            break;                                                                         \
        }                                                                                  \
        default: /* an edge value */                                                       \
            memcpy(v, F##_edges[rnd() % (uint64_t)F##_nedges].v, sizeof v);                \
            break;                                                                         \
        }                                                                                  \
        memcpy(x->v, v, sizeof v);                                                         \
    }                                                                                      \
                                                                                           \
    static void F##_fill(F##_t *x, size_t n) {                                             \
        int kind = (int)(rnd() % 7);                                                       \
        for (size_t i = 0; i < n; i++)                                                     \
            F##_rand_elem(&x[i], kind == 6 ? (int)(rnd() % 6) : kind);                     \
    }                                                                                      \
                                                                                           \
    static void F##_report(const char *what, size_t n, size_t i, const F##_t *got,         \
                           const F##_t *want) {                                            \
        if (failures < 20)                                                                 \
            fprintf(stderr,                                                                \
                    "MISMATCH " #F " %s n=%zu i=%zu got %016llx%016llx%016llx%016llx "    \
                    "want %016llx%016llx%016llx%016llx\n",                                 \
                    what, n, i, (unsigned long long)got->v[3],                             \
                    (unsigned long long)got->v[2], (unsigned long long)got->v[1],          \
                    (unsigned long long)got->v[0], (unsigned long long)want->v[3],         \
                    (unsigned long long)want->v[2], (unsigned long long)want->v[1],        \
                    (unsigned long long)want->v[0]);                                       \
        failures++;                                                                        \
    }                                                                                      \
                                                                                           \
    static void F##_compare(const char *what, const F##_t *got, const F##_t *want,         \
                            size_t n) {                                                    \
        for (size_t i = 0; i < n; i++) {                                                   \
            checks++;                                                                      \
            if (!F##_eq(&got[i], &want[i])) F##_report(what, n, i, &got[i], &want[i]);     \
        }                                                                                  \
    }                                                                                      \
                                                                                           \
    /* All vector functions, all aliasing patterns, for one n and one memory layout.       \
     * layout 0: arrays end flush against a guard page; 1: start right after one;          \
     * 2: heap, 8-byte misaligned, with canaries either side. */                           \
    static void F##_test_n(size_t n, int layout) {                                         \
        const size_t bytes = n * sizeof(F##_t);                                            \
        region_t ra, rb, ro;                                                               \
        F##_t *a, *b, *o, *heap = NULL;                                                    \
        const size_t pad = 3;                                                              \
        if (layout < 2) {                                                                  \
            a = guarded_alloc(&ra, bytes, layout == 0);                                    \
            b = guarded_alloc(&rb, bytes, layout == 0);                                    \
            o = guarded_alloc(&ro, bytes, layout == 0);                                    \
        } else {                                                                           \
            size_t per = n + 2 * pad;                                                      \
            unsigned char *raw = malloc(3 * per * sizeof(F##_t) + 64);                     \
            heap = (F##_t *)raw;                                                           \
            unsigned char *al = raw + ((64 - ((uintptr_t)raw & 63)) & 63) + 8;             \
            F##_t *base = (F##_t *)al;                                                     \
            for (size_t k = 0; k < 3 * per; k++)                                           \
                for (int l = 0; l < 4; l++) base[k].v[l] = 0xdeadbeefcafef00dULL ^ k;      \
            a = base + pad; b = base + per + pad; o = base + 2 * per + pad;                \
        }                                                                                  \
        F##_t *ra_ = calloc(n + 1, sizeof(F##_t)), *rb_ = calloc(n + 1, sizeof(F##_t));  \
        F##_t *want = calloc(n + 1, sizeof(F##_t));                                          \
        F##_fill(ra_, n); F##_fill(rb_, n);                                                \
        memcpy(a, ra_, bytes); memcpy(b, rb_, bytes);                                      \
        /* out separate */                                                                 \
        for (size_t i = 0; i < n; i++) F##_mul(&want[i], &ra_[i], &rb_[i]);                \
        F##_vec_mul_ifma(o, a, b, n);                                                      \
        F##_compare("vec_mul", o, want, n);                                                \
        F##_compare("vec_mul input a preserved", a, ra_, n);                               \
        F##_compare("vec_mul input b preserved", b, rb_, n);                               \
        /* out == a */                                                                     \
        F##_vec_mul_ifma(a, a, b, n);                                                      \
        F##_compare("vec_mul out==a", a, want, n);                                         \
        memcpy(a, ra_, bytes);                                                             \
        /* out == b */                                                                     \
        F##_vec_mul_ifma(b, a, b, n);                                                      \
        F##_compare("vec_mul out==b", b, want, n);                                         \
        memcpy(b, rb_, bytes);                                                             \
        /* out == a == b (squaring) */                                                     \
        for (size_t i = 0; i < n; i++) F##_mul(&want[i], &ra_[i], &ra_[i]);                \
        F##_vec_mul_ifma(a, a, a, n);                                                      \
        F##_compare("vec_mul out==a==b", a, want, n);                                      \
        memcpy(a, ra_, bytes);                                                             \
        /* mul_by, several scalars, out separate and out == a */                           \
        for (int trial = 0; trial < 3; trial++) {                                          \
            F##_t s;                                                                       \
            if (trial == 0 && n) s = rb_[0]; else F##_rand_elem(&s, (int)(rnd() % 6));    \
            F##_t s_copy = s;                                                              \
            for (size_t i = 0; i < n; i++) F##_mul(&want[i], &ra_[i], &s);                 \
            F##_vec_mul_by_ifma(o, a, &s, n);                                              \
            F##_compare("vec_mul_by", o, want, n);                                         \
            F##_compare("vec_mul_by scalar preserved", &s, &s_copy, 1);                    \
            F##_vec_mul_by_ifma(a, a, &s, n);                                              \
            F##_compare("vec_mul_by out==a", a, want, n);                                  \
            memcpy(a, ra_, bytes);                                                         \
        }                                                                                  \
        /* mul_by with s pointing into out == a (s read before anything is written) */     \
        if (n > 0) {                                                                       \
            size_t j = (size_t)(rnd() % n);                                                \
            F##_t s = ra_[j];                                                              \
            for (size_t i = 0; i < n; i++) F##_mul(&want[i], &ra_[i], &s);                 \
            F##_vec_mul_by_ifma(a, a, &a[j], n);                                           \
            F##_compare("vec_mul_by s in out==a", a, want, n);                             \
            memcpy(a, ra_, bytes);                                                         \
        }                                                                                  \
        if (layout == 2) { /* canaries untouched */                                        \
            F##_t *base = a - pad;                                                         \
            size_t per = n + 2 * pad;                                                      \
            for (size_t k = 0; k < 3 * per; k++) {                                         \
                size_t off = k % per;                                                      \
                if (off >= pad && off < pad + n) continue;                                 \
                for (int l = 0; l < 4; l++) {                                              \
                    checks++;                                                              \
                    if (base[k].v[l] != (0xdeadbeefcafef00dULL ^ k)) {                     \
                        if (failures < 20)                                                 \
                            fprintf(stderr, "CANARY " #F " n=%zu slot %zu\n", n, k);       \
                        failures++;                                                        \
                    }                                                                      \
                }                                                                          \
            }                                                                              \
            free(heap);                                                                    \
        } else {                                                                           \
            guarded_free(&ra); guarded_free(&rb); guarded_free(&ro);                       \
        }                                                                                  \
        free(ra_); free(rb_); free(want);                                                  \
    }                                                                                      \
                                                                                           \
    static void F##_test_mul8(int reps) {                                                  \
        for (int r = 0; r < reps; r++) {                                                   \
            F##_t x[8], y[8], z[8], want[8], xs[8], ys[8];                                 \
            F##_fill(x, 8); F##_fill(y, 8);                                                \
            memcpy(xs, x, sizeof x); memcpy(ys, y, sizeof y);                              \
            for (int k = 0; k < 8; k++) F##_mul(&want[k], &x[k], &y[k]);                   \
            F##_mul8_ifma(z, x, y);                                                        \
            F##_compare("mul8", z, want, 8);                                               \
            F##_compare("mul8 x preserved", x, xs, 8);                                     \
            F##_compare("mul8 y preserved", y, ys, 8);                                     \
            F##_mul8_ifma(x, x, y);                                                        \
            F##_compare("mul8 z==x", x, want, 8);                                          \
            memcpy(x, xs, sizeof x);                                                       \
            F##_mul8_ifma(y, x, y);                                                        \
            F##_compare("mul8 z==y", y, want, 8);                                          \
            for (int k = 0; k < 8; k++) F##_mul(&want[k], &x[k], &x[k]);                   \
            F##_mul8_ifma(x, x, x);                                                        \
            F##_compare("mul8 z==x==y", x, want, 8);                                       \
        }                                                                                  \
        /* inside guard pages on both sides */                                             \
        for (int tail = 0; tail < 2; tail++) {                                             \
            region_t r1, r2, r3;                                                           \
            F##_t *x = guarded_alloc(&r1, 8 * sizeof(F##_t), tail);                        \
            F##_t *y = guarded_alloc(&r2, 8 * sizeof(F##_t), tail);                        \
            F##_t *z = guarded_alloc(&r3, 8 * sizeof(F##_t), tail);                        \
            F##_t want[8];                                                                 \
            F##_fill(x, 8); F##_fill(y, 8);                                                \
            for (int k = 0; k < 8; k++) F##_mul(&want[k], &x[k], &y[k]);                   \
            F##_mul8_ifma(z, x, y);                                                        \
            F##_compare("mul8 guarded", z, want, 8);                                       \
            guarded_free(&r1); guarded_free(&r2); guarded_free(&r3);                       \
        }                                                                                  \
    }                                                                                      \
                                                                                           \
    static void F##_test_edges(void) {                                                     \
        const size_t ne = (size_t)F##_nedges, n = ne * ne;                                 \
        F##_t *a = calloc(n, sizeof(F##_t)), *b = calloc(n, sizeof(F##_t));                \
        F##_t *o = calloc(n, sizeof(F##_t)), *w = calloc(n, sizeof(F##_t));                \
        for (size_t i = 0; i < ne; i++)                                                    \
            for (size_t j = 0; j < ne; j++) {                                              \
                a[i * ne + j] = F##_edges[i];                                              \
                b[i * ne + j] = F##_edges[j];                                              \
                F##_mul(&w[i * ne + j], &F##_edges[i], &F##_edges[j]);                     \
            }                                                                              \
        F##_vec_mul_ifma(o, a, b, n);                                                      \
        F##_compare("edge x edge vec_mul", o, w, n);                                       \
        for (size_t i = 0; i + 8 <= n; i += 8) F##_mul8_ifma(&o[i], &a[i], &b[i]);         \
        F##_compare("edge x edge mul8", o, w, n / 8 * 8);                                  \
        for (size_t i = 0; i < ne; i++) { /* every edge scalar times every edge */         \
            F##_vec_mul_by_ifma(o, F##_edges, &F##_edges[i], ne);                          \
            for (size_t j = 0; j < ne; j++) F##_mul(&w[j], &F##_edges[j], &F##_edges[i]);  \
            F##_compare("edge mul_by", o, w, ne);                                          \
        }                                                                                  \
        free(a); free(b); free(o); free(w);                                                \
    }                                                                                      \
                                                                                           \
    /* Large random runs: `total` products per function. */                                \
    static void F##_test_large(size_t total) {                                             \
        const size_t n = ((size_t)1 << 20) + 5;                                            \
        F##_t *a = calloc(n, sizeof(F##_t)), *b = calloc(n, sizeof(F##_t));                \
        F##_t *o = calloc(n, sizeof(F##_t)), *w = calloc(n, sizeof(F##_t));                \
        for (size_t done = 0; done < total; done += n) {                                   \
            F##_fill(a, n); F##_fill(b, n);                                                \
            for (size_t i = 0; i < n; i++) F##_mul(&w[i], &a[i], &b[i]);                   \
            F##_vec_mul_ifma(o, a, b, n);                                                  \
            F##_compare("large vec_mul", o, w, n);                                         \
            for (size_t i = 0; i + 8 <= n; i += 8) F##_mul8_ifma(&o[i], &a[i], &b[i]);     \
            F##_compare("large mul8", o, w, n / 8 * 8);                                    \
            F##_t s;                                                                       \
            F##_rand_elem(&s, (int)(done / n));                                            \
            for (size_t i = 0; i < n; i++) F##_mul(&w[i], &a[i], &s);                      \
            F##_vec_mul_by_ifma(o, a, &s, n);                                              \
            F##_compare("large vec_mul_by", o, w, n);                                      \
            /* ... and with every element of b as the scalar for a short stretch */        \
            for (size_t i = 0; i < 4096; i++) {                                            \
                F##_t t[16], tw[16];                                                       \
                for (int k = 0; k < 16; k++) F##_mul(&tw[k], &a[i * 16 % (n - 16) + k], &b[i]); \
                F##_vec_mul_by_ifma(t, &a[i * 16 % (n - 16)], &b[i], 16);                  \
                F##_compare("large vec_mul_by many scalars", t, tw, 16);                   \
            }                                                                              \
        }                                                                                  \
        free(a); free(b); free(o); free(w);                                                \
    }                                                                                      \
                                                                                           \
    static uint64_t F##_sink(const F##_t *x, size_t n) {                                   \
        uint64_t h = 0;                                                                    \
        for (size_t i = 0; i < n; i++) h ^= x[i].v[0] + x[i].v[3];                         \
        return h;                                                                          \
    }                                                                                      \
                                                                                           \
    static void F##_bench(size_t n, int reps) {                                            \
        F##_t *a = malloc(n * sizeof(F##_t)), *b = malloc(n * sizeof(F##_t));              \
        F##_t *o = malloc(n * sizeof(F##_t));                                              \
        F##_fill(a, n); F##_fill(b, n);                                                    \
        F##_vec_mul_ifma(o, a, b, n); /* touch pages */                                    \
        double best_s = 1e30, best_v = 1e30, best_sb = 1e30, best_vb = 1e30;               \
        double best_c_s = 1e30, best_c_v = 1e30;                                           \
        uint64_t sink = 0;                                                                 \
        const F##_t s = b[0];                                                              \
        for (int r = 0; r < reps; r++) {                                                   \
            double t0 = now_sec();                                                         \
            for (size_t i = 0; i < n; i++) F##_mul(&o[i], &a[i], &b[i]);                   \
            double t1 = now_sec();                                                         \
            sink += F##_sink(o, 1);                                                        \
            F##_vec_mul_ifma(o, a, b, n);                                                  \
            double t2 = now_sec();                                                         \
            sink += F##_sink(o, 1);                                                        \
            for (size_t i = 0; i < n; i++) F##_mul(&o[i], &a[i], &s);                      \
            double t3 = now_sec();                                                         \
            sink += F##_sink(o, 1);                                                        \
            F##_vec_mul_by_ifma(o, a, &s, n);                                              \
            double t4 = now_sec();                                                         \
            sink += F##_sink(o, 1);                                                        \
            /* batch-inversion style: 8 interleaved prefix-product chains */               \
            F##_t acc[8];                                                                  \
            for (int k = 0; k < 8; k++) acc[k] = F##_one;                                  \
            double t5 = now_sec();                                                         \
            for (size_t i = 0; i + 8 <= n; i += 8)                                         \
                for (int k = 0; k < 8; k++) F##_mul(&acc[k], &acc[k], &a[i + k]);         \
            double t6 = now_sec();                                                         \
            F##_t acc2[8];                                                                 \
            for (int k = 0; k < 8; k++) acc2[k] = F##_one;                                 \
            double t7 = now_sec();                                                         \
            for (size_t i = 0; i + 8 <= n; i += 8) F##_mul8_ifma(acc2, acc2, &a[i]);       \
            double t8 = now_sec();                                                         \
            F##_compare("bench chains", acc2, acc, 8);                                     \
            sink += F##_sink(acc, 8);                                                      \
            if (t1 - t0 < best_s) best_s = t1 - t0;                                        \
            if (t2 - t1 < best_v) best_v = t2 - t1;                                        \
            if (t3 - t2 < best_sb) best_sb = t3 - t2;                                      \
            if (t4 - t3 < best_vb) best_vb = t4 - t3;                                      \
            if (t6 - t5 < best_c_s) best_c_s = t6 - t5;                                    \
            if (t8 - t7 < best_c_v) best_c_v = t8 - t7;                                    \
        }                                                                                  \
        const double k = 1e9 / (double)n;                                                  \
        printf("  " #F " n=2^%-2d vec_mul   : scalar %6.2f ns/elem   ifma %6.2f ns/elem"   \
               "   (x%.1f)\n", __builtin_ctzll(n), best_s * k, best_v * k, best_s / best_v); \
        printf("  " #F " n=2^%-2d vec_mul_by: scalar %6.2f ns/elem   ifma %6.2f ns/elem"   \
               "   (x%.1f)\n", __builtin_ctzll(n), best_sb * k, best_vb * k, best_sb / best_vb); \
        printf("  " #F " n=2^%-2d 8 chains  : scalar %6.2f ns/elem   ifma %6.2f ns/elem"   \
               "   (x%.1f)  [mul8 dependent chain]\n", __builtin_ctzll(n), best_c_s * k,     \
               best_c_v * k, best_c_s / best_c_v);                                         \
        if (sink == 42) printf(" ");                                                       \
        free(a); free(b); free(o);                                                         \
    }

DEFINE_FIELD_TESTS(fr, FR)
DEFINE_FIELD_TESTS(fq, FQ)

int main(int argc, char **argv) {
    int quick = 0, bench = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) quick = 1;
        else if (!strcmp(argv[i], "--no-bench")) bench = 0;
        else { fprintf(stderr, "usage: %s [--quick] [--no-bench]\n", argv[0]); return 2; }
    }
    int has = zkcx_cpu_has_ifma();
    printf("zkcx_cpu_has_ifma() = %d (second call %d)\n", has, zkcx_cpu_has_ifma());
#ifdef ZKCX_NO_IFMA
    if (!has) {
        printf("ZKCX_NO_IFMA build: testing the portable stand-ins\n");
        has = 1;
    }
#endif
    if (!has) {
        printf("SKIP: CPU lacks AVX-512 IFMA; the IFMA functions must not be called here\n");
        return 77;
    }
    fr_build_edges();
    fq_build_edges();
    printf("edge values: fr %d, fq %d\n", fr_nedges, fq_nedges);

    double t0 = now_sec();
    fr_test_edges();
    fq_test_edges();
    for (size_t n = 0; n <= 40; n++)
        for (int layout = 0; layout < 3; layout++)
            for (int rep = 0; rep < (quick ? 2 : 8); rep++) {
                fr_test_n(n, layout);
                fq_test_n(n, layout);
            }
    static const size_t bigger[] = {63, 64, 65, 127, 255, 256, 257, 1000, 1023, 4096, 4099};
    for (size_t j = 0; j < sizeof bigger / sizeof bigger[0]; j++)
        for (int layout = 0; layout < 3; layout++) {
            fr_test_n(bigger[j], layout);
            fq_test_n(bigger[j], layout);
        }
    fr_test_mul8(quick ? 2000 : 50000);
    fq_test_mul8(quick ? 2000 : 50000);
    const size_t total = quick ? ((size_t)1 << 20) : ((size_t)4 << 20);
    fr_test_large(total);
    fq_test_large(total);
    printf("correctness: %ld element checks, %ld failures (%.1f s)\n", checks, failures,
           now_sec() - t0);

    if (bench) {
        printf("benchmark (single thread, best of reps):\n");
        fr_bench((size_t)1 << 16, quick ? 5 : 50);
        fq_bench((size_t)1 << 16, quick ? 5 : 50);
        fr_bench((size_t)1 << 20, quick ? 2 : 8);
        fq_bench((size_t)1 << 20, quick ? 2 : 8);
    }
    if (failures) {
        printf("FAILED\n");
        return 1;
    }
    printf("PASSED\n");
    return 0;
}
