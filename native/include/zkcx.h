/* SPDX-License-Identifier: MIT */
/*
 * zkcx native core: the only header the Python binding sees.
 *
 * Names are zkcx_<layer>_<verb>. Field elements are 4 little-endian uint64 limbs in
 * Montgomery form (x * 2^256 mod p) unless a name says canonical or bytes. Vectors are
 * contiguous arrays of n elements. Outputs are allocated by the caller and may alias
 * inputs. Functions that can fail return an int error code (ZKCX_OK = 0).
 *
 * The part between the cdef markers is read verbatim by native/build_ffi.py, so it
 * holds only declarations and integer #defines.
 */
#ifndef ZKCX_H
#define ZKCX_H

#include <stddef.h>
#include <stdint.h>

/* cdef-begin */
#define ZKCX_ABI_VERSION 1

#define ZKCX_OK 0
#define ZKCX_ERR_ARG -1
#define ZKCX_ERR_ZERO_INVERSE -2
#define ZKCX_ERR_NOMEM -3

/* runtime */
int zkcx_abi_version(void);
int zkcx_limbs(void);
const char *zkcx_build_info(void);
int zkcx_set_threads(int n);
int zkcx_get_threads(void);
int zkcx_max_threads(void);
int zkcx_cpu_has_ifma(void);
int zkcx_set_simd(int enabled);
int zkcx_simd_in_use(void);
void zkcx_chacha20_block(uint8_t *out, const uint8_t *key, uint32_t counter, const uint8_t *nonce);

/* Fr: scalar field, r = 21888...5617 */
void zkcx_fr_add(uint64_t *out, const uint64_t *a, const uint64_t *b);
void zkcx_fr_sub(uint64_t *out, const uint64_t *a, const uint64_t *b);
void zkcx_fr_neg(uint64_t *out, const uint64_t *a);
void zkcx_fr_mul(uint64_t *out, const uint64_t *a, const uint64_t *b);
void zkcx_fr_sqr(uint64_t *out, const uint64_t *a);
int zkcx_fr_inv(uint64_t *out, const uint64_t *a);
void zkcx_fr_pow(uint64_t *out, const uint64_t *a, const uint64_t *exponent);
int zkcx_fr_eq(const uint64_t *a, const uint64_t *b);
void zkcx_fr_vec_add(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zkcx_fr_vec_sub(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zkcx_fr_vec_neg(uint64_t *out, const uint64_t *a, size_t n);
void zkcx_fr_vec_add_scalar(uint64_t *out, const uint64_t *a, const uint64_t *s, size_t n);
void zkcx_fr_vec_mul(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zkcx_fr_vec_sqr(uint64_t *out, const uint64_t *a, size_t n);
void zkcx_fr_vec_scale(uint64_t *out, const uint64_t *a, const uint64_t *s, size_t n);
void zkcx_fr_vec_dot(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zkcx_fr_vec_sum(uint64_t *out, const uint64_t *a, size_t n);
long long zkcx_fr_vec_batch_inv(uint64_t *out, const uint64_t *a, size_t n);
void zkcx_fr_vec_powers(uint64_t *out, const uint64_t *x, size_t n);
void zkcx_fr_vec_random(uint64_t *out, size_t n, const uint8_t *key, uint32_t counter0);
void zkcx_fr_vec_from_canonical(uint64_t *out, const uint64_t *in, size_t n);
void zkcx_fr_vec_to_canonical(uint64_t *out, const uint64_t *in, size_t n);
void zkcx_fr_vec_from_bytes(uint64_t *out, const uint8_t *in, size_t n, int big_endian);
void zkcx_fr_vec_to_bytes(uint8_t *out, const uint64_t *in, size_t n, int big_endian);
void zkcx_fr_vec_from_int64(uint64_t *out, const int64_t *in, size_t n);

/* Fq: base field, p = 21888...8583 */
void zkcx_fq_add(uint64_t *out, const uint64_t *a, const uint64_t *b);
void zkcx_fq_sub(uint64_t *out, const uint64_t *a, const uint64_t *b);
void zkcx_fq_neg(uint64_t *out, const uint64_t *a);
void zkcx_fq_mul(uint64_t *out, const uint64_t *a, const uint64_t *b);
void zkcx_fq_sqr(uint64_t *out, const uint64_t *a);
int zkcx_fq_inv(uint64_t *out, const uint64_t *a);
void zkcx_fq_pow(uint64_t *out, const uint64_t *a, const uint64_t *exponent);
int zkcx_fq_eq(const uint64_t *a, const uint64_t *b);
void zkcx_fq_vec_add(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zkcx_fq_vec_sub(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zkcx_fq_vec_neg(uint64_t *out, const uint64_t *a, size_t n);
void zkcx_fq_vec_add_scalar(uint64_t *out, const uint64_t *a, const uint64_t *s, size_t n);
void zkcx_fq_vec_mul(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zkcx_fq_vec_sqr(uint64_t *out, const uint64_t *a, size_t n);
void zkcx_fq_vec_scale(uint64_t *out, const uint64_t *a, const uint64_t *s, size_t n);
void zkcx_fq_vec_dot(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zkcx_fq_vec_sum(uint64_t *out, const uint64_t *a, size_t n);
long long zkcx_fq_vec_batch_inv(uint64_t *out, const uint64_t *a, size_t n);
void zkcx_fq_vec_powers(uint64_t *out, const uint64_t *x, size_t n);
void zkcx_fq_vec_random(uint64_t *out, size_t n, const uint8_t *key, uint32_t counter0);
void zkcx_fq_vec_from_canonical(uint64_t *out, const uint64_t *in, size_t n);
void zkcx_fq_vec_to_canonical(uint64_t *out, const uint64_t *in, size_t n);
void zkcx_fq_vec_from_bytes(uint64_t *out, const uint8_t *in, size_t n, int big_endian);
void zkcx_fq_vec_to_bytes(uint8_t *out, const uint64_t *in, size_t n, int big_endian);
void zkcx_fq_vec_from_int64(uint64_t *out, const int64_t *in, size_t n);
/* cdef-end */

#endif
