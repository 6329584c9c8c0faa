/* SPDX-License-Identifier: MIT */
/*
 * The exported scalar and vector functions of one field, written once and compiled
 * for Fr (fr.c) and Fq (fq.c). Declared in include/zkcx.h.
 *
 * Conventions: every element is 4 uint64 limbs in Montgomery form (canonical limbs
 * or bytes only where a name says so); vectors are contiguous arrays of n elements;
 * outputs are caller-allocated and may alias inputs unless noted. Python checks
 * lengths and ranges before calling, so these functions trust n.
 */
#ifndef FIELD
#error "define FIELD and FIELD_UP before including field_api.h"
#endif

#include <stdlib.h>
#include <string.h>
#include "runtime.h"
#include "chacha20.h"
#include "field_ifma.h"
#include "../include/zkcx.h"

#define ZK_CAT2(a, b) a##b
#define ZK_CAT(a, b) ZK_CAT2(a, b)
#define FN(name) ZK_CAT(FIELD, ZK_CAT(_, name))
#define API(name) ZK_CAT(zkcx_, ZK_CAT(FIELD, ZK_CAT(_, name)))
#define T ZK_CAT(FIELD, _t)

#define AS(p) ((T *)(void *)(p))
#define AS_C(p) ((const T *)(const void *)(p))

/* Threads for a loop of n elements. */
static inline int FN(nthreads)(size_t n) {
    return n >= ZKCX_PARALLEL_MIN ? zkcx_runtime_threads() : 1;
}

/* [lo, hi) of part t of nt equal parts of n. */
static inline void FN(part)(size_t n, int t, int nt, size_t *lo, size_t *hi) {
    *lo = n * (size_t)t / (size_t)nt;
    *hi = n * (size_t)(t + 1) / (size_t)nt;
}

/* ---- scalars ------------------------------------------------------------------ */

void API(add)(uint64_t *out, const uint64_t *a, const uint64_t *b) { FN(add)(AS(out), AS_C(a), AS_C(b)); }
void API(sub)(uint64_t *out, const uint64_t *a, const uint64_t *b) { FN(sub)(AS(out), AS_C(a), AS_C(b)); }
void API(neg)(uint64_t *out, const uint64_t *a) { FN(neg)(AS(out), AS_C(a)); }
void API(mul)(uint64_t *out, const uint64_t *a, const uint64_t *b) { FN(mul)(AS(out), AS_C(a), AS_C(b)); }
void API(sqr)(uint64_t *out, const uint64_t *a) { FN(sqr)(AS(out), AS_C(a)); }
int API(inv)(uint64_t *out, const uint64_t *a) {
    return FN(inv)(AS(out), AS_C(a)) == 0 ? ZKCX_OK : ZKCX_ERR_ZERO_INVERSE;
}
void API(pow)(uint64_t *out, const uint64_t *a, const uint64_t *exponent) {
    FN(pow_limbs)(AS(out), AS_C(a), exponent);
}
int API(eq)(const uint64_t *a, const uint64_t *b) { return FN(eq)(AS_C(a), AS_C(b)); }

/* ---- elementwise vectors -------------------------------------------------------- */

#define ZK_VEC_LOOP(...)                                                             \
    do {                                                                              \
        int nt_ = FN(nthreads)(n);                                                    \
        (void)nt_;                                                                    \
        _Pragma("omp parallel for schedule(static) num_threads(nt_)")                 \
        for (size_t i = 0; i < n; i++) { __VA_ARGS__; }                                      \
    } while (0)

void API(vec_add)(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n) {
    T *z = AS(out); const T *x = AS_C(a), *y = AS_C(b);
    ZK_VEC_LOOP(FN(add)(&z[i], &x[i], &y[i]));
}
void API(vec_sub)(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n) {
    T *z = AS(out); const T *x = AS_C(a), *y = AS_C(b);
    ZK_VEC_LOOP(FN(sub)(&z[i], &x[i], &y[i]));
}
void API(vec_neg)(uint64_t *out, const uint64_t *a, size_t n) {
    T *z = AS(out); const T *x = AS_C(a);
    ZK_VEC_LOOP(FN(neg)(&z[i], &x[i]));
}
void API(vec_add_scalar)(uint64_t *out, const uint64_t *a, const uint64_t *s, size_t n) {
    T *z = AS(out); const T *x = AS_C(a); const T c = *AS_C(s);
    ZK_VEC_LOOP(FN(add)(&z[i], &x[i], &c));
}

/* Multiplication goes through the AVX-512 IFMA kernels where the CPU has them
 * (results are identical); each thread takes a contiguous part [lo, hi): IFMA_PART
 * multiplies it with the kernels, else SCALAR_I the element i. */
#define ZK_MUL_PART_LOOP(IFMA_PART, SCALAR_I)                                         \
    do {                                                                              \
        int nt_ = FN(nthreads)(n);                                                    \
        int ifma_ = zkcx_runtime_use_ifma();                                          \
        (void)nt_;                                                                    \
        _Pragma("omp parallel for schedule(static) num_threads(nt_)")                 \
        for (int t = 0; t < nt_; t++) {                                               \
            size_t lo, hi;                                                            \
            FN(part)(n, t, nt_, &lo, &hi);                                            \
            if (ifma_) IFMA_PART;                                                     \
            else for (size_t i = lo; i < hi; i++) SCALAR_I;                           \
        }                                                                             \
    } while (0)

void API(vec_mul)(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n) {
    T *z = AS(out); const T *x = AS_C(a), *y = AS_C(b);
    ZK_MUL_PART_LOOP(FN(vec_mul_ifma)(z + lo, x + lo, y + lo, hi - lo),
                     FN(mul)(&z[i], &x[i], &y[i]));
}
void API(vec_sqr)(uint64_t *out, const uint64_t *a, size_t n) { API(vec_mul)(out, a, a, n); }

void API(vec_scale)(uint64_t *out, const uint64_t *a, const uint64_t *s, size_t n) {
    T *z = AS(out); const T *x = AS_C(a); const T c = *AS_C(s);
    ZK_MUL_PART_LOOP(FN(vec_mul_by_ifma)(z + lo, x + lo, &c, hi - lo),
                     FN(mul)(&z[i], &x[i], &c));
}

/* ---- reductions ----------------------------------------------------------------- */

/* out = sum_i a_i * b_i. Each thread sums a contiguous part; the parts are added in
 * order (field addition is exact, so the result does not depend on the split). */
void API(vec_dot)(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n) {
    const T *x = AS_C(a), *y = AS_C(b);
    int nt = FN(nthreads)(n);
    T partial[256];
    #pragma omp parallel for schedule(static) num_threads(nt)
    for (int t = 0; t < nt; t++) {
        size_t lo, hi;
        FN(part)(n, t, nt, &lo, &hi);
        T acc, prod;
        FN(set_zero)(&acc);
        for (size_t i = lo; i < hi; i++) {
            FN(mul)(&prod, &x[i], &y[i]);
            FN(add)(&acc, &acc, &prod);
        }
        partial[t] = acc;
    }
    T total;
    FN(set_zero)(&total);
    for (int t = 0; t < nt; t++) FN(add)(&total, &total, &partial[t]);
    *AS(out) = total;
}

void API(vec_sum)(uint64_t *out, const uint64_t *a, size_t n) {
    const T *x = AS_C(a);
    int nt = FN(nthreads)(n);
    T partial[256];
    #pragma omp parallel for schedule(static) num_threads(nt)
    for (int t = 0; t < nt; t++) {
        size_t lo, hi;
        FN(part)(n, t, nt, &lo, &hi);
        T acc;
        FN(set_zero)(&acc);
        for (size_t i = lo; i < hi; i++) FN(add)(&acc, &acc, &x[i]);
        partial[t] = acc;
    }
    T total;
    FN(set_zero)(&total);
    for (int t = 0; t < nt; t++) FN(add)(&total, &total, &partial[t]);
    *AS(out) = total;
}

/* ---- batch inversion ------------------------------------------------------------ */

/*
 * Montgomery's trick on x[0..n) into z (z != x), with scratch = z: one inversion
 * and three multiplications per element. Zeros are skipped and come out as zero.
 * Returns the number of zeros.
 */
static size_t FN(batch_inv_serial)(T *z, const T *x, size_t n) {
    T acc = FN(one), inv, tmp;
    size_t zeros = 0;
    for (size_t i = 0; i < n; i++) {
        z[i] = acc;                       /* product of the non-zero x[j], j < i */
        if (FN(is_zero)(&x[i])) zeros++;
        else FN(mul)(&acc, &acc, &x[i]);
    }
    FN(inv)(&inv, &acc);                  /* acc is a product of non-zeros: never 0 */
    for (size_t i = n; i-- > 0;) {
        if (FN(is_zero)(&x[i])) { FN(set_zero)(&z[i]); continue; }
        FN(mul)(&tmp, &inv, &z[i]);
        FN(mul)(&inv, &inv, &x[i]);
        z[i] = tmp;
    }
    return zeros;
}

/*
 * The same trick run as 16 interleaved chains (lane k takes elements k, k+16, ...)
 * so that each step is two independent 8-way IFMA products. Handles the largest
 * multiple of 16 that fits; the caller finishes the tail with the serial version.
 */
static size_t FN(batch_inv_ifma)(T *z, const T *x, size_t n) {
    enum { L = 16 };
    size_t blocks = n / L, zeros = 0;
    if (blocks == 0) return 0;
    T acc[L], inv[L], ones_x[L], tmp[L];
    for (int k = 0; k < L; k++) acc[k] = FN(one);
    for (size_t j = 0; j < blocks; j++) {
        const T *xb = x + j * L;
        memcpy(z + j * L, acc, sizeof acc);     /* exclusive prefix per lane */
        for (int k = 0; k < L; k++) {
            if (FN(is_zero)(&xb[k])) { zeros++; ones_x[k] = FN(one); }
            else ones_x[k] = xb[k];
        }
        FN(mul8_ifma)(acc, acc, ones_x);
        FN(mul8_ifma)(acc + 8, acc + 8, ones_x + 8);
    }
    for (int k = 0; k < L; k++) FN(inv)(&inv[k], &acc[k]);   /* products of non-zeros */
    for (size_t j = blocks; j-- > 0;) {
        const T *xb = x + j * L;
        T *zb = z + j * L;
        for (int k = 0; k < L; k++) ones_x[k] = FN(is_zero)(&xb[k]) ? FN(one) : xb[k];
        FN(mul8_ifma)(tmp, inv, zb);
        FN(mul8_ifma)(tmp + 8, inv + 8, zb + 8);
        FN(mul8_ifma)(inv, inv, ones_x);
        FN(mul8_ifma)(inv + 8, inv + 8, ones_x + 8);
        for (int k = 0; k < L; k++) {
            if (FN(is_zero)(&xb[k])) FN(set_zero)(&zb[k]);
            else zb[k] = tmp[k];
        }
    }
    return zeros;
}

/*
 * out_i = a_i^-1, and 0 where a_i = 0 (the caller decides whether a zero is an error;
 * the return value counts them). out may alias a (a scratch copy is made then).
 * Returns the number of zeros, or ZKCX_ERR_NOMEM.
 */
long long API(vec_batch_inv)(uint64_t *out, const uint64_t *a, size_t n) {
    T *z = AS(out);
    const T *x = AS_C(a);
    T *copy = NULL;
    if (n == 0) return 0;
    if ((const void *)out == (const void *)a) {
        copy = (T *)malloc(n * sizeof(T));
        if (!copy) return ZKCX_ERR_NOMEM;
        memcpy(copy, x, n * sizeof(T));
        x = copy;
    }
    int nt = FN(nthreads)(n);
    /* below a few hundred elements the 16 extra inversions cost more than they save */
    int ifma = zkcx_runtime_use_ifma() && n >= 512;
    size_t zeros = 0;
    #pragma omp parallel for schedule(static) num_threads(nt) reduction(+ : zeros)
    for (int t = 0; t < nt; t++) {
        size_t lo, hi, done = 0;
        FN(part)(n, t, nt, &lo, &hi);
        if (ifma) {
            done = (hi - lo) / 16 * 16;
            zeros += FN(batch_inv_ifma)(z + lo, x + lo, done);
        }
        zeros += FN(batch_inv_serial)(z + lo + done, x + lo + done, hi - lo - done);
    }
    free(copy);
    return (long long)zeros;
}

/* ---- generators ----------------------------------------------------------------- */

/* out_i = x^i for i < n: each thread starts from x^lo and multiplies up. */
void API(vec_powers)(uint64_t *out, const uint64_t *x, size_t n) {
    T *z = AS(out);
    const T base = *AS_C(x);
    int nt = FN(nthreads)(n);
    #pragma omp parallel for schedule(static) num_threads(nt)
    for (int t = 0; t < nt; t++) {
        size_t lo, hi;
        FN(part)(n, t, nt, &lo, &hi);
        if (lo >= hi) continue;
        uint64_t e[4] = {(uint64_t)lo, 0, 0, 0};
        T acc;
        FN(pow_limbs)(&acc, &base, e);
        for (size_t i = lo; i < hi; i++) {
            z[i] = acc;
            FN(mul)(&acc, &acc, &base);
        }
    }
}

/* Reduce a 256-bit integer below p (at most five subtractions: 2^256 < 6p). */
static inline void FN(reduce_u256)(T *z) {
    while (FN(u256_geq)(z->v, FN(modulus).v)) FN(u256_sub)(z->v, FN(modulus).v);
}

/*
 * Uniform elements from a 32-byte key: element i is the 512-bit little-endian
 * integer of ChaCha20 block (counter0 + i, nonce 0), reduced mod p (bias < 2^-256).
 * The same key and counter always give the same vector, on any thread count.
 */
void API(vec_random)(uint64_t *out, size_t n, const uint8_t *key, uint32_t counter0) {
    T *z = AS(out);
    static const uint8_t nonce[12] = {0};
    ZK_VEC_LOOP({
        uint8_t block[64];
        T lo, hi, a, b;
        zkcx_chacha20_block(block, key, counter0 + (uint32_t)i, nonce);
        memcpy(lo.v, block, 32);        /* little-endian host: bytes are limbs */
        memcpy(hi.v, block + 32, 32);
        FN(reduce_u256)(&lo);
        FN(reduce_u256)(&hi);
        FN(mul)(&a, &lo, &FN(r2));      /* lo * R */
        FN(mul)(&b, &hi, &FN(r3));      /* hi * 2^256 * R */
        FN(add)(&z[i], &a, &b);
    });
}

/* ---- conversions ---------------------------------------------------------------- */

/* to_mont and from_mont are the products by R^2 and by the plain 1: the IFMA kernels
 * where the CPU has them (canonical inputs are below the modulus: Python checks). */
static const T FN(plain_one) = {{1, 0, 0, 0}};

void API(vec_from_canonical)(uint64_t *out, const uint64_t *in, size_t n) {
    T *z = AS(out); const T *x = AS_C(in);
    ZK_MUL_PART_LOOP(FN(vec_mul_by_ifma)(z + lo, x + lo, &FN(r2), hi - lo),
                     FN(to_mont)(&z[i], &x[i]));
}

void API(vec_to_canonical)(uint64_t *out, const uint64_t *in, size_t n) {
    T *z = AS(out); const T *x = AS_C(in);
    ZK_MUL_PART_LOOP(FN(vec_mul_by_ifma)(z + lo, x + lo, &FN(plain_one), hi - lo),
                     FN(from_mont)(&z[i], &x[i]));
}

/* 32 bytes per element, little- or big-endian, canonical (plain) values < p. */
void API(vec_from_bytes)(uint64_t *out, const uint8_t *in, size_t n, int big_endian) {
    T *z = AS(out);
    ZK_VEC_LOOP({
        T plain;
        const uint8_t *src = in + 32 * i;
        for (int k = 0; k < 4; k++) {
            uint64_t w = 0;
            for (int j = 0; j < 8; j++) {
                uint8_t byte = big_endian ? src[31 - (8 * k + j)] : src[8 * k + j];
                w |= (uint64_t)byte << (8 * j);
            }
            plain.v[k] = w;
        }
        FN(to_mont)(&z[i], &plain);
    });
}

/* Elements [lo, hi) as bytes, a chunk at a time: out of Montgomery form (IFMA or
 * scalar), then each limb's 8 bytes in the order asked for. */
static void FN(part_to_bytes)(uint8_t *out, const T *x, size_t lo, size_t hi,
                              int big_endian, int ifma) {
    enum { CHUNK = 256 };
    T plain[CHUNK];
    for (size_t c = lo; c < hi; c += CHUNK) {
        size_t len = hi - c < CHUNK ? hi - c : CHUNK;
        if (ifma) FN(vec_mul_by_ifma)(plain, x + c, &FN(plain_one), len);
        else for (size_t i = 0; i < len; i++) FN(from_mont)(&plain[i], &x[c + i]);
        for (size_t i = 0; i < len; i++) {
            uint8_t *dst = out + 32 * (c + i);
            for (int k = 0; k < 4; k++) {
                uint64_t w = plain[i].v[k];
                if (big_endian) {
                    w = __builtin_bswap64(w);
                    memcpy(dst + 8 * (3 - k), &w, 8);
                } else {
                    memcpy(dst + 8 * k, &w, 8);   /* little-endian host (x86-64, arm64) */
                }
            }
        }
    }
}

void API(vec_to_bytes)(uint8_t *out, const uint64_t *in, size_t n, int big_endian) {
    const T *x = AS_C(in);
    int nt_ = FN(nthreads)(n);
    int ifma_ = zkcx_runtime_use_ifma();
    (void)nt_;
    #pragma omp parallel for schedule(static) num_threads(nt_)
    for (int t = 0; t < nt_; t++) {
        size_t lo, hi;
        FN(part)(n, t, nt_, &lo, &hi);
        FN(part_to_bytes)(out, x, lo, hi, big_endian, ifma_);
    }
}

/* Signed 64-bit integers embed as x mod p (negatives as p - |x|). */
void API(vec_from_int64)(uint64_t *out, const int64_t *in, size_t n) {
    T *z = AS(out);
    ZK_VEC_LOOP({
        int64_t v = in[i];
        /* |v| as unsigned, valid for INT64_MIN too */
        uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        T plain = {{mag, 0, 0, 0}}, mont;
        FN(to_mont)(&mont, &plain);
        if (v < 0) FN(neg)(&z[i], &mont);
        else z[i] = mont;
    });
}

#undef ZK_VEC_LOOP
#undef ZK_MUL_PART_LOOP
#undef AS
#undef AS_C
#undef FN
#undef API
#undef T
