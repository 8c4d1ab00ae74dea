#include "CVectorKernels.h"
#include <math.h>

// Four independent accumulators let the compiler vectorise for the baseline ISA
// without -ffast-math, and keep the error comparable to the SIMD paths.
float lodestone_l2sq_serial(const float *a, const float *b, size_t count) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= count; i += 4) {
        float d0 = a[i] - b[i], d1 = a[i + 1] - b[i + 1];
        float d2 = a[i + 2] - b[i + 2], d3 = a[i + 3] - b[i + 3];
        s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
    }
    for (; i < count; i++) {
        float d = a[i] - b[i];
        s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
}

float lodestone_dot_serial(const float *a, const float *b, size_t count) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= count; i += 4) {
        s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3];
    }
    for (; i < count; i++) s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

float lodestone_cosine_serial(const float *a, const float *b, size_t count) {
    float ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < count; i++) {
        ab += a[i] * b[i];
        aa += a[i] * a[i];
        bb += b[i] * b[i];
    }
    if (aa == 0 || bb == 0) return (aa == 0 && bb == 0) ? 0.0f : 1.0f;
    return 1.0f - ab / sqrtf(aa * bb);
}
