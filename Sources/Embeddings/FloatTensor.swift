/// An immutable, row-major tensor of 32-bit floats.
///
/// The elements live either in a memory-mapped safetensors file (F32 weights,
/// used in place) or in a heap buffer (weights converted from F16/BF16, or
/// F32 data that was not 4-byte aligned in the file). Either way `owner`
/// keeps the memory alive for as long as any copy of the tensor exists, which
/// is what makes handing the raw pointer to BLAS safe.
struct FloatTensor: @unchecked Sendable {
    // @unchecked: `elements` points into memory that `owner` keeps alive and
    // that nobody writes after construction.
    let name: String
    let shape: [Int]
    private let owner: AnyObject
    private let elements: UnsafePointer<Float>
    let count: Int

    init(name: String, shape: [Int], mappedFile: MemoryMappedFile, byteOffset: Int) {
        let count = shape.reduce(1, *)
        precondition(byteOffset + count * MemoryLayout<Float>.stride <= mappedFile.byteCount)
        let address = mappedFile.unsafeAddress(ofByte: byteOffset)
        precondition(Int(bitPattern: address) % MemoryLayout<Float>.alignment == 0, "unaligned F32 tensor")
        self.name = name
        self.shape = shape
        self.count = count
        self.owner = mappedFile
        self.elements = address.assumingMemoryBound(to: Float.self)
    }

    init(name: String, shape: [Int], ownedBuffer: OwnedFloatBuffer) {
        precondition(ownedBuffer.count == shape.reduce(1, *))
        self.name = name
        self.shape = shape
        self.count = ownedBuffer.count
        self.owner = ownedBuffer
        self.elements = UnsafePointer(ownedBuffer.baseAddress)
    }

    /// Reads the elements; the pointer must not escape `body`.
    func withUnsafeElements<Result, Failure: Error>(
        _ body: (UnsafeBufferPointer<Float>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try withExtendedLifetime(owner) { () throws(Failure) -> Result in
            try body(UnsafeBufferPointer(start: elements, count: count))
        }
    }
}

/// A heap allocation of floats that frees itself; the storage for tensors
/// that had to be converted or copied out of the mapping.
final class OwnedFloatBuffer: @unchecked Sendable {
    // @unchecked: filled once by the loader, read-only afterwards.
    let baseAddress: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int, fill: (UnsafeMutableBufferPointer<Float>) -> Void) {
        self.count = count
        baseAddress = .allocate(capacity: max(count, 1))
        fill(UnsafeMutableBufferPointer(start: baseAddress, count: count))
    }

    deinit {
        baseAddress.deallocate()
    }
}
