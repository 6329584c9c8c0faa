/* SPDX-License-Identifier: MIT */
/*
 * Shared by the C test harnesses (test_curve.c, test_msm.c): the pass/fail counters and
 * CHECK, the group order r, a seeded splitmix64 and hex parsing. Define HARNESS_SEED
 * before including to choose the random stream.
 */
#ifndef ZKCX_TEST_HARNESS_H
#define ZKCX_TEST_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifndef HARNESS_SEED
#define HARNESS_SEED 0x9e3779b97f4a7c15ULL
#endif

static int g_fail = 0, g_pass = 0;

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (cond) { g_pass++; }                                           \
        else {                                                            \
            g_fail++;                                                     \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);          \
            fprintf(stderr, __VA_ARGS__);                                 \
            fprintf(stderr, "\n");                                        \
        }                                                                 \
    } while (0)

/* r, the group order, as canonical limbs */
static const uint64_t R_LIMBS[4] = {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL,
                                    0xb85045b68181585dULL, 0x30644e72e131a029ULL};

static uint64_t rng_state = HARNESS_SEED;
static inline uint64_t rnd64(void) {        /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Parse 1 to 64 hex digits into canonical limbs. Returns 0 on a bad token. */
static inline int parse_u256(uint64_t out[4], const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 64) return 0;
    memset(out, 0, 32);
    for (size_t i = 0; i < n; i++) {
        char c = s[n - 1 - i];
        int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (v < 0) return 0;
        out[i / 16] |= (uint64_t)v << (4 * (i % 16));
    }
    return 1;
}

#endif
