import CVectorKernels
import VectorKernels

/// How a graph walk measures a node: on the float vectors, or on their quantized codes. The
/// walk is generic over it, so each kind compiles to its own loop with nothing to dispatch.
protocol SlotDistance {
    func distance(to slot: UInt32, in view: GraphView) -> Float
    /// Starts loading what `distance(to:)` will read for `slot`.
    func prefetch(_ slot: UInt32, in view: GraphView)
    /// `out[i]` = the distance to `slots[i]` for `i < count`: a node's unvisited neighbours,
    /// measured together so a kernel can take several rows per pass over the query.
    func distances(to slots: UnsafePointer<UInt32>, count: Int, in view: GraphView, into out: UnsafeMutablePointer<Float>)
}

extension SlotDistance {
    @inline(__always) func distances(to slots: UnsafePointer<UInt32>, count: Int, in view: GraphView, into out: UnsafeMutablePointer<Float>) {
        for index in 0..<count { out[index] = distance(to: slots[index], in: view) }
    }
}

/// How much of a row a walk prefetches: all of a code row, the first lines of a long float
/// vector (the hardware streams the rest once the first lines are asked for).
let prefetchedRowBytes = 512

struct FloatDistance: SlotDistance {
    let query: UnsafePointer<Float>
    let kernel: DistanceKernel
    let dimension: Int

    @inline(__always) func distance(to slot: UInt32, in view: GraphView) -> Float {
        kernel.distance(query, view.vector(slot), count: dimension)
    }

    @inline(__always) func prefetch(_ slot: UInt32, in view: GraphView) {
        lodestone_prefetch_span(view.vector(slot), min(dimension &* 4, prefetchedRowBytes))
    }

    @inline(__always) func distances(to slots: UnsafePointer<UInt32>, count: Int, in view: GraphView, into out: UnsafeMutablePointer<Float>) {
        var index = 0
        while index &+ 4 <= count {
            kernel.distances(
                query, view.vector(slots[index]), view.vector(slots[index &+ 1]), view.vector(slots[index &+ 2]),
                view.vector(slots[index &+ 3]), count: dimension, into: out + index)
            index &+= 4
        }
        while index < count {
            out[index] = distance(to: slots[index], in: view)
            index &+= 1
        }
    }
}

/// The approximate distance from 8-bit codes: one integer inner product of the node's codes
/// with the query's signed codes over `stride` bytes (a quarter of the float vector's), and one
/// correction per node (see `ScalarQuantizer`).
struct CodeDistance: SlotDistance {
    let query: UnsafePointer<Int8>
    let constant: Float
    let factor: Float
    let stride: Int
    let kernel: CodeKernel
    let codes: UnsafeMutablePointer<UInt8>
    let corrections: UnsafeMutablePointer<Float>

    init(codes query: UnsafePointer<Int8>, prepared: ScalarQuery, quantizer: ScalarQuantizer, quantized: QuantizedView, kernel: CodeKernel) {
        self.query = query
        constant = prepared.constant
        factor = prepared.factor
        stride = quantizer.stride
        self.kernel = kernel
        codes = quantized.codes
        corrections = quantized.corrections
    }

    @inline(__always) func distance(to slot: UInt32, in view: GraphView) -> Float {
        score(Int(slot), kernel.dot(codes + Int(slot) &* stride, query, count: stride))
    }

    @inline(__always) private func score(_ slot: Int, _ dot: Int32) -> Float {
        constant + corrections[slot] + factor * Float(dot)
    }

    @inline(__always) func prefetch(_ slot: UInt32, in view: GraphView) {
        lodestone_prefetch_span(codes + Int(slot) &* stride, min(stride, prefetchedRowBytes))
    }

    @inline(__always) func distances(to slots: UnsafePointer<UInt32>, count: Int, in view: GraphView, into out: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 4) { dots in
            let dots = dots.baseAddress!
            var index = 0
            while index &+ 4 <= count {
                let s0 = Int(slots[index]), s1 = Int(slots[index &+ 1]), s2 = Int(slots[index &+ 2]), s3 = Int(slots[index &+ 3])
                kernel.dots(query, codes + s0 &* stride, codes + s1 &* stride, codes + s2 &* stride, codes + s3 &* stride, count: stride, into: dots)
                out[index] = score(s0, dots[0])
                out[index &+ 1] = score(s1, dots[1])
                out[index &+ 2] = score(s2, dots[2])
                out[index &+ 3] = score(s3, dots[3])
                index &+= 4
            }
            while index < count {
                out[index] = distance(to: slots[index], in: view)
                index &+= 1
            }
        }
    }
}

/// The Hamming distance between bit codes (`BinaryQuantizer`): a handful of words per node,
/// a thirty-second of the float vector. The walk orders by the bit count itself; results that
/// are not rescored are turned into the metric's units afterwards.
struct BitDistance: SlotDistance {
    let query: UnsafePointer<UInt64>
    let words: Int
    let kernel: BitKernel
    let codes: UnsafePointer<UInt64>

    init(query: UnsafePointer<UInt64>, quantizer: BinaryQuantizer, quantized: QuantizedView, kernel: BitKernel) {
        self.query = query
        words = quantizer.words
        self.kernel = kernel
        codes = UnsafeRawPointer(quantized.codes).assumingMemoryBound(to: UInt64.self)
    }

    @inline(__always) func distance(to slot: UInt32, in view: GraphView) -> Float {
        Float(kernel.hamming(query, codes + Int(slot) &* words, words: words))
    }

    @inline(__always) func prefetch(_ slot: UInt32, in view: GraphView) {
        lodestone_prefetch(codes + Int(slot) &* words)
    }
}

/// Asymmetric binary distance: the query's bit planes against the stored bits, plus each
/// node's set-bit count (see `BinaryQueryPlanes`).
struct PlaneDistance: SlotDistance {
    let planes: UnsafePointer<UInt64>
    let query: BinaryQueryPlanes
    let words: Int
    let kernel: BitKernel
    let codes: UnsafePointer<UInt64>
    let corrections: UnsafeMutablePointer<Float>

    init(planes: UnsafePointer<UInt64>, query: BinaryQueryPlanes, quantizer: BinaryQuantizer, quantized: QuantizedView, kernel: BitKernel) {
        self.planes = planes
        self.query = query
        words = quantizer.words
        self.kernel = kernel
        codes = UnsafeRawPointer(quantized.codes).assumingMemoryBound(to: UInt64.self)
        corrections = quantized.corrections
    }

    @inline(__always) func distance(to slot: UInt32, in view: GraphView) -> Float {
        let dot = kernel.planeDot(planes, codes + Int(slot) &* words, words: words, planes: query.planeCount)
        return query.constant + query.perSetBit * corrections[Int(slot)] + query.perLevel * Float(dot)
    }

    @inline(__always) func prefetch(_ slot: UInt32, in view: GraphView) {
        lodestone_prefetch(codes + Int(slot) &* words)
    }
}
