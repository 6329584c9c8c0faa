/* SPDX-License-Identifier: MIT */
#ifndef ZKCX_CHACHA20_H
#define ZKCX_CHACHA20_H
#include <stdint.h>
/* One 64-byte ChaCha20 block (RFC 8439): 32-byte key, 32-bit block counter, 96-bit
 * nonce. Used for reproducible random vectors from a caller-supplied seed. */
void zkcx_chacha20_block(uint8_t *out, const uint8_t *key, uint32_t counter,
                         const uint8_t *nonce);
#endif
