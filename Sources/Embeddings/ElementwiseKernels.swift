/// The non-matrix-product steps of the encoder over contiguous row-major
/// buffers: LayerNorm (with the residual add folded in), GELU and softmax.
///
/// Each works sixteen floats at a time with explicit vector accumulators:
/// Swift does not reassociate float sums on its own, so a plain loop would
/// stay scalar.
enum ElementwiseKernels {
    private typealias Math = VectorizedMath

    /// `output[r] = LayerNorm(input[r] + bias + residual[r]) · scale + shift`
    /// for each row; `output` may be the same buffer as `residual`. Taking
    /// the preceding dense layer's bias here saves a pass over its output.
    static func addAndLayerNormalize(
        input: UnsafePointer<Float>, bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>,
        rowCount: Int, width: Int, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, epsilon: Float
    ) {
        ParallelChunks.run(count: rowCount, minimumPerWorker: 64) { _, rows in
            addAndLayerNormalizeSerially(
                input: input, bias: bias, residual: residual, output: output, rows: rows,
                width: width, scale: scale, shift: shift, epsilon: epsilon)
        }
    }

    private static func addAndLayerNormalizeSerially(
        input: UnsafePointer<Float>, bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>,
        rows: Range<Int>, width: Int, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, epsilon: Float
    ) {
        let vectorEnd = width - width % FloatVector.scalarCount
        for row in rows {
            let rowInput = input + row * width
            let rowOutput = output + row * width
            let rowResidual = residual.map { $0 + row * width }

            // Pass 1: the summed input, and its mean.
            var sums = FloatVector()
            var column = 0
            while column < vectorEnd {
                var value = Math.load(rowInput + column)
                if let bias { value += Math.load(bias + column) }
                if let rowResidual { value += Math.load(rowResidual + column) }
                Math.store(value, to: rowOutput + column)
                sums += value
                column += FloatVector.scalarCount
            }
            var sum = sums.sum()
            while column < width {
                let value = rowInput[column] + (bias?[column] ?? 0) + (rowResidual?[column] ?? 0)
                rowOutput[column] = value
                sum += value
                column += 1
            }
            let mean = sum / Float(width)

            // Pass 2: variance around the mean (two passes, not E[x²]-E[x]²,
            // which loses precision when the mean is large).
            var squares = FloatVector()
            column = 0
            while column < vectorEnd {
                let centred = Math.load(rowOutput + column) - mean
                squares += centred * centred
                column += FloatVector.scalarCount
            }
            var squareSum = squares.sum()
            while column < width {
                let centred = rowOutput[column] - mean
                squareSum += centred * centred
                column += 1
            }
            let inverseDeviation = 1 / (squareSum / Float(width) + epsilon).squareRoot()

            // Pass 3: normalise, scale and shift in place.
            column = 0
            while column < vectorEnd {
                let normalized = (Math.load(rowOutput + column) - mean) * inverseDeviation
                Math.store(normalized * Math.load(scale + column) + Math.load(shift + column), to: rowOutput + column)
                column += FloatVector.scalarCount
            }
            while column < width {
                rowOutput[column] = (rowOutput[column] - mean) * inverseDeviation * scale[column] + shift[column]
                column += 1
            }
        }
    }

    /// `values[r] = GELU(values[r] + bias)` in place for each row of a
    /// `rowCount × width` matrix, rows split across cores. The bias is the
    /// preceding dense layer's, added here to spare a pass of its own.
    static func addBiasAndApplyGELU(
        _ values: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rowCount: Int, width: Int
    ) {
        ParallelChunks.run(count: rowCount, minimumPerWorker: 16) { _, rows in
            let vectorEnd = width - width % FloatVector.scalarCount
            for row in rows {
                let rowValues = values + row * width
                var column = 0
                while column < vectorEnd {
                    let input = Math.load(rowValues + column) + Math.load(bias + column)
                    Math.store(Math.gelu(input), to: rowValues + column)
                    column += FloatVector.scalarCount
                }
                if column < width {
                    let remaining = width - column
                    let input = Math.loadPartial(rowValues + column, count: remaining, filler: 0)
                        + Math.loadPartial(bias + column, count: remaining, filler: 0)
                    Math.storePartial(Math.gelu(input), to: rowValues + column, count: remaining)
                }
            }
        }
    }

    /// Softmax of each row of a `rowCount × columnCount` matrix in place
    /// (rows `rowStride` floats apart). The maximum is subtracted first so
    /// exp never overflows; weights below e^-80 (relative to the largest)
    /// become exactly zero rather than subnormal, which would slow the
    /// context product that follows.
    static func softmaxRows(_ matrix: UnsafeMutablePointer<Float>, rowCount: Int, columnCount: Int, rowStride: Int) {
        let vectorEnd = columnCount - columnCount % FloatVector.scalarCount
        let remaining = columnCount - vectorEnd
        for row in 0..<rowCount {
            let values = matrix + row * rowStride

            var maxima = FloatVector(repeating: -.infinity)
            var column = 0
            while column < vectorEnd {
                maxima = Math.maximum(maxima, Math.load(values + column))
                column += FloatVector.scalarCount
            }
            var maximum = -Float.infinity
            for lane in 0..<FloatVector.scalarCount { maximum = max(maximum, maxima[lane]) }
            for tail in vectorEnd..<columnCount { maximum = max(maximum, values[tail]) }

            var sums = FloatVector()
            column = 0
            while column < vectorEnd {
                let shifted = Math.load(values + column) - maximum
                let exponential = Math.exp(shifted).replacing(with: 0, where: shifted .< -80)
                Math.store(exponential, to: values + column)
                sums += exponential
                column += FloatVector.scalarCount
            }
            var sum = sums.sum()
            if remaining > 0 {
                let shifted = Math.loadPartial(values + vectorEnd, count: remaining, filler: 0) - maximum
                let exponential = Math.exp(shifted).replacing(with: 0, where: shifted .< -80)
                for lane in 0..<remaining {
                    values[vectorEnd + lane] = exponential[lane]
                    sum += exponential[lane]
                }
            }

            let reciprocal = 1 / sum
            column = 0
            while column < vectorEnd {
                Math.store(Math.load(values + column) * reciprocal, to: values + column)
                column += FloatVector.scalarCount
            }
            for tail in vectorEnd..<columnCount { values[tail] *= reciprocal }
        }
    }
}
