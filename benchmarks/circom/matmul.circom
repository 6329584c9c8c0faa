// SPDX-License-Identifier: MIT
// zkcx's matmul kernel written in circom, for the comparison in benchmarks/RESULTS.md.
//
// Same semantics as zkcx.kernels.Matmul (docs/fixed-point.md):
//   Y = floor(X·W / 2^f) for X (m×k), W (k×n), toward −∞;
//   X, W private, each value range-checked to the signed bound B: -2^(B-1) <= x < 2^(B-1);
//   Y public, within the same bound B;
//   the floor proved by Z = Y·2^f + R with 0 <= R < 2^f (R range-checked) and Y range-checked.
// Negative values are field elements mod r. Range checks are circomlib's Num2Bits.
pragma circom 2.0.0;

include "circomlib/circuits/bitify.circom";

// -2^(B-1) <= in < 2^(B-1): the B-bit decomposition of in + 2^(B-1).
template SignedRange(B) {
    signal input in;
    component bits = Num2Bits(B);
    bits.in <== in + (1 << (B - 1));
}

// q = floor(z / 2^f) with -2^(B-1) <= q < 2^(B-1): z = q·2^f + r, 0 <= r < 2^f.
template Rescale(f, B) {
    signal input z;
    signal output q;
    // witness only: shift z into [0, 2^(f+B)) so that integer division is the floor
    q <-- ((z + (1 << (f + B - 1))) \ (1 << f)) - (1 << (B - 1));
    component remainder = Num2Bits(f);
    remainder.in <== z - q * (1 << f);
    component quotient = SignedRange(B);
    quotient.in <== q;
}

// Y = floor(X·W / 2^f); the products accumulate at full precision and are rescaled once.
template Matmul(m, k, n, f, B) {
    signal input X[m][k];
    signal input W[k][n];
    signal output Y[m][n];

    component xRange[m][k];
    for (var i = 0; i < m; i++) {
        for (var l = 0; l < k; l++) {
            xRange[i][l] = SignedRange(B);
            xRange[i][l].in <== X[i][l];
        }
    }
    component wRange[k][n];
    for (var l = 0; l < k; l++) {
        for (var j = 0; j < n; j++) {
            wRange[l][j] = SignedRange(B);
            wRange[l][j].in <== W[l][j];
        }
    }

    signal product[m][n][k];
    component rescale[m][n];
    for (var i = 0; i < m; i++) {
        for (var j = 0; j < n; j++) {
            var acc = 0;
            for (var l = 0; l < k; l++) {
                product[i][j][l] <== X[i][l] * W[l][j];
                acc += product[i][j][l];
            }
            rescale[i][j] = Rescale(f, B);
            rescale[i][j].z <== acc;
            Y[i][j] <== rescale[i][j].q;
        }
    }
}
