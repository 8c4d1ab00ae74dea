#ifndef LODESTONE_CVECTORKERNELS_H
#define LODESTONE_CVECTORKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set levels a kernel can be compiled for, best last.
typedef enum {
    LODESTONE_ISA_SERIAL = 0,
    LODESTONE_ISA_HASWELL = 1,  // AVX2 + FMA
    LODESTONE_ISA_SKYLAKE = 2,  // AVX-512F
} lodestone_isa;

typedef float (*lodestone_distance_fn)(const float *a, const float *b, size_t count);

/// Whether this CPU (and OS, for the wide register state) can run kernels of `isa`.
int lodestone_isa_supported(lodestone_isa isa);

float lodestone_l2sq_serial(const float *a, const float *b, size_t count);
float lodestone_dot_serial(const float *a, const float *b, size_t count);
float lodestone_cosine_serial(const float *a, const float *b, size_t count);

float lodestone_l2sq_haswell(const float *a, const float *b, size_t count);
float lodestone_dot_haswell(const float *a, const float *b, size_t count);
float lodestone_cosine_haswell(const float *a, const float *b, size_t count);

float lodestone_l2sq_skylake(const float *a, const float *b, size_t count);
float lodestone_dot_skylake(const float *a, const float *b, size_t count);
float lodestone_cosine_skylake(const float *a, const float *b, size_t count);

/// One query against four rows: out[k] = the metric's kernel of (q, r_k), bit for bit what the
/// one-row kernel of the same level returns. SIMD levels of l2 and dot only (x86-64).
typedef void (*lodestone_distance4_fn)(const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t count, float *out);

void lodestone_l2sq4_haswell(const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t count, float *out);
void lodestone_dot4_haswell(const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t count, float *out);
void lodestone_l2sq4_skylake(const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t count, float *out);
void lodestone_dot4_skylake(const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t count, float *out);

/// Levels of the quantized-code kernels (8-bit codes, one byte per dimension).
typedef enum {
    LODESTONE_CODES_SERIAL = 0,
    LODESTONE_CODES_AVX2 = 1,  // vpmaddubsw
    LODESTONE_CODES_VNNI = 2,  // AVX-512 VNNI vpdpbusd
} lodestone_codes_isa;

typedef int32_t (*lodestone_codes_dot_fn)(const uint8_t *codes, const int8_t *query, size_t count);

int lodestone_codes_isa_supported(lodestone_codes_isa isa);
/// Sum of codes[i] * query[i], stored codes in 0...255 against signed query codes within
/// ±64 (AVX2) or ±127 (VNNI, serial); the SIMD paths need `count` a multiple of 64.
int32_t lodestone_codes_dot_serial(const uint8_t *codes, const int8_t *query, size_t count);
int32_t lodestone_codes_dot_avx2(const uint8_t *codes, const int8_t *query, size_t count);
int32_t lodestone_codes_dot_vnni(const uint8_t *codes, const int8_t *query, size_t count);

typedef void (*lodestone_codes_dot4_fn)(const int8_t *query, const uint8_t *c0, const uint8_t *c1, const uint8_t *c2, const uint8_t *c3, size_t count, int32_t *out);
/// out[k] = the inner product of c_k with the query, as lodestone_codes_dot_* computes it
/// (SIMD levels only, x86-64).
void lodestone_codes_dot4_avx2(const int8_t *query, const uint8_t *c0, const uint8_t *c1, const uint8_t *c2, const uint8_t *c3, size_t count, int32_t *out);
void lodestone_codes_dot4_vnni(const int8_t *query, const uint8_t *c0, const uint8_t *c1, const uint8_t *c2, const uint8_t *c3, size_t count, int32_t *out);

/// Levels of the binary-code kernels (one bit per dimension, 64-bit words).
typedef enum {
    LODESTONE_BITS_SERIAL = 0,
    LODESTONE_BITS_POPCNT = 1,  // the POPCNT instruction
    LODESTONE_BITS_AVX512 = 2,  // AVX-512 VPOPCNTDQ
} lodestone_bits_isa;

typedef uint32_t (*lodestone_bits_hamming_fn)(const uint64_t *a, const uint64_t *b, size_t words);

int lodestone_bits_isa_supported(lodestone_bits_isa isa);
/// The number of differing bits over `words` 64-bit words.
uint32_t lodestone_bits_hamming_serial(const uint64_t *a, const uint64_t *b, size_t words);
uint32_t lodestone_bits_hamming_popcnt(const uint64_t *a, const uint64_t *b, size_t words);
uint32_t lodestone_bits_hamming_avx512(const uint64_t *a, const uint64_t *b, size_t words);

typedef uint32_t (*lodestone_bits_planes_fn)(const uint64_t *planes, const uint64_t *bits, size_t words, size_t plane_count);
/// Sum over p < plane_count of 2^p * popcount(planes[p] & bits): a query quantized to
/// plane_count bits per dimension, stored as bit planes of `words` words, against stored bits.
uint32_t lodestone_bits_planes_serial(const uint64_t *planes, const uint64_t *bits, size_t words, size_t plane_count);
uint32_t lodestone_bits_planes_popcnt(const uint64_t *planes, const uint64_t *bits, size_t words, size_t plane_count);
uint32_t lodestone_bits_planes_avx512(const uint64_t *planes, const uint64_t *bits, size_t words, size_t plane_count);

/// Hint the cache hierarchy that `address` will be read soon.
static inline void lodestone_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// Hint every cache line of `bytes` from `address`: a graph walk asks for all of a row at
/// once, so its lines arrive together instead of one miss after another.
static inline void lodestone_prefetch_span(const void *address, size_t bytes) {
    const char *start = (const char *)address;
    for (size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(start + offset, 0, 3);
}

/// A one-byte spin lock for per-node locking in the graph; spins briefly, then yields.
void lodestone_spin_lock(uint8_t *lock);
static inline void lodestone_spin_unlock(uint8_t *lock) {
    __atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

static inline uint32_t lodestone_atomic_load_u32(const uint32_t *address) {
    return __atomic_load_n(address, __ATOMIC_ACQUIRE);
}
static inline void lodestone_atomic_store_u32(uint32_t *address, uint32_t value) {
    __atomic_store_n(address, value, __ATOMIC_RELEASE);
}
static inline uint8_t lodestone_atomic_load_u8(const uint8_t *address) {
    return __atomic_load_n(address, __ATOMIC_ACQUIRE);
}
static inline void lodestone_atomic_store_u8(uint8_t *address, uint8_t value) {
    __atomic_store_n(address, value, __ATOMIC_RELEASE);
}

#ifdef __cplusplus
}
#endif

#endif
