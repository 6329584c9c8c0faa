/* SPDX-License-Identifier: MIT */
/*
 * Tests (and timings) of the native curve layer: tower, G1, G2, pairing.
 *
 *   python native/tests/gen_curve_vectors.py /tmp/zkcx_curve_vectors.txt
 *   gcc -O3 -fopenmp -Inative/src -Inative/include native/tests/test_curve.c \
 *       native/src/tower.c native/src/g1.c native/src/g2.c native/src/pairing.c \
 *       native/src/runtime.c native/src/field_ifma.c -o /tmp/tc
 *   /tmp/tc /tmp/zkcx_curve_vectors.txt [--bench] [--portable]
 *
 * --portable switches the MULX/ADX multiplication off (zkcx_set_adx(0)).
 *
 * Checks every record of the vector file (py_ecc values and the go-ethereum precompile
 * vectors, see gen_curve_vectors.py), then algebraic properties computed in C alone:
 * constants, tower laws, identity handling, subgroup test against [r]Q = O,
 * bilinearity, multi-pairing, error codes. Exit status 0 iff everything passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tower.h"
#include "g1.h"
#include "g2.h"
#include "pairing.h"
#include "zkcx.h"
#define HARNESS_SEED 0x9e3779b97f4a7c15ULL
#include "harness.h"
#include "generators.h"

static const uint64_t BN_U = 4965661367192848881ULL;

/* ---- small helpers ------------------------------------------------------------------- */

static void rnd_fq(fq_t *a) {
    do {
        for (int k = 0; k < 4; k++) a->v[k] = rnd64();
        a->v[3] &= 0x3fffffffffffffffULL;
    } while (!curve_fq_in_range(a->v));
}
static void rnd_fq2(fq2_t *a) { rnd_fq(&a->c0); rnd_fq(&a->c1); }
static void rnd_fq12(fq12_t *a) {
    fq2_t *c = (fq2_t *)a;
    for (int k = 0; k < 6; k++) rnd_fq2(&c[k]);
}
static void rnd_scalar(uint64_t k[4]) { for (int i = 0; i < 4; i++) k[i] = rnd64(); }

/* canonical limbs (n field elements) <-> Montgomery */
static void to_mont(uint64_t *a, size_t n) {
    for (size_t i = 0; i < n; i++) fq_to_mont((fq_t *)(a + 4 * i), (const fq_t *)(a + 4 * i));
}
static void from_mont(uint64_t *a, size_t n) {
    for (size_t i = 0; i < n; i++) fq_from_mont((fq_t *)(a + 4 * i), (const fq_t *)(a + 4 * i));
}

/* Read `count` field elements (canonical hex tokens) into Montgomery limbs. */
static int read_elems(uint64_t *out, char **tok, int count) {
    for (int i = 0; i < count; i++) {
        if (!tok[i] || !parse_u256(out + 4 * i, tok[i])) return 0;
    }
    to_mont(out, (size_t)count);
    return 1;
}

static int hexval(char c) {
    return (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
         : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}
/* Hex string to bytes; "-" is empty. Returns the length or -1. */
static long hex_bytes(uint8_t *out, size_t cap, const char *s) {
    if (strcmp(s, "-") == 0) return 0;
    size_t n = strlen(s);
    if (n % 2 || n / 2 > cap) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (long)(n / 2);
}

/* 32 big-endian bytes -> canonical limbs, and back */
static void be_to_limbs(uint64_t out[4], const uint8_t *b) {
    for (int k = 0; k < 4; k++) {
        uint64_t w = 0;
        for (int j = 0; j < 8; j++) w = w << 8 | b[(3 - k) * 8 + j];
        out[k] = w;
    }
}
static void limbs_to_be(uint8_t *b, const uint64_t v[4]) {
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < 8; j++) b[(3 - k) * 8 + j] = (uint8_t)(v[k] >> (56 - 8 * j));
}

/* ---- EVM precompiles, emulated with the exported functions ---------------------------- */

/* Decode an EVM G1 point (64 bytes) into Montgomery limbs; 0 when a coordinate >= p. */
static int evm_g1(uint64_t out[8], const uint8_t *b) {
    be_to_limbs(out, b);
    be_to_limbs(out + 4, b + 32);
    if (!curve_fq_in_range(out) || !curve_fq_in_range(out + 4)) return 0;
    to_mont(out, 2);
    return 1;
}
/* EVM G2 (128 bytes, x.c1 x.c0 y.c1 y.c0) into zkcx order x.c0 x.c1 y.c0 y.c1. */
static int evm_g2(uint64_t out[16], const uint8_t *b) {
    be_to_limbs(out + 4, b);
    be_to_limbs(out, b + 32);
    be_to_limbs(out + 12, b + 64);
    be_to_limbs(out + 8, b + 96);
    for (int c = 0; c < 4; c++)
        if (!curve_fq_in_range(out + 4 * c)) return 0;
    to_mont(out, 4);
    return 1;
}
static void evm_put_g1(uint8_t *b, const uint64_t p[8]) {
    uint64_t c[8];
    memcpy(c, p, sizeof c);
    from_mont(c, 2);
    limbs_to_be(b, c);
    limbs_to_be(b + 32, c + 4);
}

/* Returns output length, or -1 when the precompile fails. */
static long evm_call(const char *kind, const uint8_t *in, long len, uint8_t *out) {
    if (strcmp(kind, "add") == 0 || strcmp(kind, "mul") == 0) {
        int is_add = kind[0] == 'a';
        uint8_t buf[128] = {0};                    /* right-pad, truncate */
        long need = is_add ? 128 : 96;
        memcpy(buf, in, (size_t)(len < need ? len : need));
        uint64_t a[8], b[8], r[8], k[4];
        if (!evm_g1(a, buf)) return -1;
        if (is_add) {
            if (!evm_g1(b, buf + 64)) return -1;
            if (zkcx_g1_add(r, a, b) != ZKCX_OK) return -1;
        } else {
            be_to_limbs(k, buf + 64);
            if (zkcx_g1_mul(r, a, k) != ZKCX_OK) return -1;
        }
        evm_put_g1(out, r);
        return 64;
    }
    /* pairing */
    if (len % 192) return -1;
    size_t n = (size_t)len / 192;
    uint64_t *g1s = calloc(n ? n : 1, 64), *g2s = calloc(n ? n : 1, 128);
    long res = 32;
    for (size_t i = 0; i < n && res > 0; i++) {
        if (!evm_g1(g1s + 8 * i, in + 192 * i) || !evm_g2(g2s + 16 * i, in + 192 * i + 64)) res = -1;
        else if (!zkcx_g1_is_on_curve(g1s + 8 * i) || !zkcx_g2_is_on_curve(g2s + 16 * i)) res = -1;
        else if (!zkcx_g2_in_subgroup(g2s + 16 * i)) res = -1;
    }
    if (res > 0) {
        int ok = zkcx_pairing_check(g1s, g2s, n);
        if (ok < 0) res = -1;
        else { memset(out, 0, 32); out[31] = (uint8_t)ok; }
    }
    free(g1s);
    free(g2s);
    return res;
}

/* ---- vector records ---------------------------------------------------------------- */

#define MAXTOK 64
static int split(char *line, char **tok) {
    int n = 0;
    for (char *s = strtok(line, " \t\r\n"); s && n < MAXTOK; s = strtok(NULL, " \t\r\n")) tok[n++] = s;
    for (int i = n; i < MAXTOK; i++) tok[i] = NULL;
    return n;
}

/* Pairing vectors kept for the property tests. */
typedef struct { uint64_t p[8], q[16], e[48]; } pair_vec_t;
static pair_vec_t g_pairs[32];
static int g_npairs = 0;

static int g_counts[16];
enum { C_G1ADD, C_G1DBL, C_G1MUL, C_G2ADD, C_G2DBL, C_G2MUL, C_G2SUB, C_FQ12, C_PAIR, C_EVM, C_EVMFAIL };

/* The public API of one group, for the records g1add/g1dbl/g1mul and g2add/...: a point
 * is `elems` field elements. */
typedef struct {
    int elems;
    int (*add)(uint64_t *, const uint64_t *, const uint64_t *);
    int (*dbl)(uint64_t *, const uint64_t *);
    int (*mul)(uint64_t *, const uint64_t *, const uint64_t *);
    int (*eq)(const uint64_t *, const uint64_t *);
} group_api_t;
static const group_api_t GROUPS[2] = {
    {2, zkcx_g1_add, zkcx_g1_dbl, zkcx_g1_mul, zkcx_g1_eq},
    {4, zkcx_g2_add, zkcx_g2_dbl, zkcx_g2_mul, zkcx_g2_eq},
};

/* A g1add/g1dbl/g1mul/g2add/... record against the API of its group (tok[0] names it:
 * "g" digit op). Returns 0 on a malformed record. */
static int run_group_record(char **tok, int n, int lineno) {
    const char *t = tok[0];
    const int g = t[1] - '1', e = GROUPS[g].elems;
    const group_api_t *api = &GROUPS[g];
    const size_t size = 32 * (size_t)e;
    uint64_t a[16], b[16], c[16], r[16], k[4];
    if (strcmp(t + 2, "add") == 0 && n == 1 + 3 * e) {
        if (!read_elems(a, tok + 1, e) || !read_elems(b, tok + 1 + e, e) ||
            !read_elems(c, tok + 1 + 2 * e, e)) return 0;
        CHECK(api->add(r, a, b) == ZKCX_OK && memcmp(r, c, size) == 0, "%s line %d", t, lineno);
        memcpy(r, a, size);  /* out aliasing either input */
        CHECK(api->add(r, r, b) == ZKCX_OK && api->eq(r, c), "%s alias a line %d", t, lineno);
        memcpy(r, b, size);
        CHECK(api->add(r, a, r) == ZKCX_OK && api->eq(r, c), "%s alias b line %d", t, lineno);
        g_counts[C_G1ADD + 3 * g]++;
    } else if (strcmp(t + 2, "dbl") == 0 && n == 1 + 2 * e) {
        if (!read_elems(a, tok + 1, e) || !read_elems(c, tok + 1 + e, e)) return 0;
        CHECK(api->dbl(r, a) == ZKCX_OK && memcmp(r, c, size) == 0, "%s line %d", t, lineno);
        g_counts[C_G1DBL + 3 * g]++;
    } else if (strcmp(t + 2, "mul") == 0 && n == 2 + 2 * e) {
        if (!read_elems(a, tok + 1, e) || !parse_u256(k, tok[1 + e]) ||
            !read_elems(c, tok + 2 + e, e)) return 0;
        CHECK(api->mul(r, a, k) == ZKCX_OK && memcmp(r, c, size) == 0, "%s line %d", t, lineno);
        g_counts[C_G1MUL + 3 * g]++;
    } else {
        return 0;
    }
    return 1;
}

static void run_record(char *line, int lineno) {
    char *tok[MAXTOK];
    int n = split(line, tok);
    if (n == 0 || tok[0][0] == '#') return;
    const char *t = tok[0];
    uint64_t a[48], b[48], c[48], r[48];
    if (t[0] == 'g' && (t[1] == '1' || t[1] == '2') && strcmp(t + 2, "sub") != 0) {
        if (!run_group_record(tok, n, lineno)) goto bad;
    } else if (strcmp(t, "g2sub") == 0 && n == 6) {
        if (!read_elems(a, tok + 1, 4)) goto bad;
        int want = atoi(tok[5]);
        CHECK(zkcx_g2_is_on_curve(a) == 1, "g2sub on curve line %d", lineno);
        CHECK(zkcx_g2_in_subgroup(a) == want, "g2sub line %d: want %d", lineno, want);
        /* the slow definition: [r]Q = O */
        g2_aff_t q;
        g2_jac_t rq;
        g2_aff_load(&q, a);
        g2_jac_mul(&rq, &q, R_LIMBS);
        CHECK(g2_jac_is_identity(&rq) == want, "g2sub [r]Q line %d", lineno);
        g_counts[C_G2SUB]++;
    } else if (strcmp(t, "fq12mul") == 0 && n == 37) {
        if (!read_elems(a, tok + 1, 12) || !read_elems(b, tok + 13, 12) || !read_elems(c, tok + 25, 12)) goto bad;
        zkcx_fq12_mul(r, a, b);
        CHECK(zkcx_fq12_eq(r, c), "fq12mul line %d", lineno);
        g_counts[C_FQ12]++;
    } else if (strcmp(t, "pair") == 0 && n == 19) {
        if (!read_elems(a, tok + 1, 2) || !read_elems(b, tok + 3, 4) || !read_elems(c, tok + 7, 12)) goto bad;
        int rc = zkcx_pairing(r, a, b);
        CHECK(rc == ZKCX_OK && zkcx_fq12_eq(r, c), "pairing line %d", lineno);
        if (g_npairs < 32) {
            memcpy(g_pairs[g_npairs].p, a, 64);
            memcpy(g_pairs[g_npairs].q, b, 128);
            memcpy(g_pairs[g_npairs].e, c, 384);
            g_npairs++;
        }
        g_counts[C_PAIR]++;
    } else if (strcmp(t, "evm") == 0 && n == 5) {
        static uint8_t in[1 << 15];
        uint8_t out[64], want[64];
        long len = hex_bytes(in, sizeof in, tok[3]);
        if (len < 0) goto bad;
        long got = evm_call(tok[1], in, len, out);
        if (strcmp(tok[4], "fail") == 0) {
            CHECK(got < 0, "evm %s %s should fail", tok[1], tok[2]);
            g_counts[C_EVMFAIL]++;
        } else {
            long wl = hex_bytes(want, sizeof want, tok[4]);
            CHECK(got >= 0 && got == wl && memcmp(out, want, (size_t)wl) == 0, "evm %s %s", tok[1], tok[2]);
        }
        g_counts[C_EVM]++;
    } else {
        goto bad;
    }
    return;
bad:
    CHECK(0, "malformed record at line %d (%s, %d tokens)", lineno, t, n);
}

static void run_vectors(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) { CHECK(0, "cannot open %s", path); return; }
    size_t cap = 1 << 16;
    char *line = malloc(cap);
    int lineno = 0;
    while (fgets(line, (int)cap, f)) {
        lineno++;
        run_record(line, lineno);
    }
    free(line);
    fclose(f);
    printf("vectors: g1add %d, g1dbl %d, g1mul %d, g2add %d, g2dbl %d, g2mul %d, g2sub %d, "
           "fq12mul %d, pairing %d, evm %d (%d expected failures)\n",
           g_counts[C_G1ADD], g_counts[C_G1DBL], g_counts[C_G1MUL], g_counts[C_G2ADD],
           g_counts[C_G2DBL], g_counts[C_G2MUL], g_counts[C_G2SUB], g_counts[C_FQ12],
           g_counts[C_PAIR], g_counts[C_EVM], g_counts[C_EVMFAIL]);
}

/* ---- constants and tower ------------------------------------------------------------ */

static void fq2_pow_limbs(fq2_t *z, const fq2_t *a, const uint64_t *e, int nlimbs) {
    fq2_t acc, base = *a;
    fq2_set_one(&acc);
    for (int w = nlimbs - 1; w >= 0; w--)
        for (int bit = 63; bit >= 0; bit--) {
            fq2_sqr(&acc, &acc);
            if ((e[w] >> bit) & 1) fq2_mul(&acc, &acc, &base);
        }
    *z = acc;
}

static void test_constants(void) {
    fq2_t xi, t, g11, g21, g31;
    fq_set_zero(&xi.c1);
    uint64_t nine[4] = {9, 0, 0, 0}, one[4] = {1, 0, 0, 0}, three[4] = {3, 0, 0, 0};
    fq_to_mont(&xi.c0, (const fq_t *)nine);
    fq_to_mont(&xi.c1, (const fq_t *)one);

    /* b' (9 + i) = 3 */
    fq2_mul(&t, &g2_twist_b, &xi);
    fq_t three_m;
    fq_to_mont(&three_m, (const fq_t *)three);
    CHECK(fq_eq(&t.c0, &three_m) && fq_is_zero(&t.c1), "b' * xi == 3");

    /* gamma1[1] = xi^((p-1)/6), exponent computed with limb division by 6 */
    uint64_t e[4];
    memcpy(e, fq_modulus.v, 32);
    e[0] -= 1;
    unsigned __int128 rem = 0;
    for (int k = 3; k >= 0; k--) {
        unsigned __int128 cur = (rem << 64) | e[k];
        e[k] = (uint64_t)(cur / 6);
        rem = cur % 6;
    }
    CHECK(rem == 0, "6 | p - 1");
    fq2_pow_limbs(&g11, &xi, e, 4);
    /* gamma_n[1] = prod_{j<n} conj^j(gamma1[1]) since (p^n-1)/6 = (p-1)/6 (1 + ... + p^(n-1)) */
    fq2_conj(&t, &g11);
    fq2_mul(&g21, &g11, &t);
    fq2_mul(&g31, &g21, &g11);
    fq2_t p1, p2, p3;
    fq2_set_one(&p1); fq2_set_one(&p2); fq2_set_one(&p3);
    for (int k = 0; k < 6; k++) {
        fq2_t g2k = {fq12_frob_gamma2[k], {{0, 0, 0, 0}}};
        CHECK(fq2_eq(&p1, &fq12_frob_gamma1[k]), "gamma1[%d]", k);
        CHECK(fq2_eq(&p2, &g2k), "gamma2[%d]", k);
        CHECK(fq2_eq(&p3, &fq12_frob_gamma3[k]), "gamma3[%d]", k);
        fq2_mul(&p1, &p1, &g11);
        fq2_mul(&p2, &p2, &g21);
        fq2_mul(&p3, &p3, &g31);
    }

    /* signed-digit tables */
    unsigned __int128 s = 0, su = 0;
    for (int i = 65; i >= 0; i--) s = 2 * s + (unsigned __int128)(__int128)pairing_ate_naf[i];
    for (int i = 62; i >= 0; i--) su = 2 * su + (unsigned __int128)(__int128)pairing_u_wnaf4[i];
    CHECK(s == (unsigned __int128)6 * BN_U + 2, "NAF(6u+2)");
    CHECK(su == BN_U, "wNAF4(u)");
    for (int i = 0; i < 63; i++) {
        int d = pairing_u_wnaf4[i];
        CHECK(d == 0 || ((d & 1) && d >= -7 && d <= 7), "wNAF4 digit %d = %d", i, d);
        for (int j = i + 1; j < i + 4 && j < 63; j++)
            CHECK(!(d && pairing_u_wnaf4[j]), "wNAF4 window %d", i);
    }
    CHECK(pairing_u_wnaf4[62] > 0, "wNAF4 top digit");
    int lines = 65 + 2;
    for (int i = 0; i < 65; i++) lines += pairing_ate_naf[i] != 0;
    CHECK(lines == PAIRING_LINES, "PAIRING_LINES = %d, the loop uses %d", PAIRING_LINES, lines);
    for (int i = 0; i < 65; i++) CHECK(!(pairing_ate_naf[i] && pairing_ate_naf[i + 1]), "NAF adjacency %d", i);
}


/* fq/fr_reduce_small and mul_small_add (field_arith.h) against plain modular additions,
 * at w = j p - 1, j p, j p + 1 for every j and at random points in between. */
#define SMALL_REDUCTION_CHECKS(F, FUP, name)                                              \
    do {                                                                                  \
        static const uint64_t mult[16][5] = FUP##_SMALL_MULTIPLES;                        \
        for (int j = 0; j < 16; j++) {                                                    \
            for (int d = -1; d <= 1; d++) {                                               \
                if (j == 0 && d < 0) continue;                                            \
                if (j == 16 - 1 && d > 0) continue;                                       \
                uint64_t w[5];                                                            \
                memcpy(w, mult[j], sizeof w);                                             \
                u128 t = (u128)w[0] + (uint64_t)(int64_t)d;                               \
                uint64_t ext = d < 0 ? ~0ULL : 0;                                         \
                w[0] = (uint64_t)t;                                                       \
                for (int l = 1; l < 5; l++) {                                             \
                    t = (u128)w[l] + ext + (uint64_t)(t >> 64);                           \
                    w[l] = (uint64_t)t;                                                   \
                }                                                                         \
                F##_t z, want;                                                            \
                F##_reduce_small(&z, w[0], w[1], w[2], w[3], w[4]);                       \
                F##_set_zero(&want);                                                      \
                if (d > 0) want.v[0] = 1;                                                 \
                if (d < 0) want = F##_modulus, want.v[0] -= 1;                            \
                CHECK(F##_eq(&z, &want), "%s reduce_small(%d p %+d)", name, j, d);        \
            }                                                                             \
        }                                                                                 \
        for (int it = 0; it < 3000; it++) {                                               \
            F##_t x, y, z, want;                                                          \
            for (int l = 0; l < 4; l++) { x.v[l] = rnd64(); y.v[l] = rnd64(); }           \
            x.v[3] &= 0x3fffffffffffffffULL; y.v[3] &= 0x3fffffffffffffffULL;             \
            if (it < 16) { x = F##_modulus; x.v[0] -= 1 + (it & 1); }                     \
            if (it % 7 == 0) y = F##_modulus;           /* y = p is allowed */             \
            if (it % 11 == 0) F##_set_zero(&y);                                           \
            while (!F##_u256_geq(F##_modulus.v, x.v) || F##_eq(&x, &F##_modulus))         \
                x.v[3] >>= 1;                                                             \
            while (!F##_u256_geq(F##_modulus.v, y.v)) y.v[3] >>= 1;                       \
            uint64_t k = (uint64_t)(it % 15);                                             \
            F##_mul_small_add(&z, &x, k, &y);                                             \
            if (F##_eq(&y, &F##_modulus)) F##_set_zero(&want); else want = y;             \
            for (uint64_t r = 0; r < k; r++) F##_add(&want, &want, &x);                   \
            CHECK(F##_eq(&z, &want), "%s mul_small_add k=%d it=%d", name, (int)k, it);    \
        }                                                                                 \
    } while (0)

/* fq/fr_mul_wide and _redc (field_arith.h): redc(mul_wide(x, y)) = mul(x, y), and redc
 * of w = hi 2^256 + lo < p 2^256 equals hi + lo 2^-256 mod p (computed with mul by the
 * plain integer 1), at the largest allowed w and at random ones. */
#define WIDE_CHECKS(F, name)                                                              \
    do {                                                                                  \
        static const F##_t plain_one = {{1, 0, 0, 0}};                                    \
        for (int it = 0; it < 4000; it++) {                                               \
            F##_t x, y, got, want;                                                        \
            uint64_t w[8];                                                                \
            for (int l = 0; l < 4; l++) { x.v[l] = rnd64(); y.v[l] = rnd64(); }           \
            x.v[3] &= 0x1fffffffffffffffULL; y.v[3] &= 0x1fffffffffffffffULL;             \
            while (!F##_u256_geq(F##_modulus.v, x.v)) x.v[3] >>= 1;                       \
            while (!F##_u256_geq(F##_modulus.v, y.v)) y.v[3] >>= 1;                       \
            if (it == 0) { x = F##_modulus; x.v[0] -= 1; y = x; }                         \
            F##_mul_wide(w, &x, &y);                                                      \
            F##_redc(&got, w);                                                            \
            F##_mul(&want, &x, &y);                                                       \
            CHECK(F##_eq(&got, &want), "%s redc(mul_wide) it=%d", name, it);              \
            /* w = hi 2^256 + lo with hi < p and any lo */                                \
            F##_t hi, lo, lo_red, part;                                                   \
            for (int l = 0; l < 4; l++) lo.v[l] = rnd64();                                \
            hi = x;                                                                       \
            if (it == 1) { for (int l = 0; l < 4; l++) lo.v[l] = ~0ULL; }                 \
            if (it == 2) { F##_set_zero(&lo); }                                           \
            memcpy(w, lo.v, 32); memcpy(w + 4, hi.v, 32);                                 \
            F##_redc(&got, w);                                                            \
            F##_reduce_small(&lo_red, lo.v[0], lo.v[1], lo.v[2], lo.v[3], 0);             \
            F##_mul(&part, &lo_red, &plain_one);                                          \
            F##_add(&want, &hi, &part);                                                   \
            CHECK(F##_eq(&got, &want), "%s redc(hi, lo) it=%d", name, it);                \
        }                                                                                 \
    } while (0)

static void test_small_reduction(void) {
    SMALL_REDUCTION_CHECKS(fq, FQ, "fq");
    SMALL_REDUCTION_CHECKS(fr, FR, "fr");
    WIDE_CHECKS(fq, "fq");
    WIDE_CHECKS(fr, "fr");
    /* xi = 9 + i against the schoolbook product with (9, 1). */
    fq2_t xi;
    fq_set_zero(&xi.c0);
    for (int r = 0; r < 9; r++) fq_add(&xi.c0, &xi.c0, &fq_one);
    xi.c1 = fq_one;
    for (int it = 0; it < 2000; it++) {
        fq2_t a, got, want;
        rnd_fq2(&a);
        if (it == 0) { a.c0 = fq_modulus; a.c0.v[0] -= 1; a.c1 = a.c0; }
        if (it == 1) { fq2_set_zero(&a); }
        if (it == 2) { fq_set_zero(&a.c0); a.c1 = fq_modulus; a.c1.v[0] -= 1; }
        fq2_mul_by_nonresidue(&got, &a);
        fq2_mul(&want, &a, &xi);
        CHECK(fq2_eq(&got, &want), "fq2_mul_by_nonresidue it=%d", it);
    }
}

static void test_tower(void) {
    for (int it = 0; it < 20; it++) {
        fq12_t a, b, c, d, e;
        rnd_fq12(&a);
        rnd_fq12(&b);
        /* squaring = multiplication by itself (Fq2, Fq6, Fq12) */
        fq2_sqr(&c.c0.c0, &a.c0.c0);
        fq2_mul(&d.c0.c0, &a.c0.c0, &a.c0.c0);
        CHECK(fq2_eq(&c.c0.c0, &d.c0.c0), "fq2 sqr");
        fq6_sqr(&c.c0, &a.c0);
        fq6_mul(&d.c0, &a.c0, &a.c0);
        CHECK(fq6_eq(&c.c0, &d.c0), "fq6 sqr");
        fq12_sqr(&c, &a);
        fq12_mul(&d, &a, &a);
        CHECK(fq12_eq(&c, &d), "fq12 sqr");
        /* commutativity, inverse */
        fq12_mul(&c, &a, &b);
        fq12_mul(&d, &b, &a);
        CHECK(fq12_eq(&c, &d), "fq12 mul commutes");
        CHECK(fq12_inv(&e, &a) == 0, "fq12 inv");
        fq12_mul(&d, &e, &a);
        CHECK(fq12_is_one(&d), "a * a^-1 = 1");
        fq6_t i6, o6;
        fq6_inv(&i6, &a.c1);
        fq6_mul(&o6, &i6, &a.c1);
        fq6_t one6;
        fq6_set_one(&one6);
        CHECK(fq6_eq(&o6, &one6), "fq6 inv");
        /* sparse line product */
        fq2_t d0, d3, d4;
        rnd_fq2(&d0); rnd_fq2(&d3); rnd_fq2(&d4);
        fq12_t line;
        fq12_set_zero(&line);
        line.c0.c0 = d0; line.c1.c0 = d3; line.c1.c1 = d4;
        fq12_mul(&c, &a, &line);
        d = a;
        fq12_mul_by_034(&d, &d0, &d3, &d4);
        CHECK(fq12_eq(&c, &d), "mul_by_034");
        /* Frobenius: a^p via pow, p^2 and p^3 via composition */
        fq12_pow(&c, &a, fq_modulus.v, 4);
        fq12_frobenius(&d, &a, 1);
        CHECK(fq12_eq(&c, &d), "frobenius 1 = a^p");
        fq12_frobenius(&c, &d, 1);
        fq12_frobenius(&e, &a, 2);
        CHECK(fq12_eq(&c, &e), "frobenius 2");
        fq12_frobenius(&c, &e, 1);
        fq12_frobenius(&e, &a, 3);
        CHECK(fq12_eq(&c, &e), "frobenius 3");
        fq12_frobenius(&c, &e, 3);
        fq12_conj(&d, &a);
        CHECK(fq12_eq(&c, &d), "frobenius 6 = conj");
        /* exported Frobenius for any power: p^5 then p^7 is p^12 = identity, p^-1 p^1 too */
        uint64_t x[48], y[48];
        zkcx_fq12_frobenius(x, (uint64_t *)&a, 5);
        zkcx_fq12_frobenius(y, x, 7);
        CHECK(memcmp(y, &a, 384) == 0, "frobenius 5 + 7");
        zkcx_fq12_frobenius(x, (uint64_t *)&a, -1);
        zkcx_fq12_frobenius(y, x, 1);
        CHECK(memcmp(y, &a, 384) == 0, "frobenius -1 + 1");
        zkcx_fq12_frobenius(x, (uint64_t *)&a, 4);
        fq12_frobenius(&c, &a, 2);
        fq12_frobenius(&c, &c, 2);
        CHECK(memcmp(x, &c, 384) == 0, "frobenius 4");
        /* cyclotomic squaring on m = a^((p^6-1)(p^2+1)) */
        fq12_t m, ai;
        fq12_inv(&ai, &a);
        fq12_conj(&m, &a);
        fq12_mul(&m, &m, &ai);
        fq12_frobenius(&c, &m, 2);
        fq12_mul(&m, &m, &c);
        fq12_cyclotomic_sqr(&c, &m);
        fq12_sqr(&d, &m);
        CHECK(fq12_eq(&c, &d), "cyclotomic sqr");
        /* aliasing of the outputs */
        c = a;
        fq12_mul(&c, &c, &b);
        fq12_mul(&d, &a, &b);
        CHECK(fq12_eq(&c, &d), "fq12 mul alias");
    }
    fq12_t z;
    fq12_set_zero(&z);
    CHECK(fq12_inv(&z, &z) == -1, "inverse of 0 fails");
}

/* ---- group law properties ------------------------------------------------------------ */


/* The GLV split k = +-k1 +- k2 lambda (g1.c): the identity mod r and |k1|, |k2| < 2^128
 * for random and edge k, and small a + b lambda splitting back into exactly (a, b). */
static void glv_recombine(fr_t *out, const fq_t *k1, int n1, const fq_t *k2, int n2) {
    static const fr_t lambda_plain = {G1_GLV_LAMBDA};
    fr_t a, b, lam;
    memcpy(a.v, k1->v, 32);
    memcpy(b.v, k2->v, 32);
    fr_to_mont(&a, &a);
    fr_to_mont(&b, &b);
    fr_to_mont(&lam, &lambda_plain);
    fr_mul(&b, &b, &lam);
    if (n1) fr_neg(&a, &a);
    if (n2) fr_neg(&b, &b);
    fr_add(out, &a, &b);
}

static void test_glv_split(void) {
    for (int it = 0; it < 20000; it++) {
        uint64_t k[4];
        for (int l = 0; l < 4; l++) k[l] = rnd64();
        k[3] &= 0x3fffffffffffffffULL;
        if (it < 4) { memcpy(k, fr_modulus.v, 32); k[0] -= 1 + (uint64_t)it; }
        if (it == 4) memset(k, 0, 32);
        if (it == 5) { memcpy(k, (uint64_t[4])G1_GLV_LAMBDA, 32); }
        while (fr_u256_geq(k, fr_modulus.v)) k[3] >>= 1;
        fq_t k1, k2;
        int n1, n2;
        int ok = g1_glv_split(k, &k1, &n1, &k2, &n2);
        fr_t got, want;
        glv_recombine(&got, &k1, n1, &k2, n2);
        memcpy(want.v, k, 32);
        fr_to_mont(&want, &want);
        CHECK(ok && fr_eq(&got, &want), "glv split identity it=%d", it);
        CHECK((k1.v[2] | k1.v[3] | k2.v[2] | k2.v[3]) == 0, "glv halves < 2^128 it=%d", it);
    }
    for (int it = 0; it < 2000; it++) {
        /* k = a + b lambda, a odd, a and b below 2^64 */
        fq_t a = {{rnd64() | 1, 0, 0, 0}}, b = {{rnd64(), 0, 0, 0}}, k1, k2;
        if (it == 0) b.v[0] = 0;
        fr_t k;
        glv_recombine(&k, &a, 0, &b, 0);
        fr_from_mont(&k, &k);
        int n1, n2;
        g1_glv_split(k.v, &k1, &n1, &k2, &n2);
        CHECK(!n1 && !n2 && fq_eq(&k1, &a) && fq_eq(&k2, &b), "glv small split it=%d", it);
    }
}

static void test_groups(void) {
    g1_aff_t g, p, q, o = {{{0}}, {{0}}};
    g2_aff_t h, hq, o2;
    memset(&o2, 0, sizeof o2);
    g1_gen(&g);
    g2_gen(&h);
    CHECK(g1_aff_is_on_curve(&g) && g2_aff_is_on_curve(&h), "generators on curve");
    CHECK(g2_aff_in_subgroup(&h), "G2 generator in subgroup");
    CHECK(g1_aff_is_on_curve(&o) && g2_aff_is_on_curve(&o2), "identity counts as on curve");
    CHECK(g2_aff_in_subgroup(&o2), "identity in subgroup");

    /* identity rules in Jacobian */
    g1_jac_t j, k, l, id;
    g1_jac_set_identity(&id);
    g1_jac_from_aff(&j, &g);
    g1_jac_add(&k, &j, &id);
    CHECK(g1_jac_eq(&k, &j), "P + O");
    g1_jac_add(&k, &id, &j);
    CHECK(g1_jac_eq(&k, &j), "O + P");
    g1_jac_neg(&l, &j);
    g1_jac_add(&k, &j, &l);
    CHECK(g1_jac_is_identity(&k), "P - P");
    g1_jac_dbl(&k, &id);
    CHECK(g1_jac_is_identity(&k), "2 O");
    g1_jac_add_aff(&k, &id, &o);
    CHECK(g1_jac_is_identity(&k), "O + O mixed");

    /* [r]P = O, [r+1]P = P, and a chain of random mixed/Jacobian additions agrees */
    uint64_t s[4];
    g1_jac_mul(&k, &g, R_LIMBS);
    CHECK(g1_jac_is_identity(&k), "[r]G1 = O");
    for (int it = 0; it < 10; it++) {
        rnd_scalar(s);
        g1_jac_mul(&j, &g, s);
        g1_aff_from_jac(&p, &j);
        rnd_scalar(s);
        g1_jac_mul(&k, &g, s);
        g1_aff_from_jac(&q, &k);
        g1_jac_t sum1, sum2, jq;
        g1_jac_add(&sum1, &j, &k);
        g1_jac_add_aff(&sum2, &j, &q);
        CHECK(g1_jac_eq(&sum1, &sum2), "G1 add = mixed add");
        g1_jac_from_aff(&jq, &q);
        g1_jac_add(&sum2, &jq, &j);
        CHECK(g1_jac_eq(&sum1, &sum2), "G1 add commutes");
        CHECK(g1_jac_is_on_curve(&sum1), "G1 sum on curve");
        g1_jac_add(&sum2, &j, &j);
        g1_jac_dbl(&sum1, &j);
        CHECK(g1_jac_eq(&sum1, &sum2), "G1 P + P = 2P (Jacobian)");
    }

    /* batch normalisation, with identities mixed in, through the export (in place) */
    enum { NB = 70 };
    static uint64_t jac[NB * 12], aff[NB * 8];
    g1_jac_t pts[NB];
    for (int i = 0; i < NB; i++) {
        rnd_scalar(s);
        if (i % 7 == 3) g1_jac_set_identity(&pts[i]);
        else g1_jac_mul(&pts[i], &g, s);
        memcpy(jac + 12 * i, &pts[i], 96);
        g1_aff_t a1;
        g1_aff_from_jac(&a1, &pts[i]);
        memcpy(aff + 8 * i, &a1, 64);
    }
    CHECK(zkcx_g1_batch_normalize(jac, jac, NB) == ZKCX_OK, "g1 batch normalize rc");
    CHECK(memcmp(jac, aff, sizeof aff) == 0, "g1 batch normalize in place");
    static uint64_t jac2[NB * 24], aff2[NB * 16], out2[NB * 16];
    for (int i = 0; i < NB; i++) {
        g2_jac_t t;
        rnd_scalar(s);
        if (i % 5 == 1) g2_jac_set_identity(&t);
        else g2_jac_mul(&t, &h, s);
        memcpy(jac2 + 24 * i, &t, 192);
        g2_aff_t a2;
        g2_aff_from_jac(&a2, &t);
        memcpy(aff2 + 16 * i, &a2, 128);
    }
    CHECK(zkcx_g2_batch_normalize(out2, jac2, NB) == ZKCX_OK, "g2 batch normalize rc");
    CHECK(memcmp(out2, aff2, sizeof aff2) == 0, "g2 batch normalize");
    CHECK(zkcx_g2_batch_normalize(jac2 + 8, jac2, NB - 1) == ZKCX_OK &&
          memcmp(jac2 + 8, aff2, sizeof aff2 - 128) == 0, "g2 batch normalize, overlapping");
    static uint64_t jac1[NB * 12], aff1[NB * 8];
    for (int i = 0; i < NB; i++) memcpy(jac1 + 12 * i, &pts[i], 96);
    memcpy(jac1 + 8 + 12 * 5, fq_modulus.v, 32);   /* Z of point 5 := p */
    CHECK(zkcx_g1_batch_normalize(aff1, jac1, NB) == ZKCX_ERR_ARG, "batch normalize rejects coordinate p");
    memcpy(jac1 + 12 * 5, &pts[5], 96);
    CHECK(zkcx_g1_batch_normalize(aff1, jac1, NB) == ZKCX_OK && memcmp(aff1, aff, sizeof aff) == 0,
          "g1 batch normalize, separate buffers");
    CHECK(zkcx_g1_batch_normalize(aff1, jac1, 0) == ZKCX_OK, "batch normalize n = 0");

    /* G2: [r]Q = O, psi acts as [6u^2] on G2, group law on the twist */
    g2_jac_t jq, kq, pq;
    g2_jac_mul(&jq, &h, R_LIMBS);
    CHECK(g2_jac_is_identity(&jq), "[r]G2 = O");
    rnd_scalar(s);
    g2_jac_mul(&jq, &h, s);
    g2_aff_from_jac(&hq, &jq);
    g2_jac_psi(&pq, &jq);
    unsigned __int128 l6 = (unsigned __int128)6 * BN_U * BN_U;
    uint64_t k6[4] = {(uint64_t)l6, (uint64_t)(l6 >> 64), 0, 0};
    g2_jac_mul(&kq, &hq, k6);
    CHECK(g2_jac_eq(&pq, &kq), "psi(Q) = [6u^2]Q on G2");
    CHECK(g2_jac_is_on_curve(&pq), "psi(Q) on curve");

    /* error codes */
    uint64_t bad[16], good[16], outp[16];
    memcpy(good, &g, 64);
    memcpy(bad, &g, 64);
    bad[4] ^= 1;                       /* y changed: off the curve */
    CHECK(zkcx_g1_add(outp, good, bad) == ZKCX_ERR_ARG, "g1 add rejects off-curve");
    CHECK(zkcx_g1_mul(outp, bad, R_LIMBS) == ZKCX_ERR_ARG, "g1 mul rejects off-curve");
    memcpy(bad, fq_modulus.v, 32);     /* x = p */
    CHECK(!zkcx_g1_is_on_curve(bad), "g1 coordinate = p rejected");
    memcpy(good, &h, 128);
    memcpy(bad, &h, 128);
    bad[12] ^= 1;
    CHECK(!zkcx_g2_is_on_curve(bad) && zkcx_g2_add(outp, good, bad) == ZKCX_ERR_ARG, "g2 rejects off-curve");
    CHECK(zkcx_g2_in_subgroup(bad) == 0, "off-curve is not in the subgroup");
    uint64_t pr[48];
    CHECK(zkcx_pairing(pr, (uint64_t *)&g, bad) == ZKCX_ERR_ARG, "pairing rejects off-curve G2");
}

/* ---- pairing properties -------------------------------------------------------------- */

static void test_pairing(void) {
    g1_aff_t g, p1, p2, ps, pa;
    g2_aff_t h, q1, q2, qs, qb;
    g1_gen(&g);
    g2_gen(&h);
    uint64_t a[4], b[4], s[4];
    fq12_t e, e1, e2, t;
    g1_jac_t j;
    g2_jac_t k;

    /* non-degenerate, order r */
    pairing_multi(&e, &g, &h, 1);
    CHECK(!fq12_is_one(&e), "e(G1, G2) != 1");
    fq12_pow(&t, &e, R_LIMBS, 4);
    CHECK(fq12_is_one(&t), "e(G1, G2)^r = 1");

    for (int it = 0; it < 3; it++) {
        /* e(aP, bQ) = e(P, Q)^(ab) */
        rnd_scalar(a);
        rnd_scalar(b);
        rnd_scalar(s);
        g1_jac_mul(&j, &g, s);
        g1_aff_from_jac(&p1, &j);
        rnd_scalar(s);
        g2_jac_mul(&k, &h, s);
        g2_aff_from_jac(&q1, &k);
        g1_jac_mul(&j, &p1, a);
        g1_aff_from_jac(&pa, &j);
        g2_jac_mul(&k, &q1, b);
        g2_aff_from_jac(&qb, &k);
        pairing_multi(&e1, &pa, &qb, 1);
        pairing_multi(&e, &p1, &q1, 1);
        fq12_pow(&t, &e, a, 4);
        fq12_pow(&t, &t, b, 4);
        CHECK(fq12_eq(&t, &e1), "e(aP, bQ) = e(P, Q)^(ab)");

        /* e(P, Q1 + Q2) = e(P, Q1) e(P, Q2) and e(P1 + P2, Q) = e(P1, Q) e(P2, Q) */
        rnd_scalar(s);
        g2_jac_mul(&k, &h, s);
        g2_aff_from_jac(&q2, &k);
        g2_jac_from_aff(&k, &q1);
        g2_jac_add_aff(&k, &k, &q2);
        g2_aff_from_jac(&qs, &k);
        pairing_multi(&e, &p1, &qs, 1);
        pairing_multi(&e1, &p1, &q1, 1);
        pairing_multi(&e2, &p1, &q2, 1);
        fq12_mul(&t, &e1, &e2);
        CHECK(fq12_eq(&t, &e), "e(P, Q1 + Q2) = e(P, Q1) e(P, Q2)");
        rnd_scalar(s);
        g1_jac_mul(&j, &g, s);
        g1_aff_from_jac(&p2, &j);
        g1_jac_from_aff(&j, &p1);
        g1_jac_add_aff(&j, &j, &p2);
        g1_aff_from_jac(&ps, &j);
        pairing_multi(&e, &ps, &q1, 1);
        pairing_multi(&e2, &p2, &q1, 1);
        fq12_mul(&t, &e1, &e2);
        CHECK(fq12_eq(&t, &e), "e(P1 + P2, Q) = e(P1, Q) e(P2, Q)");

        /* multi-pairing = product; pairing check of e(aP, Q) e(-P, aQ) */
        g1_aff_t pv[5] = {p1, p2, ps, pa, g};
        g2_aff_t qv[5] = {q1, q2, qs, qb, h};
        fq12_t prod, m;
        fq12_set_one(&prod);
        for (int i = 0; i < 5; i++) {
            pairing_multi(&m, &pv[i], &qv[i], 1);
            fq12_mul(&prod, &prod, &m);
        }
        pairing_multi(&m, pv, qv, 5);
        CHECK(fq12_eq(&m, &prod), "multi_pairing = product of pairings");
        zkcx_set_threads(2);
        pairing_multi(&m, pv, qv, 5);
        zkcx_set_threads(1);
        CHECK(fq12_eq(&m, &prod), "multi_pairing with 2 threads");
        uint64_t f[48], r[48];
        CHECK(zkcx_pairing_miller_loop(f, (uint64_t *)pv, (uint64_t *)qv, 5) == ZKCX_OK &&
              zkcx_pairing_final_exp(r, f) == ZKCX_OK && memcmp(r, &prod, 384) == 0,
              "miller loop + final exp = multi_pairing");

        g1_aff_t cp[2];
        g2_aff_t cq[2];
        g1_jac_mul(&j, &g, a);
        g1_aff_from_jac(&cp[0], &j);
        cq[0] = h;
        g1_aff_neg(&cp[1], &g);
        g2_jac_mul(&k, &h, a);
        g2_aff_from_jac(&cq[1], &k);
        CHECK(zkcx_pairing_check((uint64_t *)cp, (uint64_t *)cq, 2) == 1, "e(aP, Q) e(-P, aQ) = 1");
        cp[1] = g;
        CHECK(zkcx_pairing_check((uint64_t *)cp, (uint64_t *)cq, 2) == 0, "e(aP, Q) e(P, aQ) != 1");
    }
    CHECK(zkcx_pairing_check(NULL, NULL, 0) == 1, "empty product is 1");

    /* the py_ecc pairings from the vector file: products and powers */
    if (g_npairs >= 3) {
        uint64_t g1s[3 * 8], g2s[3 * 16], out[48], want[48];
        zkcx_fq12_one(want);
        for (int i = 0; i < 3; i++) {
            memcpy(g1s + 8 * i, g_pairs[i].p, 64);
            memcpy(g2s + 16 * i, g_pairs[i].q, 128);
            zkcx_fq12_mul(want, want, g_pairs[i].e);
        }
        CHECK(zkcx_multi_pairing(out, g1s, g2s, 3) == ZKCX_OK && zkcx_fq12_eq(out, want),
              "multi_pairing of py_ecc vectors");
    }
}

/* ---- timings ------------------------------------------------------------------------- */

/* Thread CPU time for the single-thread timings (the machine is shared, so wall time
 * includes other processes' slices); wall time when several threads run. */
static int g_wall_clock = 0;
static double now_ns(void) {
    struct timespec ts;
    clock_gettime(g_wall_clock ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

#define BENCH(label, iters, body)                                                   \
    do {                                                                            \
        double best_ = 1e30;                                                        \
        for (int rep_ = 0; rep_ < 25; rep_++) {                                      \
            double t0_ = now_ns();                                                  \
            for (long it_ = 0; it_ < (iters); it_++) { body; }                     \
            double dt_ = (now_ns() - t0_) / (double)(iters);                        \
            if (dt_ < best_) best_ = dt_;                                           \
        }                                                                           \
        if (best_ >= 1e5) printf("  %-42s %10.1f us\n", label, best_ / 1e3);       \
        else printf("  %-42s %10.1f ns\n", label, best_);                          \
    } while (0)

static volatile uint64_t g_sink;

static void bench(void) {
    printf("timings (single thread, thread CPU time, best of 25 runs):\n");
    zkcx_set_threads(1);
    fq_t x, y;
    rnd_fq(&x);
    rnd_fq(&y);
    BENCH("fq_mul (dependent chain)", 400000, fq_mul(&x, &x, &y));
    BENCH("fq_add (field_arith.h)", 400000, fq_add(&x, &x, &y));
    BENCH("fq_add (tower.h, carry chain)", 400000, fq_add(&x, &x, &y));
    BENCH("fq_sub (field_arith.h)", 400000, fq_sub(&x, &x, &y));
    BENCH("fq_sub (tower.h, carry chain)", 400000, fq_sub(&x, &x, &y));
    g_sink = x.v[0];
    fq2_t a2, b2;
    rnd_fq2(&a2);
    rnd_fq2(&b2);
    BENCH("fq2_mul", 100000, fq2_mul(&a2, &a2, &b2));
    BENCH("fq2_sqr", 100000, fq2_sqr(&a2, &a2));
    fq12_t f, f2;
    rnd_fq12(&f);
    rnd_fq12(&f2);
    BENCH("fq12_mul", 4000, fq12_mul(&f, &f, &f2));
    BENCH("fq12_sqr", 4000, fq12_sqr(&f, &f));
    BENCH("fq12_cyclotomic_sqr", 4000, fq12_cyclotomic_sqr(&f, &f));
    fq2_t d0, d3, d4;
    rnd_fq2(&d0); rnd_fq2(&d3); rnd_fq2(&d4);
    BENCH("fq12_mul_by_034", 4000, fq12_mul_by_034(&f, &d0, &d3, &d4));
    BENCH("fq_inv", 4000, fq_inv(&x, &x));
    BENCH("fq12_inv", 1000, fq12_inv(&f, &f));
    g_sink = f.c0.c0.c0.v[0];

    g1_aff_t g, pa;
    g2_aff_t h, ha;
    g1_gen(&g);
    g2_gen(&h);
    uint64_t s[4];
    rnd_scalar(s);
    g1_jac_t ja, jb;
    g1_jac_mul(&ja, &g, s);
    rnd_scalar(s);
    g1_jac_mul(&jb, &g, s);
    g1_aff_from_jac(&pa, &jb);
    BENCH("G1 add (Jacobian)", 40000, g1_jac_add(&ja, &ja, &jb));
    BENCH("G1 mixed add (Jacobian + affine)", 40000, g1_jac_add_aff(&ja, &ja, &pa));
    BENCH("G1 double", 40000, g1_jac_dbl(&ja, &ja));
    BENCH("G1 scalar mul (256-bit)", 60, g1_jac_mul(&ja, &g, s));
    g2_jac_t ka, kb;
    g2_jac_mul(&ka, &h, s);
    rnd_scalar(s);
    g2_jac_mul(&kb, &h, s);
    g2_aff_from_jac(&ha, &kb);
    BENCH("G2 add (Jacobian)", 20000, g2_jac_add(&ka, &ka, &kb));
    BENCH("G2 mixed add (Jacobian + affine)", 20000, g2_jac_add_aff(&ka, &ka, &ha));
    BENCH("G2 double", 20000, g2_jac_dbl(&ka, &ka));
    BENCH("G2 scalar mul (256-bit)", 40, g2_jac_mul(&ka, &h, s));
    int in_sub = 0;
    BENCH("G2 subgroup check", 40, in_sub += g2_aff_in_subgroup(&ha));
    g_sink = (uint64_t)in_sub;

    uint64_t g1s[4 * 8], g2s[4 * 16], out[48];
    for (int i = 0; i < 4; i++) {
        g1_aff_t p;
        g2_aff_t q;
        rnd_scalar(s);
        g1_jac_mul(&ja, &g, s);
        g1_aff_from_jac(&p, &ja);
        rnd_scalar(s);
        g2_jac_mul(&ka, &h, s);
        g2_aff_from_jac(&q, &ka);
        memcpy(g1s + 8 * i, &p, 64);
        memcpy(g2s + 16 * i, &q, 128);
    }
    fq12_t ml;
    BENCH("Miller loop (1 pair)", 40, pairing_miller_loop(&ml, (g1_aff_t *)g1s, (g2_aff_t *)g2s, 1));
    BENCH("final exponentiation", 40, pairing_final_exp(&f, &ml));
    BENCH("pairing (zkcx_pairing)", 40, zkcx_pairing(out, g1s, g2s));
    BENCH("multi_pairing, 4 pairs", 20, zkcx_multi_pairing(out, g1s, g2s, 4));
    BENCH("pairing_check, 4 pairs", 20, g_sink += (uint64_t)zkcx_pairing_check(g1s, g2s, 4));
    zkcx_set_threads(2);
    g_wall_clock = 1;
    BENCH("multi_pairing, 4 pairs, 2 threads (wall)", 20, zkcx_multi_pairing(out, g1s, g2s, 4));
    g_wall_clock = 0;
    zkcx_set_threads(1);
}

int main(int argc, char **argv) {
    const char *path = NULL;
    int do_bench = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--bench") == 0) do_bench = 1;
        else if (strcmp(argv[i], "--portable") == 0) zkcx_set_adx(0);
        else path = argv[i];
    }
    zkcx_set_threads(1);
    test_constants();
    test_small_reduction();
    test_tower();
    test_glv_split();
    test_groups();
    if (path) run_vectors(path);
    else printf("no vector file given: only the C-side tests run\n");
    test_pairing();
    printf("%d checks passed, %d failed\n", g_pass, g_fail);
    if (do_bench) bench();
    return g_fail ? 1 : 0;
}
