/* SPDX-License-Identifier: MIT */
/*
 * The MSM harness's reference helpers, written once for both groups (included by
 * test_msm.c once per group, as native/src/curve_law.h is by g1.c and g2.c). Before
 * including, define GP(name) (the group's prefix: g1_##name), AFF_T, JAC_T, GROUP_MSM
 * (zkcx_g1_msm) and GROUP_LIMBS (limbs of an affine point: 8 or 16); they are undefined
 * at the end. Needs the group's GP(gen) and the harness's rnd_fr_canon.
 */

/* Points with known discrete logs: P_i = [a + i d] G for canonical a, d. One mixed
 * addition per point, then one batch inversion; dlog[i] (Montgomery Fr) = a + i d
 * unless dlog is NULL. */
static void GP(progression)(AFF_T *P, fr_t *dlog, size_t n) {
    AFF_T g, delta;
    JAC_T j, dj;
    fr_t a, d, am, dm;
    rnd_fr_canon(&a);
    rnd_fr_canon(&d);
    fr_to_mont(&am, &a);
    fr_to_mont(&dm, &d);
    GP(gen)(&g);
    GP(jac_mul)(&dj, &g, d.v);
    GP(aff_from_jac)(&delta, &dj);
    JAC_T *J = malloc(n * sizeof *J);
    GP(jac_mul)(&j, &g, a.v);
    for (size_t i = 0; i < n; i++) {
        J[i] = j;
        if (dlog) dlog[i] = am;
        GP(jac_add_aff)(&j, &j, &delta);
        fr_add(&am, &am, &dm);
    }
    GP(batch_to_aff)(P, J, n);
    free(J);
}

/* naive reference sum_i [s_i] P_i (Montgomery scalars), parallel over i */
static void GP(naive)(AFF_T *out, const AFF_T *P, const fr_t *S, size_t n) {
    JAC_T total;
    GP(jac_set_identity)(&total);
#ifdef _OPENMP
#pragma omp parallel
#endif
    {
        JAC_T acc, t;
        GP(jac_set_identity)(&acc);
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (size_t i = 0; i < n; i++) {
            fr_t c;
            fr_from_mont(&c, &S[i]);
            GP(jac_mul)(&t, &P[i], c.v);
            GP(jac_add)(&acc, &acc, &t);
        }
#ifdef _OPENMP
#pragma omp critical
#endif
        GP(jac_add)(&total, &total, &acc);
    }
    GP(aff_from_jac)(out, &total);
}

/* [sum_i dlog_i s_i] G */
static void GP(dlog_ref)(AFF_T *out, const fr_t *dlog, const fr_t *S, size_t n) {
    fr_t acc, t;
    fr_set_zero(&acc);
    for (size_t i = 0; i < n; i++) {
        fr_mul(&t, &dlog[i], &S[i]);
        fr_add(&acc, &acc, &t);
    }
    fr_from_mont(&t, &acc);
    AFF_T g;
    JAC_T j;
    GP(gen)(&g);
    GP(jac_mul)(&j, &g, t.v);
    GP(aff_from_jac)(out, &j);
}

/* 1 iff out[j] = a[j] + b[j] for j < m (tagged operands), by single additions */
static int GP(batch_matches_single)(const AFF_T *out, const msm_ptr_t *a, const msm_ptr_t *b,
                                    int m) {
    int ok = 1;
    for (int j = 0; j < m; j++) {
        AFF_T x, y, z;
        JAC_T jx;
        memcpy(&x, MSM_ADDR(a[j]), sizeof x);
        memcpy(&y, MSM_ADDR(b[j]), sizeof y);
        if (a[j] & MSM_NEG) GP(aff_neg)(&x, &x);
        if (b[j] & MSM_NEG) GP(aff_neg)(&y, &y);
        GP(jac_from_aff)(&jx, &x);
        GP(jac_add_aff)(&jx, &jx, &y);
        GP(aff_from_jac)(&z, &jx);
        if (memcmp(&z, &out[j], sizeof z) != 0) ok = 0;
    }
    return ok;
}

/* Every configuration: threads 1, 2 x IFMA off, on. Returns 1 iff all four agree and
 * are ZKCX_OK; the common result goes to out. */
static int GP(msm_all)(AFF_T *out, const AFF_T *P, const fr_t *S, size_t n) {
    int same = 1;
    uint64_t first[GROUP_LIMBS];
    for (int cfg = 0; cfg < 4; cfg++) {
        uint64_t r[GROUP_LIMBS];
        zkcx_set_threads(1 + (cfg & 1));
        zkcx_set_simd(cfg >> 1);
        int rc = GROUP_MSM(r, (const uint64_t *)P, (const uint64_t *)S, n);
        if (rc != ZKCX_OK) same = 0;
        if (cfg == 0) memcpy(first, r, sizeof first);
        else if (memcmp(first, r, sizeof first) != 0) same = 0;
    }
    zkcx_set_threads(2);
    zkcx_set_simd(1);
    memcpy(out, first, sizeof first);
    return same;
}

#undef GP
#undef AFF_T
#undef JAC_T
#undef GROUP_MSM
#undef GROUP_LIMBS
