import CVectorKernels
import VectorKernels

/// How a graph walk measures a node: on the float vectors, or on their quantized codes. The
/// walk is generic over it, so each kind compiles to its own loop with nothing to dispatch.
protocol SlotDistance {
    func distance(to slot: UInt32, in view: GraphView) -> Float
    /// Starts loading what `distance(to:)` will read for `slot`.
    func prefetch(_ slot: UInt32, in view: GraphView)
}

struct FloatDistance: SlotDistance {
    let query: UnsafePointer<Float>
    let kernel: DistanceKernel
    let dimension: Int

    @inline(__always) func distance(to slot: UInt32, in view: GraphView) -> Float {
        kernel.distance(query, view.vector(slot), count: dimension)
    }

    @inline(__always) func prefetch(_ slot: UInt32, in view: GraphView) {
        lodestone_prefetch(view.vector(slot))
    }
}

/// The approximate distance from 7-bit codes: one integer inner product over `stride` bytes
/// (a quarter of the float vector's) and one correction per node.
struct CodeDistance: SlotDistance {
    let query: UnsafePointer<UInt8>
    let constant: Float
    let factor: Float
    let stride: Int
    let kernel: CodeKernel
    let codes: UnsafeMutablePointer<UInt8>
    let corrections: UnsafeMutablePointer<Float>

    init(query: UnsafePointer<UInt8>, quantized: QuantizedView, kernel: CodeKernel) {
        self.query = query
        constant = quantized.quantizer.constant(codes: query)
        factor = quantized.quantizer.factor
        stride = quantized.quantizer.stride
        self.kernel = kernel
        codes = quantized.codes
        corrections = quantized.corrections
    }

    @inline(__always) func distance(to slot: UInt32, in view: GraphView) -> Float {
        let dot = kernel.dot(query, codes + Int(slot) &* stride, count: stride)
        return constant + corrections[Int(slot)] + factor * Float(dot)
    }

    @inline(__always) func prefetch(_ slot: UInt32, in view: GraphView) {
        lodestone_prefetch(codes + Int(slot) &* stride)
    }
}
