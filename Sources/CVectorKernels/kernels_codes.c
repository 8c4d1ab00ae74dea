#include "CVectorKernels.h"

// Inner products of 8-bit stored codes (values 0...255, one byte each) with a query's signed
// codes (within ±64 for the AVX2 path, ±127 for the others), the core of every scalar-quantized
// distance: the metric and the per-dimension scales are applied by the caller (see ScalarQuantizer). Codes are padded with
// zeros to a multiple of 64 bytes, so the SIMD paths have no tails.

int32_t lodestone_codes_dot_serial(const uint8_t *codes, const int8_t *query, size_t count) {
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= count; i += 4) {
        s0 += (int32_t)codes[i] * query[i];
        s1 += (int32_t)codes[i + 1] * query[i + 1];
        s2 += (int32_t)codes[i + 2] * query[i + 2];
        s3 += (int32_t)codes[i + 3] * query[i + 3];
    }
    for (; i < count; i++) s0 += (int32_t)codes[i] * query[i];
    return (s0 + s1) + (s2 + s3);
}

#if defined(__x86_64__)
#include <immintrin.h>

// vpmaddubsw multiplies unsigned by signed bytes into saturating 16-bit pair sums; with stored
// codes at most 255 and query codes within ±64 a pair sum stays within ±32,640, so nothing
// saturates. That bound is why this path's queries have ±64 steps (CodeKernel.queryCodeLimit).
__attribute__((target("avx2")))
int32_t lodestone_codes_dot_avx2(const uint8_t *codes, const int8_t *query, size_t count) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
    for (size_t i = 0; i < count; i += 64) {
        __m256i p0 = _mm256_maddubs_epi16(_mm256_loadu_si256((const __m256i *)(codes + i)), _mm256_loadu_si256((const __m256i *)(query + i)));
        __m256i p1 = _mm256_maddubs_epi16(_mm256_loadu_si256((const __m256i *)(codes + i + 32)), _mm256_loadu_si256((const __m256i *)(query + i + 32)));
        s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(p0, ones));
        s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(p1, ones));
    }
    __m256i s = _mm256_add_epi32(s0, s1);
    __m128i h = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4E));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xB1));
    return _mm_cvtsi128_si32(h);
}

// vpdpbusd: 64 unsigned-by-signed byte products summed into 16 dwords in one instruction.
__attribute__((target("avx512f,avx512bw,avx512vnni")))
int32_t lodestone_codes_dot_vnni(const uint8_t *codes, const int8_t *query, size_t count) {
    __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512();
    size_t i = 0;
    for (; i + 128 <= count; i += 128) {
        s0 = _mm512_dpbusd_epi32(s0, _mm512_loadu_si512((const void *)(codes + i)), _mm512_loadu_si512((const void *)(query + i)));
        s1 = _mm512_dpbusd_epi32(s1, _mm512_loadu_si512((const void *)(codes + i + 64)), _mm512_loadu_si512((const void *)(query + i + 64)));
    }
    for (; i < count; i += 64) {
        s0 = _mm512_dpbusd_epi32(s0, _mm512_loadu_si512((const void *)(codes + i)), _mm512_loadu_si512((const void *)(query + i)));
    }
    return _mm512_reduce_add_epi32(_mm512_add_epi32(s0, s1));
}

// The four rows' lane sums into out[0...3] in one horizontal tree (integer sums are exact, so
// the order is free): three hadds leave row k's low- and high-half sums in lanes k and k + 4.
__attribute__((target("avx2")))
static inline void store_sums4_256(__m256i s0, __m256i s1, __m256i s2, __m256i s3, int32_t *out) {
    __m256i t = _mm256_hadd_epi32(_mm256_hadd_epi32(s0, s1), _mm256_hadd_epi32(s2, s3));
    __m128i sums = _mm_add_epi32(_mm256_castsi256_si128(t), _mm256_extracti128_si256(t, 1));
    _mm_storeu_si128((__m128i *)out, sums);
}

__attribute__((target("avx512f")))
static inline __m256i halves512(__m512i s) {
    return _mm256_add_epi32(_mm512_castsi512_si256(s), _mm512_extracti64x4_epi64(s, 1));
}

// Four rows against one query: each query block is loaded once, and the four sums are
// independent chains. Integer sums are exact, so these equal four one-row calls. Only SIMD levels
// have batches: elsewhere `CodeKernel` makes the four single calls.
__attribute__((target("avx2")))
void lodestone_codes_dot4_avx2(const int8_t *query, const uint8_t *c0, const uint8_t *c1, const uint8_t *c2, const uint8_t *c3, size_t count, int32_t *out) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256(), s2 = _mm256_setzero_si256(), s3 = _mm256_setzero_si256();
    for (size_t i = 0; i < count; i += 32) {
        __m256i q = _mm256_loadu_si256((const __m256i *)(query + i));
        s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_loadu_si256((const __m256i *)(c0 + i)), q), ones));
        s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_loadu_si256((const __m256i *)(c1 + i)), q), ones));
        s2 = _mm256_add_epi32(s2, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_loadu_si256((const __m256i *)(c2 + i)), q), ones));
        s3 = _mm256_add_epi32(s3, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_loadu_si256((const __m256i *)(c3 + i)), q), ones));
    }
    store_sums4_256(s0, s1, s2, s3, out);
}

__attribute__((target("avx512f,avx512bw,avx512vnni")))
void lodestone_codes_dot4_vnni(const int8_t *query, const uint8_t *c0, const uint8_t *c1, const uint8_t *c2, const uint8_t *c3, size_t count, int32_t *out) {
    __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512(), s2 = _mm512_setzero_si512(), s3 = _mm512_setzero_si512();
    for (size_t i = 0; i < count; i += 64) {
        __m512i q = _mm512_loadu_si512((const void *)(query + i));
        s0 = _mm512_dpbusd_epi32(s0, _mm512_loadu_si512((const void *)(c0 + i)), q);
        s1 = _mm512_dpbusd_epi32(s1, _mm512_loadu_si512((const void *)(c1 + i)), q);
        s2 = _mm512_dpbusd_epi32(s2, _mm512_loadu_si512((const void *)(c2 + i)), q);
        s3 = _mm512_dpbusd_epi32(s3, _mm512_loadu_si512((const void *)(c3 + i)), q);
    }
    store_sums4_256(halves512(s0), halves512(s1), halves512(s2), halves512(s3), out);
}

#else
int32_t lodestone_codes_dot_avx2(const uint8_t *codes, const int8_t *query, size_t count) { return lodestone_codes_dot_serial(codes, query, count); }
int32_t lodestone_codes_dot_vnni(const uint8_t *codes, const int8_t *query, size_t count) { return lodestone_codes_dot_serial(codes, query, count); }
#endif
