#ifndef LODESTONE_KERNELS_X86_H
#define LODESTONE_KERNELS_X86_H

// Pieces the one-row (kernels_haswell.c, kernels_skylake.c) and four-row (kernels_batch.c) float
// kernels share, so a batch sums each row exactly as the one-row kernel does by construction.
#if defined(__x86_64__)
#include <immintrin.h>
#include <stddef.h>

#define HASWELL __attribute__((target("avx2,fma")))
#define SKYLAKE __attribute__((target("avx512f,fma")))

HASWELL static inline float horizontal_sum256(__m256 v) {
    __m128 low = _mm256_castps256_ps128(v);
    __m128 high = _mm256_extractf128_ps(v, 1);
    __m128 sum = _mm_add_ps(low, high);
    sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
    sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
    return _mm_cvtss_f32(sum);
}

// A mask that loads the first `remaining` (< 8) lanes, for the tail.
HASWELL static inline __m256i tail_mask256(size_t remaining) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)remaining), lanes);
}

// Masked loads handle any tail without reading past the end of either vector.
SKYLAKE static inline __mmask16 tail_mask512(size_t remaining) {
    return (__mmask16)((1u << remaining) - 1u);
}
#endif

#endif
