/* SPDX-License-Identifier: MIT */
/*
 * Tests (and timings) of the native MSM and fixed-base multiplication (msm*.c).
 *
 *   python native/tests/gen_msm_vectors.py /tmp/zkcx_msm_vectors.txt
 *   gcc -O3 -fopenmp -Inative/src -Inative/include native/tests/test_msm.c \
 *       native/src/msm.c native/src/msm_batch.c native/src/msm_ifma.c native/src/msm_fixed.c \
 *       native/src/g1.c native/src/g2.c native/src/tower.c native/src/runtime.c \
 *       native/src/field_ifma.c -o /tmp/tm
 *   /tmp/tm [/tmp/zkcx_msm_vectors.txt] [--bench] [--quick]
 *
 * References: py_ecc for a few small cases (the vector file), naive sums of single
 * scalar multiplications (g1_jac_mul/g2_jac_mul) for small and medium n, and for large n
 * points with known discrete logarithms, P_i = [a + i d] G, whose MSM must equal
 * [sum_i (a + i d) s_i] G (computed in Fr). Every case runs with 1 and 2 threads and with
 * the IFMA kernels on and off, and all results must be identical. Exit status 0 iff
 * everything passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "msm.h"
#include "runtime.h"
#include "zkcx.h"
#define HARNESS_SEED 0x1234567887654321ULL
#include "harness.h"
#include "generators.h"

/* ---- helpers ---------------------------------------------------------------------------- */


static int u256_lt(const uint64_t a[4], const uint64_t b[4]) {
    for (int k = 3; k >= 0; k--)
        if (a[k] != b[k]) return a[k] < b[k];
    return 0;
}

/* a random canonical scalar < r */
static void rnd_fr_canon(fr_t *a) {
    do {
        for (int k = 0; k < 4; k++) a->v[k] = rnd64();
        a->v[3] &= 0x3fffffffffffffffULL;
    } while (!u256_lt(a->v, R_LIMBS));
}
static void fr_small(fr_t *mont, uint64_t v) {
    fr_t c = {{v, 0, 0, 0}};
    fr_to_mont(mont, &c);
}
static void fr_rnd(fr_t *mont) {
    fr_t c;
    rnd_fr_canon(&c);
    fr_to_mont(mont, &c);
}
static void fr_minus_one(fr_t *mont) {
    fr_t one;
    fr_small(&one, 1);
    fr_neg(mont, &one);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}


/* Each group's reference helpers (msm_group.h): g1_/g2_progression, naive, dlog_ref
 * and msm_all. */
#define GP(name) g1_##name
#define AFF_T g1_aff_t
#define JAC_T g1_jac_t
#define GROUP_MSM zkcx_g1_msm
#define GROUP_LIMBS 8
#include "msm_group.h"

#define GP(name) g2_##name
#define AFF_T g2_aff_t
#define JAC_T g2_jac_t
#define GROUP_MSM zkcx_g2_msm
#define GROUP_LIMBS 16
#include "msm_group.h"

/* ---- kernels ---------------------------------------------------------------------------- */

/* The batch-affine kernels against single additions, including every special case,
 * tagged (negated) operands and every batch length 1..40 (all tail shapes). */
static void test_batch_kernels(void) {
    enum { NP = 24, M = 40 };
    g1_aff_t P[NP], out1[M], out2[M];
    g2_aff_t Q[NP], qo1[M], qo2[M];
    g1_progression(P, NULL, NP);
    g2_progression(Q, NULL, NP);
    memset(&P[0], 0, sizeof P[0]);              /* identity */
    memset(&Q[0], 0, sizeof Q[0]);
    g1_aff_neg(&P[1], &P[2]);                   /* P[1] = -P[2] */
    g2_aff_neg(&Q[1], &Q[2]);
    msm_ptr_t a[M], b[M], qa[M], qb[M];
    g1_aff_t *o1[M], *o2[M];
    g2_aff_t *p1[M], *p2[M];
    void *scr = malloc(msm_g2_batch_scratch(M) + msm_g1_batch_scratch(M));
    for (int round = 0; round < 20; round++) {
        for (int j = 0; j < M; j++) {
            int u = (int)(rnd64() % NP), v = (int)(rnd64() % NP);
            if (rnd64() % 4 == 0) v = u;                        /* doubling or P + (-P) */
            a[j] = (msm_ptr_t)&P[u] | (msm_ptr_t)(rnd64() & 1);
            b[j] = (msm_ptr_t)&P[v] | (msm_ptr_t)(rnd64() & 1);
            qa[j] = (msm_ptr_t)&Q[u] | (msm_ptr_t)(rnd64() & 1);
            qb[j] = (msm_ptr_t)&Q[v] | (msm_ptr_t)(rnd64() & 1);
            o1[j] = &out1[j];
            o2[j] = &out2[j];
            p1[j] = &qo1[j];
            p2[j] = &qo2[j];
        }
        for (int m = 1; m <= M; m += (round & 1) ? 7 : 1) {
            msm_g1_batch_add_portable(o1, a, b, (size_t)m, scr);
            CHECK(g1_batch_matches_single(out1, a, b, m), "g1 portable batch, m=%d", m);
            if (zkcx_cpu_has_ifma()) {
                msm_g1_batch_add_ifma(o2, a, b, (size_t)m, scr);
                CHECK(memcmp(out1, out2, (size_t)m * sizeof out1[0]) == 0, "g1 ifma batch, m=%d", m);
            }
            msm_g2_batch_add_portable(p1, qa, qb, (size_t)m, scr);
            CHECK(g2_batch_matches_single(qo1, qa, qb, m), "g2 portable batch, m=%d", m);
            if (zkcx_cpu_has_ifma()) {
                msm_g2_batch_add_ifma(p2, qa, qb, (size_t)m, scr);
                CHECK(memcmp(qo1, qo2, (size_t)m * sizeof qo1[0]) == 0, "g2 ifma batch, m=%d", m);
            }
        }
    }
    /* in place: out[j] = a[j] */
    for (int j = 0; j < M; j++) {
        out1[j] = P[(j + 3) % NP];
        out2[j] = out1[j];
        a[j] = (msm_ptr_t)&out1[j];
        b[j] = (msm_ptr_t)&P[(5 * j + 1) % NP];
        o1[j] = &out1[j];
    }
    msm_g1_batch_add(o1, a, b, M, scr, zkcx_runtime_use_ifma());
    int ok = 1;
    for (int j = 0; j < M; j++) {
        g1_jac_t jx;
        g1_aff_t z;
        g1_jac_from_aff(&jx, &out2[j]);
        g1_jac_add_aff(&jx, &jx, &P[(5 * j + 1) % NP]);
        g1_aff_from_jac(&z, &jx);
        if (memcmp(&z, &out1[j], sizeof z) != 0) ok = 0;
    }
    CHECK(ok, "g1 batch in place");
    free(scr);
}

static void test_inverse(void) {
    int ok = 1;
    for (int t = 0; t < 3000; t++) {
        fq_t x, a, b, c;
        if (t < 300) {
            memset(&c, 0, sizeof c);
            if (t < 256) c.v[t / 64] = (uint64_t)1 << (t % 64);     /* powers of two */
            else c.v[0] = (uint64_t)(t - 255);                      /* small values */
            fq_to_mont(&x, &c);
        } else if (t == 300) {
            memcpy(x.v, fq_modulus.v, 32);
            x.v[0] -= 1;                                             /* p - 1 */
        } else if (t < 400) {
            memset(&x, 0, sizeof x);
            x.v[0] = (uint64_t)(t - 300);                            /* small representatives */
        } else {
            do {
                for (int k = 0; k < 4; k++) x.v[k] = rnd64();
                x.v[3] &= 0x3fffffffffffffffULL;
            } while (!curve_fq_in_range(x.v) || fq_is_zero(&x));
        }
        fq_inv(&a, &x);
        msm_fq_inv(&b, &x);
        if (!fq_eq(&a, &b)) ok = 0;
    }
    CHECK(ok, "msm_fq_inv agrees with fq_inv");
    fq_t v[16], w[16], tmp[16];
    for (int i = 0; i < 16; i++) {
        for (int k = 0; k < 4; k++) v[i].v[k] = rnd64();
        v[i].v[3] &= 0x0fffffffffffffffULL;
        fq_inv(&w[i], &v[i]);
    }
    msm_fq_batch_inv(v, tmp, 16);
    CHECK(memcmp(v, w, sizeof v) == 0, "msm_fq_batch_inv");
}

static void test_digits(void) {
    /* k = sum_w d_w 2^(c w) with |d_w| <= 2^(c-1), for every width */
    for (unsigned c = 2; c <= 20; c++) {
        for (int t = 0; t < 50; t++) {
            fr_t k;
            if (t == 0) memcpy(k.v, R_LIMBS, 32), k.v[0] -= 1;      /* r - 1 */
            else if (t == 1) memset(k.v, 0xff, 32), k.v[3] = 0x3fffffffffffffffULL;  /* 2^254 - 1 */
            else rnd_fr_canon(&k);
            unsigned nw = (255 + c - 1) / c;
            /* rebuild from the top: acc = acc * 2^c + d, as a 5-limb signed sum */
            __int128 acc[5] = {0};
            int ok = 1;
            for (unsigned w = nw; w-- > 0;) {
                int32_t d = msm_digit(k.v, w, c);
                if (d > (1 << (c - 1)) || d < -(1 << (c - 1))) ok = 0;
                for (int l = 0; l < 5; l++) acc[l] *= (__int128)1 << c;   /* acc <<= c */
                acc[0] += d;
                /* normalize to base 2^64 digits with signed carries */
                for (int l = 0; l < 4; l++) {
                    __int128 carry = acc[l] >> 64;
                    acc[l] -= carry * ((__int128)1 << 64);
                    acc[l + 1] += carry;
                }
            }
            for (int l = 0; l < 4; l++)
                if ((uint64_t)acc[l] != k.v[l]) ok = 0;
            if (acc[4] != 0) ok = 0;
            CHECK(ok, "signed digits c=%u t=%d", c, t);
        }
    }
}

/* ---- MSM cases ---------------------------------------------------------------------------- */

static void test_g1_small(int quick) {
    const size_t sizes[] = {0, 1, 2, 3, 4, 5, 17, 100, 1000, 3000};
    /* the naive reference costs n scalar multiplications: --quick stops at 1000 */
    const size_t count = sizeof sizes / sizeof sizes[0] - (quick ? 1 : 0);
    for (size_t si = 0; si < count; si++) {
        size_t n = sizes[si];
        for (int kind = 0; kind < 6; kind++) {
            g1_aff_t *P = malloc((n + 1) * sizeof *P), ref, got;
            fr_t *S = malloc((n + 1) * sizeof *S);
            g1_progression(P, NULL, n + 1);
            for (size_t i = 0; i < n; i++) fr_rnd(&S[i]);
            const char *what = "random";
            switch (kind) {
            case 1:        /* special scalars */
                what = "scalars 0, 1, r-1";
                for (size_t i = 0; i < n; i++) {
                    int t = (int)(rnd64() % 4);
                    if (t == 0) fr_set_zero(&S[i]);
                    else if (t == 1) fr_small(&S[i], 1);
                    else if (t == 2) fr_minus_one(&S[i]);
                }
                break;
            case 2:        /* repeats, the identity, P and -P */
                what = "repeats, identity, P and -P";
                for (size_t i = 0; i < n; i++) {
                    uint64_t t = rnd64() % 8;
                    if (t == 0) memset(&P[i], 0, sizeof P[i]);
                    else if (t == 1 && i > 0) P[i] = P[rnd64() % i];
                    else if (t == 2 && i > 0) g1_aff_neg(&P[i], &P[rnd64() % i]);
                }
                break;
            case 3:        /* all points equal */
                what = "all points equal";
                for (size_t i = 1; i < n; i++) P[i] = P[0];
                break;
            case 4:        /* all scalars equal */
                what = "all scalars equal";
                for (size_t i = 1; i < n; i++) S[i] = S[0];
                break;
            case 5:        /* exact cancellation: pairs (P, s), (-P, s) */
                what = "cancelling pairs";
                for (size_t i = 1; i < n; i += 2) {
                    g1_aff_neg(&P[i], &P[i - 1]);
                    S[i] = S[i - 1];
                }
                break;
            }
            g1_naive(&ref, P, S, n);
            int same = g1_msm_all(&got, P, S, n);
            CHECK(same, "g1 msm n=%zu (%s): configurations differ", n, what);
            CHECK(memcmp(&ref, &got, sizeof ref) == 0, "g1 msm n=%zu (%s) vs naive", n, what);
            if (kind == 5 && n % 2 == 0)
                CHECK(g1_aff_is_identity(&got), "g1 msm n=%zu cancels to the identity", n);
            free(P);
            free(S);
        }
    }
}

static void test_g1_large(int quick) {
    const size_t sizes[] = {(size_t)1 << 14, (size_t)1 << 16};
    for (size_t si = 0; si < (quick ? 1u : 2u); si++) { /* --quick: 2^14 only */
        size_t n = sizes[si];
        g1_aff_t *P = malloc(n * sizeof *P), ref, got;
        fr_t *S = malloc(n * sizeof *S), *dl = malloc(n * sizeof *dl), *S2 = malloc(n * sizeof *S2);
        g1_progression(P, dl, n);
        for (size_t i = 0; i < n; i++) fr_rnd(&S[i]);
        int same = g1_msm_all(&got, P, S, n);
        CHECK(same, "g1 msm n=%zu: configurations differ", n);
        g1_dlog_ref(&ref, dl, S, n);
        CHECK(memcmp(&ref, &got, sizeof ref) == 0, "g1 msm n=%zu vs known discrete logs", n);
        if (n <= ((size_t)1 << 14) && !quick) {
            g1_aff_t nv;
            g1_naive(&nv, P, S, n);
            CHECK(memcmp(&nv, &got, sizeof nv) == 0, "g1 msm n=%zu vs naive", n);
        }
        /* skewed digits: scalars from a tiny set, many repeated points */
        for (size_t i = 0; i < n; i++) {
            uint64_t t = rnd64() % 4;
            if (t == 0) fr_small(&S2[i], 1 + rnd64() % 3);
            else if (t == 1) fr_minus_one(&S2[i]);
            else S2[i] = S[i % 7];
        }
        same = g1_msm_all(&got, P, S2, n);
        CHECK(same, "g1 msm n=%zu skewed: configurations differ", n);
        g1_dlog_ref(&ref, dl, S2, n);
        CHECK(memcmp(&ref, &got, sizeof ref) == 0, "g1 msm n=%zu skewed vs discrete logs", n);
        /* all points equal, random scalars: [sum s_i] P */
        g1_aff_t *Q = malloc(n * sizeof *Q);
        fr_t *dq = malloc(n * sizeof *dq);
        for (size_t i = 0; i < n; i++) {
            Q[i] = P[0];
            dq[i] = dl[0];
        }
        same = g1_msm_all(&got, Q, S, n);
        CHECK(same, "g1 msm n=%zu equal points: configurations differ", n);
        g1_dlog_ref(&ref, dq, S, n);
        CHECK(memcmp(&ref, &got, sizeof ref) == 0, "g1 msm n=%zu equal points", n);
        free(Q);
        free(dq);
        free(P);
        free(S);
        free(S2);
        free(dl);
    }
}

static void test_g2(int quick) {
    const size_t sizes[] = {0, 1, 2, 3, 17, 300};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        for (int kind = 0; kind < 3; kind++) {
            g2_aff_t *P = malloc((n + 1) * sizeof *P), ref, got;
            fr_t *S = malloc((n + 1) * sizeof *S);
            g2_progression(P, NULL, n + 1);
            for (size_t i = 0; i < n; i++) fr_rnd(&S[i]);
            if (kind == 1) {
                for (size_t i = 0; i < n; i++) {
                    uint64_t t = rnd64() % 8;
                    if (t == 0) memset(&P[i], 0, sizeof P[i]);
                    else if (t == 1 && i > 0) P[i] = P[rnd64() % i];
                    else if (t == 2 && i > 0) g2_aff_neg(&P[i], &P[rnd64() % i]);
                    else if (t == 3) fr_set_zero(&S[i]);
                    else if (t == 4) fr_minus_one(&S[i]);
                }
            } else if (kind == 2) {
                for (size_t i = 1; i < n; i++) P[i] = P[0];
            }
            g2_naive(&ref, P, S, n);
            int same = g2_msm_all(&got, P, S, n);
            CHECK(same, "g2 msm n=%zu kind=%d: configurations differ", n, kind);
            CHECK(memcmp(&ref, &got, sizeof ref) == 0, "g2 msm n=%zu kind=%d vs naive", n, kind);
            free(P);
            free(S);
        }
    }
    size_t n = quick ? 4096 : 16384;
    g2_aff_t *P = malloc(n * sizeof *P), ref, got;
    fr_t *S = malloc(n * sizeof *S), *dl = malloc(n * sizeof *dl);
    g2_progression(P, dl, n);
    for (size_t i = 0; i < n; i++) fr_rnd(&S[i]);
    int same = g2_msm_all(&got, P, S, n);
    CHECK(same, "g2 msm n=%zu: configurations differ", n);
    g2_dlog_ref(&ref, dl, S, n);
    CHECK(memcmp(&ref, &got, sizeof ref) == 0, "g2 msm n=%zu vs discrete logs", n);
    for (size_t i = 0; i < n; i++) S[i] = S[i % 3];
    same = g2_msm_all(&got, P, S, n);
    g2_dlog_ref(&ref, dl, S, n);
    CHECK(same && memcmp(&ref, &got, sizeof ref) == 0, "g2 msm n=%zu skewed", n);
    free(P);
    free(S);
    free(dl);
}

static void test_fixed_base(void) {
    const size_t sizes[] = {0, 1, 3, 4, 5, 9, 100, 3000, 5000};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        g1_aff_t b;
        g1_progression(&b, NULL, 1);
        fr_t *S = malloc((n + 1) * sizeof *S);
        g1_aff_t *out = malloc((n + 1) * sizeof *out), *ref = malloc((n + 1) * sizeof *ref);
        for (size_t i = 0; i < n; i++) {
            uint64_t t = rnd64() % 6;
            if (t == 0) fr_set_zero(&S[i]);
            else if (t == 1) fr_small(&S[i], 1 + rnd64() % 5);
            else if (t == 2) fr_minus_one(&S[i]);
            else fr_rnd(&S[i]);
        }
        for (size_t i = 0; i < n; i++) {
            fr_t c;
            g1_jac_t j;
            fr_from_mont(&c, &S[i]);
            g1_jac_mul(&j, &b, c.v);
            g1_aff_from_jac(&ref[i], &j);
        }
        for (int cfg = 0; cfg < 4; cfg++) {
            zkcx_set_threads(1 + (cfg & 1));
            zkcx_set_simd(cfg >> 1);
            memset(out, 0xa5, (n + 1) * sizeof *out);
            int rc = zkcx_g1_fixed_base_mul((uint64_t *)out, (const uint64_t *)&b,
                                            (const uint64_t *)S, n);
            CHECK(rc == ZKCX_OK && memcmp(out, ref, n * sizeof *out) == 0,
                  "g1 fixed base n=%zu cfg=%d", n, cfg);
            unsigned char guard[64];
            memset(guard, 0xa5, 64);
            CHECK(memcmp(&out[n], guard, 64) == 0, "g1 fixed base n=%zu writes past the end", n);
        }
        /* identity base */
        g1_aff_t id;
        memset(&id, 0, sizeof id);
        int rc = zkcx_g1_fixed_base_mul((uint64_t *)out, (const uint64_t *)&id, (const uint64_t *)S, n);
        int allz = 1;
        for (size_t i = 0; i < n; i++) allz &= g1_aff_is_identity(&out[i]);
        CHECK(rc == ZKCX_OK && allz, "g1 fixed base of the identity n=%zu", n);
        free(S);
        free(out);
        free(ref);
    }
    zkcx_set_threads(2);
    zkcx_set_simd(1);
    for (size_t n = 5; n <= 600; n += 595) {
        g2_aff_t b;
        g2_progression(&b, NULL, 1);
        fr_t *S = malloc(n * sizeof *S);
        g2_aff_t *out = malloc(n * sizeof *out), *ref = malloc(n * sizeof *ref);
        for (size_t i = 0; i < n; i++) {
            if (i % 5 == 0) fr_set_zero(&S[i]);
            else if (i % 5 == 1) fr_minus_one(&S[i]);
            else fr_rnd(&S[i]);
        }
        for (size_t i = 0; i < n; i++) {
            fr_t c;
            g2_jac_t j;
            fr_from_mont(&c, &S[i]);
            g2_jac_mul(&j, &b, c.v);
            g2_aff_from_jac(&ref[i], &j);
        }
        for (int cfg = 0; cfg < 4; cfg++) {
            zkcx_set_threads(1 + (cfg & 1));
            zkcx_set_simd(cfg >> 1);
            int rc = zkcx_g2_fixed_base_mul((uint64_t *)out, (const uint64_t *)&b,
                                            (const uint64_t *)S, n);
            CHECK(rc == ZKCX_OK && memcmp(out, ref, n * sizeof *out) == 0,
                  "g2 fixed base n=%zu cfg=%d", n, cfg);
        }
        free(S);
        free(out);
        free(ref);
    }
    zkcx_set_threads(2);
    zkcx_set_simd(1);
}

/* ---- py_ecc vectors --------------------------------------------------------------------- */

/* next token as a canonical Fq element in Montgomery form (0 stays 0) */
static int tok_fq(fq_t *x, char **save) {
    char *t = strtok_r(NULL, " \n", save);
    fq_t c;
    if (!t || !parse_u256(c.v, t)) return 0;
    fq_to_mont(x, &c);
    return 1;
}
static int tok_fr(fr_t *x, char **save) {
    char *t = strtok_r(NULL, " \n", save);
    fr_t c;
    if (!t || !parse_u256(c.v, t)) return 0;
    fr_to_mont(x, &c);
    return 1;
}
static int tok_g1(g1_aff_t *p, char **save) { return tok_fq(&p->x, save) && tok_fq(&p->y, save); }
static int tok_g2(g2_aff_t *p, char **save) {
    return tok_fq(&p->x.c0, save) && tok_fq(&p->x.c1, save) && tok_fq(&p->y.c0, save) &&
           tok_fq(&p->y.c1, save);
}

static void test_vectors(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "note: no vector file %s (run gen_msm_vectors.py); skipped\n", path);
        return;
    }
    static char line[1 << 16];
    int records = 0;
    while (fgets(line, sizeof line, f)) {
        char *save = NULL, *kind = strtok_r(line, " \n", &save), *ns;
        if (!kind || !(ns = strtok_r(NULL, " \n", &save))) continue;
        size_t n = (size_t)strtoul(ns, NULL, 10);
        int ok = 1;
        records++;
        if (!strcmp(kind, "g1msm") || !strcmp(kind, "g2msm")) {
            int g2 = kind[1] == '2';
            g1_aff_t P1[16], r1, e1;
            g2_aff_t P2[16], r2, e2;
            fr_t S[16];
            for (size_t i = 0; i < n && ok; i++) ok = g2 ? tok_g2(&P2[i], &save) : tok_g1(&P1[i], &save);
            for (size_t i = 0; i < n && ok; i++) ok = tok_fr(&S[i], &save);
            ok = ok && (g2 ? tok_g2(&e2, &save) : tok_g1(&e1, &save));
            CHECK(ok, "vector record %d parses", records);
            if (!ok) continue;
            if (g2) CHECK(g2_msm_all(&r2, P2, S, n) && !memcmp(&r2, &e2, sizeof r2), "py_ecc g2msm n=%zu", n);
            else CHECK(g1_msm_all(&r1, P1, S, n) && !memcmp(&r1, &e1, sizeof r1), "py_ecc g1msm n=%zu", n);
        } else if (!strcmp(kind, "g1fb") || !strcmp(kind, "g2fb")) {
            int g2 = kind[1] == '2';
            g1_aff_t b1, e1[16], r1[16];
            g2_aff_t b2, e2[16], r2[16];
            fr_t S[16];
            ok = g2 ? tok_g2(&b2, &save) : tok_g1(&b1, &save);
            for (size_t i = 0; i < n && ok; i++) ok = tok_fr(&S[i], &save);
            for (size_t i = 0; i < n && ok; i++) ok = g2 ? tok_g2(&e2[i], &save) : tok_g1(&e1[i], &save);
            CHECK(ok, "vector record %d parses", records);
            if (!ok) continue;
            if (g2) {
                int rc = zkcx_g2_fixed_base_mul((uint64_t *)r2, (const uint64_t *)&b2, (const uint64_t *)S, n);
                CHECK(rc == 0 && !memcmp(r2, e2, n * sizeof r2[0]), "py_ecc g2fb n=%zu", n);
            } else {
                int rc = zkcx_g1_fixed_base_mul((uint64_t *)r1, (const uint64_t *)&b1, (const uint64_t *)S, n);
                CHECK(rc == 0 && !memcmp(r1, e1, n * sizeof r1[0]), "py_ecc g1fb n=%zu", n);
            }
        }
    }
    fclose(f);
    CHECK(records > 0, "vector file has records");
}

/* ---- timings ------------------------------------------------------------------------------ */

static double best_of(int reps, int (*fn)(uint64_t *, const uint64_t *, const uint64_t *, size_t),
                      uint64_t *out, const void *a, const void *s, size_t n) {
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t = now();
        fn(out, a, s, n);
        t = now() - t;
        if (t < best) best = t;
    }
    return best;
}

static void bench(void) {
    const size_t NMAX = (size_t)1 << 20;
    printf("generating %zu G1 points...\n", NMAX);
    g1_aff_t *P = malloc(NMAX * sizeof *P);
    fr_t *S = malloc(NMAX * sizeof *S);
    g1_progression(P, NULL, NMAX);
    for (size_t i = 0; i < NMAX; i++) fr_rnd(&S[i]);
    uint64_t out[16];
    static const int lg[] = {10, 14, 16, 18, 20};
    printf("ifma available: %d\n", zkcx_cpu_has_ifma());
    for (int simd = 1; simd >= 0; simd--) {
        zkcx_set_simd(simd);
        for (int li = 0; li < 5; li++) {
            size_t n = (size_t)1 << lg[li];
            if (!simd && lg[li] > 16) continue;
            int reps = n <= 16384 ? 10 : n <= 65536 ? 5 : 2;
            double t[2];
            for (int th = 1; th <= 2; th++) {
                zkcx_set_threads(th);
                t[th - 1] = best_of(reps, zkcx_g1_msm, out, P, S, n);
            }
            printf("G1 MSM 2^%d (ifma %d): 1 thread %9.2f ms   2 threads %9.2f ms\n", lg[li], simd,
                   t[0] * 1e3, t[1] * 1e3);
        }
    }
    zkcx_set_simd(1);
    {
        size_t n = (size_t)1 << 16;
        g1_aff_t *O = malloc(n * sizeof *O);
        double t[2];
        for (int th = 1; th <= 2; th++) {
            zkcx_set_threads(th);
            t[th - 1] = best_of(3, zkcx_g1_fixed_base_mul, (uint64_t *)O, P, S, n);
        }
        printf("G1 fixed-base 2^16: 1 thread %9.2f ms   2 threads %9.2f ms\n", t[0] * 1e3, t[1] * 1e3);
        free(O);
    }
    free(P);
    {
        size_t n = (size_t)1 << 16;
        g2_aff_t *Q = malloc(n * sizeof *Q);
        g2_progression(Q, NULL, n);
        double t[2];
        for (int th = 1; th <= 2; th++) {
            zkcx_set_threads(th);
            t[th - 1] = best_of(2, zkcx_g2_msm, out, Q, S, n);
        }
        printf("G2 MSM 2^16: 1 thread %9.2f ms   2 threads %9.2f ms\n", t[0] * 1e3, t[1] * 1e3);
        g2_aff_t *O = malloc(n * sizeof *O);
        for (int th = 1; th <= 2; th++) {
            zkcx_set_threads(th);
            t[th - 1] = best_of(2, zkcx_g2_fixed_base_mul, (uint64_t *)O, Q, S, n);
        }
        printf("G2 fixed-base 2^16: 1 thread %9.2f ms   2 threads %9.2f ms\n", t[0] * 1e3, t[1] * 1e3);
        free(O);
        free(Q);
    }
    free(S);
    zkcx_set_threads(2);
}

int main(int argc, char **argv) {
    const char *vectors = "/tmp/zkcx_msm_vectors.txt";
    int do_bench = 0, quick = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--bench")) do_bench = 1;
        else if (!strcmp(argv[i], "--quick")) quick = 1;
        else vectors = argv[i];
    }
    if (do_bench) {
        bench();
        return 0;
    }
    zkcx_set_threads(2);
    double t0 = now();
#define TIMED(call)                                                  \
    do {                                                             \
        double t_ = now();                                           \
        call;                                                        \
        printf("  %-28s %6.2f s\n", #call, now() - t_);             \
    } while (0)
    TIMED(test_inverse());
    TIMED(test_digits());
    TIMED(test_batch_kernels());
    TIMED(test_vectors(vectors));
    TIMED(test_g1_small(quick));
    TIMED(test_g2(quick));
    TIMED(test_fixed_base());
    TIMED(test_g1_large(quick));
    printf("test_msm: %d passed, %d failed (%.1f s)\n", g_pass, g_fail, now() - t0);
    return g_fail ? 1 : 0;
}
