#include "CVectorKernels.h"
#include <math.h>

#if defined(__x86_64__)
#include "kernels_x86.h"

SKYLAKE float lodestone_l2sq_skylake(const float *a, const float *b, size_t count) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= count; i += 32) {
        __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
        s0 = _mm512_fmadd_ps(d0, d0, s0);
        s1 = _mm512_fmadd_ps(d1, d1, s1);
    }
    for (; i + 16 <= count; i += 16) {
        __m512 d = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        s0 = _mm512_fmadd_ps(d, d, s0);
    }
    if (i < count) {
        __mmask16 mask = tail_mask512(count - i);
        __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i));
        s1 = _mm512_fmadd_ps(d, d, s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

SKYLAKE float lodestone_dot_skylake(const float *a, const float *b, size_t count) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= count; i += 32) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
    }
    for (; i + 16 <= count; i += 16) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
    }
    if (i < count) {
        __mmask16 mask = tail_mask512(count - i);
        s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i), s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

SKYLAKE float lodestone_cosine_skylake(const float *a, const float *b, size_t count) {
    __m512 ab = _mm512_setzero_ps(), aa = _mm512_setzero_ps(), bb = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512 va = _mm512_loadu_ps(a + i), vb = _mm512_loadu_ps(b + i);
        ab = _mm512_fmadd_ps(va, vb, ab);
        aa = _mm512_fmadd_ps(va, va, aa);
        bb = _mm512_fmadd_ps(vb, vb, bb);
    }
    if (i < count) {
        __mmask16 mask = tail_mask512(count - i);
        __m512 va = _mm512_maskz_loadu_ps(mask, a + i), vb = _mm512_maskz_loadu_ps(mask, b + i);
        ab = _mm512_fmadd_ps(va, vb, ab);
        aa = _mm512_fmadd_ps(va, va, aa);
        bb = _mm512_fmadd_ps(vb, vb, bb);
    }
    float dot = _mm512_reduce_add_ps(ab), norm_a = _mm512_reduce_add_ps(aa), norm_b = _mm512_reduce_add_ps(bb);
    if (norm_a == 0 || norm_b == 0) return (norm_a == 0 && norm_b == 0) ? 0.0f : 1.0f;
    return 1.0f - dot / sqrtf(norm_a * norm_b);
}

#else
float lodestone_l2sq_skylake(const float *a, const float *b, size_t n) { return lodestone_l2sq_serial(a, b, n); }
float lodestone_dot_skylake(const float *a, const float *b, size_t n) { return lodestone_dot_serial(a, b, n); }
float lodestone_cosine_skylake(const float *a, const float *b, size_t n) { return lodestone_cosine_serial(a, b, n); }
#endif
