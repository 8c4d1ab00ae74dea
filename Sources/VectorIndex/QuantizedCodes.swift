/// The quantized copy of every stored vector, slot by slot next to the graph: `stride` code
/// bytes and one float correction per slot (see `ScalarQuantizer`, `BinaryQuantizer`). Owned by `GraphStorage`,
/// which grows it with the graph under the index's exclusive lock.
final class QuantizedCodes: @unchecked Sendable {
    let quantizer: VectorQuantizer
    /// How many vectors the quantizer was trained on and encoded at the start.
    let trainedOn: Int
    private(set) var capacity = 0
    private(set) var codes: UnsafeMutablePointer<UInt8>
    private(set) var corrections: UnsafeMutablePointer<Float>

    init(quantizer: VectorQuantizer, capacity: Int, trainedOn: Int) {
        self.quantizer = quantizer
        self.trainedOn = trainedOn
        codes = .allocate(capacity: 1)
        corrections = .allocate(capacity: 1)
        resize(to: max(capacity, 1))
    }

    deinit {
        codes.deallocate()
        corrections.deallocate()
    }

    func resize(to newCapacity: Int) {
        guard newCapacity > capacity else { return }
        let stride = quantizer.stride
        // Rows of 64 bytes on 64-byte boundaries: the kernels' loads never split a cache line.
        let grownCodes = UnsafeMutableRawPointer.allocate(byteCount: newCapacity * stride, alignment: 64).bindMemory(to: UInt8.self, capacity: newCapacity * stride)
        grownCodes.initialize(from: codes, count: capacity * stride)
        (grownCodes + capacity * stride).initialize(repeating: 0, count: (newCapacity - capacity) * stride)
        let grownCorrections = UnsafeMutablePointer<Float>.allocate(capacity: newCapacity)
        grownCorrections.initialize(from: corrections, count: capacity)
        (grownCorrections + capacity).initialize(repeating: 0, count: newCapacity - capacity)
        codes.deallocate()
        corrections.deallocate()
        codes = grownCodes
        corrections = grownCorrections
        capacity = newCapacity
    }

    var view: QuantizedView { QuantizedView(quantizer: quantizer, codes: codes, corrections: corrections) }

    var allocatedBytes: Int { capacity * (quantizer.stride + MemoryLayout<Float>.stride) }
}

/// The codes' pointers for one operation, taken with the graph's view.
struct QuantizedView {
    let quantizer: VectorQuantizer
    let codes: UnsafeMutablePointer<UInt8>
    let corrections: UnsafeMutablePointer<Float>

    @inline(__always)
    func codes(_ slot: UInt32) -> UnsafeMutablePointer<UInt8> { codes + Int(slot) &* quantizer.stride }

    /// What a walk's code distance stands for in the metric's units.
    func approximateDistance(_ walked: Float) -> Float {
        guard case .binary(let binary) = quantizer, binary.queryEncoding == .bits else { return walked }
        return binary.approximateDistance(hamming: walked)
    }

    /// Encodes the (already normalised) vector of `slot`.
    func encode(_ vector: UnsafePointer<Float>, slot: UInt32) {
        corrections[Int(slot)] = quantizer.encode(vector, into: codes(slot))
    }
}
