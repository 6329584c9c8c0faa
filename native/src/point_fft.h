/* SPDX-License-Identifier: MIT */
/*
 * Internal interface of the group FFT between point_fft.c (the driver, the exports) and
 * point_fft_ifma.c (the AVX-512 IFMA kernel of its scalar multiplications).
 *
 * A twiddle product t = [k] y splits k into short parts with the group's endomorphism:
 * on G1 the GLV split k = k0 + k1 lambda (g1.h; parts below 2^130, signs folded into
 * the digits) with phi(x, y) = (beta x, y) = [lambda](x, y); on G2 the 4-dimensional
 * GLS split k = k0 + k1 z + k2 z^2 + k3 z^3 with z = 6u^2 = p mod r, psi = [p] = [z] on
 * G2 (g2.h), parts below 2^66 (pf_g2_digits). Each part is written in signed radix-32
 * windows, k_h = sum_w d[h][w] 32^w with d[h][w] in [-16, 16] (msm.h's msm_digit), and
 * then [k] y = sum_w 32^w sum_h [d[h][w]] endo^h(y): on G1 130 doublings and at most
 * 54 additions, on G2 65 doublings and at most 56 additions, from a table y, 2y, ...,
 * 16y; one schedule for every scalar, so that eight products run side by side in the
 * vector lanes. (4-bit windows, 128 doublings and 66 additions from 8 points, measured
 * the same on G1 and 2% slower on G2 with two parts.)
 */
#ifndef ZKCX_POINT_FFT_H
#define ZKCX_POINT_FFT_H

#include <stdint.h>
#include "g1.h"
#include "g2.h"

#define PF_WIDTH 5         /* bits per window */
#define PF_TABLE 16        /* y, 2y, ..., 16y: |digit| <= 2^(PF_WIDTH - 1) */
/* G1: two parts below 2^130 (and a carry); G2: four parts below 2^66 */
#define PF_G1_PARTS 2
#define PF_G1_WINDOWS 27
#define PF_G2_PARTS 4
#define PF_G2_WINDOWS 14

typedef struct {
    int8_t d[PF_G2_PARTS][PF_G1_WINDOWS];   /* d[h][w]: window w of part h */
} pf_digits_t;

/* The digits of a canonical scalar k < r; 0 if a part is out of bounds (not expected;
 * the caller then multiplies with g?_jac_mul). */
int pf_g1_digits(pf_digits_t *out, const uint64_t k[4]);
int pf_g2_digits(pf_digits_t *out, const uint64_t k[4]);

/*
 * out[l] = [k_l] y_l for the eight lanes l, Jacobian, where tab[l] points to the
 * affine table y_l, 2 y_l, ..., 8 y_l (y_l in the group, not the identity) and dig[l]
 * to the digits of k_l. Returns the mask of lanes whose result is not valid and must be
 * recomputed with g?_jac_mul: those where an addition met its exceptional case (equal
 * or opposite points; not expected for k_l != 0 mod r; detected as Z = 0 at the end) or
 * whose digits are all zero. Only run when zkcx_runtime_use_ifma().
 */
unsigned pf_g1_mul8_ifma(g1_jac_t out[8], const g1_aff_t *const tab[8],
                         const pf_digits_t *const dig[8]);
unsigned pf_g2_mul8_ifma(g2_jac_t out[8], const g2_aff_t *const tab[8],
                         const pf_digits_t *const dig[8]);

/* out[l * stride + j] = [2^(c (j + 1))] in_l, Jacobian, for the eight lanes l and
 * j < steps (the doubling chains of msm tables, msm_fixed.c); an identity input gives
 * identities. Only run when zkcx_runtime_use_ifma(). */
void pf_g1_dbl_chain8_ifma(g1_jac_t *out, size_t stride, const g1_aff_t *const in[8],
                           unsigned c, unsigned steps);
void pf_g2_dbl_chain8_ifma(g2_jac_t *out, size_t stride, const g2_aff_t *const in[8],
                           unsigned c, unsigned steps);

#endif
