import Foundation
import VectorKernels

/// A query prepared for asymmetric binary distance (`BinaryQueryEncoding.scalar4`/`.scalar8`).
///
/// Stored bits stand for x ≈ μ + a ∘ s with s = ±1 per dimension. With w = (q, or q - μ for L2) ∘ a
/// the inner product the walk needs is S = Σ w·s = 2·Σ w·b - Σ w over the set bits b. w is
/// quantized to `levels` = lo + Δ·u with u in 0 ..< 2^planes, so Σ w·b ≈ lo·|b| + Δ·Σ u·b, and
/// Σ u·b is one popcount per plane and word (`BitKernel.planeDot`). The distance is then
/// `constant + perSetBit·|b| + perLevel·(Σ u·b)`, |b| kept per vector as its correction:
/// - inner product: 1 - q·x ≈ 1 - q·μ - S;
/// - squared L2: ‖q - x‖² ≈ ‖q - μ‖² + Σ a² - 2·S.
struct BinaryQueryPlanes {
    let planes: [UInt64]
    let planeCount: Int
    let constant: Float
    let perSetBit: Float
    let perLevel: Float

    init(query: UnsafePointer<Float>, quantizer: BinaryQuantizer) {
        let dimension = quantizer.dimension, words = quantizer.words
        planeCount = quantizer.queryEncoding.rawValue
        let innerProduct = quantizer.metric.isInnerProduct
        var weights = [Float](repeating: 0, count: dimension)
        var towardMean: Float = 0, centredSquares: Float = 0, deviationSquares: Float = 0
        for column in 0 ..< dimension {
            let centred = query[column] - quantizer.thresholds[column]
            weights[column] = (innerProduct ? query[column] : centred) * quantizer.deviations[column]
            towardMean += query[column] * quantizer.thresholds[column]
            centredSquares += centred * centred
            deviationSquares += quantizer.deviations[column] * quantizer.deviations[column]
        }
        let low = weights.min() ?? 0, high = weights.max() ?? 0
        let top = Float((1 << planeCount) - 1)
        let step = high > low ? (high - low) / top : 1
        var planes = [UInt64](repeating: 0, count: planeCount * words)
        var sum: Float = 0
        for (column, weight) in weights.enumerated() {
            sum += weight
            let level = UInt32(min(max(((weight - low) / step).rounded(), 0), top))
            for plane in 0 ..< planeCount where (level >> plane) & 1 == 1 {
                planes[plane * words + (column >> 6)] |= 1 << UInt64(column & 63)
            }
        }
        self.planes = planes
        // S ≈ 2·(lo·|b| + Δ·D) - Σw, with D the plane dot.
        if innerProduct {
            constant = 1 - towardMean + sum
            perSetBit = -2 * low
            perLevel = -2 * step
        } else {
            constant = centredSquares + deviationSquares + 2 * sum
            perSetBit = -4 * low
            perLevel = -4 * step
        }
    }
}
