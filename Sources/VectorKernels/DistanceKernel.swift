import CVectorKernels

/// A distance function for one metric at one instruction-set level, resolved once.
///
/// Holding the C function pointer in a value (rather than a global that is overwritten, as some
/// libraries do) lets tests run every path side by side and lets a benchmark say what it measured.
public struct DistanceKernel: Sendable {
    public let metric: Metric
    public let isa: KernelISA
    @usableFromInline let function: lodestone_distance_fn
    /// The level's four-row kernel, where it has one (SIMD l2 and dot).
    @usableFromInline let batchFunction: lodestone_distance4_fn?
    /// The C dot kernels return the raw inner product; the metric distance is 1 - dot.
    @usableFromInline let returnsInnerProduct: Bool

    public init(metric: Metric, isa: KernelISA = .best) {
        precondition(isa.isSupported, "kernel level \(isa) is not supported on this CPU")
        self.metric = metric
        self.isa = isa
        self.function = DistanceKernel.resolve(metric: metric, isa: isa)
        self.batchFunction = DistanceKernel.resolveBatch(metric: metric, isa: isa)
        self.returnsInnerProduct = metric == .dot
    }

    /// Distance between two vectors of `count` floats each (smaller is closer).
    @inlinable
    public func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        let value = function(a, b, count)
        return returnsInnerProduct ? 1 - value : value
    }

    /// Distances from `query` to four rows into `out[0...3]`, each bit for bit what
    /// `distance(query, row, count:)` returns; loading the query once for four rows and running
    /// four independent sums is what a graph walk gains from measuring neighbours together.
    @inlinable
    public func distances(
        _ query: UnsafePointer<Float>, _ r0: UnsafePointer<Float>, _ r1: UnsafePointer<Float>,
        _ r2: UnsafePointer<Float>, _ r3: UnsafePointer<Float>, count: Int, into out: UnsafeMutablePointer<Float>
    ) {
        guard let batchFunction else {
            out[0] = distance(query, r0, count: count); out[1] = distance(query, r1, count: count)
            out[2] = distance(query, r2, count: count); out[3] = distance(query, r3, count: count)
            return
        }
        batchFunction(query, r0, r1, r2, r3, count, out)
        if returnsInnerProduct {
            out[0] = 1 - out[0]; out[1] = 1 - out[1]; out[2] = 1 - out[2]; out[3] = 1 - out[3]
        }
    }

    /// Distance between two equally long arrays.
    public func distance(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "vectors of different dimensions")
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                distance(pa.baseAddress!, pb.baseAddress!, count: a.count)
            }
        }
    }

    private static func resolve(metric: Metric, isa: KernelISA) -> lodestone_distance_fn {
        switch (metric, isa) {
        case (.l2, .serial): lodestone_l2sq_serial
        case (.l2, .haswell): lodestone_l2sq_haswell
        case (.l2, .skylake): lodestone_l2sq_skylake
        case (.dot, .serial): lodestone_dot_serial
        case (.dot, .haswell): lodestone_dot_haswell
        case (.dot, .skylake): lodestone_dot_skylake
        case (.cosine, .serial): lodestone_cosine_serial
        case (.cosine, .haswell): lodestone_cosine_haswell
        case (.cosine, .skylake): lodestone_cosine_skylake
        }
    }

    private static func resolveBatch(metric: Metric, isa: KernelISA) -> lodestone_distance4_fn? {
        #if arch(x86_64)
        switch (metric, isa) {
        case (.l2, .haswell): lodestone_l2sq4_haswell
        case (.l2, .skylake): lodestone_l2sq4_skylake
        case (.dot, .haswell): lodestone_dot4_haswell
        case (.dot, .skylake): lodestone_dot4_skylake
        // Cosine indexes store unit vectors and walk on dot; the serial level has no SIMD to share.
        case (.cosine, _), (_, .serial): nil
        }
        #else
        nil
        #endif
    }
}
