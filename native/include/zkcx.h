/* SPDX-License-Identifier: MIT */
/*
 * zkcx native core: the only header the Python binding sees.
 *
 * Names are zkcx_<layer>_<verb>. Field elements are 4 little-endian uint64 limbs in
 * Montgomery form (x * 2^256 mod p) unless a name says canonical or bytes. Vectors are
 * contiguous arrays of n elements. Outputs are allocated by the caller and may alias
 * inputs. Functions that can fail return an int error code (ZKCX_OK = 0).
 *
 * Curve layer conventions:
 * - Every Fq coordinate is 4 little-endian uint64 limbs in Montgomery form and must be
 *   fully reduced (< p); a coordinate >= p makes a checked function fail.
 * - G1 affine point: 8 uint64 = x || y. G2 affine point: 16 uint64 =
 *   x.c0 || x.c1 || y.c0 || y.c1 (real part first; Fq2 = Fq[i]/(i^2+1)).
 * - The identity (point at infinity) is encoded as all-zero coordinates, (0, 0). It is
 *   not on either curve, so the encoding is unambiguous; EIP-196/197 and snarkjs's zkey
 *   use the same convention. Every function accepts and returns it.
 * - Jacobian points (batch_normalize input): G1 12 uint64 = X || Y || Z, G2 24 uint64
 *   = X || Y || Z (Fq2 each); the identity is any point with Z = 0.
 * - Fq12 (GT) element: 48 uint64 in the tower Fq6 = Fq2[v]/(v^3 - (9+i)),
 *   Fq12 = Fq6[w]/(w^2 - v), order c0.c0.c0, c0.c0.c1, c0.c1.c0, c0.c1.c1, c0.c2.c0,
 *   c0.c2.c1, c1.c0.c0, ..., c1.c2.c1 (the snarkjs/gnark/arkworks tower).
 * - Scalars: 4 little-endian uint64 limbs of a plain (not Montgomery) integer; any
 *   256-bit value is allowed, including values >= r (EIP-196 semantics).
 * - Checked functions return ZKCX_OK, or ZKCX_ERR_ARG for an input that is off its
 *   curve or has a coordinate >= p (writing nothing); predicates return 1 or 0.
 * - G2 subgroup membership is NOT checked by the group law or the pairing (it costs
 *   about a tenth of a pairing); call zkcx_g2_in_subgroup on untrusted points.
 *
 * The part between the cdef markers is read verbatim by native/build_ffi.py, so it
 * holds only declarations and integer #defines.
 */
#ifndef ZKCX_H
#define ZKCX_H

#include <stddef.h>
#include <stdint.h>

/* cdef-begin */
#define ZKCX_ABI_VERSION 4

#define ZKCX_OK 0
#define ZKCX_ERR_ARG -1
#define ZKCX_ERR_ZERO_INVERSE -2
#define ZKCX_ERR_NOMEM -3

/* runtime */
int zkcx_abi_version(void);
int zkcx_limbs(void);
const char *zkcx_build_info(void);
int zkcx_set_threads(int n);
int zkcx_get_threads(void);
/* the calling thread's own thread count for native loops (0: the process-wide one) */
int zkcx_set_local_threads(int n);
int zkcx_max_threads(void);
int zkcx_cpu_has_ifma(void);
/* whether the MULX/ADX multiplication is in use (the CPU has BMI2 and ADX and
 * zkcx_set_adx did not switch it off) */
int zkcx_cpu_has_adx(void);
/* allow (1) or forbid (0) the MULX/ADX multiplication; returns whether it is in use */
int zkcx_set_adx(int enabled);
int zkcx_set_simd(int enabled);
int zkcx_simd_in_use(void);
void zkcx_chacha20_block(uint8_t *out, const uint8_t *key, uint32_t counter, const uint8_t *nonce);
/* BLAKE2b-512 with a 216-byte resumable state in blake2b-wasm's layout (src/blake2b.h) */
#define ZKCX_BLAKE2B_STATE_BYTES 216
void zkcx_blake2b_init(uint8_t *state);
void zkcx_blake2b_update(uint8_t *state, const uint8_t *data, size_t n);
void zkcx_blake2b_final(const uint8_t *state, uint8_t *out);
/* SHA-256 applied `rounds` times to a 32-byte digest, in place (src/sha256.h) */
void zkcx_sha256_iterate(uint8_t *digest, uint64_t rounds, int allow_sha_ni);

/* Fr: scalar field, r = 21888...5617 */
void zkcx_fr_add(uint64_t *out, const uint64_t *a, const uint64_t *b);
void zkcx_fr_sub(uint64_t *out, const uint64_t *a, const uint64_t *b);
void zkcx_fr_neg(uint64_t *out, const uint64_t *a);
void zkcx_fr_mul(uint64_t *out, const uint64_t *a, const uint64_t *b);
void zkcx_fr_sqr(uint64_t *out, const uint64_t *a);
int zkcx_fr_inv(uint64_t *out, const uint64_t *a);
void zkcx_fr_pow(uint64_t *out, const uint64_t *a, const uint64_t *exponent);
int zkcx_fr_eq(const uint64_t *a, const uint64_t *b);
void zkcx_fr_vec_add(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zkcx_fr_vec_sub(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zkcx_fr_vec_neg(uint64_t *out, const uint64_t *a, size_t n);
void zkcx_fr_vec_add_scalar(uint64_t *out, const uint64_t *a, const uint64_t *s, size_t n);
void zkcx_fr_vec_mul(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zkcx_fr_vec_sqr(uint64_t *out, const uint64_t *a, size_t n);
void zkcx_fr_vec_scale(uint64_t *out, const uint64_t *a, const uint64_t *s, size_t n);
void zkcx_fr_vec_dot(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zkcx_fr_vec_sum(uint64_t *out, const uint64_t *a, size_t n);
long long zkcx_fr_vec_batch_inv(uint64_t *out, const uint64_t *a, size_t n);
void zkcx_fr_vec_powers(uint64_t *out, const uint64_t *x, size_t n);
void zkcx_fr_vec_random(uint64_t *out, size_t n, const uint8_t *key, uint32_t counter0);
void zkcx_fr_vec_from_canonical(uint64_t *out, const uint64_t *in, size_t n);
void zkcx_fr_vec_to_canonical(uint64_t *out, const uint64_t *in, size_t n);
void zkcx_fr_vec_from_bytes(uint64_t *out, const uint8_t *in, size_t n, int big_endian);
void zkcx_fr_vec_to_bytes(uint8_t *out, const uint64_t *in, size_t n, int big_endian);
void zkcx_fr_vec_from_int64(uint64_t *out, const int64_t *in, size_t n);

/* Fq: base field, p = 21888...8583 */
void zkcx_fq_add(uint64_t *out, const uint64_t *a, const uint64_t *b);
void zkcx_fq_sub(uint64_t *out, const uint64_t *a, const uint64_t *b);
void zkcx_fq_neg(uint64_t *out, const uint64_t *a);
void zkcx_fq_mul(uint64_t *out, const uint64_t *a, const uint64_t *b);
void zkcx_fq_sqr(uint64_t *out, const uint64_t *a);
int zkcx_fq_inv(uint64_t *out, const uint64_t *a);
void zkcx_fq_pow(uint64_t *out, const uint64_t *a, const uint64_t *exponent);
int zkcx_fq_eq(const uint64_t *a, const uint64_t *b);
void zkcx_fq_vec_add(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zkcx_fq_vec_sub(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zkcx_fq_vec_neg(uint64_t *out, const uint64_t *a, size_t n);
void zkcx_fq_vec_add_scalar(uint64_t *out, const uint64_t *a, const uint64_t *s, size_t n);
void zkcx_fq_vec_mul(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zkcx_fq_vec_sqr(uint64_t *out, const uint64_t *a, size_t n);
void zkcx_fq_vec_scale(uint64_t *out, const uint64_t *a, const uint64_t *s, size_t n);
void zkcx_fq_vec_dot(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zkcx_fq_vec_sum(uint64_t *out, const uint64_t *a, size_t n);
long long zkcx_fq_vec_batch_inv(uint64_t *out, const uint64_t *a, size_t n);
void zkcx_fq_vec_powers(uint64_t *out, const uint64_t *x, size_t n);
void zkcx_fq_vec_random(uint64_t *out, size_t n, const uint8_t *key, uint32_t counter0);
void zkcx_fq_vec_from_canonical(uint64_t *out, const uint64_t *in, size_t n);
void zkcx_fq_vec_to_canonical(uint64_t *out, const uint64_t *in, size_t n);
void zkcx_fq_vec_from_bytes(uint64_t *out, const uint8_t *in, size_t n, int big_endian);
void zkcx_fq_vec_to_bytes(uint8_t *out, const uint64_t *in, size_t n, int big_endian);
void zkcx_fq_vec_from_int64(uint64_t *out, const int64_t *in, size_t n);
/* Sparse Fr matrix (CSR) times vector: out[r] = sum_k coef[k] * w[col[k]] */
void zkcx_fr_sparse_matvec(uint64_t *out, const int64_t *row_ptr, const int64_t *col,
                           const uint64_t *coef, size_t m, const uint64_t *w);
/* snarkjs payloads used in place (any alignment, read-only). zkey section 4 records
 * (44 bytes: u32 matrix, row, wire; 32-byte coef*R^2 mod r): the index of the first with
 * matrix > 1, row >= rows, wire >= wires or value >= r (*reason = 1, 2, 3, 4), or -1 */
long long zkcx_zkey_coefs_first_invalid(const uint8_t *records, size_t count, uint32_t rows,
                                        uint32_t wires, int *reason);
/* the CSR of matrix 0 (A) or 1 (B): with col == NULL fills row_ptr (rows + 1) and returns
 * nnz; then fills col (nnz) and coef (nnz x 4 Montgomery) in file order within a row and
 * returns nnz; ZKCX_ERR_ARG when a record is invalid or the records changed in between */
long long zkcx_zkey_coefs_csr(const uint8_t *records, size_t count, uint32_t matrix,
                              uint32_t rows, uint32_t wires, int64_t *row_ptr, int64_t *col,
                              uint64_t *coef);
/* circom .r1cs section 2: the byte offset of the first term (starts) and the term count
 * (ks) of each of its count = 3m linear combinations; -1 (and *end = bytes used), or the
 * index of the first combination the size cuts short */
long long zkcx_r1cs_lc_scan(const uint8_t *data, size_t size, size_t count, int64_t *starts,
                            int64_t *ks, size_t *end);
/* the terms of matrix which (0 A, 1 B, 2 C), rows in order: wires and canonical coefficient
 * limbs (unchecked); -1, or the index of the first term naming a wire >= wires */
long long zkcx_r1cs_lc_terms(const uint8_t *data, const int64_t *starts, const int64_t *ks,
                             size_t m, unsigned which, uint32_t wires, int64_t *wire_out,
                             uint64_t *coef_out);
/* the term counts of matrices A, B, C (totals[3]) of m scanned constraints */
void zkcx_r1cs_lc_totals(const int64_t *ks, size_t m, int64_t *totals);
/* zkey new's terms of a scanned .r1cs section 2 for a domain of size domain: section 4's
 * K = nA + nB + n_public + 1 records (44 K bytes; per constraint its A then B terms, then
 * (A, m + s, s, 1) for s <= n_public), and for the T = K + nC terms of the point sums
 * (the C terms after the records): Montgomery coef (4 T words), wire (T), index (T: row
 * + 2 domain for A, row + domain for B, row for C), and for the K records row, wire_a
 * (the wire of an A record, else -1) and wire_b (likewise B). Returns -1, or the
 * constraint of the first term with a wire >= wires (problem[0] = 1) or a coefficient
 * >= r (problem[0] = 2), problem[1] that term's byte offset in data. */
long long zkcx_r1cs_zkey_terms(const uint8_t *data, const int64_t *starts, const int64_t *ks,
                               size_t m, size_t n_public, size_t domain, uint32_t wires,
                               uint8_t *records, uint64_t *coef, int64_t *wire,
                               int64_t *index, int64_t *row, int64_t *wire_a,
                               int64_t *wire_b, int64_t *problem);
/* snarkjs's uncompressed form of n affine Montgomery points (64 bytes a G1 point x || y,
 * 128 a G2 point x.c1 || x.c0 || y.c1 || y.c0, big-endian; identity zeros), any alignment */
void zkcx_points_to_evm(uint8_t *out, const uint8_t *points, size_t n, int g2);
/* n 32-byte little-endian values < r into Montgomery Fr: -1, or the first index >= r */
long long zkcx_fr_vec_from_le_bytes_checked(uint64_t *out, const uint8_t *in, size_t n);
/* SIGBUS in [start, start + length) (a mapped file truncated while read): write message
 * to stderr and exit with status 2 instead of dying silently; ZKCX_ERR_NOMEM when the 64
 * slots are taken. unguard frees the range's slot. */
int zkcx_sigbus_guard(const void *start, size_t length, const char *message);
void zkcx_sigbus_unguard(const void *start);

/* G1: y^2 = x^3 + 3 over Fq */
int zkcx_g1_is_on_curve(const uint64_t *p);
int zkcx_g1_add(uint64_t *out, const uint64_t *a, const uint64_t *b);
int zkcx_g1_dbl(uint64_t *out, const uint64_t *a);
int zkcx_g1_neg(uint64_t *out, const uint64_t *a);
int zkcx_g1_eq(const uint64_t *a, const uint64_t *b);
int zkcx_g1_mul(uint64_t *out, const uint64_t *p, const uint64_t *scalar);
int zkcx_g1_batch_normalize(uint64_t *out, const uint64_t *jac, size_t n);
/* index of the first point that is off the curve or has a coordinate >= p, or -1 */
long long zkcx_g1_vec_first_invalid(const uint64_t *points, size_t n);

/* G2: y^2 = x^3 + 3/(9+i) over Fq2 */
int zkcx_g2_is_on_curve(const uint64_t *p);
int zkcx_g2_in_subgroup(const uint64_t *p);
int zkcx_g2_add(uint64_t *out, const uint64_t *a, const uint64_t *b);
int zkcx_g2_dbl(uint64_t *out, const uint64_t *a);
int zkcx_g2_neg(uint64_t *out, const uint64_t *a);
int zkcx_g2_eq(const uint64_t *a, const uint64_t *b);
int zkcx_g2_mul(uint64_t *out, const uint64_t *p, const uint64_t *scalar);
int zkcx_g2_batch_normalize(uint64_t *out, const uint64_t *jac, size_t n);
/* the same for G2, also requiring order-r subgroup membership when check_subgroup */
long long zkcx_g2_vec_first_invalid(const uint64_t *points, size_t n, int check_subgroup);

/* Pairing e: G1 x G2 -> GT, the reduced optimal ate pairing, equal to the textbook
 * value f^((p^12 - 1)/r) that py_ecc computes. */
int zkcx_pairing(uint64_t *out, const uint64_t *g1, const uint64_t *g2);
int zkcx_multi_pairing(uint64_t *out, const uint64_t *g1s, const uint64_t *g2s, size_t n);
int zkcx_pairing_check(const uint64_t *g1s, const uint64_t *g2s, size_t n);
size_t zkcx_g2_prepared_words(void);
int zkcx_g2_prepare(uint64_t *out, const uint64_t *q);
int zkcx_multi_pairing_prepared(uint64_t *out, const uint64_t *g1s, const uint64_t *g2s,
                                size_t n, const uint64_t *g1p, const uint64_t *prepared,
                                size_t m);
int zkcx_pairing_miller_loop(uint64_t *out, const uint64_t *g1s, const uint64_t *g2s, size_t n);
int zkcx_pairing_final_exp(uint64_t *out, const uint64_t *f);

/* GT / Fq12 arithmetic */
void zkcx_fq12_one(uint64_t *out);
void zkcx_fq12_mul(uint64_t *out, const uint64_t *a, const uint64_t *b);
void zkcx_fq12_sqr(uint64_t *out, const uint64_t *a);
int zkcx_fq12_inv(uint64_t *out, const uint64_t *a);
void zkcx_fq12_pow(uint64_t *out, const uint64_t *a, const uint64_t *exponent, size_t nlimbs);
void zkcx_fq12_conj(uint64_t *out, const uint64_t *a);
void zkcx_fq12_frobenius(uint64_t *out, const uint64_t *a, int power);
int zkcx_fq12_eq(const uint64_t *a, const uint64_t *b);
int zkcx_fq12_is_one(const uint64_t *a);

/* NTT */
/* In-place radix-2 transforms over Fr on n = 2^k Montgomery elements, k <= 28, natural
 * order in and out. omega: a primitive n-th root of unity, or NULL for snarkjs's
 * omega_n = 5^((r-1)/n). Forward: A_i = sum_j a_j omega^(ij); inverse: the inverse,
 * 1/n included. Coset (shift g != 0): forward evaluates at g omega^i, inverse undoes
 * it. Return ZKCX_OK, ZKCX_ERR_ARG (n not a power of two or above 2^28, omega not of
 * order n, shift zero or unreduced) or ZKCX_ERR_NOMEM (twiddle scratch). */
int zkcx_fr_root_of_unity(uint64_t *out, size_t n);
int zkcx_fr_ntt(uint64_t *a, size_t n, const uint64_t *omega, int inverse);
int zkcx_fr_coset_ntt(uint64_t *a, size_t n, const uint64_t *omega, const uint64_t *shift,
                      int inverse);
/* Groth16 quotient scalars as snarkjs: a, b, c hold the evaluations on the n-domain;
 * on return a holds h_i = A(g w^i) B(g w^i) - C(g w^i), i < n, and b, c are clobbered.
 * shift: g, or NULL for snarkjs's omega_2n (25 when n = 2^28). */
int zkcx_fr_qap_quotient(uint64_t *a, uint64_t *b, uint64_t *c, size_t n,
                         const uint64_t *shift);
/* MSM */
int zkcx_g1_msm(uint64_t *out, const uint64_t *points, const uint64_t *scalars, size_t n);
int zkcx_g2_msm(uint64_t *out, const uint64_t *points, const uint64_t *scalars, size_t n);
int zkcx_g1_fixed_base_mul(uint64_t *out, const uint64_t *base, const uint64_t *scalars, size_t n);
int zkcx_g2_fixed_base_mul(uint64_t *out, const uint64_t *base, const uint64_t *scalars, size_t n);
int zkcx_g1_mul_each(uint64_t *out, const uint64_t *points, const uint64_t *scalars, size_t n);
int zkcx_g2_mul_each(uint64_t *out, const uint64_t *points, const uint64_t *scalars, size_t n);
/* Fixed-base MSM tables (src/point_tables.c, src/msm.c): for bases P_i, i < n, and a
 * window c in [4, 16], tables holds n rows of K = zkcx_msm_tables_count(c) = ceil(255/c)
 * affine points, row i = [2^(c j)] P_i for j < K (G1 8 words a point, G2 16);
 * zkcx_msm_tables_window(n) is the c of least cost for n bases on the current threads
 * (zkcx_msm_tables_count gives 0 for a c out of range). zkcx_g?_msm_tables is then
 * zkcx_g?_msm (same output, Montgomery scalars) from the tables. ZKCX_ERR_ARG for c
 * out of range. Points are trusted. */
unsigned zkcx_msm_tables_count(unsigned c);
unsigned zkcx_msm_tables_window(size_t n);
int zkcx_g1_msm_tables_build(uint64_t *tables, const uint64_t *points, size_t n, unsigned c);
int zkcx_g2_msm_tables_build(uint64_t *tables, const uint64_t *points, size_t n, unsigned c);
int zkcx_g1_msm_tables(uint64_t *out, const uint64_t *tables, unsigned c,
                       const uint64_t *scalars, size_t n);
int zkcx_g2_msm_tables(uint64_t *out, const uint64_t *tables, unsigned c,
                       const uint64_t *scalars, size_t n);
/* out_i = [s] P_i for one scalar s (Montgomery form, reduced) and every i; out may
 * alias points. ZKCX_ERR_ARG for an unreduced scalar. Points are trusted. */
int zkcx_g1_mul_all(uint64_t *out, const uint64_t *points, const uint64_t *scalar, size_t n);
int zkcx_g2_mul_all(uint64_t *out, const uint64_t *points, const uint64_t *scalar, size_t n);
/* Group FFT, in place on n = 2^k affine points (k <= 28), natural order in and out:
 * forward Q_i = sum_j [omega^(ij)] P_j, inverse Q_i = sum_j [n^-1 omega^(-ij)] P_j with
 * snarkjs's omega_n (as zkcx_fr_ntt). Points are trusted (valid, identity allowed).
 * ZKCX_ERR_ARG for a bad n, ZKCX_ERR_NOMEM when scratch cannot be allocated. */
int zkcx_g1_fft(uint64_t *points, size_t n, int inverse);
int zkcx_g2_fft(uint64_t *points, size_t n, int inverse);
/* Sparse matrix times points: out[w] = sum_{start[w] <= t < start[w+1]} [coef[t]]
 * P(index[t]) for w < n_out (coef: Montgomery Fr limbs), where the points are tables of
 * table_len points each (8-byte aligned) and P(i) is point i % table_len of table
 * i / table_len. The caller guarantees start is non-decreasing from 0 and every index
 * is a valid point (trusted). ZKCX_ERR_ARG for table_len 0. */
int zkcx_g1_sparse_sum(uint64_t *out, const int64_t *start, const int64_t *index,
                       const uint64_t *coef, size_t n_out, const uint64_t *const *tables,
                       size_t table_len);
int zkcx_g2_sparse_sum(uint64_t *out, const int64_t *start, const int64_t *index,
                       const uint64_t *coef, size_t n_out, const uint64_t *const *tables,
                       size_t table_len);
/* The same with the terms in any order: term t (t < n_terms) adds [coef[t]]
 * P(index[t]) to out[wire[t]], or nothing for a negative wire (every wire below n_out,
 * trusted). */
int zkcx_g1_sparse_sum_coo(uint64_t *out, const int64_t *wire, const int64_t *index,
                           const uint64_t *coef, size_t n_terms, size_t n_out,
                           const uint64_t *const *tables, size_t table_len);
int zkcx_g2_sparse_sum_coo(uint64_t *out, const int64_t *wire, const int64_t *index,
                           const uint64_t *coef, size_t n_terms, size_t n_out,
                           const uint64_t *const *tables, size_t table_len);
/* SnarkPack aggregation (src/aggregate.c). out = prod_i bases_i^scalars_i for n GT
 * elements (cyclotomic: the inverse is the conjugate) and 256-bit plain scalars (4 words
 * each), split over the runtime's threads; ZKCX_ERR_NOMEM without scratch memory. */
int zkcx_gt_multi_pow(uint64_t *out, const uint64_t *bases, const uint64_t *scalars, size_t n);
/* GT elements (48 words) <-> torus form (24 words: c in Fq6, g = (c + w)/(c - w), c = 0
 * for 1). compress: ZKCX_ERR_ARG for an element with zero w-part other than 1;
 * decompress takes any fully reduced Fq6 (the caller checks coordinates < p). */
int zkcx_gt_compress(uint64_t *out, const uint64_t *in, size_t n);
int zkcx_gt_decompress(uint64_t *out, const uint64_t *in, size_t n);
/* q (n - 1 coefficients) = (f(X) - f(z)) / (X - z), *value = f(z), for f of n >= 1
 * Montgomery Fr coefficients, constant first */
void zkcx_fr_poly_divide_linear(uint64_t *q, uint64_t *value, const uint64_t *f, size_t n,
                                const uint64_t *z);
/* out[t] (48 words each) = prod_{i < k} e(g1v[a[t]][i], g2v[b[t]][i]) for t < T: n1 G1
 * and n2 G2 vectors of k trusted points each (g1v: n1 * k * 8 words, g2v: n2 * k * 16),
 * each G2 point's lines computed once for all the products using it, over the threads.
 * ZKCX_ERR_ARG for a vector index out of range, ZKCX_ERR_NOMEM without scratch. */
int zkcx_pairing_vector_products(uint64_t *out, const uint64_t *g1v, size_t n1,
                                 const uint64_t *g2v, size_t n2, size_t k, const int32_t *a,
                                 const int32_t *b, size_t T);
/* Groth16 (src/groth16_prove.c): one proof from a key's sections and the witness w
 * (n_wires Montgomery scalars, w_0 = 1) and blinding r, s (plain, reduced mod r). The
 * CSR matrices are the zkey's A and B coefficient rows (domain rows, Montgomery coefs);
 * a_index (b1_index, b2_index) NULL means a_points holds all n_wires points, else the
 * a_count non-identity points of the wires index[k]. mapped_start/mapped_length: a
 * read-only file mapping (or NULL/0); a point vector inside it has its pages dropped
 * from resident memory after its MSM (they stay in the page cache). Points are trusted. Writes pi_a (8 words), pi_b (16), pi_c (8)
 * and, for the proof's self-check, vk_x = IC_0 + sum_{i=1}^{n_public} w_i IC_i (8 words;
 * ic_points: the n_public + 1 points of IC); ZKCX_ERR_ARG for inconsistent sizes,
 * ZKCX_ERR_NOMEM without scratch. */
typedef struct {
    size_t n_wires, n_public, domain;
    const uint64_t *alpha_1, *beta_1, *beta_2, *delta_1, *delta_2;
    const int64_t *a_row_ptr, *a_col;
    const uint64_t *a_coef;
    const int64_t *b_row_ptr, *b_col;
    const uint64_t *b_coef;
    const uint64_t *a_points;
    const int64_t *a_index;
    size_t a_count;
    const uint64_t *b1_points;
    const int64_t *b1_index;
    size_t b1_count;
    const uint64_t *b2_points;
    const int64_t *b2_index;
    size_t b2_count;
    const uint64_t *c_points, *h_points, *ic_points;
    const void *mapped_start;
    size_t mapped_length;
    /* NULL, or H's fixed-base tables (zkcx_g1_msm_tables_build) of window h_table_c */
    const uint64_t *h_tables;
    unsigned h_table_c;
} zkcx_groth16_key;
int zkcx_groth16_prove(uint64_t *pi_a, uint64_t *pi_b, uint64_t *pi_c, uint64_t *vk_x,
                       const zkcx_groth16_key *key, const uint64_t *w, const uint64_t *r,
                       const uint64_t *s);
/* the indices of the non-identity points (not all-zero) of n points of `words` words
 * each; returns their count */
long long zkcx_points_nonidentity(int64_t *index, const uint64_t *points, size_t n,
                                  size_t words);
/* out[k] = points[index[k]] for k < count (points of `words` words) */
void zkcx_points_gather(uint64_t *out, const uint64_t *points, const int64_t *index,
                        size_t count, size_t words);
/* cdef-end */

#endif
