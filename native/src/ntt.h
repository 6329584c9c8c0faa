/* SPDX-License-Identifier: MIT */
/*
 * Radix-2 number-theoretic transforms over Fr, for other C files of the native core
 * (the Groth16 prover). The Python-facing entry points zkcx_fr_ntt, zkcx_fr_coset_ntt,
 * zkcx_fr_root_of_unity and zkcx_fr_qap_quotient are declared in include/zkcx.h and
 * documented in ntt.c; these are the same operations on fr_t arrays.
 */
#ifndef ZKCX_NTT_H
#define ZKCX_NTT_H

#include <stddef.h>
#include "field.h"

/* The largest supported transform is 2^NTT_MAX_LOG: the 2-adicity of r - 1. */
#define NTT_MAX_LOG 28

/* log2(n) when n is a power of two with n <= 2^NTT_MAX_LOG, else -1. */
int ntt_log2(size_t n);

/* omega_n = 5^((r-1)/n) in Montgomery form, the root snarkjs/ffjavascript use, for
 * n = 2^log_n with log_n <= NTT_MAX_LOG. */
void ntt_root_of_unity(fr_t *out, unsigned log_n);

/* The coset shift of snarkjs's Groth16 quotient for an n = 2^log_n domain:
 * omega_2n, or 25 when log_n = NTT_MAX_LOG (no 2^29-th root exists). */
void ntt_qap_shift(fr_t *out, unsigned log_n);

/* In-place transforms; omega and shift may be NULL (omega_n, no coset). Return
 * ZKCX_OK, ZKCX_ERR_ARG or ZKCX_ERR_NOMEM exactly as the exported functions do. */
int ntt_fr(fr_t *a, size_t n, const fr_t *omega, const fr_t *shift, int inverse);
int ntt_fr_qap_quotient(fr_t *a, fr_t *b, fr_t *c, size_t n, const fr_t *shift);

#endif
