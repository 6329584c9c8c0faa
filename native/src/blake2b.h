/* SPDX-License-Identifier: MIT */
#ifndef ZKCX_BLAKE2B_H
#define ZKCX_BLAKE2B_H
#include <stddef.h>
#include <stdint.h>
/* BLAKE2b-512 (RFC 7693, no key) whose whole state is a 216-byte array a caller can
 * save and resume, in blake2b-wasm's layout (the one snarkjs stores in a .ptau file):
 *   [0, 128)   the block buffer (bytes beyond the fill c are left as they were)
 *   [128, 192) h[0..7], little-endian u64
 *   [192, 200) t: bytes compressed so far (u64 LE)
 *   [200, 208) c: bytes waiting in the buffer, 0..128 (u64 LE)
 *   [208, 216) f: the finalisation flag, 0 while hashing
 * As snarkjs's hasher (@noble/hashes), the last block stays in the buffer until more
 * input arrives (c may be 128), and whole blocks of an update that are not its last
 * block are compressed straight from the input, without passing through the buffer:
 * the saved buffer bytes are then byte-identical to snarkjs's for the same updates. */
#define ZKCX_BLAKE2B_STATE_BYTES 216

void zkcx_blake2b_init(uint8_t *state);
void zkcx_blake2b_update(uint8_t *state, const uint8_t *data, size_t n);
/* The 64-byte digest of the bytes hashed so far; the state is left unchanged. */
void zkcx_blake2b_final(const uint8_t *state, uint8_t *out);
#endif
