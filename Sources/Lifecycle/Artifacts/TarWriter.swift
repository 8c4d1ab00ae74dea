import Crypto
import Foundation

/// Writes an uncompressed ustar stream to a file, the format `TarArchive` reads (and GNU tar
/// and Python's tarfile): regular files only, a PAX header for paths over 100 bytes or sizes
/// of 8 GiB and more. The SHA-256 of everything written is kept as it goes, so a snapshot's
/// checksum costs no second pass over the file.
public struct TarWriter {
    private let handle: FileHandle
    private let url: URL
    private var hasher = SHA256()
    public private(set) var bytesWritten = 0
    static let chunkSize = 4 << 20
    static let largestOctalSize = (1 << 33) - 1

    public init(creating url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw LifecycleError.snapshotFailed("cannot create \(url.lastPathComponent)")
        }
        self.url = url
        handle = try FileHandle(forWritingTo: url)
    }

    /// Adds the file at `source` as `path`, read in chunks (an environment may be gigabytes);
    /// returns the file's own SHA-256 and size.
    @discardableResult
    public mutating func addFile(_ path: String, from source: URL) throws -> (sha256: String, size: Int) {
        let size = try Self.size(of: source)
        try writeHeader(path: path, size: size)
        let input = try FileHandle(forReadingFrom: source)
        defer { try? input.close() }
        var fileHasher = SHA256()
        var remaining = size
        while remaining > 0 {
            guard let chunk = try input.read(upToCount: min(remaining, Self.chunkSize)), !chunk.isEmpty else {
                throw LifecycleError.snapshotFailed("\(path) became shorter while it was written")
            }
            try write(chunk)
            fileHasher.update(data: chunk)
            remaining -= chunk.count
        }
        try pad(size)
        return (ArtifactManifest.hex(fileHasher.finalize()), size)
    }

    public mutating func addData(_ data: Data, as path: String) throws {
        try writeHeader(path: path, size: data.count)
        try write(data)
        try pad(data.count)
    }

    /// Ends the archive (two zero blocks), syncs and closes it; returns its hex SHA-256.
    public mutating func finish() throws -> String {
        try write(Data(count: 1024))
        try handle.synchronize()
        try handle.close()
        return ArtifactManifest.hex(hasher.finalize())
    }

    private mutating func writeHeader(path: String, size: Int) throws {
        var records: [(String, String)] = []
        if path.utf8.count > 100 { records.append(("path", path)) }
        if size > Self.largestOctalSize { records.append(("size", String(size))) }
        if !records.isEmpty {
            let body = Data(records.map(Self.paxRecord).joined().utf8)
            try write(Self.header(name: "PaxHeader", size: body.count, type: "x"))
            try write(body)
            try pad(body.count)
        }
        try write(Self.header(name: String(decoding: path.utf8.prefix(100), as: UTF8.self), size: min(size, Self.largestOctalSize), type: "0"))
    }

    private mutating func pad(_ size: Int) throws {
        let remainder = size % 512
        if remainder > 0 { try write(Data(count: 512 - remainder)) }
    }

    private mutating func write(_ data: Data) throws {
        try handle.write(contentsOf: data)
        hasher.update(data: data)
        bytesWritten += data.count
    }

    /// `LEN key=value\n`, where LEN counts the whole record, its own digits included.
    static func paxRecord(_ record: (key: String, value: String)) -> String {
        let rest = " \(record.key)=\(record.value)\n"
        var length = rest.utf8.count + 1
        while String(length).count + rest.utf8.count != length { length += 1 }
        return "\(length)\(rest)"
    }

    static func header(name: String, size: Int, type: Character) -> Data {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) {
            for (index, byte) in text.utf8.enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
        }
        put(name, at: 0)
        put(octal(0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(Int(Date().timeIntervalSince1970), width: 12), at: 136)
        put("        ", at: 148)
        block[156] = type.asciiValue ?? UInt8(ascii: "0")
        put("ustar", at: 257)
        put("00", at: 263)
        let sum = block.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7), at: 148)
        block[155] = UInt8(ascii: " ")
        return Data(block)
    }

    static func size(of file: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        return (attributes[.size] as? NSNumber)?.intValue ?? 0
    }
}
