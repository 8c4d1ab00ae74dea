import Foundation

/// A safetensors file opened by memory mapping.
///
/// Layout: an 8-byte little-endian header length N, N bytes of JSON mapping
/// each tensor name to `{dtype, shape, data_offsets: [begin, end]}` (offsets
/// relative to the first byte after the header), then the raw data. Every
/// entry is checked against the file size when the file is opened, so a
/// truncated download fails here with a message instead of faulting later.
struct SafeTensorsFile: Sendable {
    struct TensorEntry: Sendable {
        let name: String
        let dataType: TensorDataType?
        let dataTypeName: String
        let shape: [Int]
        /// Absolute byte range in the file.
        let byteRange: Range<Int>
    }

    let path: String
    let entries: [String: TensorEntry]
    private let mappedFile: MemoryMappedFile

    /// A header is a few kilobytes; anything past this bound is corruption,
    /// and refusing it avoids parsing garbage as JSON.
    private static let maximumHeaderLength = 100 * 1024 * 1024

    init(path: String) throws(EmbeddingsError) {
        self.path = path
        mappedFile = try MemoryMappedFile(path: path)
        let fileSize = mappedFile.byteCount
        guard fileSize >= 8 else {
            throw .invalidSafeTensorsHeader(path: path, reason: "the file has \(fileSize) bytes, fewer than the 8-byte header length")
        }
        let headerLength = try mappedFile.withUnsafeBytes(in: 0..<8) { bytes in
            bytes.loadUnaligned(as: UInt64.self).littleEndian
        }
        guard headerLength <= UInt64(Self.maximumHeaderLength) else {
            throw .invalidSafeTensorsHeader(path: path, reason: "header length \(headerLength) is implausibly large")
        }
        let dataStart = 8 + Int(headerLength)
        guard dataStart <= fileSize else {
            throw .invalidSafeTensorsHeader(path: path, reason: "header length \(headerLength) runs past the end of the \(fileSize)-byte file")
        }
        let headerData = try mappedFile.withUnsafeBytes(in: 8..<dataStart) { Data($0) }
        entries = try Self.parseHeader(headerData, path: path, dataStart: dataStart, fileSize: fileSize)
    }

    /// Validates every entry of the JSON header.
    private static func parseHeader(
        _ headerData: Data, path: String, dataStart: Int, fileSize: Int
    ) throws(EmbeddingsError) -> [String: TensorEntry] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: headerData)
        } catch {
            throw .invalidSafeTensorsHeader(path: path, reason: "the header is not JSON (\(error.localizedDescription))")
        }
        guard let dictionary = object as? [String: Any] else {
            throw .invalidSafeTensorsHeader(path: path, reason: "the header is not a JSON object")
        }
        var entries: [String: TensorEntry] = [:]
        for (name, value) in dictionary where name != "__metadata__" {
            guard let fields = value as? [String: Any],
                  let dataTypeName = fields["dtype"] as? String,
                  let shapeValues = fields["shape"] as? [Any],
                  let offsetValues = fields["data_offsets"] as? [Any],
                  offsetValues.count == 2
            else {
                throw .invalidSafeTensorsHeader(path: path, reason: "entry \(name) lacks dtype, shape or data_offsets")
            }
            guard let shape = integers(shapeValues), shape.allSatisfy({ $0 >= 0 }),
                  let offsets = integers(offsetValues), offsets[0] >= 0, offsets[0] <= offsets[1]
            else {
                throw .invalidSafeTensorsHeader(path: path, reason: "entry \(name) has a malformed shape or data_offsets")
            }
            // A crafted shape can multiply past Int.max: checked, so it is refused, not a trap.
            guard let elementCount = checkedProduct(shape) else {
                throw .invalidSafeTensorsHeader(path: path, reason: "entry \(name) has shape \(shape), whose element count overflows")
            }
            let byteRange = (dataStart + offsets[0])..<(dataStart + offsets[1])
            guard byteRange.upperBound <= fileSize else {
                throw .tensorOutOfBounds(path: path, tensor: name, byteRange: byteRange, fileSize: fileSize)
            }
            let dataType = TensorDataType(rawValue: dataTypeName)
            if let dataType {
                let (expectedBytes, overflow) = elementCount.multipliedReportingOverflow(by: dataType.byteWidth)
                guard !overflow, expectedBytes == byteRange.count else {
                    throw .invalidSafeTensorsHeader(
                        path: path,
                        reason: "entry \(name) with shape \(shape) and dtype \(dataTypeName) needs \(expectedBytes) bytes but data_offsets span \(byteRange.count)")
                }
            }
            entries[name] = TensorEntry(
                name: name, dataType: dataType, dataTypeName: dataTypeName, shape: shape, byteRange: byteRange)
        }
        return entries
    }

    /// The product of non-negative dimensions, or nil when it does not fit an Int.
    static func checkedProduct(_ shape: [Int]) -> Int? {
        var product = 1
        for dimension in shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            product = next
        }
        return product
    }

    /// JSON numbers arrive as NSNumber; only exact non-negative integers count.
    private static func integers(_ values: [Any]) -> [Int]? {
        var result: [Int] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let number = value as? NSNumber else { return nil }
            let double = number.doubleValue
            guard double >= 0, double < 0x1p53, double == double.rounded() else { return nil }
            result.append(Int(double))
        }
        return result
    }

    /// The tensor called `name` as floats: F32 in place when aligned,
    /// F16/BF16 widened into a heap buffer.
    func floatTensor(named name: String) throws(EmbeddingsError) -> FloatTensor {
        guard let entry = entries[name] else {
            throw .missingTensor(path: path, tensor: name)
        }
        // Checked when the header was read: every entry's element count fits an Int.
        let elementCount = Self.checkedProduct(entry.shape) ?? 0
        // A zero-element tensor may sit at the very end of the file, where
        // there is no address to point at; it needs no storage anyway.
        if elementCount == 0, entry.dataType == .float32 || entry.dataType == .float16 || entry.dataType == .bfloat16 {
            return FloatTensor(name: name, shape: entry.shape, ownedBuffer: OwnedFloatBuffer(count: 0) { _ in })
        }
        switch entry.dataType {
        case .float32:
            // safetensors data is little-endian, as is every platform Swift
            // runs Lodestone on, so aligned F32 data is used where it lies.
            if entry.byteRange.lowerBound % MemoryLayout<Float>.alignment == 0 {
                return FloatTensor(name: name, shape: entry.shape, mappedFile: mappedFile, byteOffset: entry.byteRange.lowerBound)
            }
            let buffer = try mappedFile.withUnsafeBytes(in: entry.byteRange) { bytes in
                OwnedFloatBuffer(count: elementCount) { destination in
                    for index in 0..<elementCount {
                        destination[index] = Float(bitPattern: bytes.loadUnaligned(
                            fromByteOffset: index * 4, as: UInt32.self).littleEndian)
                    }
                }
            }
            return FloatTensor(name: name, shape: entry.shape, ownedBuffer: buffer)
        case .float16, .bfloat16:
            let isBFloat16 = entry.dataType == .bfloat16
            let buffer = try mappedFile.withUnsafeBytes(in: entry.byteRange) { bytes in
                OwnedFloatBuffer(count: elementCount) { destination in
                    for index in 0..<elementCount {
                        let bits = bytes.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self).littleEndian
                        destination[index] = isBFloat16
                            ? HalfPrecisionConversion.float(fromBFloat16Bits: bits)
                            : HalfPrecisionConversion.float(fromFloat16Bits: bits)
                    }
                }
            }
            return FloatTensor(name: name, shape: entry.shape, ownedBuffer: buffer)
        default:
            throw .unsupportedDataType(path: path, tensor: name, dataType: entry.dataTypeName)
        }
    }
}
