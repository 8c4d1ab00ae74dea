#include "CVectorKernels.h"

// Inner products of 7-bit scalar-quantized codes (values 0...127, one byte each), the core of
// every quantized distance: the metric is applied by the caller from per-vector corrections.
// Codes are padded with zeros to a multiple of 64 bytes, so the SIMD paths have no tails.

uint32_t lodestone_codes_dot_serial(const uint8_t *a, const uint8_t *b, size_t count) {
    uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= count; i += 4) {
        s0 += (uint32_t)a[i] * b[i];
        s1 += (uint32_t)a[i + 1] * b[i + 1];
        s2 += (uint32_t)a[i + 2] * b[i + 2];
        s3 += (uint32_t)a[i + 3] * b[i + 3];
    }
    for (; i < count; i++) s0 += (uint32_t)a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

#if defined(__x86_64__)
#include <immintrin.h>

// vpmaddubsw multiplies unsigned by signed bytes into saturating 16-bit pair sums; with both
// sides at most 127 a pair sum is at most 32,258, so nothing saturates.
__attribute__((target("avx2")))
uint32_t lodestone_codes_dot_avx2(const uint8_t *a, const uint8_t *b, size_t count) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
    for (size_t i = 0; i < count; i += 64) {
        __m256i p0 = _mm256_maddubs_epi16(_mm256_loadu_si256((const __m256i *)(a + i)), _mm256_loadu_si256((const __m256i *)(b + i)));
        __m256i p1 = _mm256_maddubs_epi16(_mm256_loadu_si256((const __m256i *)(a + i + 32)), _mm256_loadu_si256((const __m256i *)(b + i + 32)));
        s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(p0, ones));
        s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(p1, ones));
    }
    __m256i s = _mm256_add_epi32(s0, s1);
    __m128i h = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4E));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xB1));
    return (uint32_t)_mm_cvtsi128_si32(h);
}

// vpdpbusd: 64 unsigned-by-signed byte products summed into 16 dwords in one instruction.
__attribute__((target("avx512f,avx512bw,avx512vnni")))
uint32_t lodestone_codes_dot_vnni(const uint8_t *a, const uint8_t *b, size_t count) {
    __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512();
    size_t i = 0;
    for (; i + 128 <= count; i += 128) {
        s0 = _mm512_dpbusd_epi32(s0, _mm512_loadu_si512((const void *)(a + i)), _mm512_loadu_si512((const void *)(b + i)));
        s1 = _mm512_dpbusd_epi32(s1, _mm512_loadu_si512((const void *)(a + i + 64)), _mm512_loadu_si512((const void *)(b + i + 64)));
    }
    for (; i < count; i += 64) {
        s0 = _mm512_dpbusd_epi32(s0, _mm512_loadu_si512((const void *)(a + i)), _mm512_loadu_si512((const void *)(b + i)));
    }
    return (uint32_t)_mm512_reduce_add_epi32(_mm512_add_epi32(s0, s1));
}

#else
uint32_t lodestone_codes_dot_avx2(const uint8_t *a, const uint8_t *b, size_t count) { return lodestone_codes_dot_serial(a, b, count); }
uint32_t lodestone_codes_dot_vnni(const uint8_t *a, const uint8_t *b, size_t count) { return lodestone_codes_dot_serial(a, b, count); }
#endif
