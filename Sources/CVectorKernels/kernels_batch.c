#include "CVectorKernels.h"

// One query against four rows at once, as a graph walk measures a node's unvisited neighbours.
// Each query chunk is loaded once for four rows, and the four rows' accumulators are independent
// chains, so the FMA latency that bounds one 384-d distance is spent on four. Every row is
// summed exactly as the one-row kernel of the same level sums it (same accumulators, same tail,
// same reduction from kernels_x86.h), so a batch returns bit for bit what four single calls
// would. Only SIMD levels have batches: elsewhere `DistanceKernel` makes the four single calls.

#if defined(__x86_64__)
#include "kernels_x86.h"

// TERM(acc, x, row) adds one lane block's term to an accumulator: (x - row)^2 or x * row.
#define HASWELL_BATCH4(NAME, TERM)                                                                         \
    HASWELL void NAME(const float *q, const float *r0, const float *r1, const float *r2, const float *r3,  \
                      size_t count, float *out) {                                                          \
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps(); \
        __m256 b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps(), b2 = _mm256_setzero_ps(), b3 = _mm256_setzero_ps(); \
        size_t i = 0;                                                                                      \
        for (; i + 16 <= count; i += 16) {                                                                 \
            __m256 x = _mm256_loadu_ps(q + i), y = _mm256_loadu_ps(q + i + 8);                             \
            a0 = TERM(a0, x, _mm256_loadu_ps(r0 + i)); b0 = TERM(b0, y, _mm256_loadu_ps(r0 + i + 8));      \
            a1 = TERM(a1, x, _mm256_loadu_ps(r1 + i)); b1 = TERM(b1, y, _mm256_loadu_ps(r1 + i + 8));      \
            a2 = TERM(a2, x, _mm256_loadu_ps(r2 + i)); b2 = TERM(b2, y, _mm256_loadu_ps(r2 + i + 8));      \
            a3 = TERM(a3, x, _mm256_loadu_ps(r3 + i)); b3 = TERM(b3, y, _mm256_loadu_ps(r3 + i + 8));      \
        }                                                                                                  \
        for (; i + 8 <= count; i += 8) {                                                                   \
            __m256 x = _mm256_loadu_ps(q + i);                                                             \
            a0 = TERM(a0, x, _mm256_loadu_ps(r0 + i)); a1 = TERM(a1, x, _mm256_loadu_ps(r1 + i));          \
            a2 = TERM(a2, x, _mm256_loadu_ps(r2 + i)); a3 = TERM(a3, x, _mm256_loadu_ps(r3 + i));          \
        }                                                                                                  \
        if (i < count) {                                                                                   \
            __m256i m = tail_mask256(count - i);                                                           \
            __m256 x = _mm256_maskload_ps(q + i, m);                                                       \
            b0 = TERM(b0, x, _mm256_maskload_ps(r0 + i, m)); b1 = TERM(b1, x, _mm256_maskload_ps(r1 + i, m)); \
            b2 = TERM(b2, x, _mm256_maskload_ps(r2 + i, m)); b3 = TERM(b3, x, _mm256_maskload_ps(r3 + i, m)); \
        }                                                                                                  \
        out[0] = horizontal_sum256(_mm256_add_ps(a0, b0));                                                 \
        out[1] = horizontal_sum256(_mm256_add_ps(a1, b1));                                                 \
        out[2] = horizontal_sum256(_mm256_add_ps(a2, b2));                                                 \
        out[3] = horizontal_sum256(_mm256_add_ps(a3, b3));                                                 \
    }

HASWELL static inline __m256 l2_term256(__m256 acc, __m256 x, __m256 row) {
    __m256 d = _mm256_sub_ps(x, row);
    return _mm256_fmadd_ps(d, d, acc);
}
HASWELL static inline __m256 dot_term256(__m256 acc, __m256 x, __m256 row) { return _mm256_fmadd_ps(x, row, acc); }

HASWELL_BATCH4(lodestone_l2sq4_haswell, l2_term256)
HASWELL_BATCH4(lodestone_dot4_haswell, dot_term256)

#define SKYLAKE_BATCH4(NAME, TERM)                                                                         \
    SKYLAKE void NAME(const float *q, const float *r0, const float *r1, const float *r2, const float *r3,  \
                      size_t count, float *out) {                                                          \
        __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps(); \
        __m512 b0 = _mm512_setzero_ps(), b1 = _mm512_setzero_ps(), b2 = _mm512_setzero_ps(), b3 = _mm512_setzero_ps(); \
        size_t i = 0;                                                                                      \
        for (; i + 32 <= count; i += 32) {                                                                 \
            __m512 x = _mm512_loadu_ps(q + i), y = _mm512_loadu_ps(q + i + 16);                            \
            a0 = TERM(a0, x, _mm512_loadu_ps(r0 + i)); b0 = TERM(b0, y, _mm512_loadu_ps(r0 + i + 16));     \
            a1 = TERM(a1, x, _mm512_loadu_ps(r1 + i)); b1 = TERM(b1, y, _mm512_loadu_ps(r1 + i + 16));     \
            a2 = TERM(a2, x, _mm512_loadu_ps(r2 + i)); b2 = TERM(b2, y, _mm512_loadu_ps(r2 + i + 16));     \
            a3 = TERM(a3, x, _mm512_loadu_ps(r3 + i)); b3 = TERM(b3, y, _mm512_loadu_ps(r3 + i + 16));     \
        }                                                                                                  \
        for (; i + 16 <= count; i += 16) {                                                                 \
            __m512 x = _mm512_loadu_ps(q + i);                                                             \
            a0 = TERM(a0, x, _mm512_loadu_ps(r0 + i)); a1 = TERM(a1, x, _mm512_loadu_ps(r1 + i));          \
            a2 = TERM(a2, x, _mm512_loadu_ps(r2 + i)); a3 = TERM(a3, x, _mm512_loadu_ps(r3 + i));          \
        }                                                                                                  \
        if (i < count) {                                                                                   \
            __mmask16 m = tail_mask512(count - i);                                                         \
            __m512 x = _mm512_maskz_loadu_ps(m, q + i);                                                    \
            b0 = TERM(b0, x, _mm512_maskz_loadu_ps(m, r0 + i)); b1 = TERM(b1, x, _mm512_maskz_loadu_ps(m, r1 + i)); \
            b2 = TERM(b2, x, _mm512_maskz_loadu_ps(m, r2 + i)); b3 = TERM(b3, x, _mm512_maskz_loadu_ps(m, r3 + i)); \
        }                                                                                                  \
        out[0] = _mm512_reduce_add_ps(_mm512_add_ps(a0, b0));                                              \
        out[1] = _mm512_reduce_add_ps(_mm512_add_ps(a1, b1));                                              \
        out[2] = _mm512_reduce_add_ps(_mm512_add_ps(a2, b2));                                              \
        out[3] = _mm512_reduce_add_ps(_mm512_add_ps(a3, b3));                                              \
    }

SKYLAKE static inline __m512 l2_term512(__m512 acc, __m512 x, __m512 row) {
    __m512 d = _mm512_sub_ps(x, row);
    return _mm512_fmadd_ps(d, d, acc);
}
SKYLAKE static inline __m512 dot_term512(__m512 acc, __m512 x, __m512 row) { return _mm512_fmadd_ps(x, row, acc); }

SKYLAKE_BATCH4(lodestone_l2sq4_skylake, l2_term512)
SKYLAKE_BATCH4(lodestone_dot4_skylake, dot_term512)

#endif
