/* SPDX-License-Identifier: MIT */
#include "blake2b.h"
#include <string.h>

static const uint64_t IV[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

static const uint8_t SIGMA[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

typedef struct {
    uint8_t buf[128];
    uint64_t h[8];
    uint64_t t, c, f;
} blake2b_ctx;

static inline uint64_t load64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static inline void store64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t rotr64(uint64_t x, int k) { return (x >> k) | (x << (64 - k)); }

#define MIX(a, b, c, d, x, y)                     \
    a = a + b + (x); d = rotr64(d ^ a, 32);       \
    c = c + d;       b = rotr64(b ^ c, 24);       \
    a = a + b + (y); d = rotr64(d ^ a, 16);       \
    c = c + d;       b = rotr64(b ^ c, 63)

/* F of RFC 7693 with the 128-bit counter (t, 0); last selects the final block. */
static void compress(uint64_t h[8], const uint8_t *block, uint64_t t, int last) {
    uint64_t m[16], v[16];
    for (int i = 0; i < 16; i++) m[i] = load64(block + 8 * i);
    for (int i = 0; i < 8; i++) { v[i] = h[i]; v[8 + i] = IV[i]; }
    v[12] ^= t;
    if (last) v[14] = ~v[14];
    for (int r = 0; r < 12; r++) {
        const uint8_t *s = SIGMA[r];
        MIX(v[0], v[4], v[8], v[12], m[s[0]], m[s[1]]);
        MIX(v[1], v[5], v[9], v[13], m[s[2]], m[s[3]]);
        MIX(v[2], v[6], v[10], v[14], m[s[4]], m[s[5]]);
        MIX(v[3], v[7], v[11], v[15], m[s[6]], m[s[7]]);
        MIX(v[0], v[5], v[10], v[15], m[s[8]], m[s[9]]);
        MIX(v[1], v[6], v[11], v[12], m[s[10]], m[s[11]]);
        MIX(v[2], v[7], v[8], v[13], m[s[12]], m[s[13]]);
        MIX(v[3], v[4], v[9], v[14], m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++) h[i] ^= v[i] ^ v[8 + i];
}

static void unpack(blake2b_ctx *ctx, const uint8_t *state) {
    memcpy(ctx->buf, state, 128);
    for (int i = 0; i < 8; i++) ctx->h[i] = load64(state + 128 + 8 * i);
    ctx->t = load64(state + 192);
    ctx->c = load64(state + 200);
    ctx->f = load64(state + 208);
}

static void pack(uint8_t *state, const blake2b_ctx *ctx) {
    memcpy(state, ctx->buf, 128);
    for (int i = 0; i < 8; i++) store64(state + 128 + 8 * i, ctx->h[i]);
    store64(state + 192, ctx->t);
    store64(state + 200, ctx->c);
    store64(state + 208, ctx->f);
}

void zkcx_blake2b_init(uint8_t *state) {
    blake2b_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    for (int i = 0; i < 8; i++) ctx.h[i] = IV[i];
    ctx.h[0] ^= 0x01010000ULL | 64; /* depth 1, fanout 1, no key, 64-byte digest */
    pack(state, &ctx);
}

void zkcx_blake2b_update(uint8_t *state, const uint8_t *data, size_t n) {
    blake2b_ctx ctx;
    unpack(&ctx, state);
    if (ctx.c > 128) ctx.c = 128; /* a state the caller did not validate: stay in bounds */
    size_t pos = 0;
    while (pos < n) {
        if (ctx.c == 128) { /* a full buffer is compressed only once more input arrives */
            ctx.t += 128;
            compress(ctx.h, ctx.buf, ctx.t, 0);
            ctx.c = 0;
        }
        size_t room = 128 - (size_t)ctx.c, rest = n - pos;
        size_t take = room < rest ? room : rest;
        if (take == 128 && rest > 128) { /* whole blocks, none of them the input's last */
            for (; n - pos > 128; pos += 128) {
                ctx.t += 128;
                compress(ctx.h, data + pos, ctx.t, 0);
            }
            continue;
        }
        memcpy(ctx.buf + ctx.c, data + pos, take);
        ctx.c += take;
        pos += take;
    }
    pack(state, &ctx);
}

void zkcx_blake2b_final(const uint8_t *state, uint8_t *out) {
    blake2b_ctx ctx;
    unpack(&ctx, state);
    if (ctx.c > 128) ctx.c = 128;
    memset(ctx.buf + ctx.c, 0, 128 - (size_t)ctx.c);
    compress(ctx.h, ctx.buf, ctx.t + ctx.c, 1);
    for (int i = 0; i < 8; i++) store64(out + 8 * i, ctx.h[i]);
}
