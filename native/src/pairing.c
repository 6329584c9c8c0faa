/* SPDX-License-Identifier: MIT */
/*
 * Optimal ate pairing on BN254: Miller loop with projective line functions, exact final
 * exponentiation, and the zkcx_pairing_* / zkcx_fq12_* exports. See pairing.h.
 *
 * Miller loop: T runs over [k]Q in homogeneous projective coordinates (x = X/Z,
 * y = Y/Z) on the twist, with the doubling and addition steps of Costello, Lange,
 * Naehrig, "Faster pairing computations on curves with high-degree twists" (PKC 2010)
 * in the form of Aranha et al., "Faster explicit formulas for computing pairings over
 * ordinary curves" (EUROCRYPT 2011). With the D-type untwist (x w^2, y w^3), the line
 * through T with twist slope s, evaluated at P = (xP, yP), is
 *     yP - s xP w + (s xT - yT) w^3,
 * i.e. sparse with coefficients at w^0, w^1, w^3 (fq12_mul_by_034). The projective
 * forms below are that line times a factor in Fq2; such factors lie in Fq6, whose
 * elements the final exponentiation sends to 1 (p^6 - 1 divides the exponent), so
 * they do not change the pairing. The same holds for the vertical lines that the
 * signed-digit loop leaves out.
 */
#include <stdlib.h>
#include <string.h>
#include "pairing.h"
#include "runtime.h"
#include "../include/zkcx.h"
#include "../include/zkcx.h"

/* 6u + 2 = 29793968203157093288 in NAF, least significant digit first (the top digit,
 * index 65, is 1). test_curve.c recombines it. */
const int8_t pairing_ate_naf[66] = {
    0, 0, 0, 1, 0, 1, 0, -1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, -1, 0, 0, 0, 1, 0, -1, 0, 0,
    0, 0, -1, 0, 0, 1, 0, -1, 0, 0, 1, 0, 0, 0, 0, 0, -1, 0, 0, -1, 0, 1, 0, -1, 0, 0, 0, -1,
    0, -1, 0, 0, 0, 1, 0, -1, 0, 1};

/* u = 4965661367192848881 in width-4 NAF (digits 0, +-1, +-3, +-5, +-7; 14 non-zero, any two at least four
 * places apart), for the windowed exponentiation of the final exponentiation. */
const int8_t pairing_u_wnaf4[63] = {
    1, 0, 0, 0, -1, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, -7, 0, 0, 0, 7, 0, 0, 0, 0, 5, 0, 0, 0,
    0, 1, 0, 0, 0, -3, 0, 0, 0, -5, 0, 0, 0, 5, 0, 0, 0, 0, 3, 0, 0, 0, -3, 0, 0, 0, 0, 5,
    0, 0, 0, 0, 0, 1};

/* 3 b' = 9/(9+i), Montgomery form (the doubling step needs 3 b' Z^2). */
static const fq2_t B3_TWIST = {
    {{0x3baa927cb62e0d6aULL, 0xd71e7c52d1b664fdULL, 0x03873e63d95d4664ULL, 0x0e75b5b1082ab8f4ULL}},
    {{0xaab7c6667596fe35ULL, 0x31d21a78bb6a27baULL, 0x85dd7297680401ffULL, 0x03c52d6adf39a7e9ULL}},
};

typedef struct { fq2_t x, y, z; } g2_proj_t;

/* One pair of the Miller loop: the running point T, Q itself and P prepared for the
 * line evaluations (3 xP, -xP, yP, -yP save a few multiplications per step). A pair
 * whose Q was prepared (pairing_prepare_g2) reads its line coefficients from `lines`
 * instead of stepping T. */
typedef struct {
    g2_proj_t t;
    g2_aff_t q, q_neg, q1, q2;      /* q1, q2: frobenius_points(Q) */
    fq_t x3, x_neg, y, y_neg;
    const fq2_t (*lines)[3];
} pair_state_t;

/* The three line coefficients d0 + d3 w + d4 w^3. */
typedef struct { fq2_t d0, d3, d4; } line_t;

/*
 * T = 2T and the tangent line at T (b' the twist constant, B3_TWIST = 3b'):
 *   A = XY/2, B = Y^2, C = Z^2, E = 3b'C, F = 3E, G = (B + F)/2, H = (Y + Z)^2 - B - C,
 *   X' = A (B - F), Y' = G^2 - 3E^2, Z' = B H,
 *   line = -H yP + 3 X^2 xP w + (E - B) w^3      (= -2YZ times the affine line).
 * c receives the P-independent parts (H, X^2, E - B): line_eval applies P.
 */
static void dbl_coeffs(fq2_t c[3], g2_proj_t *t) {
    fq2_t a, b, cc, e, f, g, h, i, j, e2;
    fq2_mul(&a, &t->x, &t->y);
    fq2_halve(&a, &a);
    fq2_sqr(&b, &t->y);
    fq2_sqr(&cc, &t->z);
    fq2_mul(&e, &cc, &B3_TWIST);
    fq2_dbl(&f, &e);
    fq2_add(&f, &f, &e);
    fq2_add(&g, &b, &f);
    fq2_halve(&g, &g);
    fq2_add(&h, &t->y, &t->z);
    fq2_sqr(&h, &h);
    fq2_sub(&h, &h, &b);
    fq2_sub(&h, &h, &cc);
    fq2_sub(&i, &e, &b);
    fq2_sqr(&j, &t->x);
    fq2_sqr(&e2, &e);

    fq2_sub(&t->x, &b, &f);
    fq2_mul(&t->x, &t->x, &a);
    fq2_sqr(&t->y, &g);
    fq2_dbl(&a, &e2);
    fq2_add(&a, &a, &e2);
    fq2_sub(&t->y, &t->y, &a);
    fq2_mul(&t->z, &b, &h);

    c[0] = h;
    c[1] = j;
    c[2] = i;
}

/* The line at P from its coefficients c: c0 yq + c1 xq w + c2 w^3, where (yq, xq) are
 * (-yP, 3 xP) for a doubling line and (yP, -xP) for an addition line. */
static void line_eval(line_t *l, const fq2_t c[3], const fq_t *yq, const fq_t *xq) {
    fq2_mul_fq(&l->d0, &c[0], yq);
    fq2_mul_fq(&l->d3, &c[1], xq);
    l->d4 = c[2];
}

/*
 * T = T + Q (Q affine) and the line through T and Q:
 *   theta = Y - yQ Z, lambda = X - xQ Z, C = theta^2, D = lambda^2, E = lambda D,
 *   F = Z C, G = X D, H = E + F - 2G,
 *   X' = lambda H, Y' = theta (G - H) - E Y, Z' = Z E,
 *   line = lambda yP - theta xP w + (theta xQ - lambda yQ) w^3  (= lambda times the
 *   affine line).
 * c receives (lambda, theta, theta xQ - lambda yQ): line_eval applies P.
 */
static void add_coeffs(fq2_t c[3], g2_proj_t *t, const g2_aff_t *q) {
    fq2_t theta, lambda, cc, d, e, f, g, h, j, u;
    fq2_mul(&theta, &q->y, &t->z);
    fq2_sub(&theta, &t->y, &theta);
    fq2_mul(&lambda, &q->x, &t->z);
    fq2_sub(&lambda, &t->x, &lambda);
    fq2_sqr(&cc, &theta);
    fq2_sqr(&d, &lambda);
    fq2_mul(&e, &lambda, &d);
    fq2_mul(&f, &t->z, &cc);
    fq2_mul(&g, &t->x, &d);
    fq2_dbl(&h, &g);
    fq2_sub(&h, &f, &h);
    fq2_add(&h, &h, &e);

    fq2_mul(&t->x, &lambda, &h);
    fq2_sub(&u, &g, &h);
    fq2_mul(&u, &u, &theta);
    fq2_mul(&t->y, &e, &t->y);
    fq2_sub(&t->y, &u, &t->y);
    fq2_mul(&t->z, &t->z, &e);

    fq2_mul(&j, &theta, &q->x);
    fq2_mul(&u, &lambda, &q->y);
    fq2_sub(&j, &j, &u);

    c[0] = lambda;
    c[1] = theta;
    c[2] = j;
}

/* The two points of the optimal ate pairing's extra lines: pi(Q) = psi(Q) and
 * -pi^2(Q) = (xQ gamma2[2], yQ) on the twist (gamma2[3] = -1). */
static void frobenius_points(g2_aff_t *q1, g2_aff_t *q2, const g2_aff_t *q) {
    g2_aff_psi(q1, q);
    fq2_mul_fq(&q2->x, &q->x, &fq12_frob_gamma2[2]);
    q2->y = q->y;
}

/* All line coefficients of Q's Miller loop, in the order the loop uses them. */
void pairing_prepare_g2(fq2_t lines[][3], const g2_aff_t *q) {
    g2_proj_t t;
    g2_aff_t q_neg, q1, q2;
    g2_aff_neg(&q_neg, q);
    t.x = q->x;
    t.y = q->y;
    fq2_set_one(&t.z);
    size_t li = 0;
    for (int i = 64; i >= 0; i--) {
        dbl_coeffs(lines[li++], &t);
        int d = pairing_ate_naf[i];
        if (d != 0) add_coeffs(lines[li++], &t, d > 0 ? q : &q_neg);
    }
    frobenius_points(&q1, &q2, q);
    add_coeffs(lines[li++], &t, &q1);
    add_coeffs(lines[li++], &t, &q2);
}

/* f *= line, or f = line while f is still 1 (saves the first sparse product). */
static void mul_line(fq12_t *f, int *f_is_one, const line_t *l) {
    if (*f_is_one) {
        fq12_set_zero(f);
        f->c0.c0 = l->d0;
        f->c1.c0 = l->d3;
        f->c1.c1 = l->d4;
        *f_is_one = 0;
    } else {
        fq12_mul_by_034(f, &l->d0, &l->d3, &l->d4);
    }
}

/* Miller loop of up to BLOCK pairs sharing the squarings of f: n pairs (ps, qs) and m
 * pairs (pp, prepared lines), n + m <= BLOCK. */
enum { BLOCK = 32 };

static void load_p(pair_state_t *s, const g1_aff_t *p) {
    fq_dbl(&s->x3, &p->x);
    fq_add(&s->x3, &s->x3, &p->x);
    fq_neg(&s->x_neg, &p->x);
    s->y = p->y;
    fq_neg(&s->y_neg, &p->y);
}

/* The P-independent coefficients of pair s's next line (number li): read from its
 * prepared lines, or computed by stepping T: a doubling when q is NULL, else T + q. */
static const fq2_t *next_coeffs(fq2_t c[3], pair_state_t *s, size_t li, const g2_aff_t *q) {
    if (s->lines) return s->lines[li];
    if (q) add_coeffs(c, &s->t, q);
    else dbl_coeffs(c, &s->t);
    return c;
}

static void miller_block(fq12_t *f, const g1_aff_t *ps, const g2_aff_t *qs, size_t n,
                         const g1_aff_t *pp, const fq2_t (*const *prep)[3], size_t m) {
    pair_state_t st[BLOCK];
    size_t cnt = 0;
    for (size_t k = 0; k < n; k++) {
        if (g1_aff_is_identity(&ps[k]) || g2_aff_is_identity(&qs[k])) continue;
        pair_state_t *s = &st[cnt++];
        s->lines = NULL;
        s->q = qs[k];
        g2_aff_neg(&s->q_neg, &qs[k]);
        frobenius_points(&s->q1, &s->q2, &qs[k]);
        s->t.x = qs[k].x;
        s->t.y = qs[k].y;
        fq2_set_one(&s->t.z);
        load_p(s, &ps[k]);
    }
    for (size_t k = 0; k < m; k++) {
        if (g1_aff_is_identity(&pp[k])) continue;
        pair_state_t *s = &st[cnt++];
        s->lines = prep[k];
        load_p(s, &pp[k]);
    }
    int f_is_one = 1;
    fq12_set_one(f);
    if (cnt == 0) return;

    line_t l;
    fq2_t c[3];
    size_t li = 0;                      /* the number of the current line */
    for (int i = 64; i >= 0; i--, li++) {
        if (!f_is_one) fq12_sqr(f, f);
        for (size_t k = 0; k < cnt; k++) {
            line_eval(&l, next_coeffs(c, &st[k], li, NULL), &st[k].y_neg, &st[k].x3);
            mul_line(f, &f_is_one, &l);
        }
        int d = pairing_ate_naf[i];
        if (d == 0) continue;
        li++;
        for (size_t k = 0; k < cnt; k++) {
            line_eval(&l, next_coeffs(c, &st[k], li, d > 0 ? &st[k].q : &st[k].q_neg),
                      &st[k].y, &st[k].x_neg);
            mul_line(f, &f_is_one, &l);
        }
    }
    /* The two extra lines of the optimal ate pairing: through [6u+2]Q and pi(Q), then
     * through that sum and -pi^2(Q). */
    for (size_t k = 0; k < cnt; k++) {
        line_eval(&l, next_coeffs(c, &st[k], li, &st[k].q1), &st[k].y, &st[k].x_neg);
        mul_line(f, &f_is_one, &l);
        line_eval(&l, next_coeffs(c, &st[k], li + 1, &st[k].q2), &st[k].y, &st[k].x_neg);
        mul_line(f, &f_is_one, &l);
    }
}

void pairing_miller_loop_mixed(fq12_t *f, const g1_aff_t *ps, const g2_aff_t *qs, size_t n,
                               const g1_aff_t *pp, const fq2_t (*const *prep)[3], size_t m) {
    fq12_set_one(f);
    size_t oi = 0, pi = 0;
    int first = 1;
    /* blocks of up to BLOCK pairs, prepared ones first, so that a verifier's few pairs
     * share one chain of squarings */
    while (oi < n || pi < m) {
        size_t mm = m - pi < BLOCK ? m - pi : BLOCK;
        size_t nn = n - oi < BLOCK - mm ? n - oi : BLOCK - mm;
        fq12_t g;
        miller_block(&g, ps + oi, qs + oi, nn, pp + pi, prep + pi, mm);
        if (first) *f = g; else fq12_mul(f, f, &g);
        first = 0;
        oi += nn;
        pi += mm;
    }
}

void pairing_miller_loop(fq12_t *f, const g1_aff_t *ps, const g2_aff_t *qs, size_t n) {
    pairing_miller_loop_mixed(f, ps, qs, n, NULL, NULL, 0);
}

/* z = a^u for a in the cyclotomic subgroup, where a^-1 = conj(a) makes negative digits
 * free: width-4 signed windows over a, a^3, a^5, a^7 (3 multiplications to prepare, 13
 * to combine, against 23 for the plain NAF). */
static void cyclotomic_exp_u(fq12_t *z, const fq12_t *a) {
    fq12_t odd[4], odd_inv[4], a2, acc;
    odd[0] = *a;
    fq12_cyclotomic_sqr(&a2, a);
    for (int k = 1; k < 4; k++) fq12_mul(&odd[k], &odd[k - 1], &a2);
    for (int k = 0; k < 4; k++) fq12_conj(&odd_inv[k], &odd[k]);
    int i = 62;
    acc = odd[(pairing_u_wnaf4[i] - 1) / 2];       /* the top digit is positive */
    for (i = i - 1; i >= 0; i--) {
        fq12_cyclotomic_sqr(&acc, &acc);
        int d = pairing_u_wnaf4[i];
        if (d > 0) fq12_mul(&acc, &acc, &odd[(d - 1) / 2]);
        else if (d < 0) fq12_mul(&acc, &acc, &odd_inv[(-d - 1) / 2]);
    }
    *z = acc;
}

/*
 * f^((p^12 - 1)/r) = f^((p^6 - 1)(p^2 + 1) * (p^4 - p^2 + 1)/r).
 * Easy part: f^(p^6 - 1) = conj(f) / f, then ^(p^2 + 1) with one Frobenius.
 * Hard part, exactly (p^4 - p^2 + 1)/r = l0 + l1 p + l2 p^2 + l3 p^3 with
 *   l3 = 1, l2 = 6u^2 + 1, l1 = -36u^3 - 18u^2 - 12u + 1, l0 = -36u^3 - 30u^2 - 18u - 2,
 * evaluated with the vectorial addition chain of Scott, Benger, Charlemagne, Dominguez
 * Perez, Kachisa, "On the final exponentiation for calculating pairings on ordinary
 * elliptic curves" (Pairing 2009), from f^u, f^(u^2), f^(u^3): three 63-bit cyclotomic
 * exponentiations, 13 multiplications, 4 squarings and 7 Frobenius maps.
 * gen_curve_vectors.py re-checks the identity behind the chain.
 */
int pairing_final_exp(fq12_t *out, const fq12_t *f) {
    fq12_t t, finv, m;
    if (fq12_inv(&finv, f) != 0) { fq12_set_zero(out); return -1; }
    fq12_conj(&t, f);
    fq12_mul(&m, &t, &finv);                 /* m = f^(p^6 - 1) */
    fq12_frobenius(&t, &m, 2);
    fq12_mul(&m, &t, &m);                    /* m = f^((p^6 - 1)(p^2 + 1)), cyclotomic */

    fq12_t fu, fu2, fu3, y0, y1, y2, y3, y4, y5, y6, t0, t1;
    cyclotomic_exp_u(&fu, &m);
    cyclotomic_exp_u(&fu2, &fu);
    cyclotomic_exp_u(&fu3, &fu2);

    fq12_frobenius(&y0, &m, 1);              /* y0 = m^p m^(p^2) m^(p^3) */
    fq12_frobenius(&t, &m, 2);
    fq12_mul(&y0, &y0, &t);
    fq12_frobenius(&t, &m, 3);
    fq12_mul(&y0, &y0, &t);
    fq12_conj(&y1, &m);                      /* y1 = 1/m */
    fq12_frobenius(&y2, &fu2, 2);            /* y2 = (m^(u^2))^(p^2) */
    fq12_frobenius(&y3, &fu, 1);             /* y3 = 1/(m^u)^p */
    fq12_conj(&y3, &y3);
    fq12_frobenius(&y4, &fu2, 1);            /* y4 = 1/(m^u (m^(u^2))^p) */
    fq12_mul(&y4, &y4, &fu);
    fq12_conj(&y4, &y4);
    fq12_conj(&y5, &fu2);                    /* y5 = 1/m^(u^2) */
    fq12_frobenius(&y6, &fu3, 1);            /* y6 = 1/(m^(u^3) (m^(u^3))^p) */
    fq12_mul(&y6, &y6, &fu3);
    fq12_conj(&y6, &y6);

    fq12_cyclotomic_sqr(&t0, &y6);           /* T0 = y6^2 y4 y5 */
    fq12_mul(&t0, &t0, &y4);
    fq12_mul(&t0, &t0, &y5);
    fq12_mul(&t1, &y3, &y5);                 /* T1 = y3 y5 T0 */
    fq12_mul(&t1, &t1, &t0);
    fq12_mul(&t0, &t0, &y2);                 /* T0 = T0 y2 */
    fq12_cyclotomic_sqr(&t1, &t1);           /* T1 = (T1^2 T0)^2 */
    fq12_mul(&t1, &t1, &t0);
    fq12_cyclotomic_sqr(&t1, &t1);
    fq12_mul(&t0, &t1, &y1);                 /* T0 = T1 y1 */
    fq12_mul(&t1, &t1, &y0);                 /* T1 = T1 y0 */
    fq12_cyclotomic_sqr(&t0, &t0);           /* result = T0^2 T1 */
    fq12_mul(out, &t0, &t1);
    return 0;
}

int pairing_multi_mixed(fq12_t *out, const g1_aff_t *ps, const g2_aff_t *qs, size_t n,
                        const g1_aff_t *pp, const fq2_t (*const *prep)[3], size_t m) {
    fq12_t f;
    int nt = zkcx_runtime_threads();
    /* Below 8 pairs a second thread saves at most a few Miller loops, and when the
     * other core is busy, waiting for it costs a scheduler slice (milliseconds). */
    if (nt > 1 && n >= 8) {
        /* Each thread runs the Miller loops of a contiguous part of the ordinary pairs
         * (the prepared ones go with the first part); one final exponentiation for
         * all. Field multiplication is exact, so the split does not change the result. */
        if ((size_t)nt > n) nt = (int)n;
        if (nt > 64) nt = 64;               /* bounds the stack array below (24 KB) */
        fq12_t part[64];
        #pragma omp parallel for schedule(static) num_threads(nt)
        for (int t = 0; t < nt; t++) {
            size_t lo = n * (size_t)t / (size_t)nt, hi = n * (size_t)(t + 1) / (size_t)nt;
            pairing_miller_loop_mixed(&part[t], ps + lo, qs + lo, hi - lo, pp, prep,
                                      t == 0 ? m : 0);
        }
        f = part[0];
        for (int t = 1; t < nt; t++) fq12_mul(&f, &f, &part[t]);
    } else {
        pairing_miller_loop_mixed(&f, ps, qs, n, pp, prep, m);
    }
    return pairing_final_exp(out, &f);
}

int pairing_multi(fq12_t *out, const g1_aff_t *ps, const g2_aff_t *qs, size_t n) {
    return pairing_multi_mixed(out, ps, qs, n, NULL, NULL, 0);
}

/* ---- exports (zkcx.h) ------------------------------------------------------------ */

/* Validate n G1 and n G2 points in place (the caller's arrays have the layout of
 * g1_aff_t / g2_aff_t). */
static int load_pairs(const uint64_t *g1s, const uint64_t *g2s, size_t n) {
    for (size_t k = 0; k < n; k++) {
        g1_aff_t p;
        g2_aff_t q;
        if (!g1_aff_load(&p, g1s + 8 * k) || !g2_aff_load(&q, g2s + 16 * k)) return 0;
    }
    return 1;
}

int zkcx_pairing(uint64_t *out, const uint64_t *g1, const uint64_t *g2) {
    return zkcx_multi_pairing(out, g1, g2, 1);
}

int zkcx_multi_pairing(uint64_t *out, const uint64_t *g1s, const uint64_t *g2s, size_t n) {
    if (!load_pairs(g1s, g2s, n)) return ZKCX_ERR_ARG;
    fq12_t r;
    if (pairing_multi(&r, (const g1_aff_t *)(const void *)g1s, (const g2_aff_t *)(const void *)g2s, n) != 0)
        return ZKCX_ERR_ARG;
    memcpy(out, &r, sizeof r);
    return ZKCX_OK;
}

int zkcx_pairing_check(const uint64_t *g1s, const uint64_t *g2s, size_t n) {
    if (!load_pairs(g1s, g2s, n)) return ZKCX_ERR_ARG;
    fq12_t r;
    if (pairing_multi(&r, (const g1_aff_t *)(const void *)g1s, (const g2_aff_t *)(const void *)g2s, n) != 0)
        return 0;
    return fq12_is_one(&r);
}

int zkcx_pairing_miller_loop(uint64_t *out, const uint64_t *g1s, const uint64_t *g2s, size_t n) {
    if (!load_pairs(g1s, g2s, n)) return ZKCX_ERR_ARG;
    fq12_t f;
    pairing_miller_loop(&f, (const g1_aff_t *)(const void *)g1s, (const g2_aff_t *)(const void *)g2s, n);
    memcpy(out, &f, sizeof f);
    return ZKCX_OK;
}

static int fq12_load(fq12_t *a, const uint64_t *in) {
    for (int k = 0; k < 12; k++) {
        if (!curve_fq_in_range(in + 4 * k)) return 0;
    }
    memcpy(a, in, sizeof *a);
    return 1;
}

int zkcx_pairing_final_exp(uint64_t *out, const uint64_t *f) {
    fq12_t a, r;
    if (!fq12_load(&a, f)) return ZKCX_ERR_ARG;
    if (pairing_final_exp(&r, &a) != 0) return ZKCX_ERR_ARG;
    memcpy(out, &r, sizeof r);
    return ZKCX_OK;
}

/* GT helpers: Fq12 elements as 48 limbs (layout of fq12_t). Inputs are trusted to be
 * reduced, like the scalar Fq functions of zkcx.h. */
void zkcx_fq12_one(uint64_t *out) {
    fq12_t r;
    fq12_set_one(&r);
    memcpy(out, &r, sizeof r);
}

void zkcx_fq12_mul(uint64_t *out, const uint64_t *a, const uint64_t *b) {
    fq12_t x, y;
    memcpy(&x, a, sizeof x);
    memcpy(&y, b, sizeof y);
    fq12_mul(&x, &x, &y);
    memcpy(out, &x, sizeof x);
}

/* out = op(a) for the limbs of an Fq12 element (out may alias a) */
static void fq12_unary(uint64_t *out, const uint64_t *a,
                       void (*op)(fq12_t *, const fq12_t *)) {
    fq12_t x;
    memcpy(&x, a, sizeof x);
    op(&x, &x);
    memcpy(out, &x, sizeof x);
}

void zkcx_fq12_sqr(uint64_t *out, const uint64_t *a) { fq12_unary(out, a, fq12_sqr); }

int zkcx_fq12_inv(uint64_t *out, const uint64_t *a) {
    fq12_t x;
    memcpy(&x, a, sizeof x);
    int rc = fq12_inv(&x, &x);
    memcpy(out, &x, sizeof x);
    return rc == 0 ? ZKCX_OK : ZKCX_ERR_ZERO_INVERSE;
}

void zkcx_fq12_pow(uint64_t *out, const uint64_t *a, const uint64_t *exponent, size_t nlimbs) {
    fq12_t x;
    memcpy(&x, a, sizeof x);
    fq12_pow(&x, &x, exponent, nlimbs);
    memcpy(out, &x, sizeof x);
}

void zkcx_fq12_conj(uint64_t *out, const uint64_t *a) { fq12_unary(out, a, fq12_conj); }

void zkcx_fq12_frobenius(uint64_t *out, const uint64_t *a, int power) {
    fq12_t x, r;
    memcpy(&x, a, sizeof x);
    power %= 12;
    if (power < 0) power += 12;
    r = x;
    /* compose from the p, p^2, p^3 maps; p^6 is conj */
    while (power >= 6) { fq12_conj(&r, &r); power -= 6; }
    while (power >= 3) { fq12_frobenius(&r, &r, 3); power -= 3; }
    if (power > 0) fq12_frobenius(&r, &r, power);
    memcpy(out, &r, sizeof r);
}

int zkcx_fq12_eq(const uint64_t *a, const uint64_t *b) { return memcmp(a, b, 48 * 8) == 0; }

int zkcx_fq12_is_one(const uint64_t *a) {
    fq12_t x;
    memcpy(&x, a, sizeof x);
    return fq12_is_one(&x);
}

/* ---- prepared G2 points ---------------------------------------------------------- */

size_t zkcx_g2_prepared_words(void) { return (size_t)PAIRING_LINES * 3 * 8; }

int zkcx_g2_prepare(uint64_t *out, const uint64_t *q) {
    g2_aff_t a;
    if (!g2_aff_load(&a, q) || g2_aff_is_identity(&a)) return ZKCX_ERR_ARG;
    pairing_prepare_g2((fq2_t (*)[3])(void *)out, &a);
    return ZKCX_OK;
}

int zkcx_multi_pairing_prepared(uint64_t *out, const uint64_t *g1s, const uint64_t *g2s,
                                size_t n, const uint64_t *g1p, const uint64_t *prepared,
                                size_t m) {
    if (!load_pairs(g1s, g2s, n)) return ZKCX_ERR_ARG;
    for (size_t k = 0; k < m; k++) {
        g1_aff_t p;
        if (!g1_aff_load(&p, g1p + 8 * k)) return ZKCX_ERR_ARG;
    }
    const fq2_t (**prep)[3] = malloc((m ? m : 1) * sizeof *prep);
    if (!prep) return ZKCX_ERR_NOMEM;
    for (size_t k = 0; k < m; k++)
        prep[k] = (const fq2_t (*)[3])(const void *)(prepared + k * zkcx_g2_prepared_words());
    fq12_t r;
    int rc = pairing_multi_mixed(&r, (const g1_aff_t *)(const void *)g1s,
                                 (const g2_aff_t *)(const void *)g2s, n,
                                 (const g1_aff_t *)(const void *)g1p,
                                 (const fq2_t (*const *)[3])prep, m);
    free(prep);
    if (rc != 0) return ZKCX_ERR_ARG;
    memcpy(out, &r, sizeof r);
    return ZKCX_OK;
}
