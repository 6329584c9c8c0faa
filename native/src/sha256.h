/* SPDX-License-Identifier: MIT */
#ifndef ZKCX_SHA256_H
#define ZKCX_SHA256_H
#include <stdint.h>
/* Replace the 32-byte digest by SHA-256(digest), ``rounds`` times; with the CPU's SHA
 * extensions when it has them and allow_sha_ni is nonzero (the same result). */
void zkcx_sha256_iterate(uint8_t *digest, uint64_t rounds, int allow_sha_ni);
#endif
