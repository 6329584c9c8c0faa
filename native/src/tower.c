/* SPDX-License-Identifier: MIT */
/*
 * Fq6 and Fq12 arithmetic of the BN254 tower (see tower.h for the representation).
 *
 * Costs are given in Fq2 multiplications (one Fq2 mul = 3 Fq muls, one Fq2 sqr = 2).
 * References: Devegili, O hEigeartaigh, Scott, Dahab, "Multiplication and Squaring on
 * Pairing-Friendly Fields" (2006) for Karatsuba and Chung-Hasan squaring;
 * Granger, Scott, "Faster Squaring in the Cyclotomic Subgroup of Sixth Degree
 * Extensions" (PKC 2010) for the cyclotomic squaring.
 */
#include "tower.h"

/* ---- Frobenius coefficients --------------------------------------------------------
 * gamma_n[k] = xi^(k (p^n - 1) / 6) with xi = 9 + i, in Montgomery form. They come from
 * w^(p^n) = w * w^(p^n - 1) = w * xi^((p^n - 1)/6) because w^6 = xi. The values were
 * computed with plain Python integers (native/tests/gen_curve_vectors.py --tables
 * prints them) and test_curve.c recomputes them in C from xi^((p-1)/6). */
const fq2_t fq12_frob_gamma1[6] = {
    {{{0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL, 0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL}},
     {{0, 0, 0, 0}}},
    {{{0xaf9ba69633144907ULL, 0xca6b1d7387afb78aULL, 0x11bded5ef08a2087ULL, 0x02f34d751a1f3a7cULL}},
     {{0xa222ae234c492d72ULL, 0xd00f02a4565de15bULL, 0xdc2ff3a253dfc926ULL, 0x10a75716b3899551ULL}}},
    {{{0xb5773b104563ab30ULL, 0x347f91c8a9aa6454ULL, 0x7a007127242e0991ULL, 0x1956bcd8118214ecULL}},
     {{0x6e849f1ea0aa4757ULL, 0xaa1c7b6d89f89141ULL, 0xb6e713cdfae0ca3aULL, 0x26694fbb4e82ebc3ULL}}},
    {{{0xe4bbdd0c2936b629ULL, 0xbb30f162e133bacbULL, 0x31a9d1b6f9645366ULL, 0x253570bea500f8ddULL}},
     {{0xa1d77ce45ffe77c7ULL, 0x07affd117826d1dbULL, 0x6d16bd27bb7edc6bULL, 0x2c87200285defeccULL}}},
    {{{0x7361d77f843abe92ULL, 0xa5bb2bd3273411fbULL, 0x9c941f314b3e2399ULL, 0x15df9cddbb9fd3ecULL}},
     {{0x5dddfd154bd8c949ULL, 0x62cb29a5a4445b60ULL, 0x37bc870a0c7dd2b9ULL, 0x24830a9d3171f0fdULL}}},
    {{{0xc970692f41690fe7ULL, 0xe240342127694b0bULL, 0x32bee66b83c459e8ULL, 0x12aabced0ab08841ULL}},
     {{0x0d485d2340aebfa9ULL, 0x05193418ab2fcc57ULL, 0xd3b0a40b8a4910f5ULL, 0x2f21ebb535d2925aULL}}},
};

/* n = 2: xi^(k(p^2-1)/6) is fixed by conjugation, so it lies in Fq (imaginary part 0). */
const fq_t fq12_frob_gamma2[6] = {
    {{0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL, 0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL}},
    {{0xca8d800500fa1bf2ULL, 0xf0c5d61468b39769ULL, 0x0e201271ad0d4418ULL, 0x04290f65bad856e6ULL}},
    {{0x3350c88e13e80b9cULL, 0x7dce557cdb5e56b9ULL, 0x6001b4b8b615564aULL, 0x2682e617020217e0ULL}},
    {{0x68c3488912edefaaULL, 0x8d087f6872aabf4fULL, 0x51e1a24709081231ULL, 0x2259d6b14729c0faULL}},
    {{0x71930c11d782e155ULL, 0xa6bb947cffbe3323ULL, 0xaa303344d4741444ULL, 0x2c3b3f0d26594943ULL}},
    {{0x08cfc388c494f1abULL, 0x19b315148d1373d4ULL, 0x584e90fdcb6c0213ULL, 0x09e1685bdf2f8849ULL}},
};

const fq2_t fq12_frob_gamma3[6] = {
    {{{0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL, 0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL}},
     {{0, 0, 0, 0}}},
    {{{0x365316184e46d97dULL, 0x0af7129ed4c96d9fULL, 0x659da72fca1009b5ULL, 0x08116d8983a20d23ULL}},
     {{0xb1df4af7c39c1939ULL, 0x3d9f02878a73bf7fULL, 0x9b2220928caf0ae0ULL, 0x26684515eff054a6ULL}}},
    {{{0xc9af22f716ad6badULL, 0xb311782a4aa662b2ULL, 0x19eeaf64e248c7f4ULL, 0x20273e77e3439f82ULL}},
     {{0xacc02860f7ce93acULL, 0x3933d5817ba76b4cULL, 0x69e6188b446c8467ULL, 0x0a46036d4417cc55ULL}}},
    {{{0x5764af0aaf46471eULL, 0xdc50792e873e0fc1ULL, 0x86a673ff881d04f6ULL, 0x0b2eddb43c30a74cULL}},
     {{0x9a490f32787e8580ULL, 0x8fd16d7ff04af8b1ULL, 0x4b39888ec6027bf2ULL, 0x03dd2e705b52a15dULL}}},
    {{{0x448a93a57b6762dfULL, 0xbfd62df528fdeadfULL, 0xd858f5d00e9bd47aULL, 0x06b03d4d3476ec58ULL}},
     {{0x2b19daf4bcc936d1ULL, 0xa1a54e7a56f4299fULL, 0xb533eee05adeaef1ULL, 0x170c812b84dda0b2ULL}}},
    {{{0xe0bc4b2275cf559fULL, 0xc238b945c154e60fULL, 0x803982a5929a7d5eULL, 0x15ce052df7e4a37eULL}},
     {{0x2d28efbdbf3799a7ULL, 0x9b097e3c1ad60773ULL, 0x982d4113af4a535bULL, 0x24e18991e3056063ULL}}},
};

/* ---- Fq6 ---------------------------------------------------------------------------- */

void fq6_set_zero(fq6_t *z) { fq2_set_zero(&z->c0); fq2_set_zero(&z->c1); fq2_set_zero(&z->c2); }
void fq6_set_one(fq6_t *z) { fq2_set_one(&z->c0); fq2_set_zero(&z->c1); fq2_set_zero(&z->c2); }
int fq6_is_zero(const fq6_t *a) { return fq2_is_zero(&a->c0) && fq2_is_zero(&a->c1) && fq2_is_zero(&a->c2); }
int fq6_eq(const fq6_t *a, const fq6_t *b) {
    return fq2_eq(&a->c0, &b->c0) && fq2_eq(&a->c1, &b->c1) && fq2_eq(&a->c2, &b->c2);
}
void fq6_add(fq6_t *z, const fq6_t *a, const fq6_t *b) {
    fq2_add(&z->c0, &a->c0, &b->c0); fq2_add(&z->c1, &a->c1, &b->c1); fq2_add(&z->c2, &a->c2, &b->c2);
}
void fq6_sub(fq6_t *z, const fq6_t *a, const fq6_t *b) {
    fq2_sub(&z->c0, &a->c0, &b->c0); fq2_sub(&z->c1, &a->c1, &b->c1); fq2_sub(&z->c2, &a->c2, &b->c2);
}
void fq6_neg(fq6_t *z, const fq6_t *a) { fq2_neg(&z->c0, &a->c0); fq2_neg(&z->c1, &a->c1); fq2_neg(&z->c2, &a->c2); }
void fq6_dbl(fq6_t *z, const fq6_t *a) { fq2_dbl(&z->c0, &a->c0); fq2_dbl(&z->c1, &a->c1); fq2_dbl(&z->c2, &a->c2); }

/* Multiplication by v: (a0 + a1 v + a2 v^2) v = xi a2 + a0 v + a1 v^2. */
void fq6_mul_by_nonresidue(fq6_t *z, const fq6_t *a) {
    fq2_t t;
    fq2_mul_by_nonresidue(&t, &a->c2);
    z->c2 = a->c1;
    z->c1 = a->c0;
    z->c0 = t;
}

/* Karatsuba over three coefficients (6 Fq2 mul instead of 9):
 *   v_k = a_k b_k
 *   c0 = v0 + xi ((a1 + a2)(b1 + b2) - v1 - v2)
 *   c1 = (a0 + a1)(b0 + b1) - v0 - v1 + xi v2
 *   c2 = (a0 + a2)(b0 + b2) - v0 - v2 + v1 */
void fq6_mul(fq6_t *z, const fq6_t *a, const fq6_t *b) {
    fq2_t v0, v1, v2, s, t, c0, c1, c2;
    fq2_mul(&v0, &a->c0, &b->c0);
    fq2_mul(&v1, &a->c1, &b->c1);
    fq2_mul(&v2, &a->c2, &b->c2);

    fq2_add(&s, &a->c1, &a->c2);
    fq2_add(&t, &b->c1, &b->c2);
    fq2_mul(&c0, &s, &t);
    fq2_sub(&c0, &c0, &v1);
    fq2_sub(&c0, &c0, &v2);
    fq2_mul_by_nonresidue(&c0, &c0);
    fq2_add(&c0, &c0, &v0);

    fq2_add(&s, &a->c0, &a->c1);
    fq2_add(&t, &b->c0, &b->c1);
    fq2_mul(&c1, &s, &t);
    fq2_sub(&c1, &c1, &v0);
    fq2_sub(&c1, &c1, &v1);
    fq2_mul_by_nonresidue(&t, &v2);
    fq2_add(&c1, &c1, &t);

    fq2_add(&s, &a->c0, &a->c2);
    fq2_add(&t, &b->c0, &b->c2);
    fq2_mul(&c2, &s, &t);
    fq2_sub(&c2, &c2, &v0);
    fq2_sub(&c2, &c2, &v2);
    fq2_add(&c2, &c2, &v1);

    z->c0 = c0; z->c1 = c1; z->c2 = c2;
}

/* Chung-Hasan SQR2 (2 Fq2 mul + 3 Fq2 sqr):
 *   s0 = a0^2, s1 = 2 a0 a1, s2 = (a0 - a1 + a2)^2, s3 = 2 a1 a2, s4 = a2^2
 *   c0 = s0 + xi s3, c1 = s1 + xi s4, c2 = s1 + s2 + s3 - s0 - s4 */
void fq6_sqr(fq6_t *z, const fq6_t *a) {
    fq2_t s0, s1, s2, s3, s4, t;
    fq2_sqr(&s0, &a->c0);
    fq2_mul(&s1, &a->c0, &a->c1);
    fq2_dbl(&s1, &s1);
    fq2_sub(&s2, &a->c0, &a->c1);
    fq2_add(&s2, &s2, &a->c2);
    fq2_sqr(&s2, &s2);
    fq2_mul(&s3, &a->c1, &a->c2);
    fq2_dbl(&s3, &s3);
    fq2_sqr(&s4, &a->c2);

    fq2_t c0, c1, c2;
    fq2_mul_by_nonresidue(&t, &s3);
    fq2_add(&c0, &s0, &t);
    fq2_mul_by_nonresidue(&t, &s4);
    fq2_add(&c1, &s1, &t);
    fq2_add(&c2, &s1, &s2);
    fq2_add(&c2, &c2, &s3);
    fq2_sub(&c2, &c2, &s0);
    fq2_sub(&c2, &c2, &s4);
    z->c0 = c0; z->c1 = c1; z->c2 = c2;
}

void fq6_mul_fq2(fq6_t *z, const fq6_t *a, const fq2_t *b) {
    fq2_t bb = *b;
    fq2_mul(&z->c0, &a->c0, &bb);
    fq2_mul(&z->c1, &a->c1, &bb);
    fq2_mul(&z->c2, &a->c2, &bb);
}

/* a * (b0 + b1 v): Karatsuba with b2 = 0 (5 Fq2 mul).
 *   c0 = xi ((a1 + a2) b1 - v1) + v0
 *   c1 = (a0 + a1)(b0 + b1) - v0 - v1
 *   c2 = a2 b0 + v1 */
void fq6_mul_by_01(fq6_t *z, const fq6_t *a, const fq2_t *b0, const fq2_t *b1) {
    fq2_t v0, v1, s, t, c0, c1, c2;
    fq2_mul(&v0, &a->c0, b0);
    fq2_mul(&v1, &a->c1, b1);

    fq2_add(&s, &a->c1, &a->c2);
    fq2_mul(&c0, &s, b1);
    fq2_sub(&c0, &c0, &v1);
    fq2_mul_by_nonresidue(&c0, &c0);
    fq2_add(&c0, &c0, &v0);

    fq2_add(&s, &a->c0, &a->c1);
    fq2_add(&t, b0, b1);
    fq2_mul(&c1, &s, &t);
    fq2_sub(&c1, &c1, &v0);
    fq2_sub(&c1, &c1, &v1);

    fq2_mul(&c2, &a->c2, b0);
    fq2_add(&c2, &c2, &v1);
    z->c0 = c0; z->c1 = c1; z->c2 = c2;
}

/* Inverse through the norm to Fq2:
 *   t0 = a0^2 - xi a1 a2, t1 = xi a2^2 - a0 a1, t2 = a1^2 - a0 a2
 *   a^-1 = (t0 + t1 v + t2 v^2) / (a0 t0 + xi (a2 t1 + a1 t2)) */
int fq6_inv(fq6_t *z, const fq6_t *a) {
    fq2_t t0, t1, t2, s, d;
    fq2_sqr(&t0, &a->c0);
    fq2_mul(&s, &a->c1, &a->c2);
    fq2_mul_by_nonresidue(&s, &s);
    fq2_sub(&t0, &t0, &s);

    fq2_sqr(&t1, &a->c2);
    fq2_mul_by_nonresidue(&t1, &t1);
    fq2_mul(&s, &a->c0, &a->c1);
    fq2_sub(&t1, &t1, &s);

    fq2_sqr(&t2, &a->c1);
    fq2_mul(&s, &a->c0, &a->c2);
    fq2_sub(&t2, &t2, &s);

    fq2_mul(&d, &a->c2, &t1);
    fq2_mul(&s, &a->c1, &t2);
    fq2_add(&d, &d, &s);
    fq2_mul_by_nonresidue(&d, &d);
    fq2_mul(&s, &a->c0, &t0);
    fq2_add(&d, &d, &s);
    if (fq2_inv(&d, &d) != 0) { fq6_set_zero(z); return -1; }
    fq2_mul(&z->c0, &t0, &d);
    fq2_mul(&z->c1, &t1, &d);
    fq2_mul(&z->c2, &t2, &d);
    return 0;
}

/* ---- Fq12 --------------------------------------------------------------------------- */

void fq12_set_zero(fq12_t *z) { fq6_set_zero(&z->c0); fq6_set_zero(&z->c1); }
void fq12_set_one(fq12_t *z) { fq6_set_one(&z->c0); fq6_set_zero(&z->c1); }
int fq12_is_one(const fq12_t *a) {
    return fq2_is_one(&a->c0.c0) && fq2_is_zero(&a->c0.c1) && fq2_is_zero(&a->c0.c2) &&
           fq6_is_zero(&a->c1);
}
int fq12_eq(const fq12_t *a, const fq12_t *b) { return fq6_eq(&a->c0, &b->c0) && fq6_eq(&a->c1, &b->c1); }
void fq12_add(fq12_t *z, const fq12_t *a, const fq12_t *b) { fq6_add(&z->c0, &a->c0, &b->c0); fq6_add(&z->c1, &a->c1, &b->c1); }
void fq12_sub(fq12_t *z, const fq12_t *a, const fq12_t *b) { fq6_sub(&z->c0, &a->c0, &b->c0); fq6_sub(&z->c1, &a->c1, &b->c1); }
void fq12_neg(fq12_t *z, const fq12_t *a) { fq6_neg(&z->c0, &a->c0); fq6_neg(&z->c1, &a->c1); }
void fq12_conj(fq12_t *z, const fq12_t *a) { z->c0 = a->c0; fq6_neg(&z->c1, &a->c1); }

/* Karatsuba over Fq6 (3 Fq6 mul = 18 Fq2 mul):
 *   t0 = a0 b0, t1 = a1 b1, c0 = t0 + v t1, c1 = (a0 + a1)(b0 + b1) - t0 - t1 */
void fq12_mul(fq12_t *z, const fq12_t *a, const fq12_t *b) {
    fq6_t t0, t1, s, t;
    fq6_mul(&t0, &a->c0, &b->c0);
    fq6_mul(&t1, &a->c1, &b->c1);
    fq6_add(&s, &a->c0, &a->c1);
    fq6_add(&t, &b->c0, &b->c1);
    fq6_mul(&s, &s, &t);
    fq6_sub(&s, &s, &t0);
    fq6_sub(&z->c1, &s, &t1);
    fq6_mul_by_nonresidue(&t1, &t1);
    fq6_add(&z->c0, &t0, &t1);
}

/* Complex squaring (2 Fq6 mul = 12 Fq2 mul):
 *   t = a0 a1, c0 = (a0 + a1)(a0 + v a1) - t - v t, c1 = 2 t */
void fq12_sqr(fq12_t *z, const fq12_t *a) {
    fq6_t t, s, u, vt;
    fq6_mul(&t, &a->c0, &a->c1);
    fq6_add(&s, &a->c0, &a->c1);
    fq6_mul_by_nonresidue(&u, &a->c1);
    fq6_add(&u, &u, &a->c0);
    fq6_mul(&s, &s, &u);
    fq6_sub(&s, &s, &t);
    fq6_mul_by_nonresidue(&vt, &t);
    fq6_sub(&z->c0, &s, &vt);
    fq6_dbl(&z->c1, &t);
}

/* (a0 + a1 w)^-1 = (a0 - a1 w) / (a0^2 - v a1^2). */
int fq12_inv(fq12_t *z, const fq12_t *a) {
    fq6_t t0, t1;
    fq6_sqr(&t0, &a->c0);
    fq6_sqr(&t1, &a->c1);
    fq6_mul_by_nonresidue(&t1, &t1);
    fq6_sub(&t0, &t0, &t1);
    if (fq6_inv(&t0, &t0) != 0) { fq12_set_zero(z); return -1; }
    fq6_mul(&z->c0, &a->c0, &t0);
    fq6_mul(&z->c1, &a->c1, &t0);
    fq6_neg(&z->c1, &z->c1);
    return 0;
}

/* Left-to-right square and multiply over an exponent of nlimbs little-endian words.
 * Generic (used for GT exponentiation and tests); the pairing uses the cyclotomic
 * exponentiation of pairing.c. */
void fq12_pow(fq12_t *z, const fq12_t *a, const uint64_t *e, size_t nlimbs) {
    fq12_t base = *a, acc;
    fq12_set_one(&acc);
    int started = 0;
    for (size_t w = nlimbs; w-- > 0;) {
        for (int bit = 63; bit >= 0; bit--) {
            if (started) fq12_sqr(&acc, &acc);
            if ((e[w] >> bit) & 1) {
                if (started) fq12_mul(&acc, &acc, &base);
                else acc = base;
                started = 1;
            }
        }
    }
    *z = acc;
}

/*
 * f *= d0 + d3 w + d4 w^3: the shape of a line function of the D-type twist evaluated
 * at a G1 point (pairing.c). In Fq6 terms the line is L0 + L1 w with L0 = (d0, 0, 0),
 * L1 = (d3, d4, 0), and Karatsuba gives (13 Fq2 mul instead of 18):
 *   a = f0 L0 (3), b = f1 L1 (5), c1 = (f0 + f1)(L0 + L1) - a - b (5), c0 = a + v b.
 */
void fq12_mul_by_034(fq12_t *f, const fq2_t *d0, const fq2_t *d3, const fq2_t *d4) {
    fq6_t a, b, s;
    fq2_t e0;
    fq6_mul_fq2(&a, &f->c0, d0);
    fq6_mul_by_01(&b, &f->c1, d3, d4);
    fq6_add(&s, &f->c0, &f->c1);
    fq2_add(&e0, d0, d3);
    fq6_mul_by_01(&s, &s, &e0, d4);
    fq6_sub(&s, &s, &a);
    fq6_sub(&f->c1, &s, &b);
    fq6_mul_by_nonresidue(&b, &b);
    fq6_add(&f->c0, &a, &b);
}

/*
 * a^(p^n) for n = 1, 2, 3. Writing a = sum_k a_k w^k (a_k in Fq2), the map sends a_k to
 * conj^n(a_k) * gamma_n[k], because (a_k w^k)^(p^n) = a_k^(p^n) w^k xi^(k(p^n-1)/6).
 * Coefficient index k of field c(j).c(m) is k = 2m + j (w^2 = v).
 */
void fq12_frobenius(fq12_t *z, const fq12_t *a, int power) {
    fq2_t *zc[6] = {&z->c0.c0, &z->c1.c0, &z->c0.c1, &z->c1.c1, &z->c0.c2, &z->c1.c2};
    const fq2_t *ac[6] = {&a->c0.c0, &a->c1.c0, &a->c0.c1, &a->c1.c1, &a->c0.c2, &a->c1.c2};
    for (int k = 0; k < 6; k++) {
        fq2_t t;
        switch (power) {
        case 2:
            fq2_mul_fq(zc[k], ac[k], &fq12_frob_gamma2[k]);
            break;
        case 3:
            fq2_conj(&t, ac[k]);
            fq2_mul(zc[k], &t, &fq12_frob_gamma3[k]);
            break;
        default: /* 1 */
            fq2_conj(&t, ac[k]);
            if (k == 0) *zc[k] = t;
            else fq2_mul(zc[k], &t, &fq12_frob_gamma1[k]);
            break;
        }
    }
}

/*
 * Granger-Scott squaring in the cyclotomic subgroup G_{Phi_6(p^2)} (9 Fq2 sqr, versus
 * 12 Fq2 mul for fq12_sqr). Only valid for a with a^(p^4 - p^2 + 1) = 1, e.g. anything
 * raised to (p^6 - 1)(p^2 + 1), which is where the final exponentiation uses it.
 *
 * View Fq12 as Fq4[w]/(w^3 - t) with Fq4 = Fq2[t]/(t^2 - xi), t = w^3, so
 * a = A0 + A1 w + A2 w^2 with A0 = a0 + a3 t, A1 = a1 + a4 t, A2 = a2 + a5 t
 * (a_k as in fq12_frobenius). For cyclotomic a,
 *   a^2 = (3 A0^2 - 2 conj(A0)) + (3 t A2^2 + 2 conj(A1)) w + (3 A1^2 - 2 conj(A2)) w^2,
 * and each Fq4 square (x + y t)^2 = (x^2 + xi y^2) + 2xy t costs 3 Fq2 squarings.
 */
void fq12_cyclotomic_sqr(fq12_t *z, const fq12_t *a) {
    const fq2_t *a0 = &a->c0.c0, *a1 = &a->c1.c0, *a2 = &a->c0.c1;
    const fq2_t *a3 = &a->c1.c1, *a4 = &a->c0.c2, *a5 = &a->c1.c2;
    fq2_t t0, t1, t2, t3, t4, t5, t6, t7, t8;

    /* A0^2 = (a0^2 + xi a3^2) + (2 a0 a3) t */
    fq2_sqr(&t0, a3);
    fq2_sqr(&t1, a0);
    fq2_add(&t6, a3, a0);
    fq2_sqr(&t6, &t6);
    fq2_sub(&t6, &t6, &t0);
    fq2_sub(&t6, &t6, &t1);                 /* 2 a0 a3 */
    /* A1^2 = (a1^2 + xi a4^2) + (2 a1 a4) t */
    fq2_sqr(&t2, a4);
    fq2_sqr(&t3, a1);
    fq2_add(&t7, a4, a1);
    fq2_sqr(&t7, &t7);
    fq2_sub(&t7, &t7, &t2);
    fq2_sub(&t7, &t7, &t3);                 /* 2 a1 a4 */
    /* A2^2 = (a2^2 + xi a5^2) + (2 a2 a5) t, and t A2^2 = xi (2 a2 a5) + (a2^2 + xi a5^2) t */
    fq2_sqr(&t4, a5);
    fq2_sqr(&t5, a2);
    fq2_add(&t8, a5, a2);
    fq2_sqr(&t8, &t8);
    fq2_sub(&t8, &t8, &t4);
    fq2_sub(&t8, &t8, &t5);
    fq2_mul_by_nonresidue(&t8, &t8);        /* xi 2 a2 a5 */

    fq2_mul_by_nonresidue(&t0, &t0);
    fq2_add(&t0, &t0, &t1);                 /* a0^2 + xi a3^2 */
    fq2_mul_by_nonresidue(&t2, &t2);
    fq2_add(&t2, &t2, &t3);                 /* a1^2 + xi a4^2 */
    fq2_mul_by_nonresidue(&t4, &t4);
    fq2_add(&t4, &t4, &t5);                 /* a2^2 + xi a5^2 */

    fq2_t r0, r1, r2, r3, r4, r5;
    /* w^0: 3 re(A0^2) - 2 a0;   w^3: 3 im(A0^2) + 2 a3 */
    fq2_sub(&r0, &t0, a0); fq2_dbl(&r0, &r0); fq2_add(&r0, &r0, &t0);
    fq2_add(&r3, &t6, a3); fq2_dbl(&r3, &r3); fq2_add(&r3, &r3, &t6);
    /* w^2: 3 re(A1^2) - 2 a2;   w^5: 3 im(A1^2) + 2 a5 */
    fq2_sub(&r2, &t2, a2); fq2_dbl(&r2, &r2); fq2_add(&r2, &r2, &t2);
    fq2_add(&r5, &t7, a5); fq2_dbl(&r5, &r5); fq2_add(&r5, &r5, &t7);
    /* w^1: 3 re(t A2^2) + 2 a1 = 3 xi 2 a2 a5 + 2 a1;  w^4: 3 im(t A2^2) - 2 a4 */
    fq2_sub(&r4, &t4, a4); fq2_dbl(&r4, &r4); fq2_add(&r4, &r4, &t4);
    fq2_add(&r1, &t8, a1); fq2_dbl(&r1, &r1); fq2_add(&r1, &r1, &t8);

    z->c0.c0 = r0; z->c1.c0 = r1; z->c0.c1 = r2;
    z->c1.c1 = r3; z->c0.c2 = r4; z->c1.c2 = r5;
}
