import Foundation

/// Reads and writes 2-D float32 arrays in NumPy's .npy format (C order, little-endian).
public enum NumpyFile {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

    /// Returns (rows, dimension, values row-major).
    public static func read(_ url: URL) throws(VectorFileError) -> (rows: Int, dimension: Int, values: [Float]) {
        let path = url.path
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        guard data.count >= 10, Array(data.prefix(6)) == magic else { throw .badMagic(path: path) }
        let major = data[data.startIndex + 6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(data[data.startIndex + 8]) | Int(data[data.startIndex + 9]) << 8
            headerStart = 10
        case 2, 3:
            guard data.count >= 12 else { throw .badHeader(path: path, reason: "file ends inside the header length") }
            headerLength = (0..<4).reduce(0) { $0 | Int(data[data.startIndex + 8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw .unsupportedVersion(path: path, version: "\(major).\(data[data.startIndex + 7])")
        }
        guard headerStart + headerLength <= data.count else {
            throw .badHeader(path: path, reason: "header length \(headerLength) runs past the end of the file")
        }
        let headerBytes = data[(data.startIndex + headerStart)..<(data.startIndex + headerStart + headerLength)]
        guard let header = String(bytes: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw .badHeader(path: path, reason: "header is not text")
        }
        let fields = try parseHeader(header, path: path)
        guard fields.descr == "<f4" || fields.descr == "=f4" else {
            throw .unsupportedDType(path: path, dtype: fields.descr)
        }
        guard !fields.fortranOrder else { throw .fortranOrder(path: path) }
        guard fields.shape.count == 2 else {
            throw .unsupportedShape(path: path, shape: "(" + fields.shape.map(String.init).joined(separator: ", ") + ")")
        }
        let (rows, dimension) = (fields.shape[0], fields.shape[1])
        let (count, overflow) = rows.multipliedReportingOverflow(by: dimension)
        guard !overflow, dimension > 0 || rows == 0 else {
            throw .unsupportedShape(path: path, shape: "(\(rows), \(dimension))")
        }
        let dataStart = headerStart + headerLength
        let available = data.count - dataStart
        guard count <= available / 4 else {
            throw .truncated(path: path, expectedBytes: count * 4, actualBytes: available)
        }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { destination in
            data.withUnsafeBytes { source in
                destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[dataStart..<(dataStart + count * 4)]))
            }
        }
        return (rows, dimension, values)
    }

    /// Writes a (rows, dimension) float32 array.
    public static func write(_ values: [Float], rows: Int, dimension: Int, to url: URL) throws(VectorFileError) {
        precondition(values.count == rows * dimension, "values do not match the shape")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(dimension)), }"
        // Data starts on a 64-byte boundary, as NumPy writes it; the header ends with a newline.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes = Data(magic)
        bytes.append(contentsOf: [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        bytes.append(contentsOf: Array(header.utf8))
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        do { try bytes.write(to: url, options: .atomic) } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
    }

    struct HeaderFields {
        var descr: String
        var fortranOrder: Bool
        var shape: [Int]
    }

    /// Parses the Python-literal dict of the header without evaluating anything.
    static func parseHeader(_ header: String, path: String) throws(VectorFileError) -> HeaderFields {
        func value(of key: String) throws(VectorFileError) -> Substring {
            guard let keyRange = header.range(of: "'\(key)'") else {
                throw .badHeader(path: path, reason: "no '\(key)' entry")
            }
            let afterKey = header[keyRange.upperBound...].drop { $0 == " " }
            guard afterKey.first == ":" else { throw .badHeader(path: path, reason: "no ':' after '\(key)'") }
            return afterKey.dropFirst().drop { $0 == " " }
        }
        let descrValue = try value(of: "descr")
        guard descrValue.first == "'" || descrValue.first == "\"",
              let end = descrValue.dropFirst().firstIndex(of: descrValue.first!) else {
            throw .badHeader(path: path, reason: "descr is not a string")
        }
        let descr = String(descrValue[descrValue.index(after: descrValue.startIndex)..<end])
        let fortranValue = try value(of: "fortran_order")
        let fortran: Bool
        if fortranValue.hasPrefix("False") { fortran = false } else if fortranValue.hasPrefix("True") { fortran = true } else {
            throw .badHeader(path: path, reason: "fortran_order is neither True nor False")
        }
        let shapeValue = try value(of: "shape")
        guard shapeValue.first == "(", let close = shapeValue.firstIndex(of: ")") else {
            throw .badHeader(path: path, reason: "shape is not a tuple")
        }
        let inner = shapeValue[shapeValue.index(after: shapeValue.startIndex)..<close]
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            guard let number = Int(trimmed.hasSuffix("L") ? String(trimmed.dropLast()) : trimmed), number >= 0 else {
                throw .badHeader(path: path, reason: "shape entry '\(trimmed)' is not a non-negative integer")
            }
            shape.append(number)
        }
        return HeaderFields(descr: descr, fortranOrder: fortran, shape: shape)
    }
}
