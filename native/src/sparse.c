/* SPDX-License-Identifier: MIT */
/*
 * Sparse matrix times vector over Fr, for R1CS evaluation (A·w, B·w, C·w): the
 * constraint matrices are stored in CSR form (row_ptr, col, coef), Montgomery limbs.
 * Rows are independent, so threads take contiguous row ranges.
 */
#include "../include/zkcx.h"
#include "field.h"
#include "runtime.h"

/*
 * out[r] = sum_{k in [row_ptr[r], row_ptr[r+1])} coef[k] * w[col[k]] for r < m.
 * The caller guarantees 0 <= row_ptr[r] <= row_ptr[r+1] <= nnz and col[k] < n_w
 * (Python checks both when the matrix is built); this function trusts them.
 */
void zkcx_fr_sparse_matvec(uint64_t *out, const int64_t *row_ptr, const int64_t *col,
                           const uint64_t *coef, size_t m, const uint64_t *w) {
    fr_t *z = (fr_t *)(void *)out;
    const fr_t *c = (const fr_t *)(const void *)coef;
    const fr_t *x = (const fr_t *)(const void *)w;
    int nt = m >= ZKCX_PARALLEL_MIN ? zkcx_runtime_threads() : 1;
    #pragma omp parallel for schedule(static) num_threads(nt)
    for (size_t r = 0; r < m; r++) {
        fr_t acc, prod;
        fr_set_zero(&acc);
        for (int64_t k = row_ptr[r]; k < row_ptr[r + 1]; k++) {
            /* coefficient 1 (most of a circom circuit's A and B): no product */
            if (fr_eq(&c[k], &fr_one)) {
                fr_add(&acc, &acc, &x[col[k]]);
            } else {
                fr_mul(&prod, &c[k], &x[col[k]]);
                fr_add(&acc, &acc, &prod);
            }
        }
        z[r] = acc;
    }
}
