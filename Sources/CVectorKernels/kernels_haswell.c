#include "CVectorKernels.h"
#include <math.h>

#if defined(__x86_64__)
#include "kernels_x86.h"

HASWELL float lodestone_l2sq_haswell(const float *a, const float *b, size_t count) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
        s0 = _mm256_fmadd_ps(d0, d0, s0);
        s1 = _mm256_fmadd_ps(d1, d1, s1);
    }
    for (; i + 8 <= count; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        s0 = _mm256_fmadd_ps(d, d, s0);
    }
    if (i < count) {
        __m256i mask = tail_mask256(count - i);
        __m256 d = _mm256_sub_ps(_mm256_maskload_ps(a + i, mask), _mm256_maskload_ps(b + i, mask));
        s1 = _mm256_fmadd_ps(d, d, s1);
    }
    return horizontal_sum256(_mm256_add_ps(s0, s1));
}

HASWELL float lodestone_dot_haswell(const float *a, const float *b, size_t count) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    }
    for (; i + 8 <= count; i += 8) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    }
    if (i < count) {
        __m256i mask = tail_mask256(count - i);
        s1 = _mm256_fmadd_ps(_mm256_maskload_ps(a + i, mask), _mm256_maskload_ps(b + i, mask), s1);
    }
    return horizontal_sum256(_mm256_add_ps(s0, s1));
}

HASWELL float lodestone_cosine_haswell(const float *a, const float *b, size_t count) {
    __m256 ab = _mm256_setzero_ps(), aa = _mm256_setzero_ps(), bb = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 va = _mm256_loadu_ps(a + i), vb = _mm256_loadu_ps(b + i);
        ab = _mm256_fmadd_ps(va, vb, ab);
        aa = _mm256_fmadd_ps(va, va, aa);
        bb = _mm256_fmadd_ps(vb, vb, bb);
    }
    if (i < count) {
        __m256i mask = tail_mask256(count - i);
        __m256 va = _mm256_maskload_ps(a + i, mask), vb = _mm256_maskload_ps(b + i, mask);
        ab = _mm256_fmadd_ps(va, vb, ab);
        aa = _mm256_fmadd_ps(va, va, aa);
        bb = _mm256_fmadd_ps(vb, vb, bb);
    }
    float dot = horizontal_sum256(ab), norm_a = horizontal_sum256(aa), norm_b = horizontal_sum256(bb);
    if (norm_a == 0 || norm_b == 0) return (norm_a == 0 && norm_b == 0) ? 0.0f : 1.0f;
    return 1.0f - dot / sqrtf(norm_a * norm_b);
}

#else
float lodestone_l2sq_haswell(const float *a, const float *b, size_t n) { return lodestone_l2sq_serial(a, b, n); }
float lodestone_dot_haswell(const float *a, const float *b, size_t n) { return lodestone_dot_serial(a, b, n); }
float lodestone_cosine_haswell(const float *a, const float *b, size_t n) { return lodestone_cosine_serial(a, b, n); }
#endif
