/* SPDX-License-Identifier: MIT */
/* Shared runtime of the native core: thread count and parallel-loop helpers. */
#ifndef ZKCX_RUNTIME_H
#define ZKCX_RUNTIME_H

#include <stddef.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Number of threads native loops may use (set from Python, ZKCX_THREADS). */
int zkcx_runtime_threads(void);

/* The calling thread's own count (0: it follows the process-wide one), to restore after
 * zkcx_set_local_threads. */
int zkcx_runtime_local_threads(void);

/* Loops shorter than this run on one thread: below it, waking a team costs more
 * than it saves. */
#define ZKCX_PARALLEL_MIN 4096

/* Whether vector loops may use the AVX-512 IFMA kernels: the CPU has them and they
 * are not switched off (zkcx_set_simd). */
int zkcx_runtime_use_ifma(void);

#endif
