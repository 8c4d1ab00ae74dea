import COpenBLAS

/// The few BLAS products the project needs, behind pointer-scoped calls.
public enum BLAS {
    /// C[m x n] = A[m x k] · B[n x k]ᵀ, all row-major and densely packed.
    ///
    /// This is the shape of "every query against every corpus row": both operands keep their
    /// natural row-per-vector layout and no transpose is materialised.
    public static func multiplyTransposed(
        _ a: UnsafePointer<Float>, rows m: Int,
        _ b: UnsafePointer<Float>, rows n: Int,
        depth k: Int,
        into c: UnsafeMutablePointer<Float>
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans,
            blasint(m), blasint(n), blasint(k),
            1, a, blasint(k), b, blasint(k),
            0, c, blasint(n))
    }

    /// As `multiplyTransposed`, with B's rows `bStride` floats apart (rows embedded in larger
    /// records, such as a graph node's vector inside its level-0 record).
    public static func multiplyTransposed(
        _ a: UnsafePointer<Float>, rows m: Int,
        _ b: UnsafePointer<Float>, rows n: Int, stride bStride: Int,
        depth k: Int,
        into c: UnsafeMutablePointer<Float>
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        precondition(bStride >= k, "row stride shorter than a row")
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans,
            blasint(m), blasint(n), blasint(k),
            1, a, blasint(k), b, blasint(bStride),
            0, c, blasint(n))
    }

    /// C[m x n] = A[m x k] · B[k x n], row-major; used to measure the machine's sgemm rate.
    public static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
        m: Int, n: Int, k: Int,
        into c: UnsafeMutablePointer<Float>
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans,
            blasint(m), blasint(n), blasint(k),
            1, a, blasint(k), b, blasint(n),
            0, c, blasint(n))
    }

    /// How many threads OpenBLAS uses for one call.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }
}
