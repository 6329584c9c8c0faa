/* SPDX-License-Identifier: MIT */
/*
 * The packed path of the transforms (ntt.c) on AVX-512 IFMA. The data of a pass is
 * converted once into packs of 8 elements held as 5 limb vectors of 52 bits (lane
 * e = element e), and every butterfly of the pass (the Montgomery product of
 * ifma_inline.h, modular add and subtract) runs on packs with no further conversion;
 * converting per butterfly would cost a third of the time. In the block pass the 8
 * lanes of a pack are 8 different blocks, so every in-block stage is lane-parallel,
 * and a root is the same in all lanes (a broadcast). Results are identical to the
 * scalar path's.
 *
 * Everything here is compiled for AVX-512 through target attributes; ntt.c calls it
 * only for plans with P->packed set (zkcx_runtime_use_ifma()). Without the intrinsics
 * (or with -DZKCX_NO_IFMA) the file is empty and NTT_IFMA is 0.
 */
#include <stddef.h>
#include <stdint.h>
#include "ntt_plan.h"

#if NTT_IFMA
#define NTT_TARGET IFMA_TARGET
#define NTT_INLINE IFMA_INLINE

/* r in radix 2^52 (ifma_inline.h). */
#define FR52 IFMA_FIELD(FR)

#define V(x) _mm512_set1_epi64((long long)(x))

/*
 * A pack: 8 elements as 5 vectors of 52-bit limbs, vector l = limb l of the 8 lanes,
 * each limb exact (< 2^52) and the value < r. In scratch memory a pack is PACK_U64
 * words, 64-byte aligned.
 */
NTT_INLINE void pk_ld(__m512i r[5], const uint64_t *p) {
    for (int l = 0; l < 5; l++) r[l] = _mm512_load_si512((const void *)(p + 8 * l));
}
NTT_INLINE void pk_st(uint64_t *p, const __m512i r[5]) {
    for (int l = 0; l < 5; l++) _mm512_store_si512((void *)(p + 8 * l), r[l]);
}

/* 4 x 64 -> 5 x 52 limbs of x, or of 16x when x16 (exact: 16x < 2^258): the product
 * below wants its first operand as 16x, see montmul52. */
NTT_INLINE void to52(__m512i r[5], const __m512i v[4], const int x16) {
    if (x16)
        ifma_to52_x16(r, v);
    else
        ifma_to52(r, v);
}

/* Pack 8 elements src[e * stride], e < 8 (stride 1: consecutive), and unpack. */
NTT_INLINE void ld_elems(__m512i r[5], const fr_t *src, size_t stride, const int x16) {
    __m512i x[4], v[4];
    if (stride == 1) {
        for (int i = 0; i < 4; i++) x[i] = _mm512_loadu_si512((const void *)(src[2 * i].v));
    } else {
        for (int i = 0; i < 4; i++) {
            const void *e0 = src[2 * i * stride].v, *e1 = src[(2 * i + 1) * stride].v;
            __m256i lo = _mm256_loadu_si256((const __m256i *)e0);
            __m256i hi = _mm256_loadu_si256((const __m256i *)e1);
            x[i] = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
        }
    }
    ifma_transpose_in(v, x);
    to52(r, v, x16);
}
NTT_INLINE void st_elems(fr_t *dst, size_t stride, const __m512i r[5]) {
    __m512i x[4], v[4];
    ifma_to64(v, r);
    ifma_transpose_out(x, v);
    if (stride == 1) {
        for (int i = 0; i < 4; i++) _mm512_storeu_si512((void *)(dst[2 * i].v), x[i]);
    } else {
        for (int i = 0; i < 4; i++) {
            void *e0 = dst[2 * i * stride].v, *e1 = dst[(2 * i + 1) * stride].v;
            _mm256_storeu_si256((__m256i *)e0, _mm512_castsi512_si256(x[i]));
            _mm256_storeu_si256((__m256i *)e1, _mm512_extracti64x4_epi64(x[i], 1));
        }
    }
}

/* One element in every lane, as 16x (the product's first operand) or as x. */
NTT_INLINE void bcast(__m512i r[5], const fr_t *w, const int x16) {
    __m512i v[4];
    for (int l = 0; l < 4; l++) v[l] = V(w->v[l]);
    to52(r, v, x16);
}

/*
 * z = x + y mod r and d = x - y mod r on packs. Each result is formed twice on
 * unnormalised columns (the plain value with carries, and the value -/+ r with
 * arithmetic-shift carries that may go negative); the sign of the top limb picks the
 * reduced one, with no branch. Limbs come out exact.
 */
NTT_INLINE void addsub52(__m512i z[5], __m512i d[5], const __m512i x[5], const __m512i y[5]) {
    const __m512i m = V(M52);
    const ifma_field_t f = FR52;
    __m512i P[5], s[5], e[5], sp[5], ep[5];
    for (int i = 0; i < 5; i++) P[i] = V(f.p[i]);
    for (int i = 0; i < 5; i++) {
        s[i] = _mm512_add_epi64(x[i], y[i]); /* < 2^53 */
        e[i] = _mm512_sub_epi64(x[i], y[i]); /* in (-2^52, 2^52) */
    }
    sp[0] = _mm512_sub_epi64(s[0], P[0]);
    ep[0] = _mm512_add_epi64(e[0], P[0]);
    for (int i = 1; i < 5; i++) {
        sp[i] = _mm512_add_epi64(_mm512_sub_epi64(s[i], P[i]), _mm512_srai_epi64(sp[i - 1], 52));
        ep[i] = _mm512_add_epi64(_mm512_add_epi64(e[i], P[i]), _mm512_srai_epi64(ep[i - 1], 52));
    }
    for (int i = 1; i < 5; i++) {
        s[i] = _mm512_add_epi64(s[i], _mm512_srli_epi64(s[i - 1], 52));
        e[i] = _mm512_add_epi64(e[i], _mm512_srai_epi64(e[i - 1], 52));
    }
    const __mmask8 s_small = _mm512_movepi64_mask(sp[4]); /* x + y < r: keep x + y */
    const __mmask8 e_neg = _mm512_movepi64_mask(e[4]);    /* x - y < 0: take x - y + r */
    for (int i = 0; i < 4; i++) {
        z[i] = _mm512_and_si512(_mm512_mask_blend_epi64(s_small, sp[i], s[i]), m);
        d[i] = _mm512_and_si512(_mm512_mask_blend_epi64(e_neg, e[i], ep[i]), m);
    }
    z[4] = _mm512_mask_blend_epi64(s_small, sp[4], s[4]);
    d[4] = _mm512_mask_blend_epi64(e_neg, e[4], ep[4]);
}

/*
 * r[q] = a[q] b[q] / 2^260 mod r for q < nb (nb <= 2), with a[q] = 16x and b[q] = y,
 * x, y < r: that is x y / 2^256, the scalar Montgomery product (ifma_montmul52 of
 * ifma_inline.h, on packs that stay in radix 2^52 for the whole pass). Only the low
 * 52 bits of each operand limb are read; output limbs are exact.
 */
NTT_INLINE void montmul52(__m512i r[][5], const __m512i a[][5], const __m512i b[][5],
                          const int nb) {
    ifma_montmul52_sum(r, a, b, NULL, NULL, nb, IFMA_EXACT, FR52);
}

#define MM(r, a, b, nb) montmul52((r), (const __m512i(*)[5])(a), (const __m512i(*)[5])(b), (nb))

/*
 * nb (1 or 2) pack butterflies (x[q], y[q]), q < nb, with roots W[q] in pack form (16 w
 * per lane, as bcast and ld_elems give them with x16) or, W == NULL, root 1. The roots
 * come converted so that a root pack is converted once for all the butterflies that
 * use it (the stage loops below run over the rows that share one innermost).
 */
NTT_INLINE void pk_bfly(uint64_t *const x[2], uint64_t *const y[2], const __m512i W[2][5],
                        const int nb, const int dit) {
    __m512i X[2][5], Y[2][5], S[2][5];
    for (int q = 0; q < nb; q++) {
        pk_ld(X[q], x[q]);
        pk_ld(Y[q], y[q]);
    }
    if (dit && W != NULL) MM(Y, W, Y, nb);
    for (int q = 0; q < nb; q++) {
        addsub52(S[q], Y[q], X[q], Y[q]);
        pk_st(x[q], S[q]);
    }
    if (!dit && W != NULL) MM(Y, W, Y, nb);
    for (int q = 0; q < nb; q++) pk_st(y[q], Y[q]);
}

/* Stage lm < kb of the packed block pass: packs p and p + m, root w_2m^(p mod m). */
NTT_INLINE void pk_block_stage(uint64_t *buf, size_t npacks, unsigned lm, const fr_t *tw,
                               const int dit) {
    const size_t m = (size_t)1 << lm;
    if (lm == 0) { /* root 1; two blocks at a time */
        for (size_t p = 0; p < npacks; p += 4) {
            uint64_t *const x[2] = {buf + p * PACK_U64, buf + (p + 2) * PACK_U64};
            uint64_t *const y[2] = {x[0] + PACK_U64, x[1] + PACK_U64};
            pk_bfly(x, y, NULL, 2, dit);
        }
        return;
    }
    /* each root pair converted once, for all the groups p0 that use it */
    for (size_t j = 0; j < m; j += 2) {
        __m512i W[2][5];
        bcast(W[0], tw + m - 1 + j, 1);
        bcast(W[1], tw + m + j, 1);
        for (size_t p0 = 0; p0 < npacks; p0 += 2 * m) {
            uint64_t *const x[2] = {buf + (p0 + j) * PACK_U64, buf + (p0 + j + 1) * PACK_U64};
            uint64_t *const y[2] = {x[0] + m * PACK_U64, x[1] + m * PACK_U64};
            pk_bfly(x, y, (const __m512i(*)[5])W, 2, dit);
        }
    }
}

/* x <- x * f for a pack x and a multiplier given as 16 f. */
NTT_INLINE void pk_scale(uint64_t *x, const __m512i f16[5]) {
    __m512i X[1][5], F[1][5];
    pk_ld(X[0], x);
    for (int l = 0; l < 5; l++) F[0][l] = f16[l];
    MM(X, F, X, 1);
    pk_st(x, X[0]);
}

/* The in-cache part on 8 blocks 8 s .. 8 s + 7 at once: lane e of pack p holds element
 * p of block 8 s + e. Load, DIF stages, scaling, DIT stages, store. */
NTT_INLINE void pk_superblock_t(fr_t *a, size_t s, const ntt_plan_t *P, uint64_t *buf,
                                const int dif, const int dit) {
    const size_t npacks = (size_t)1 << P->kb;
    fr_t *base = a + (s << (P->kb + 3));
    for (size_t p = 0; p < npacks; p++) {
        __m512i r[5];
        ld_elems(r, base + p, npacks, 0);
        pk_st(buf + p * PACK_U64, r);
    }
    if (dif) {
        for (unsigned lm = P->kb; lm-- > 0;) pk_block_stage(buf, npacks, lm, P->dif, 0);
    }
    if (P->scale == SCALE_CONST) {
        __m512i c16[5];
        bcast(c16, &P->c, 1);
        for (size_t p = 0; p < npacks; p++) pk_scale(buf + p * PACK_U64, c16);
    } else if (P->scale == SCALE_COSET) {
        fr_t sig[8];
        __m512i sig16[1][5];
        for (size_t e = 0; e < 8; e++) ntt_block_factor(&sig[e], 8 * s + e, P);
        ld_elems(sig16[0], sig, 1, 1);
        for (size_t p = 0; p < npacks; p++) {
            __m512i Sp[1][5], F[1][5], F16[5];
            bcast(Sp[0], &P->S[p], 0);
            MM(F, sig16, Sp, 1); /* S[p] h^rev(b) per lane */
            ifma_limbs_x16(F16, F[0]);
            pk_scale(buf + p * PACK_U64, F16);
        }
    }
    if (dit) {
        for (unsigned lm = 0; lm < P->kb; lm++) pk_block_stage(buf, npacks, lm, P->dit, 1);
    }
    for (size_t p = 0; p < npacks; p++) {
        __m512i r[5];
        pk_ld(r, buf + p * PACK_U64);
        st_elems(base + p, npacks, r);
    }
}

NTT_TARGET void ntt_pk_superblock(fr_t *a, size_t s, const ntt_plan_t *P, uint64_t *buf) {
    if (P->dif && P->dit) pk_superblock_t(a, s, P, buf, 1, 1);
    else if (P->dif) pk_superblock_t(a, s, P, buf, 1, 0);
    else pk_superblock_t(a, s, P, buf, 0, 1);
}

/* Tiles of a stage group, packed: row t, columns 8i .. 8i + 7 form pack t cols/8 + i. */
NTT_TARGET void ntt_pk_tile_load(uint64_t *buf, const fr_t *a, size_t base, unsigned lo,
                                    unsigned hi, size_t cols) {
    const size_t cp = cols / 8;
    for (size_t t = 0; t < ((size_t)1 << (hi - lo)); t++) {
        for (size_t i = 0; i < cp; i++) {
            __m512i r[5];
            ld_elems(r, a + base + (t << lo) + 8 * i, 1, 0);
            pk_st(buf + (t * cp + i) * PACK_U64, r);
        }
    }
}

NTT_TARGET void ntt_pk_tile_store(fr_t *a, const uint64_t *buf, size_t base, unsigned lo,
                                     unsigned hi, size_t cols) {
    const size_t cp = cols / 8;
    for (size_t t = 0; t < ((size_t)1 << (hi - lo)); t++) {
        for (size_t i = 0; i < cp; i++) {
            __m512i r[5];
            pk_ld(r, buf + (t * cp + i) * PACK_U64);
            st_elems(a + base + (t << lo) + 8 * i, 1, r);
        }
    }
}

/* Stages [lo, hi) on a packed tile (see tile_base for the roots). */
NTT_INLINE void pk_tile_stages_t(uint64_t *buf, size_t base, unsigned lo, unsigned hi,
                                 size_t cols, const fr_t *tw, const int dit) {
    const size_t cp = cols / 8, col0 = base & (((size_t)1 << lo) - 1);
    for (unsigned s = 0; s < hi - lo; s++) {
        const unsigned lm = dit ? lo + s : hi - 1 - s;
        const size_t hr = (size_t)1 << (lm - lo), m = (size_t)1 << lm;
        const size_t rows = (size_t)1 << (hi - lo);
        /* rows t with the same low bits j = t mod hr share their roots: each root pack
         * is converted once and used for all of them (rows t = j + k 2 hr, and t + hr) */
        for (size_t j = 0; j < hr; j++) {
            const fr_t *w = tw + m - 1 + col0 + (j << lo);
            size_t i = 0;
            for (; i + 2 <= cp; i += 2) {
                __m512i W[2][5];
                ld_elems(W[0], w + 8 * i, 1, 1);
                ld_elems(W[1], w + 8 * i + 8, 1, 1);
                for (size_t t = j; t < rows; t += 2 * hr) {
                    uint64_t *xr = buf + t * cp * PACK_U64, *yr = xr + hr * cp * PACK_U64;
                    uint64_t *const x[2] = {xr + i * PACK_U64, xr + (i + 1) * PACK_U64};
                    uint64_t *const y[2] = {yr + i * PACK_U64, yr + (i + 1) * PACK_U64};
                    pk_bfly(x, y, (const __m512i(*)[5])W, 2, dit);
                }
            }
            if (i < cp) {
                __m512i W[2][5];
                ld_elems(W[0], w + 8 * i, 1, 1);
                for (size_t t = j; t < rows; t += 2 * hr) {
                    uint64_t *xr = buf + t * cp * PACK_U64, *yr = xr + hr * cp * PACK_U64;
                    uint64_t *const x[2] = {xr + i * PACK_U64, NULL};
                    uint64_t *const y[2] = {yr + i * PACK_U64, NULL};
                    pk_bfly(x, y, (const __m512i(*)[5])W, 1, dit);
                }
            }
        }
    }
}

NTT_TARGET void ntt_pk_tile_stages(uint64_t *buf, size_t base, unsigned lo, unsigned hi,
                                      size_t cols, const fr_t *tw, int dit) {
    if (dit) pk_tile_stages_t(buf, base, lo, hi, cols, tw, 1);
    else pk_tile_stages_t(buf, base, lo, hi, cols, tw, 0);
}

/* x <- x y - z on npacks packs. */
NTT_TARGET void ntt_pk_mul_sub(uint64_t *x, const uint64_t *y, const uint64_t *z,
                                  size_t npacks) {
    for (size_t p = 0; p < npacks; p++) {
        __m512i X[1][5], X16[1][5], Y[1][5], Z[5], S[5];
        pk_ld(X[0], x + p * PACK_U64);
        pk_ld(Y[0], y + p * PACK_U64);
        pk_ld(Z, z + p * PACK_U64);
        ifma_limbs_x16(X16[0], X[0]);
        MM(X, X16, Y, 1);
        addsub52(S, X[0], X[0], Z);
        pk_st(x + p * PACK_U64, X[0]);
    }
}
#undef MM
#endif
