/// Small helpers on whole vectors; the hot loops live in the C kernels.
public enum VectorMath {
    /// Scales `vector` to unit length in place; a zero vector stays zero.
    public static func normalize(_ vector: UnsafeMutableBufferPointer<Float>) {
        var sum: Float = 0
        for value in vector { sum += value * value }
        guard sum > 0 else { return }
        let scale = 1 / sum.squareRoot()
        for index in vector.indices { vector[index] *= scale }
    }

    public static func normalized(_ vector: [Float]) -> [Float] {
        var copy = vector
        copy.withUnsafeMutableBufferPointer { normalize($0) }
        return copy
    }

    public static func squaredNorm(_ vector: UnsafeBufferPointer<Float>) -> Float {
        var sum: Float = 0
        for value in vector { sum += value * value }
        return sum
    }

}
