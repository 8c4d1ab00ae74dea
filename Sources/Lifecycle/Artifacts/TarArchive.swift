import Foundation

/// Unpacks an uncompressed tar stream (ustar, with PAX or GNU long names, as Python's tarfile
/// and GNU tar write) into a directory. Only regular files and directories are accepted: a
/// link, device or a path that would leave the directory is refused, never followed.
public enum TarArchive {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case compressed
        case truncated
        case badChecksum(entry: Int)
        case unsupportedEntry(path: String, type: Character)
        case unsafePath(String)
        case empty

        public var description: String {
            switch self {
            case .compressed: "the upload is compressed; send an uncompressed tar (tar -cf, or tarfile mode \"w\")"
            case .truncated: "the tar stream ends inside an entry"
            case let .badChecksum(entry): "tar header \(entry) has a wrong checksum; the upload is not a tar stream or is damaged"
            case let .unsupportedEntry(path, type): "tar entry `\(path)` has type `\(type)`; only files and directories are accepted (no links or devices)"
            case let .unsafePath(path): "tar entry `\(path)` is not a relative path inside the archive"
            case .empty: "the tar stream holds no files"
            }
        }
    }

    /// Writes the archive's files under `directory`; returns their relative paths.
    @discardableResult
    public static func extract(_ bytes: [UInt8], into directory: URL) throws -> [String] {
        try extract(Data(bytes), into: directory)
    }

    /// The same from `bytes`, which may be a memory-mapped file or a slice of one (a snapshot
    /// inside a multipart upload): entries are written from it without another copy in memory.
    @discardableResult
    public static func extract(_ bytes: Data, into directory: URL) throws -> [String] {
        if bytes.starts(with: [0x1F, 0x8B]) || bytes.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) || bytes.starts(with: Array("BZh".utf8)) {
            throw Failure.compressed
        }
        let base = bytes.startIndex
        var offset = 0, entry = 0
        var extended = ExtendedHeader()
        var files: [String] = []
        while offset + 512 <= bytes.count {
            let header = Array(bytes[base + offset ..< base + offset + 512])[...]
            if header.allSatisfy({ $0 == 0 }) { break }
            entry += 1
            guard checksumMatches(header) else { throw Failure.badChecksum(entry: entry) }
            let size = extended.size ?? octal(header, 124, 12)
            let type = Character(UnicodeScalar(header[header.startIndex + 156]))
            let dataStart = offset + 512
            guard size >= 0, size <= bytes.count - dataStart else { throw Failure.truncated }
            let data = bytes[base + dataStart ..< base + dataStart + size]
            offset = dataStart + (size + 511) / 512 * 512
            var path = extended.path ?? name(header)
            switch type {
            case "x":
                extended = ExtendedHeader(pax: Array(data))
                continue
            case "L":
                extended = ExtendedHeader(path: String(decoding: data.prefix { $0 != 0 }, as: UTF8.self))
                continue
            case "g":
                continue
            default:
                extended = ExtendedHeader()
            }
            while path.hasPrefix("./") { path.removeFirst(2) }
            if path == "." || path.isEmpty { continue }
            if path.hasSuffix("/") { path.removeLast() }
            guard ArtifactStore.isSafeRelativePath(path) else { throw Failure.unsafePath(path) }
            let target = directory.appending(path: path)
            switch type {
            case "0", "\0", "7":
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: target)
                files.append(path)
            case "5":
                try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            default:
                throw Failure.unsupportedEntry(path: path, type: type)
            }
        }
        guard !files.isEmpty else { throw Failure.empty }
        return files
    }

    /// What a PAX (`x`) or GNU long-name (`L`) entry says about the entry after it.
    private struct ExtendedHeader {
        var path: String?
        var size: Int?

        init(path: String? = nil) { self.path = path }

        /// `LEN key=VALUE\n` records; `path` and `size` (files of 8 GiB and more) are used.
        init(pax data: [UInt8]) {
            let text = String(decoding: data, as: UTF8.self)
            for record in text.split(separator: "\n") {
                guard let space = record.firstIndex(of: " ") else { continue }
                let field = record[record.index(after: space)...]
                if field.hasPrefix("path=") { path = String(field.dropFirst("path=".count)) }
                if field.hasPrefix("size=") { size = Int(field.dropFirst("size=".count)) ?? -1 }
            }
        }
    }

    private static func name(_ header: ArraySlice<UInt8>) -> String {
        let base = header.startIndex
        let name = string(header[base ..< base + 100])
        let magic = string(header[base + 257 ..< base + 262])
        let prefix = magic == "ustar" ? string(header[base + 345 ..< base + 500]) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    private static func string(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }

    private static func octal(_ header: ArraySlice<UInt8>, _ start: Int, _ length: Int) -> Int {
        let field = header[header.startIndex + start ..< header.startIndex + start + length]
        // Base-256 sizes (files of 8 GiB and more) are beyond any upload limit: refused as truncated.
        if let first = field.first, first & 0x80 != 0 { return -1 }
        var value = 0
        for byte in field where byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "7") {
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 8)
            if overflow { return -1 }
            value = shifted + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func checksumMatches(_ header: ArraySlice<UInt8>) -> Bool {
        var sum = 0
        for (index, byte) in header.enumerated() { sum += (148 ..< 156).contains(index) ? 32 : Int(byte) }
        return octal(header, 148, 8) == sum
    }
}
