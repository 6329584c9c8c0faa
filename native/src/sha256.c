/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4) iterated on its own 32-byte digest: the beacon's 2^e rounds
 * (snarkjs's rngFromBeaconParams). A 32-byte message is one padded block, so each round
 * is one compression of the previous digest's eight words, the padding word 0x80000000
 * and the bit length 256, from the initial hash value: no bytes in between. */
#include "sha256.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ZKCX_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define ZKCX_SHA_NI 0
#endif

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t IV[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

static inline uint32_t rotr(uint32_t x, int k) { return (x >> k) | (x << (32 - k)); }

/* h = IV compressed with the block (d[0..7], 0x80000000, 0 x 6, 256) */
static void round_of(uint32_t d[8]) {
    uint32_t w[64];
    for (int i = 0; i < 8; i++) w[i] = d[i];
    w[8] = 0x80000000u;
    for (int i = 9; i < 15; i++) w[i] = 0;
    w[15] = 256;
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = IV[0], b = IV[1], c = IV[2], e = IV[4], f = IV[5], g = IV[6];
    uint32_t dd = IV[3], h = IV[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g; g = f; f = e; e = dd + t1; dd = c; c = b; b = a; a = t1 + t2;
    }
    d[0] = IV[0] + a; d[1] = IV[1] + b; d[2] = IV[2] + c; d[3] = IV[3] + dd;
    d[4] = IV[4] + e; d[5] = IV[5] + f; d[6] = IV[6] + g; d[7] = IV[7] + h;
}

#if ZKCX_SHA_NI
/* The SHA extensions (SHA-NI), in the round structure of Intel's white paper "Intel SHA
 * Extensions" (2013): four message vectors in rotation, sha256msg1/msg2 expanding the
 * schedule, two sha256rnds2 per four rounds on the (ABEF, CDGH) state halves. */
static int sha_ni_available(void) {
    unsigned a, b, c, d;
    if (__get_cpuid_max(0, NULL) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    if (!((b >> 29) & 1)) return 0;                      /* SHA */
    __cpuid(1, a, b, c, d);
    return ((c >> 19) & 1) && ((c >> 9) & 1);            /* SSE4.1, SSSE3 */
}

__attribute__((target("sha,sse4.1,ssse3")))
static void rounds_sha_ni(uint32_t d[8], uint64_t rounds) {
    const __m128i iv_abef = _mm_set_epi32((int)IV[0], (int)IV[1], (int)IV[4], (int)IV[5]);
    const __m128i iv_cdgh = _mm_set_epi32((int)IV[2], (int)IV[3], (int)IV[6], (int)IV[7]);
    const __m128i pad = _mm_set_epi32(0, 0, 0, (int)0x80000000u);
    const __m128i len = _mm_set_epi32(256, 0, 0, 0);
    __m128i lo = _mm_loadu_si128((const __m128i *)d);        /* words 0..3, lane 0 first */
    __m128i hi = _mm_loadu_si128((const __m128i *)(d + 4));
    for (uint64_t r = 0; r < rounds; r++) {
        __m128i m[4] = {lo, hi, pad, len};
        __m128i abef = iv_abef, cdgh = iv_cdgh;
        for (int g = 0; g < 16; g++) {
            __m128i msg = _mm_add_epi32(m[g & 3], _mm_loadu_si128((const __m128i *)&K[4 * g]));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg);
            if (g >= 3 && g < 15) {
                __m128i t = _mm_alignr_epi8(m[g & 3], m[(g - 1) & 3], 4);
                m[(g + 1) & 3] = _mm_sha256msg2_epu32(_mm_add_epi32(m[(g + 1) & 3], t), m[g & 3]);
            }
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(msg, 0x0E));
            if (g >= 1 && g < 13) m[(g - 1) & 3] = _mm_sha256msg1_epu32(m[(g - 1) & 3], m[g & 3]);
        }
        abef = _mm_add_epi32(abef, iv_abef);
        cdgh = _mm_add_epi32(cdgh, iv_cdgh);
        /* (ABEF, CDGH) back to (ABCD, EFGH), lane 0 first */
        __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
        __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
        lo = _mm_blend_epi16(feba, dchg, 0xF0);
        hi = _mm_alignr_epi8(dchg, feba, 8);
    }
    _mm_storeu_si128((__m128i *)d, lo);
    _mm_storeu_si128((__m128i *)(d + 4), hi);
}
#endif

void zkcx_sha256_iterate(uint8_t *digest, uint64_t rounds, int allow_sha_ni) {
    uint32_t d[8];
    for (int i = 0; i < 8; i++)
        d[i] = ((uint32_t)digest[4 * i] << 24) | ((uint32_t)digest[4 * i + 1] << 16) |
               ((uint32_t)digest[4 * i + 2] << 8) | (uint32_t)digest[4 * i + 3];
#if ZKCX_SHA_NI
    if (allow_sha_ni && sha_ni_available()) {
        rounds_sha_ni(d, rounds);
        rounds = 0;
    }
#else
    (void)allow_sha_ni;
#endif
    for (uint64_t r = 0; r < rounds; r++) round_of(d);
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(d[i] >> 24); digest[4 * i + 1] = (uint8_t)(d[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(d[i] >> 8); digest[4 * i + 3] = (uint8_t)d[i];
    }
}
