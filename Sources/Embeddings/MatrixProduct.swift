import COpenBLAS

/// The one door to `cblas_sgemm`: every matrix product of the encoder goes
/// through here, row-major, so the call sites read as the math they do.
enum MatrixProduct {
    /// `C = alpha · A · op(B) + beta · C` with A `rows × inner` (leading
    /// dimension `aStride`), op(B) `inner × columns` and C `rows × columns`
    /// (leading dimension `cStride`). With `transposingB`, B is stored
    /// `columns × inner`, the layout of a PyTorch Linear weight, so weights
    /// are multiplied where they lie in the mapped file.
    static func multiply(
        rows: Int, columns: Int, inner: Int,
        a: UnsafePointer<Float>, aStride: Int,
        b: UnsafePointer<Float>, bStride: Int, transposingB: Bool,
        c: UnsafeMutablePointer<Float>, cStride: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        precondition(rows > 0 && columns > 0 && inner > 0, "empty matrix product")
        precondition(aStride >= inner && cStride >= columns && bStride >= (transposingB ? inner : columns))
        precondition(rows <= Int(Int32.max) && columns <= Int(Int32.max) && inner <= Int(Int32.max))
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, transposingB ? CblasTrans : CblasNoTrans,
            blasint(rows), blasint(columns), blasint(inner),
            alpha, a, blasint(aStride),
            b, blasint(bStride),
            beta, c, blasint(cStride))
    }
}

extension LinearWeights {
    /// `output = input · Wᵀ` without the bias, for layers whose bias the
    /// next element-wise pass (GELU, LayerNorm) adds on its way through.
    func multiplyWithoutBias(_ input: UnsafePointer<Float>, rowCount: Int, output: UnsafeMutablePointer<Float>) {
        weight.withUnsafeElements { weight in
            MatrixProduct.multiply(
                rows: rowCount, columns: outputSize, inner: inputSize,
                a: input, aStride: inputSize,
                b: weight.baseAddress!, bStride: inputSize, transposingB: true,
                c: output, cStride: outputSize)
        }
    }

    /// `output = input · Wᵀ + b` for `rowCount` rows at once: the bias is
    /// copied into every output row first and the product accumulated onto
    /// it (beta = 1), which costs what BLAS's own zeroing of C would.
    func apply(to input: UnsafePointer<Float>, rowCount: Int, output: UnsafeMutablePointer<Float>) {
        let outputs = outputSize
        bias.withUnsafeElements { bias in
            for row in 0..<rowCount {
                (output + row * outputs).update(from: bias.baseAddress!, count: outputs)
            }
        }
        weight.withUnsafeElements { weight in
            MatrixProduct.multiply(
                rows: rowCount, columns: outputs, inner: inputSize,
                a: input, aStride: inputSize,
                b: weight.baseAddress!, bStride: inputSize, transposingB: true,
                c: output, cStride: outputs, beta: 1)
        }
    }
}
