/* SPDX-License-Identifier: MIT */
/*
 * G2 of BN254: the order-r subgroup of the sextic D-type twist
 *     E'(Fq2): y^2 = x^3 + b',  b' = 3 / (9 + i),
 * which maps into E(Fq12) by (x, y) -> (x w^2, y w^3) (w^6 = 9 + i, tower.h).
 * E'(Fq2) has r * c2 points with c2 = 2p - r, so on-curve is not enough: untrusted
 * points need g2_in_subgroup.
 *
 * Representations mirror g1.h: affine with (0, 0) as the identity ((0, 0) is not on
 * the curve since b' != 0), Jacobian with Z = 0 as the identity; the same group law
 * (curve_law.h, instantiated over Fq2).
 */
#ifndef ZKCX_G2_H
#define ZKCX_G2_H

#include <stddef.h>
#include <stdint.h>
#include "tower.h"

typedef struct { fq2_t x, y; } g2_aff_t;
typedef struct { fq2_t x, y, z; } g2_jac_t;

extern const fq2_t g2_twist_b;      /* b' = 3/(9+i), Montgomery form */

int g2_aff_is_identity(const g2_aff_t *p);
int g2_aff_is_on_curve(const g2_aff_t *p);
void g2_aff_neg(g2_aff_t *out, const g2_aff_t *p);
void g2_aff_from_jac(g2_aff_t *out, const g2_jac_t *p);
/* Read 16 limbs (x.c0, x.c1, y.c0, y.c1); 1 iff every coordinate is < p and the point
 * is on the twist or the identity. No subgroup check. */
int g2_aff_load(g2_aff_t *p, const uint64_t *in);
void g2_aff_store(uint64_t *out, const g2_aff_t *p);

void g2_jac_set_identity(g2_jac_t *p);
int g2_jac_is_identity(const g2_jac_t *p);
void g2_jac_from_aff(g2_jac_t *out, const g2_aff_t *p);
int g2_jac_is_on_curve(const g2_jac_t *p);
int g2_jac_eq(const g2_jac_t *a, const g2_jac_t *b);
void g2_jac_neg(g2_jac_t *out, const g2_jac_t *p);
void g2_jac_dbl(g2_jac_t *out, const g2_jac_t *p);
void g2_jac_add(g2_jac_t *out, const g2_jac_t *a, const g2_jac_t *b);
void g2_jac_add_aff(g2_jac_t *out, const g2_jac_t *a, const g2_aff_t *b);
void g2_jac_mul(g2_jac_t *out, const g2_aff_t *p, const uint64_t k[4]);
void g2_batch_to_aff(g2_aff_t *out, const g2_jac_t *in, size_t n);   /* no overlap */

/* psi = untwist o Frobenius o twist: (x, y) -> (conj(x) g12, conj(y) g13) with
 * g1k = xi^(k(p-1)/6). An endomorphism of E' over Fq2 acting on G2 as [p] = [6u^2]. */
void g2_jac_psi(g2_jac_t *out, const g2_jac_t *p);
void g2_aff_psi(g2_aff_t *out, const g2_aff_t *p);
/* 1 iff p (assumed on the curve) lies in the order-r subgroup; see g2.c for the test. */
int g2_aff_in_subgroup(const g2_aff_t *p);

#endif
