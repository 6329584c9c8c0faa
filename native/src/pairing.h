/* SPDX-License-Identifier: MIT */
/*
 * The optimal ate pairing on BN254 (Vercauteren, "Optimal pairings", 2010):
 *
 *   e(P, Q) = ( f_{6u+2,Q}(P) * l_{[6u+2]Q, pi(Q)}(P) * l_{[6u+2]Q + pi(Q), -pi^2(Q)}(P) )
 *             ^ ((p^12 - 1) / r)
 *
 * with u = 4965661367192848881, P in G1, Q in G2 (on the twist, untwisted by
 * (x, y) -> (x w^2, y w^3)). The final exponentiation is exact, so the result equals
 * the textbook reduced pairing that py_ecc computes (not a fixed power of it, unlike
 * the Fuentes-Castaneda hard part of arkworks/gnark or snarkjs's normalisation).
 */
#ifndef ZKCX_PAIRING_H
#define ZKCX_PAIRING_H

#include <stddef.h>
#include <stdint.h>
#include "g1.h"
#include "g2.h"

/* Signed binary (NAF) digits, least significant first. */
extern const int8_t pairing_ate_naf[66];   /* 6u + 2 */
extern const int8_t pairing_u_wnaf4[63];     /* u, width-4 signed windows */

/* f = prod_j f_j(P_j, Q_j): the Miller loops of n pairs sharing one chain of squarings
 * (pairs where P or Q is the identity contribute 1). Points must be on their curves. */
void pairing_miller_loop(fq12_t *f, const g1_aff_t *ps, const g2_aff_t *qs, size_t n);
/* out = f^((p^12 - 1)/r); returns -1 (out = 0) when f = 0. */
int pairing_final_exp(fq12_t *out, const fq12_t *f);
/* out = prod_j e(P_j, Q_j), Miller loops split over the runtime's threads when n > 1. */
int pairing_multi(fq12_t *out, const g1_aff_t *ps, const g2_aff_t *qs, size_t n);

/* Line coefficients of one Miller loop: 65 doublings, one addition per non-zero digit of
 * 6u + 2 below the top (21), and the two Frobenius additions. */
enum { PAIRING_LINES = 88 };
/* A fixed Q's lines (Q not the identity), for pairs that reuse Q (a verifying key's
 * gamma and delta): the loop then skips Q's G2 arithmetic. */
void pairing_prepare_g2(fq2_t lines[][3], const g2_aff_t *q);
/* f = prod of n ordinary pairs and m pairs (pp_k, prep_k), prep_k from
 * pairing_prepare_g2, all sharing the squarings; and the pairing product of those. */
void pairing_miller_loop_mixed(fq12_t *f, const g1_aff_t *ps, const g2_aff_t *qs, size_t n,
                               const g1_aff_t *pp, const fq2_t (*const *prep)[3], size_t m);
int pairing_multi_mixed(fq12_t *out, const g1_aff_t *ps, const g2_aff_t *qs, size_t n,
                        const g1_aff_t *pp, const fq2_t (*const *prep)[3], size_t m);

#endif
