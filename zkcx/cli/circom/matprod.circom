// SPDX-License-Identifier: MIT
// `zkcx bench`'s matrix product: Y = X·W for X (m×k), W (k×n), X and W private, Y public.
// One constraint per product (m·k·n): circom's --O2 folds each sum into the last product's
// constraint. Inputs are small integers, so most witness values are small.
pragma circom 2.0.0;

template MatProd(m, k, n) {
    signal input X[m][k];
    signal input W[k][n];
    signal output Y[m][n];
    signal product[m][n][k];
    for (var i = 0; i < m; i++) {
        for (var j = 0; j < n; j++) {
            var acc = 0;
            for (var l = 0; l < k; l++) {
                product[i][j][l] <== X[i][l] * W[l][j];
                acc += product[i][j][l];
            }
            Y[i][j] <== acc;
        }
    }
}
