#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

/// A read-only memory mapping of a whole file, unmapped when the last
/// reference goes away.
///
/// Weights are used in place from the mapping: no copy is made, the kernel
/// pages them in on first use and can share them between processes. The class
/// is `@unchecked Sendable` because the mapping is `PROT_READ` and the
/// pointer is never exposed for writing; immutable bytes are safe to read from
/// any thread.
final class MemoryMappedFile: @unchecked Sendable {
    let path: String
    let byteCount: Int
    private let baseAddress: UnsafeRawPointer?

    init(path: String) throws(EmbeddingsError) {
        self.path = path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw .missingFile(path: path) }
            throw .unreadableFile(path: path, reason: String(cString: strerror(code)))
        }
        // The mapping keeps the file alive on its own, so the descriptor is
        // not needed past this initialiser.
        defer { close(descriptor) }

        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .unreadableFile(path: path, reason: String(cString: strerror(errno)))
        }
        byteCount = Int(status.st_size)
        guard byteCount > 0 else {
            // mmap rejects a zero length; an empty file is simply too small.
            baseAddress = nil
            return
        }
        let mapped = mmap(nil, byteCount, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw .unreadableFile(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        baseAddress = UnsafeRawPointer(mapped)
    }

    deinit {
        if let baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: baseAddress), byteCount)
        }
    }

    /// Reads the bytes of `range`, which must lie inside the file.
    func withUnsafeBytes<Result>(
        in range: Range<Int>,
        _ body: (UnsafeRawBufferPointer) throws(EmbeddingsError) -> Result
    ) throws(EmbeddingsError) -> Result {
        precondition(range.lowerBound >= 0 && range.upperBound <= byteCount, "byte range outside the mapping")
        guard let baseAddress else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeRawBufferPointer(start: baseAddress + range.lowerBound, count: range.count))
    }

    /// The address of `offset` inside the mapping, valid while `self` lives.
    /// Only `FloatTensor` uses it, and it holds a reference to `self`.
    func unsafeAddress(ofByte offset: Int) -> UnsafeRawPointer {
        precondition(offset >= 0 && offset < byteCount, "offset outside the mapping")
        return baseAddress! + offset
    }
}
