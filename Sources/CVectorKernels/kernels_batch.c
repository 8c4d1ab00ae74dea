#include "CVectorKernels.h"

// One query against four rows at once, as a graph walk measures a node's unvisited neighbours.
// Each query chunk is loaded once for four rows, and the four rows' accumulators are independent
// chains, so the FMA latency that bounds one 384-d distance is spent on four. Every row is
// summed exactly as the one-row kernel of the same level sums it (same accumulators, same tail,
// same reduction), so a batch returns bit for bit what four single calls would.

void lodestone_l2sq4_serial(const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t count, float *out) {
    out[0] = lodestone_l2sq_serial(q, r0, count);
    out[1] = lodestone_l2sq_serial(q, r1, count);
    out[2] = lodestone_l2sq_serial(q, r2, count);
    out[3] = lodestone_l2sq_serial(q, r3, count);
}

void lodestone_dot4_serial(const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t count, float *out) {
    out[0] = lodestone_dot_serial(q, r0, count);
    out[1] = lodestone_dot_serial(q, r1, count);
    out[2] = lodestone_dot_serial(q, r2, count);
    out[3] = lodestone_dot_serial(q, r3, count);
}

void lodestone_cosine4_serial(const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t count, float *out) {
    out[0] = lodestone_cosine_serial(q, r0, count);
    out[1] = lodestone_cosine_serial(q, r1, count);
    out[2] = lodestone_cosine_serial(q, r2, count);
    out[3] = lodestone_cosine_serial(q, r3, count);
}

#if defined(__x86_64__)
#include <immintrin.h>

#define HASWELL __attribute__((target("avx2,fma")))
#define SKYLAKE __attribute__((target("avx512f,fma")))

// The same reduction as kernels_haswell.c's horizontal_sum256.
HASWELL static inline float sum256(__m256 v) {
    __m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
    sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
    return _mm_cvtss_f32(sum);
}

HASWELL static inline __m256i mask256(size_t remaining) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)remaining), lanes);
}

// TERM(acc, x, row) adds one lane block's term to an accumulator: (x - row)^2 or x * row.
#define HASWELL_BATCH4(NAME, TERM)                                                                          \
    HASWELL void NAME(const float *q, const float *r0, const float *r1, const float *r2, const float *r3,  \
                      size_t count, float *out) {                                                           \
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps(); \
        __m256 b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps(), b2 = _mm256_setzero_ps(), b3 = _mm256_setzero_ps(); \
        size_t i = 0;                                                                                       \
        for (; i + 16 <= count; i += 16) {                                                                  \
            __m256 x = _mm256_loadu_ps(q + i), y = _mm256_loadu_ps(q + i + 8);                              \
            a0 = TERM(a0, x, _mm256_loadu_ps(r0 + i)); b0 = TERM(b0, y, _mm256_loadu_ps(r0 + i + 8));      \
            a1 = TERM(a1, x, _mm256_loadu_ps(r1 + i)); b1 = TERM(b1, y, _mm256_loadu_ps(r1 + i + 8));      \
            a2 = TERM(a2, x, _mm256_loadu_ps(r2 + i)); b2 = TERM(b2, y, _mm256_loadu_ps(r2 + i + 8));      \
            a3 = TERM(a3, x, _mm256_loadu_ps(r3 + i)); b3 = TERM(b3, y, _mm256_loadu_ps(r3 + i + 8));      \
        }                                                                                                   \
        for (; i + 8 <= count; i += 8) {                                                                    \
            __m256 x = _mm256_loadu_ps(q + i);                                                              \
            a0 = TERM(a0, x, _mm256_loadu_ps(r0 + i)); a1 = TERM(a1, x, _mm256_loadu_ps(r1 + i));          \
            a2 = TERM(a2, x, _mm256_loadu_ps(r2 + i)); a3 = TERM(a3, x, _mm256_loadu_ps(r3 + i));          \
        }                                                                                                   \
        if (i < count) {                                                                                    \
            __m256i m = mask256(count - i);                                                                 \
            __m256 x = _mm256_maskload_ps(q + i, m);                                                        \
            b0 = TERM(b0, x, _mm256_maskload_ps(r0 + i, m)); b1 = TERM(b1, x, _mm256_maskload_ps(r1 + i, m)); \
            b2 = TERM(b2, x, _mm256_maskload_ps(r2 + i, m)); b3 = TERM(b3, x, _mm256_maskload_ps(r3 + i, m)); \
        }                                                                                                   \
        out[0] = sum256(_mm256_add_ps(a0, b0));                                                             \
        out[1] = sum256(_mm256_add_ps(a1, b1));                                                             \
        out[2] = sum256(_mm256_add_ps(a2, b2));                                                             \
        out[3] = sum256(_mm256_add_ps(a3, b3));                                                             \
    }

HASWELL static inline __m256 l2_term256(__m256 acc, __m256 x, __m256 row) {
    __m256 d = _mm256_sub_ps(x, row);
    return _mm256_fmadd_ps(d, d, acc);
}
HASWELL static inline __m256 dot_term256(__m256 acc, __m256 x, __m256 row) { return _mm256_fmadd_ps(x, row, acc); }

HASWELL_BATCH4(lodestone_l2sq4_haswell, l2_term256)
HASWELL_BATCH4(lodestone_dot4_haswell, dot_term256)

void lodestone_cosine4_haswell(const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t count, float *out) {
    out[0] = lodestone_cosine_haswell(q, r0, count);
    out[1] = lodestone_cosine_haswell(q, r1, count);
    out[2] = lodestone_cosine_haswell(q, r2, count);
    out[3] = lodestone_cosine_haswell(q, r3, count);
}

SKYLAKE static inline __mmask16 mask512(size_t remaining) { return (__mmask16)((1u << remaining) - 1u); }

#define SKYLAKE_BATCH4(NAME, TERM)                                                                          \
    SKYLAKE void NAME(const float *q, const float *r0, const float *r1, const float *r2, const float *r3,  \
                      size_t count, float *out) {                                                           \
        __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps(); \
        __m512 b0 = _mm512_setzero_ps(), b1 = _mm512_setzero_ps(), b2 = _mm512_setzero_ps(), b3 = _mm512_setzero_ps(); \
        size_t i = 0;                                                                                       \
        for (; i + 32 <= count; i += 32) {                                                                  \
            __m512 x = _mm512_loadu_ps(q + i), y = _mm512_loadu_ps(q + i + 16);                             \
            a0 = TERM(a0, x, _mm512_loadu_ps(r0 + i)); b0 = TERM(b0, y, _mm512_loadu_ps(r0 + i + 16));     \
            a1 = TERM(a1, x, _mm512_loadu_ps(r1 + i)); b1 = TERM(b1, y, _mm512_loadu_ps(r1 + i + 16));     \
            a2 = TERM(a2, x, _mm512_loadu_ps(r2 + i)); b2 = TERM(b2, y, _mm512_loadu_ps(r2 + i + 16));     \
            a3 = TERM(a3, x, _mm512_loadu_ps(r3 + i)); b3 = TERM(b3, y, _mm512_loadu_ps(r3 + i + 16));     \
        }                                                                                                   \
        for (; i + 16 <= count; i += 16) {                                                                  \
            __m512 x = _mm512_loadu_ps(q + i);                                                              \
            a0 = TERM(a0, x, _mm512_loadu_ps(r0 + i)); a1 = TERM(a1, x, _mm512_loadu_ps(r1 + i));          \
            a2 = TERM(a2, x, _mm512_loadu_ps(r2 + i)); a3 = TERM(a3, x, _mm512_loadu_ps(r3 + i));          \
        }                                                                                                   \
        if (i < count) {                                                                                    \
            __mmask16 m = mask512(count - i);                                                               \
            __m512 x = _mm512_maskz_loadu_ps(m, q + i);                                                     \
            b0 = TERM(b0, x, _mm512_maskz_loadu_ps(m, r0 + i)); b1 = TERM(b1, x, _mm512_maskz_loadu_ps(m, r1 + i)); \
            b2 = TERM(b2, x, _mm512_maskz_loadu_ps(m, r2 + i)); b3 = TERM(b3, x, _mm512_maskz_loadu_ps(m, r3 + i)); \
        }                                                                                                   \
        out[0] = _mm512_reduce_add_ps(_mm512_add_ps(a0, b0));                                               \
        out[1] = _mm512_reduce_add_ps(_mm512_add_ps(a1, b1));                                               \
        out[2] = _mm512_reduce_add_ps(_mm512_add_ps(a2, b2));                                               \
        out[3] = _mm512_reduce_add_ps(_mm512_add_ps(a3, b3));                                               \
    }

SKYLAKE static inline __m512 l2_term512(__m512 acc, __m512 x, __m512 row) {
    __m512 d = _mm512_sub_ps(x, row);
    return _mm512_fmadd_ps(d, d, acc);
}
SKYLAKE static inline __m512 dot_term512(__m512 acc, __m512 x, __m512 row) { return _mm512_fmadd_ps(x, row, acc); }

SKYLAKE_BATCH4(lodestone_l2sq4_skylake, l2_term512)
SKYLAKE_BATCH4(lodestone_dot4_skylake, dot_term512)

void lodestone_cosine4_skylake(const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t count, float *out) {
    out[0] = lodestone_cosine_skylake(q, r0, count);
    out[1] = lodestone_cosine_skylake(q, r1, count);
    out[2] = lodestone_cosine_skylake(q, r2, count);
    out[3] = lodestone_cosine_skylake(q, r3, count);
}

#else
void lodestone_l2sq4_haswell(const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t n, float *out) { lodestone_l2sq4_serial(q, r0, r1, r2, r3, n, out); }
void lodestone_dot4_haswell(const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t n, float *out) { lodestone_dot4_serial(q, r0, r1, r2, r3, n, out); }
void lodestone_cosine4_haswell(const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t n, float *out) { lodestone_cosine4_serial(q, r0, r1, r2, r3, n, out); }
void lodestone_l2sq4_skylake(const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t n, float *out) { lodestone_l2sq4_serial(q, r0, r1, r2, r3, n, out); }
void lodestone_dot4_skylake(const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t n, float *out) { lodestone_dot4_serial(q, r0, r1, r2, r3, n, out); }
void lodestone_cosine4_skylake(const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t n, float *out) { lodestone_cosine4_serial(q, r0, r1, r2, r3, n, out); }
#endif
