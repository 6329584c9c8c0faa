/* SPDX-License-Identifier: MIT */
/*
 * AVX-512 IFMA (vpmadd52luq/vpmadd52huq) vectorised Montgomery multiplication for the
 * two BN254 fields, bit-identical to the scalar fr_mul/fq_mul of field_arith.h:
 * same 4 x 64-bit little-endian Montgomery layout (R = 2^256) in and out, inputs and
 * outputs fully reduced (< p).
 *
 * The library is built without -march flags; the *_ifma functions are compiled for
 * AVX-512 through target attributes and must only be called when zkcx_cpu_has_ifma()
 * returns nonzero (otherwise they fault with an illegal instruction).
 *
 * Contract for every function below:
 *   - every input element must be < p (as for the scalar code);
 *   - pointers need only the natural 8-byte alignment of fr_t/fq_t;
 *   - nothing outside [ptr, ptr + n) is read or written;
 *   - out may be the same array as a or b (exact aliasing, out == a); a partial
 *     overlap with an offset (out == a + k, k != 0) is not supported;
 *   - in the *_mul_by_* functions the scalar *s is read once up front, so s may point
 *     anywhere, including into out.
 */
#ifndef ZKCX_FIELD_IFMA_H
#define ZKCX_FIELD_IFMA_H

#include <stddef.h>
#include "field.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Nonzero when the CPU and OS support AVX-512 F/VL/BW/DQ/IFMA (zmm state enabled).
 * Detected once and cached; safe to call from any thread. */
int zkcx_cpu_has_ifma(void);
int zkcx_cpu_has_adx(void);

/* out[i] = a[i] * b[i] for i < n. */
void fr_vec_mul_ifma(fr_t *out, const fr_t *a, const fr_t *b, size_t n);
void fq_vec_mul_ifma(fq_t *out, const fq_t *a, const fq_t *b, size_t n);

/* out[i] = a[i] * (*s) for i < n. */
void fr_vec_mul_by_ifma(fr_t *out, const fr_t *a, const fr_t *s, size_t n);
void fq_vec_mul_by_ifma(fq_t *out, const fq_t *a, const fq_t *s, size_t n);

/* z[k] = x[k] * y[k] for k < 8 (eight independent products; z may alias x or y). */
void fr_mul8_ifma(fr_t z[8], const fr_t x[8], const fr_t y[8]);
void fq_mul8_ifma(fq_t z[8], const fq_t x[8], const fq_t y[8]);

#ifdef __cplusplus
}
#endif

#endif
