/* SPDX-License-Identifier: MIT */
/*
 * The BN254 generators in Montgomery form, for the C test harnesses (include after
 * g1.h and g2.h): G1 = (1, 2) and EIP-197's G2.
 */
#ifndef ZKCX_TEST_GENERATORS_H
#define ZKCX_TEST_GENERATORS_H

static void g1_gen(g1_aff_t *g) {
    uint64_t one[4] = {1, 0, 0, 0}, two[4] = {2, 0, 0, 0};
    fq_to_mont(&g->x, (const fq_t *)one);
    fq_to_mont(&g->y, (const fq_t *)two);
}
static const uint64_t G2X0[4] = {0x46debd5cd992f6edULL, 0x674322d4f75edaddULL, 0x426a00665e5c4479ULL, 0x1800deef121f1e76ULL};
static const uint64_t G2X1[4] = {0x97e485b7aef312c2ULL, 0xf1aa493335a9e712ULL, 0x7260bfb731fb5d25ULL, 0x198e9393920d483aULL};
static const uint64_t G2Y0[4] = {0x4ce6cc0166fa7daaULL, 0xe3d1e7690c43d37bULL, 0x4aab71808dcb408fULL, 0x12c85ea5db8c6debULL};
static const uint64_t G2Y1[4] = {0x55acdadcd122975bULL, 0xbc4b313370b38ef3ULL, 0xec9e99ad690c3395ULL, 0x090689d0585ff075ULL};
static void g2_gen(g2_aff_t *g) {
    fq_to_mont(&g->x.c0, (const fq_t *)G2X0);
    fq_to_mont(&g->x.c1, (const fq_t *)G2X1);
    fq_to_mont(&g->y.c0, (const fq_t *)G2Y0);
    fq_to_mont(&g->y.c1, (const fq_t *)G2Y1);
}

#endif
