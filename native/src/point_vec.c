/* SPDX-License-Identifier: MIT */
/*
 * Validation of point vectors read from untrusted sources (zkey files, JSON, EVM
 * calldata): one call checks n points in parallel and names the first bad one, so
 * Python never loops per point.
 */
#include <string.h>
#include "../include/zkcx.h"
#include "g1.h"
#include "g2.h"
#include "runtime.h"

/* Index of the first failing point in [0, n), or -1. Each thread scans a contiguous
 * part; the smallest failing index over all parts wins, so the answer does not depend
 * on the thread count. */
#define FIRST_INVALID(n, check_one)                                                   \
    do {                                                                              \
        long long first = -1;                                                         \
        int nt_ = (n) >= 256 ? zkcx_runtime_threads() : 1;                            \
        _Pragma("omp parallel for schedule(static) num_threads(nt_)")                 \
        for (int t = 0; t < nt_; t++) {                                               \
            size_t lo = (n) * (size_t)t / (size_t)nt_, hi = (n) * (size_t)(t + 1) / (size_t)nt_; \
            for (size_t i = lo; i < hi; i++) {                                        \
                if (!(check_one)) {                                                   \
                    _Pragma("omp critical(zkcx_first_invalid)")                       \
                    if (first < 0 || (long long)i < first) first = (long long)i;     \
                    break;                                                            \
                }                                                                     \
            }                                                                         \
        }                                                                             \
        return first;                                                                 \
    } while (0)

static int g1_valid(const uint64_t *in) {
    g1_aff_t p;
    return g1_aff_load(&p, in);
}

static int g2_valid(const uint64_t *in, int check_subgroup) {
    g2_aff_t p;
    if (!g2_aff_load(&p, in)) return 0;
    return !check_subgroup || g2_aff_in_subgroup(&p);
}

long long zkcx_g1_vec_first_invalid(const uint64_t *points, size_t n) {
    FIRST_INVALID(n, g1_valid(points + 8 * i));
}

long long zkcx_g2_vec_first_invalid(const uint64_t *points, size_t n, int check_subgroup) {
    FIRST_INVALID(n, g2_valid(points + 16 * i, check_subgroup));
}
