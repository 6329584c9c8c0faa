/* SPDX-License-Identifier: MIT */
#include "runtime.h"
#include "../include/zkcx.h"
#include <string.h>
#include <stdio.h>

static int g_threads = 1;
/* A calling thread's own thread count (0: follow g_threads), so that several Python
 * threads can each run native loops single-threaded side by side (prove_many runs one
 * proof per thread) without changing the process-wide setting. */
static _Thread_local int t_threads = 0;
static int g_simd_enabled = 1;

int zkcx_set_simd(int enabled) {
    g_simd_enabled = enabled ? 1 : 0;
    return zkcx_cpu_has_ifma() && g_simd_enabled;
}

int zkcx_runtime_use_ifma(void) { return g_simd_enabled && zkcx_cpu_has_ifma(); }

int zkcx_simd_in_use(void) { return zkcx_runtime_use_ifma(); }

int zkcx_runtime_threads(void) { return t_threads ? t_threads : g_threads; }

int zkcx_runtime_local_threads(void) { return t_threads; }

int zkcx_set_local_threads(int n) {
    if (n < 0) return ZKCX_ERR_ARG;
    t_threads = n > 256 ? 256 : n;
    return ZKCX_OK;
}

int zkcx_set_threads(int n) {
    if (n < 1) return ZKCX_ERR_ARG;
    if (n > 256) n = 256;
    g_threads = n;
    return ZKCX_OK;
}

int zkcx_get_threads(void) { return g_threads; }

int zkcx_max_threads(void) {
#ifdef _OPENMP
    return omp_get_num_procs();
#else
    return 1;
#endif
}

int zkcx_abi_version(void) { return ZKCX_ABI_VERSION; }

int zkcx_limbs(void) { return 4; }

const char *zkcx_build_info(void) {
    static char info[256];
    if (info[0] == 0) {
        snprintf(info, sizeof info, "openmp=%d march_native=%d cpu_ifma=%d cpu_adx=%d compiler=gcc-%d.%d",
#ifdef _OPENMP
                 1,
#else
                 0,
#endif
#ifdef ZKCX_MARCH_NATIVE
                 1,
#else
                 0,
#endif
                 zkcx_cpu_has_ifma(), zkcx_cpu_has_adx(),
#ifdef __GNUC__
                 __GNUC__, __GNUC_MINOR__
#else
                 0, 0
#endif
        );
    }
    return info;
}
