/// Sixteen-lane float math for the element-wise steps of the encoder.
///
/// GELU alone is evaluated about 1,500 times per token per layer; calling the
/// C library's scalar `erff`/`expf` for each would cost a sizeable share of
/// the matrix products' time, so exp and erfc are approximated here with
/// branch-free polynomials that the compiler turns into vector code. Their
/// errors (around 1e-7) are of the order of float32 rounding and far below
/// the noise of the matrix products around them: embeddings stay within
/// 2e-7 per component of the float64 reference.
typealias FloatVector = SIMD16<Float>

enum VectorizedMath {
    /// e^x, relative error below 2e-7 for x in [-87, 88]; inputs outside are
    /// clamped (below, the result is ~1e-38 rather than 0). Callers that can
    /// go that low replace such results with zero themselves.
    // @_transparent rather than @inline(__always): the optimizer declined
    // the latter inside GELU's loop and paid a call, with the 64-byte
    // vectors passed through memory, for every sixteen values.
    @_transparent
    static func exp(_ x: FloatVector) -> FloatVector {
        let clamped = clamp(x, lowerBound: -87, upperBound: 88)
        // Split x = n·ln2 + r with |r| <= ln2/2. Adding 1.5·2^23 rounds
        // x·log2(e) to an integer in the low mantissa bits, which then also
        // serve as the integer n without a float-to-int conversion.
        let roundingConstant: Float = 12_582_912
        let shifted = clamped * 1.442_695_04 + roundingConstant
        let n = shifted - roundingConstant
        // ln2 in two parts (Cody–Waite) so that n·ln2 is exact enough.
        let r = clamped - n * 0.693_145_75 - n * 1.428_606_8e-6
        // Taylor series of e^r to degree 6: truncation error < 1.3e-7 on
        // |r| <= 0.347, the same order as the erfc formula GELU feeds it to.
        var polynomial = FloatVector(repeating: 1.0 / 720)
        polynomial = polynomial * r + 1.0 / 120
        polynomial = polynomial * r + 1.0 / 24
        polynomial = polynomial * r + 1.0 / 6
        polynomial = polynomial * r + 0.5
        polynomial = polynomial * r + 1
        polynomial = polynomial * r + 1
        let integerN = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        let twoToTheN = unsafeBitCast((integerN &+ 127) &<< 23, to: FloatVector.self)
        return polynomial * twoToTheN
    }

    /// Lane-wise clamp written as compare-and-blend: the standard library's
    /// generic `clamped`/`pointwiseMin`/`pointwiseMax` handle NaN lane by
    /// lane and compile to scalar code.
    @inline(__always)
    static func clamp(_ x: FloatVector, lowerBound: Float, upperBound: Float) -> FloatVector {
        let low = FloatVector(repeating: lowerBound)
        let high = FloatVector(repeating: upperBound)
        return x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
    }

    /// Lane-wise maximum, vectorised (see `clamp`).
    @inline(__always)
    static func maximum(_ a: FloatVector, _ b: FloatVector) -> FloatVector {
        a.replacing(with: b, where: b .> a)
    }

    /// GELU in its exact form, x·Φ(x) = 0.5·x·(1 + erf(x/√2)), which is what
    /// `hidden_act: "gelu"` means in transformers.
    ///
    /// Φ comes from erfc of |x|/√2 (Abramowitz & Stegun 7.1.26, absolute
    /// error below 1.5e-7): for negative x that is the small tail directly,
    /// with no cancellation, and for positive x it is 1 minus the tail.
    ///
    /// Below x = -10 the result (under 1e-22 in magnitude) is set to exactly
    /// zero, and z is capped so no intermediate underflows: subnormal floats
    /// cost a microcode assist per operation on x86, here and in the next
    /// matrix product, and slowed the whole layer down measurably.
    @inline(__always)
    static func gelu(_ x: FloatVector) -> FloatVector {
        let z = clamp(x.replacing(with: -x, where: x .< 0) * 0.707_106_78, lowerBound: 0, upperBound: 7.5)
        let t = 1 / (1 + 0.327_591_1 * z)
        var polynomial = FloatVector(repeating: 1.061_405_429)
        polynomial = polynomial * t - 1.453_152_027
        polynomial = polynomial * t + 1.421_413_741
        polynomial = polynomial * t - 0.284_496_736
        polynomial = polynomial * t + 0.254_829_592
        let halfErfc = 0.5 * polynomial * t * exp(-z * z)
        let cumulative = halfErfc.replacing(with: 1 - halfErfc, where: x .>= 0)
        return (x * cumulative).replacing(with: 0, where: x .< -10)
    }

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> FloatVector {
        UnsafeRawPointer(pointer).loadUnaligned(as: FloatVector.self)
    }

    @inline(__always)
    static func store(_ vector: FloatVector, to pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: FloatVector.self)
    }

    /// The first `count` (< 16) elements, the other lanes set to `filler`.
    @inline(__always)
    static func loadPartial(_ pointer: UnsafePointer<Float>, count: Int, filler: Float) -> FloatVector {
        var vector = FloatVector(repeating: filler)
        for lane in 0..<count { vector[lane] = pointer[lane] }
        return vector
    }

    @inline(__always)
    static func storePartial(_ vector: FloatVector, to pointer: UnsafeMutablePointer<Float>, count: Int) {
        for lane in 0..<count { pointer[lane] = vector[lane] }
    }
}
