/* SPDX-License-Identifier: MIT */
/*
 * The run plan of a transform, shared by ntt.c (the plan, the scalar path, the runs)
 * and ntt_ifma.c (the packed AVX-512 IFMA path); nothing else includes this.
 */
#ifndef ZKCX_NTT_PLAN_H
#define ZKCX_NTT_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include "field.h"
#include "ifma_inline.h"

/* 1 where the packed path is compiled in (x86-64 GCC/Clang without -DZKCX_NO_IFMA). */
#define NTT_IFMA IFMA_AVAILABLE

#define PACK_U64 40u      /* uint64 words per pack: 5 limbs x 8 lanes */

enum { SCALE_NONE, SCALE_CONST, SCALE_COSET };

/*
 * What one run over an array does, in order:
 *   1. the DIF stages (if dif): the groups above the blocks, top down, then per block;
 *   2. per block, right after its DIF stages: the scaling, on bit-reversed positions;
 *   3. the DIT stages (if dit): per block, then the groups above, the top group left
 *      out when skip_top_dit (the quotient runs it on three arrays at once).
 */
typedef struct {
    unsigned k, kb;   /* n = 2^k; stages lm < kb run per block of 2^kb */
    int nt, packed;   /* packed: the IFMA path */
    size_t cols;      /* tile width of the stage groups (a multiple of 8, <= 2^kb) */
    const fr_t *dif, *dit; /* twiddle tables of the stages, NULL: no such stages */
    int scale;
    fr_t c;           /* SCALE_CONST: every element times c */
    const fr_t *S;    /* SCALE_COSET: position p = b 2^kb + l gets S[l] h^rev(b), */
    fr_t h;           /*   S[l] = c u^rev(l) (see coset_table) */
    int skip_top_dit;
    uint64_t *scratch; /* per thread: scratch_len words, 64-byte aligned */
    size_t scratch_len;
} ntt_plan_t;

/* h^rev_(k-kb)(b): the block factor of the coset scaling (ntt.c). */
void ntt_block_factor(fr_t *out, size_t b, const ntt_plan_t *P);

#if NTT_IFMA
/* The packed passes (ntt_ifma.c), for plans with P->packed set; see ntt.c for the
 * layout and ntt_ifma.c for the packs. buf is the calling thread's scratch. */

/* The in-cache part (DIF stages, scaling, DIT stages) on blocks 8 s .. 8 s + 7. */
void ntt_pk_superblock(fr_t *a, size_t s, const ntt_plan_t *P, uint64_t *buf);
/* A tile of the stage group [lo, hi) (see tile_base in ntt.c) into packs, and back. */
void ntt_pk_tile_load(uint64_t *buf, const fr_t *a, size_t base, unsigned lo, unsigned hi,
                      size_t cols);
void ntt_pk_tile_store(fr_t *a, const uint64_t *buf, size_t base, unsigned lo, unsigned hi,
                       size_t cols);
/* Stages [lo, hi) on a packed tile: DIF from hi - 1 down, DIT from lo up. */
void ntt_pk_tile_stages(uint64_t *buf, size_t base, unsigned lo, unsigned hi, size_t cols,
                        const fr_t *tw, int dit);
/* x <- x y - z on npacks packs. */
void ntt_pk_mul_sub(uint64_t *x, const uint64_t *y, const uint64_t *z, size_t npacks);
#endif

#endif
