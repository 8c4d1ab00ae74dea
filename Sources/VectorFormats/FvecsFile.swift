import Foundation

/// Reads and writes the TEXMEX .fvecs format: each row is an int32 dimension followed by that
/// many float32 values, little-endian (the format of SIFT1M, GIST1M and ann-benchmarks).
public enum FvecsFile {
    public static func read(_ url: URL) throws(VectorFileError) -> (rows: Int, dimension: Int, values: [Float]) {
        let path = url.path
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        guard !data.isEmpty else { return (0, 0, []) }
        guard data.count >= 4 else { throw .truncated(path: path, expectedBytes: 4, actualBytes: data.count) }
        let parsed = data.withUnsafeBytes { raw in
            Result { () throws(VectorFileError) in try parse(raw, byteCount: data.count, path: path) }
        }
        return try parsed.get()
    }

    private static func parse(
        _ raw: UnsafeRawBufferPointer, byteCount: Int, path: String
    ) throws(VectorFileError) -> (rows: Int, dimension: Int, values: [Float]) {
        let dimension = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: Int32.self)))
        guard dimension > 0, dimension <= 1 << 20 else {
            throw .badHeader(path: path, reason: "first row declares dimension \(dimension)")
        }
        let rowBytes = 4 + 4 * dimension
        guard byteCount % rowBytes == 0 else {
            let rows = byteCount / rowBytes + 1
            throw .truncated(path: path, expectedBytes: rows * rowBytes, actualBytes: byteCount)
        }
        let rows = byteCount / rowBytes
        for row in 0..<rows {
            let declared = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: row * rowBytes, as: Int32.self)))
            guard declared == dimension else {
                throw .inconsistentDimension(path: path, row: row, expected: dimension, actual: declared)
            }
        }
        var values = [Float](repeating: 0, count: rows * dimension)
        values.withUnsafeMutableBytes { destination in
            for row in 0..<rows {
                let source = UnsafeRawBufferPointer(rebasing: raw[(row * rowBytes + 4)..<((row + 1) * rowBytes)])
                UnsafeMutableRawBufferPointer(rebasing: destination[(row * dimension * 4)..<((row + 1) * dimension * 4)])
                    .copyMemory(from: source)
            }
        }
        return (rows, dimension, values)
    }

    public static func write(_ values: [Float], rows: Int, dimension: Int, to url: URL) throws(VectorFileError) {
        precondition(values.count == rows * dimension, "values do not match the shape")
        var bytes = Data(capacity: rows * (4 + 4 * dimension))
        values.withUnsafeBytes { raw in
            for row in 0..<rows {
                withUnsafeBytes(of: Int32(dimension).littleEndian) { bytes.append(contentsOf: $0) }
                bytes.append(contentsOf: raw[(row * dimension * 4)..<((row + 1) * dimension * 4)])
            }
        }
        do { try bytes.write(to: url, options: .atomic) } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
    }
}

/// Chooses the reader by file extension.
public enum VectorFile {
    public static func read(_ url: URL) throws(VectorFileError) -> (rows: Int, dimension: Int, values: [Float]) {
        switch url.pathExtension.lowercased() {
        case "npy": try NumpyFile.read(url)
        case "fvecs": try FvecsFile.read(url)
        default: throw .unknownExtension(path: url.path)
        }
    }

    public static func write(_ values: [Float], rows: Int, dimension: Int, to url: URL) throws(VectorFileError) {
        switch url.pathExtension.lowercased() {
        case "npy": try NumpyFile.write(values, rows: rows, dimension: dimension, to: url)
        case "fvecs": try FvecsFile.write(values, rows: rows, dimension: dimension, to: url)
        default: throw .unknownExtension(path: url.path)
        }
    }
}
