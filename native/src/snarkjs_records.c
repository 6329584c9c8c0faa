/* SPDX-License-Identifier: MIT */
/*
 * snarkjs file payloads used in place (docs/formats.md: .zkey section 4, .wtns section 2,
 * circom's .r1cs section 2):
 * the bytes may be a read-only mapping of the file at any alignment, so every value is
 * read with memcpy, once, into locals that are checked before they are used. Nothing
 * here trusts the bytes: a key file changed on disk after it was validated can make
 * these functions refuse it, never write out of bounds.
 *
 * Coefficient records: u32 matrix (0 = A, 1 = B), u32 row, u32 wire, then 32 bytes of
 * coef·R² mod r (little-endian), 44 bytes each.
 */
#include <stdlib.h>
#include <string.h>
#include "../include/zkcx.h"
#include "field.h"
#include "runtime.h"

#define RECORD_BYTES 44

static const uint64_t FR_P[4] = FR_MODULUS_LIMBS;

static inline int below_r(const uint64_t v[4]) {
    for (int k = 3; k >= 0; k--) {
        if (v[k] != FR_P[k]) return v[k] < FR_P[k];
    }
    return 0;
}

typedef struct {
    uint32_t matrix, row, wire;
    uint64_t value[4];
} record_t;

static inline void load_record(record_t *rec, const uint8_t *at) {
    uint32_t head[3];
    memcpy(head, at, 12);
    memcpy(rec->value, at + 12, 32);
    rec->matrix = head[0];
    rec->row = head[1];
    rec->wire = head[2];
}

/* 0 when the record is usable, else 1 (matrix), 2 (row), 3 (wire) or 4 (value >= r). */
static inline int record_problem(const record_t *rec, uint32_t rows, uint32_t wires) {
    if (rec->matrix > 1) return 1;
    if (rec->row >= rows) return 2;
    if (rec->wire >= wires) return 3;
    if (!below_r(rec->value)) return 4;
    return 0;
}

long long zkcx_zkey_coefs_first_invalid(const uint8_t *records, size_t count, uint32_t rows,
                                        uint32_t wires, int *reason) {
    long long first = -1;
    int first_reason = 0;
    int nt = count >= ZKCX_PARALLEL_MIN ? zkcx_runtime_threads() : 1;
    #pragma omp parallel for schedule(static) num_threads(nt)
    for (int t = 0; t < nt; t++) {
        size_t lo = count * (size_t)t / (size_t)nt, hi = count * (size_t)(t + 1) / (size_t)nt;
        for (size_t i = lo; i < hi; i++) {
            record_t rec;
            load_record(&rec, records + RECORD_BYTES * i);
            int problem = record_problem(&rec, rows, wires);
            if (problem) {
                #pragma omp critical(zkcx_coefs_first_invalid)
                if (first < 0 || (long long)i < first) {
                    first = (long long)i;
                    first_reason = problem;
                }
                break;
            }
        }
    }
    *reason = first_reason;
    return first;
}

long long zkcx_zkey_coefs_csr(const uint8_t *records, size_t count, uint32_t matrix,
                              uint32_t rows, uint32_t wires, int64_t *row_ptr, int64_t *col,
                              uint64_t *coef) {
    if (col == NULL) {
        memset(row_ptr, 0, sizeof(int64_t) * ((size_t)rows + 1));
        for (size_t i = 0; i < count; i++) {
            record_t rec;
            load_record(&rec, records + RECORD_BYTES * i);
            if (record_problem(&rec, rows, wires)) return ZKCX_ERR_ARG;
            if (rec.matrix == matrix) row_ptr[rec.row + 1]++;
        }
        for (size_t r = 0; r < rows; r++) row_ptr[r + 1] += row_ptr[r];
        return row_ptr[rows];
    }
    int64_t *cursor = malloc(sizeof(int64_t) * ((size_t)rows + 1));
    if (cursor == NULL) return ZKCX_ERR_NOMEM;
    memcpy(cursor, row_ptr, sizeof(int64_t) * ((size_t)rows + 1));
    int64_t nnz = row_ptr[rows];
    long long status = nnz;
    for (size_t i = 0; i < count; i++) {
        record_t rec;
        load_record(&rec, records + RECORD_BYTES * i);
        if (record_problem(&rec, rows, wires)) { status = ZKCX_ERR_ARG; break; }
        if (rec.matrix != matrix) continue;
        int64_t k = cursor[rec.row]++;
        if (k >= row_ptr[rec.row + 1]) { status = ZKCX_ERR_ARG; break; }
        col[k] = rec.wire;
        memcpy(coef + 4 * k, rec.value, 32);
    }
    for (size_t r = 0; r < rows && status >= 0; r++) {
        if (cursor[r] != row_ptr[r + 1]) status = ZKCX_ERR_ARG;
    }
    free(cursor);
    if (status < 0) return status;
    /* stored coef·R² read as Montgomery limbs, taken out of Montgomery form once: coef·R,
     * the Montgomery form of coef */
    fr_t *c = (fr_t *)(void *)coef;
    int nt = (size_t)nnz >= ZKCX_PARALLEL_MIN ? zkcx_runtime_threads() : 1;
    #pragma omp parallel for schedule(static) num_threads(nt)
    for (int64_t k = 0; k < nnz; k++) {
        fr_t plain;
        fr_from_mont(&plain, &c[k]);
        c[k] = plain;
    }
    return status;
}

long long zkcx_fr_vec_from_le_bytes_checked(uint64_t *out, const uint8_t *in, size_t n) {
    fr_t *z = (fr_t *)(void *)out;
    long long first = -1;
    int nt = n >= ZKCX_PARALLEL_MIN ? zkcx_runtime_threads() : 1;
    #pragma omp parallel for schedule(static) num_threads(nt)
    for (int t = 0; t < nt; t++) {
        size_t lo = n * (size_t)t / (size_t)nt, hi = n * (size_t)(t + 1) / (size_t)nt;
        for (size_t i = lo; i < hi; i++) {
            fr_t plain;
            memcpy(plain.v, in + 32 * i, 32);
            if (!below_r(plain.v)) {
                #pragma omp critical(zkcx_fr_bytes_first_invalid)
                if (first < 0 || (long long)i < first) first = (long long)i;
                break;
            }
            fr_to_mont(&z[i], &plain);
        }
    }
    return first;
}

/*
 * circom .r1cs constraints (section 2): 3m linear combinations, the A, B and C of each
 * constraint in turn, each a u32 term count k then k terms of 36 bytes (u32 wire, 32-byte
 * little-endian coefficient). The counts chain the offsets, so one sequential scan finds
 * every combination's first term; then each matrix's terms are copied out.
 */
long long zkcx_r1cs_lc_scan(const uint8_t *data, size_t size, size_t count, int64_t *starts,
                            int64_t *ks, size_t *end) {
    size_t off = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t k;
        if (size - off < 4) return (long long)i;
        memcpy(&k, data + off, 4);
        off += 4;
        if ((size - off) / 36 < (size_t)k) return (long long)i;
        starts[i] = (int64_t)off;
        ks[i] = (int64_t)k;
        off += 36 * (size_t)k;
    }
    *end = off;
    return -1;
}

long long zkcx_r1cs_lc_terms(const uint8_t *data, const int64_t *starts, const int64_t *ks,
                             size_t m, unsigned which, uint32_t wires, int64_t *wire_out,
                             uint64_t *coef_out) {
    size_t t = 0;
    long long bad = -1;
    for (size_t row = 0; row < m; row++) {
        const size_t lc = 3 * row + which;
        const uint8_t *at = data + starts[lc];
        for (int64_t j = 0; j < ks[lc]; j++, at += 36, t++) {
            uint32_t wire;
            memcpy(&wire, at, 4);
            memcpy(coef_out + 4 * t, at + 4, 32);
            wire_out[t] = (int64_t)wire;
            if (wire >= wires && bad < 0) bad = (long long)t;
        }
    }
    return bad;
}

/*
 * zkey new's terms (docs/formats.md: .zkey section 4 and phase 2): from a scanned .r1cs
 * constraints section, section 4's records and the terms of the key's point sums in one
 * sequential pass. Records: per constraint its A terms then its B terms (stored order),
 * then (A, row m + s, wire s, 1) for s <= n_public; the C terms follow the records in
 * the sums' arrays only.
 */
void zkcx_r1cs_lc_totals(const int64_t *ks, size_t m, int64_t *totals) {
    totals[0] = totals[1] = totals[2] = 0;
    for (size_t i = 0; i < m; i++) {
        totals[0] += ks[3 * i];
        totals[1] += ks[3 * i + 1];
        totals[2] += ks[3 * i + 2];
    }
}

long long zkcx_r1cs_zkey_terms(const uint8_t *data, const int64_t *starts, const int64_t *ks,
                               size_t m, size_t n_public, size_t domain, uint32_t wires,
                               uint8_t *records, uint64_t *coef, int64_t *wire,
                               int64_t *index, int64_t *row, int64_t *wire_a,
                               int64_t *wire_b, int64_t *problem) {
    size_t k = 0, total_ab = 0;
    for (size_t i = 0; i < m; i++) total_ab += (size_t)(ks[3 * i] + ks[3 * i + 1]);
    size_t c = total_ab + n_public + 1; /* the C terms' cursor */
    for (size_t i = 0; i < m; i++) {
        for (unsigned which = 0; which < 3; which++) {
            const size_t lc = 3 * i + which;
            const uint8_t *at = data + starts[lc];
            for (int64_t j = 0; j < ks[lc]; j++, at += 36) {
                uint32_t w;
                fr_t plain, mont, twice;
                memcpy(&w, at, 4);
                memcpy(plain.v, at + 4, 32);
                if (w >= wires || !below_r(plain.v)) {
                    problem[0] = w >= wires ? 1 : 2;
                    problem[1] = (int64_t)(at - data);
                    return (long long)i;
                }
                fr_to_mont(&mont, &plain);
                const size_t t = which == 2 ? c++ : k++;
                memcpy(coef + 4 * t, mont.v, 32);
                wire[t] = (int64_t)w;
                index[t] = (int64_t)i + (which == 0 ? 2 * (int64_t)domain
                                         : which == 1 ? (int64_t)domain : 0);
                if (which == 2) continue;
                row[t] = (int64_t)i;
                wire_a[t] = which == 0 ? (int64_t)w : -1;
                wire_b[t] = which == 1 ? (int64_t)w : -1;
                /* stored: the Montgomery form of the Montgomery form, coef·R² mod r */
                fr_to_mont(&twice, &mont);
                uint32_t head[3] = {which, (uint32_t)i, w};
                memcpy(records + RECORD_BYTES * t, head, 12);
                memcpy(records + RECORD_BYTES * t + 12, twice.v, 32);
            }
        }
    }
    fr_t one_plain = {{1, 0, 0, 0}}, one, one_twice;
    fr_to_mont(&one, &one_plain);
    fr_to_mont(&one_twice, &one);
    for (size_t s = 0; s <= n_public; s++, k++) {
        memcpy(coef + 4 * k, one.v, 32);
        wire[k] = (int64_t)s;
        row[k] = (int64_t)(m + s);
        index[k] = (int64_t)(m + s) + 2 * (int64_t)domain;
        wire_a[k] = (int64_t)s;
        wire_b[k] = -1;
        uint32_t head[3] = {0, (uint32_t)(m + s), (uint32_t)s};
        memcpy(records + RECORD_BYTES * k, head, 12);
        memcpy(records + RECORD_BYTES * k + 12, one_twice.v, 32);
    }
    return -1;
}

/* snarkjs's uncompressed form of n affine points (G1: x || y, G2: x.c1 || x.c0 || y.c1
 * || y.c0; 32-byte big-endian coordinates, the identity all zeros), read at any
 * alignment. */
void zkcx_points_to_evm(uint8_t *out, const uint8_t *points, size_t n, int g2) {
    static const int g1_order[2] = {0, 1}, g2_order[4] = {1, 0, 3, 2};
    const int coords = g2 ? 4 : 2;
    const int *order = g2 ? g2_order : g1_order;
    int nt = n >= ZKCX_PARALLEL_MIN ? zkcx_runtime_threads() : 1;
    #pragma omp parallel for schedule(static) num_threads(nt)
    for (size_t i = 0; i < n; i++) {
        for (int c = 0; c < coords; c++) {
            fq_t mont, plain;
            memcpy(mont.v, points + 32 * (coords * i + (size_t)order[c]), 32);
            fq_from_mont(&plain, &mont);
            uint8_t *dst = out + 32 * (coords * i + (size_t)c);
            for (int w = 0; w < 4; w++)
                for (int j = 0; j < 8; j++)
                    dst[31 - (8 * w + j)] = (uint8_t)(plain.v[w] >> (8 * j));
        }
    }
}

/*
 * Mapped files truncated while in use. Reading a page of a mapping beyond the end of its
 * (truncated) file raises SIGBUS, which kills the process with no word of why. Guarded
 * ranges turn that into a message on stderr and exit status 2 (the input changed under
 * the process); a SIGBUS elsewhere goes to the handler that was there before (or the
 * default action) as if this one did not exist. The handler only reads a fixed table and
 * calls write and _exit, both async-signal-safe.
 */
#if defined(__unix__) || defined(__APPLE__)
#include <signal.h>
#include <unistd.h>

#define GUARD_SLOTS 64
#define GUARD_MESSAGE 512

typedef struct {
    volatile uintptr_t start, end; /* end == 0: free slot */
    char message[GUARD_MESSAGE];
    volatile size_t length;
} guard_t;

static guard_t guards[GUARD_SLOTS];
static struct sigaction previous_action;
static volatile int handler_installed;

static void on_sigbus(int sig, siginfo_t *info, void *context) {
    uintptr_t at = (uintptr_t)info->si_addr;
    for (int i = 0; i < GUARD_SLOTS; i++) {
        uintptr_t start = guards[i].start, end = guards[i].end;
        if (end != 0 && at >= start && at < end) {
            ssize_t ignored = write(2, guards[i].message, guards[i].length);
            (void)ignored;
            _exit(2);
        }
    }
    /* not ours: hand over to what was installed before, or die as by default */
    if (previous_action.sa_flags & SA_SIGINFO) {
        if (previous_action.sa_sigaction != NULL) {
            previous_action.sa_sigaction(sig, info, context);
            return;
        }
    } else if (previous_action.sa_handler != SIG_DFL && previous_action.sa_handler != SIG_IGN
               && previous_action.sa_handler != NULL) {
        previous_action.sa_handler(sig);
        return;
    }
    signal(SIGBUS, SIG_DFL); /* returning re-runs the faulting access, which now kills */
}

int zkcx_sigbus_guard(const void *start, size_t length, const char *message) {
    if (!handler_installed) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = on_sigbus;
        action.sa_flags = SA_SIGINFO;
        sigemptyset(&action.sa_mask);
        if (sigaction(SIGBUS, &action, &previous_action) != 0) return ZKCX_ERR_ARG;
        handler_installed = 1;
    }
    for (int i = 0; i < GUARD_SLOTS; i++) {
        if (guards[i].end == 0) {
            size_t n = strlen(message);
            if (n > GUARD_MESSAGE - 1) n = GUARD_MESSAGE - 1;
            memcpy(guards[i].message, message, n);
            guards[i].length = n;
            guards[i].start = (uintptr_t)start;
            guards[i].end = (uintptr_t)start + length;
            return ZKCX_OK;
        }
    }
    return ZKCX_ERR_NOMEM; /* every slot taken: the range stays unguarded */
}

void zkcx_sigbus_unguard(const void *start) {
    for (int i = 0; i < GUARD_SLOTS; i++) {
        if (guards[i].end != 0 && guards[i].start == (uintptr_t)start) {
            guards[i].end = 0;
            return;
        }
    }
}
#else /* no POSIX signals: ranges stay unguarded (a truncated mapping still crashes) */
int zkcx_sigbus_guard(const void *start, size_t length, const char *message) {
    (void)start; (void)length; (void)message;
    return ZKCX_ERR_NOMEM;
}
void zkcx_sigbus_unguard(const void *start) { (void)start; }
#endif
