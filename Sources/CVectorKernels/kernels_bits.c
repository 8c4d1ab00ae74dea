#include "CVectorKernels.h"

// Hamming distances of binary-quantized vectors (one bit per dimension, packed into 64-bit
// words), the core of every binary distance. The serial path is the portable bit-count; the
// others use the POPCNT instruction, or AVX-512 VPOPCNTDQ eight words at a time.

static inline uint32_t count_bits(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (uint32_t)((x * 0x0101010101010101ULL) >> 56);
}

uint32_t lodestone_bits_hamming_serial(const uint64_t *a, const uint64_t *b, size_t words) {
    uint32_t total = 0;
    for (size_t i = 0; i < words; i++) total += count_bits(a[i] ^ b[i]);
    return total;
}

// Asymmetric binary distance: the query is quantized to `plane_count` bits per dimension and
// stored as bit planes (plane p holds bit p of every dimension's level, `words` words each),
// so the inner product of the levels with the stored bits is sum over p of 2^p * popcount(plane_p & bits).
uint32_t lodestone_bits_planes_serial(const uint64_t *planes, const uint64_t *bits, size_t words, size_t plane_count) {
    uint32_t total = 0;
    for (size_t p = 0; p < plane_count; p++) {
        uint32_t plane = 0;
        for (size_t i = 0; i < words; i++) plane += count_bits(planes[p * words + i] & bits[i]);
        total += plane << p;
    }
    return total;
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("popcnt")))
uint32_t lodestone_bits_planes_popcnt(const uint64_t *planes, const uint64_t *bits, size_t words, size_t plane_count) {
    uint64_t total = 0;
    for (size_t i = 0; i < words; i++) {
        const uint64_t x = bits[i];
        for (size_t p = 0; p < plane_count; p++) total += (uint64_t)__builtin_popcountll(planes[p * words + i] & x) << p;
    }
    return (uint32_t)total;
}

__attribute__((target("avx512f,avx512vpopcntdq")))
uint32_t lodestone_bits_planes_avx512(const uint64_t *planes, const uint64_t *bits, size_t words, size_t plane_count) {
    __m512i total = _mm512_setzero_si512();
    for (size_t i = 0; i < words; i += 8) {
        __mmask8 mask = words - i >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << (words - i)) - 1);
        __m512i x = _mm512_maskz_loadu_epi64(mask, bits + i);
        for (size_t p = 0; p < plane_count; p++) {
            __m512i counts = _mm512_popcnt_epi64(_mm512_and_si512(_mm512_maskz_loadu_epi64(mask, planes + p * words + i), x));
            total = _mm512_add_epi64(total, _mm512_slli_epi64(counts, (unsigned int)p));
        }
    }
    return (uint32_t)_mm512_reduce_add_epi64(total);
}

__attribute__((target("popcnt")))
uint32_t lodestone_bits_hamming_popcnt(const uint64_t *a, const uint64_t *b, size_t words) {
    uint64_t s0 = 0, s1 = 0;
    size_t i = 0;
    for (; i + 2 <= words; i += 2) {
        s0 += (uint64_t)__builtin_popcountll(a[i] ^ b[i]);
        s1 += (uint64_t)__builtin_popcountll(a[i + 1] ^ b[i + 1]);
    }
    if (i < words) s0 += (uint64_t)__builtin_popcountll(a[i] ^ b[i]);
    return (uint32_t)(s0 + s1);
}

// Eight words per instruction; the last partial group is read with a mask, so vectors need
// padding only to whole words (384 dimensions are six words: one masked load).
__attribute__((target("avx512f,avx512vpopcntdq")))
uint32_t lodestone_bits_hamming_avx512(const uint64_t *a, const uint64_t *b, size_t words) {
    __m512i sum = _mm512_setzero_si512();
    size_t i = 0;
    for (; i + 8 <= words; i += 8) {
        __m512i x = _mm512_xor_si512(_mm512_loadu_si512((const void *)(a + i)), _mm512_loadu_si512((const void *)(b + i)));
        sum = _mm512_add_epi64(sum, _mm512_popcnt_epi64(x));
    }
    if (i < words) {
        __mmask8 mask = (__mmask8)((1u << (words - i)) - 1);
        __m512i x = _mm512_xor_si512(_mm512_maskz_loadu_epi64(mask, a + i), _mm512_maskz_loadu_epi64(mask, b + i));
        sum = _mm512_add_epi64(sum, _mm512_popcnt_epi64(x));
    }
    return (uint32_t)_mm512_reduce_add_epi64(sum);
}

#else
uint32_t lodestone_bits_planes_popcnt(const uint64_t *planes, const uint64_t *bits, size_t words, size_t plane_count) { return lodestone_bits_planes_serial(planes, bits, words, plane_count); }
uint32_t lodestone_bits_planes_avx512(const uint64_t *planes, const uint64_t *bits, size_t words, size_t plane_count) { return lodestone_bits_planes_serial(planes, bits, words, plane_count); }
uint32_t lodestone_bits_hamming_popcnt(const uint64_t *a, const uint64_t *b, size_t words) { return lodestone_bits_hamming_serial(a, b, words); }
uint32_t lodestone_bits_hamming_avx512(const uint64_t *a, const uint64_t *b, size_t words) { return lodestone_bits_hamming_serial(a, b, words); }
#endif
