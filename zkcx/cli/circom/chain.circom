// SPDX-License-Identifier: MIT
// `zkcx bench`'s chain circuit: x_{i+1} = x_i^2, n squarings, the last square the one public
// output. With n = 2^k - 2 the constraints, the public output and the constant one fill a
// domain of 2^k rows exactly; every witness value is a full-size field element.
pragma circom 2.0.0;

template Chain(n) {
    signal input x;
    signal output out;
    signal s[n - 1];
    s[0] <== x * x;
    for (var i = 1; i < n - 1; i++) {
        s[i] <== s[i - 1] * s[i - 1];
    }
    out <== s[n - 2] * s[n - 2];
}
