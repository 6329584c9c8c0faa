/* SPDX-License-Identifier: MIT */
/*
 * G1 of BN254: points of y^2 = x^3 + 3 over Fq (cofactor 1, so every curve point is in
 * the order-r group).
 *
 * Representations (coordinates in Montgomery form, see field.h):
 *   g1_aff_t  affine (x, y). The identity is x = y = 0: (0, 0) is not on the curve
 *             (0 != 3), so the encoding is unambiguous; it is also what EIP-196 and the
 *             snarkjs zkey format use.
 *   g1_jac_t  Jacobian (X, Y, Z) for (X/Z^2, Y/Z^3). The identity is any point with
 *             Z = 0 (g1_jac_set_identity writes (1, 1, 0)).
 *
 * The group law is written once, over the coordinate field, in curve_law.h (shared
 * with G2). Formulas are the a = 0 ones of the Explicit-Formulas Database (Bernstein,
 * Lange): dbl-2009-l, add-2007-bl, madd-2007-bl. Every function allows out to alias inputs
 * unless noted. Nothing here is constant time (zkcx never multiplies secret scalars on
 * a path where timing is observable; the prover's MSM is variable time by design).
 */
#ifndef ZKCX_G1_H
#define ZKCX_G1_H

#include <stddef.h>
#include <stdint.h>
#include "tower.h"

typedef struct { fq_t x, y; } g1_aff_t;
extern const fq_t g1_curve_b;       /* b = 3, Montgomery form: y^2 = x^3 + b */
typedef struct { fq_t x, y, z; } g1_jac_t;

int g1_aff_is_identity(const g1_aff_t *p);
int g1_aff_is_on_curve(const g1_aff_t *p);          /* identity counts as on the curve */
void g1_aff_neg(g1_aff_t *out, const g1_aff_t *p);
void g1_aff_from_jac(g1_aff_t *out, const g1_jac_t *p);   /* one Fq inversion */

void g1_jac_set_identity(g1_jac_t *p);
int g1_jac_is_identity(const g1_jac_t *p);
void g1_jac_from_aff(g1_jac_t *out, const g1_aff_t *p);
int g1_jac_is_on_curve(const g1_jac_t *p);          /* Y^2 = X^3 + 3 Z^6 */
int g1_jac_eq(const g1_jac_t *a, const g1_jac_t *b);      /* equality of the points */
void g1_jac_neg(g1_jac_t *out, const g1_jac_t *p);
void g1_jac_dbl(g1_jac_t *out, const g1_jac_t *p);
void g1_jac_add(g1_jac_t *out, const g1_jac_t *a, const g1_jac_t *b);
void g1_jac_add_aff(g1_jac_t *out, const g1_jac_t *a, const g1_aff_t *b);
/* out = [k] p for a 256-bit scalar k (4 little-endian limbs, any value). */
void g1_jac_mul(g1_jac_t *out, const g1_aff_t *p, const uint64_t k[4]);
/* k = (-1)^neg1 k1 + (-1)^neg2 k2 lambda mod r with k1, k2 < 2^128, for k < r (the GLV
 * split g1_jac_mul uses; lambda = G1_GLV_LAMBDA). Returns 1, or 0 if the bound fails. */
int g1_glv_split(const uint64_t k[4], fq_t *k1, int *neg1, fq_t *k2, int *neg2);
/* Jacobian to affine for n points with a single inversion (Montgomery's trick).
 * out must not overlap in. */
void g1_batch_to_aff(g1_aff_t *out, const g1_jac_t *in, size_t n);

/* Read an affine point from 8 limbs (x || y, Montgomery form); returns 1 when both
 * coordinates are < p and the point is on the curve or the identity, else 0. */
int g1_aff_load(g1_aff_t *p, const uint64_t *in);
void g1_aff_store(uint64_t *out, const g1_aff_t *p);

/* 1 iff the 4 limbs, read as an integer, are < p: the range check of a coordinate in
 * canonical or in Montgomery form (shared by g2.c and pairing.c). */
int curve_fq_in_range(const uint64_t v[4]);
/* Width-w NAF of a 256-bit scalar: digits[i] in {0, +-1, +-3, ..., +-(2^(w-1) - 1)},
 * k = sum digits[i] 2^i. digits must hold 257 entries; returns the length. */
int curve_scalar_wnaf(int8_t digits[257], const uint64_t k[4], int w);

#endif
