#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The float vectors of a quantized graph, in a file the OS pages: the walk reads codes, and
/// only rescoring and construction touch the floats, so most of them need not be resident.
///
/// The file is unlinked as soon as it is open, so a crash leaves nothing behind: the vectors
/// are stored elsewhere (the collection's points and its images) and are copied here again
/// at the next open. Blocks are allocated up front (`posix_fallocate`), because a write
/// through a mapping into a hole the disk cannot fill kills the process with SIGBUS.
final class PagedVectorFile: @unchecked Sendable {
    private let descriptor: Int32
    private(set) var base: UnsafeMutableRawPointer
    private(set) var byteCount: Int

    /// A zero-filled file of `byteCount` bytes in `directory` (on the data's disk: a tmpfs
    /// directory would hold the vectors in RAM again), mapped shared.
    init(directory: URL, byteCount: Int) throws(IndexError) {
        let path = directory.appendingPathComponent(".paged-vectors-\(UUID().uuidString)").path
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .vectorPaging("cannot create a file in \(directory.lastPathComponent): \(Self.reason(errno))") }
        unlink(path)
        self.descriptor = descriptor
        self.byteCount = 0
        self.base = UnsafeMutableRawPointer(bitPattern: 1)!
        do {
            base = try Self.map(descriptor, byteCount: Self.rounded(byteCount))
            self.byteCount = Self.rounded(byteCount)
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit {
        munmap(base, byteCount)
        close(descriptor)
    }

    /// Grows the file and maps it again; the old mapping goes, so callers hold the graph's
    /// exclusive lock (no view points into it).
    func grow(to newByteCount: Int) throws(IndexError) {
        let rounded = Self.rounded(newByteCount)
        guard rounded > byteCount else { return }
        let grown = try Self.map(descriptor, byteCount: rounded)
        munmap(base, byteCount)
        base = grown
        byteCount = rounded
    }

    /// Writes through the file rather than the mapping, so the bytes land in the page cache
    /// (written back and reclaimed by the OS) without becoming this process's resident pages.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(IndexError) {
        var written = 0
        while written < bytes.count {
            let result = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(offset + written))
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { throw .vectorPaging("cannot write the paged vectors: \(Self.reason(errno))") }
            written += result
        }
    }

    /// Copies `byteCount` bytes at `offset` into `destination` through the file, not the
    /// mapping. On this machine's ext4 the page cache holds large folios and a fault through
    /// the mapping maps the whole folio (1,000 random one-byte reads of a 256 MB file mapped
    /// all of it, with or without `MADV_RANDOM`), so reads at query time never fault.
    /// Should the read fail, the mapping serves it.
    func read(into destination: UnsafeMutableRawPointer, byteCount: Int, at offset: Int) {
        var done = 0
        while done < byteCount {
            let result = pread(descriptor, destination + done, byteCount - done, off_t(offset + done))
            if result < 0, errno == EINTR { continue }
            guard result > 0 else {
                (destination + done).copyMemory(from: base + offset + done, byteCount: byteCount - done)
                return
            }
            done += result
        }
    }

    /// Unmaps every page the process touched; the file keeps them, so nothing is lost and the
    /// next read faults the page back in.
    func releaseResidentPages() {
        madvise(base, byteCount, Int32(MADV_DONTNEED))
    }

    private static func map(_ descriptor: Int32, byteCount: Int) throws(IndexError) -> UnsafeMutableRawPointer {
        let allocated = posix_fallocate(descriptor, 0, off_t(byteCount))
        guard allocated == 0 else { throw .vectorPaging("cannot allocate \(byteCount) bytes on disk for the paged vectors: \(reason(allocated))") }
        guard let mapped = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0), mapped != MAP_FAILED else {
            throw .vectorPaging("cannot map the paged vectors: \(reason(errno))")
        }
        // Construction's reads through the mapping are scattered: reading ahead would only
        // fill the page cache with vectors nobody asked for.
        madvise(mapped, byteCount, Int32(MADV_RANDOM))
        return mapped
    }

    private static func rounded(_ byteCount: Int) -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        return max(page, (byteCount + page - 1) / page * page)
    }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}
