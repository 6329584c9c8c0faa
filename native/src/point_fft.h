/* SPDX-License-Identifier: MIT */
/*
 * Internal interface of the group FFT between point_fft.c (the driver, the exports) and
 * point_fft_ifma.c (the AVX-512 IFMA kernel of its scalar multiplications).
 *
 * A twiddle product t = [k] y splits k into two halves below 2^130 with the group's
 * endomorphism: on G1 the GLV split k = k1 + k2 lambda (g1.h, signs folded into the
 * digits) with phi(x, y) = (beta x, y) = [lambda](x, y); on G2 k = k1 + k2 z with
 * z = 6u^2 = p mod r (k1 = k mod z, k2 = k div z, both below 2^127) and
 * psi = [p] = [z] on G2 (g2.h). Each half is written in signed radix-32 windows,
 * k_h = sum_w d_h[w] 32^w with d_h[w] in [-16, 16] (msm.h's msm_digit), and then
 * [k] y = sum_w 32^w ([d1[w]] y + [d2[w]] endo(y)): 130 doublings and at most 54
 * additions from a table y, 2y, ..., 16y, one schedule for every scalar, so that eight
 * products run side by side in the vector lanes. (4-bit windows, 128 doublings and 66
 * additions from 8 points, measured the same on G1 and 2% slower on G2.)
 */
#ifndef ZKCX_POINT_FFT_H
#define ZKCX_POINT_FFT_H

#include <stdint.h>
#include "g1.h"
#include "g2.h"

#define PF_WIDTH 5         /* bits per window */
#define PF_WINDOWS 27      /* windows of a half below 2^130 (and its carry) */
#define PF_TABLE 16        /* y, 2y, ..., 16y: |digit| <= 2^(PF_WIDTH - 1) */

typedef struct {
    int8_t d1[PF_WINDOWS], d2[PF_WINDOWS];
} pf_digits_t;

/* The digits of a canonical scalar k < r; 0 if a half is out of bounds (not expected;
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

#endif
