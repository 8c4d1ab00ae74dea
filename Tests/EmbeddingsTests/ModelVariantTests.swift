import Embeddings
import Foundation
import Testing

/// Loading the model differently from what its directory says.
@Suite struct ModelVariantTests {
    @Test func fewerLayersAndCLSPoolingMakeADifferentWorseModel() throws {
        let directory = try TestSupport.requireModelDirectory()
        let full = try TestSupport.embedder()
        let reduced = try SentenceEmbedder(modelDirectory: directory, overrides: ModelOverrides(layers: 3, pooling: .cls))
        #expect(reduced.info.layerCount == 3)
        #expect(reduced.info.pooling == .cls)
        #expect(reduced.dimension == full.dimension)

        let texts = ["A man is eating food.", "A man is eating a piece of bread.", "The girl is carrying a baby."]
        let fullVectors = try full.embed(texts)
        let reducedVectors = try reduced.embed(texts)
        // Not the same model any more...
        #expect(TestSupport.cosine(fullVectors[0], reducedVectors[0]) < 0.99)
        // ...and still a valid unit-length embedding.
        let norm = reducedVectors[0].reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(norm - 1) < 1e-5)
        // Fewer FLOPs for the same input.
        #expect(reduced.encoderFLOPs(tokenCounts: [20]) * 2 == full.encoderFLOPs(tokenCounts: [20]))
    }

    @Test func normalisationCanBeSwitchedOff() throws {
        let directory = try TestSupport.requireModelDirectory()
        let raw = try SentenceEmbedder(modelDirectory: directory, overrides: ModelOverrides(normalizes: false))
        let normalised = try TestSupport.embedder()
        let text = "The weather is lovely today."
        let rawVector = try raw.embed(text)
        let norm = rawVector.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(norm - 1) > 0.01)
        #expect(TestSupport.cosine(rawVector, try normalised.embed(text)) > 0.99999)
    }

    /// The same weights stored as 16-bit floats, under the `bert.` names a
    /// checkpoint with a head uses, load and give nearly the same vectors.
    @Test(arguments: [HalfPrecisionFormat.bfloat16, .float16])
    func halfPrecisionWeightsWithBertPrefix(format: HalfPrecisionFormat) throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestSupport.copyModelFiles(to: directory, excluding: ["model.safetensors"])
        let original = try TestSupport.requireModelDirectory().appendingPathComponent("model.safetensors")
        try SafeTensorsRewriter.writeHalfPrecisionCopy(
            of: original, to: directory.appendingPathComponent("model.safetensors"),
            format: format, namePrefix: "bert.")

        let converted = try SentenceEmbedder(modelDirectory: directory)
        let reference = try TestSupport.embedder()
        let lines = try TestSupport.referenceLines()
        let convertedVectors = try converted.embed(lines.map(\.text))
        let referenceVectors = try reference.embed(lines.map(\.text))
        let minimum = zip(convertedVectors, referenceVectors).map { TestSupport.cosine($0, $1) }.min() ?? 0
        // bfloat16 keeps 8 significant bits, float16 11.
        #expect(minimum > (format == .float16 ? 0.9999 : 0.99), "worst cosine \(minimum) for \(format)")
    }
}

enum HalfPrecisionFormat: String, Sendable, CustomTestStringConvertible {
    case float16 = "F16"
    case bfloat16 = "BF16"
    var testDescription: String { rawValue }
}

/// Writes a safetensors file whose F32 tensors are rounded to F16 or BF16,
/// for the loader's conversion path.
enum SafeTensorsRewriter {
    static func writeHalfPrecisionCopy(of source: URL, to destination: URL, format: HalfPrecisionFormat, namePrefix: String) throws {
        let data = try Data(contentsOf: source)
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        let header = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + headerLength))) as? [String: Any])
        let dataStart = 8 + headerLength

        var newHeader: [String: Any] = [:]
        var payload = Data()
        for name in header.keys.sorted() where name != "__metadata__" {
            let entry = try #require(header[name] as? [String: Any])
            let offsets = try #require(entry["data_offsets"] as? [Int])
            var bytes = data.subdata(in: (dataStart + offsets[0])..<(dataStart + offsets[1]))
            var dtype = try #require(entry["dtype"] as? String)
            if dtype == "F32" {
                bytes = halfPrecisionBytes(fromFloat32: bytes, format: format)
                dtype = format.rawValue
            }
            newHeader[namePrefix + name] = ["dtype": dtype, "shape": entry["shape"]!, "data_offsets": [payload.count, payload.count + bytes.count]]
            payload.append(bytes)
        }
        var headerBytes = try JSONSerialization.data(withJSONObject: newHeader)
        // Pad with spaces to keep the data 8-byte aligned, as writers do.
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(headerBytes)
        file.append(payload)
        try file.write(to: destination)
    }

    private static func halfPrecisionBytes(fromFloat32 bytes: Data, format: HalfPrecisionFormat) -> Data {
        var output = Data(capacity: bytes.count / 2)
        bytes.withUnsafeBytes { raw in
            for index in 0..<(raw.count / 4) {
                let value = Float(bitPattern: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self).littleEndian)
                let bits: UInt16
                switch format {
                case .bfloat16:
                    // Round to nearest even on the dropped 16 bits.
                    let pattern = value.bitPattern
                    bits = UInt16((pattern + 0x7FFF + ((pattern >> 16) & 1)) >> 16)
                case .float16:
                    bits = float16Bits(value)
                }
                withUnsafeBytes(of: bits.littleEndian) { output.append(contentsOf: $0) }
            }
        }
        return output
    }

    /// Float -> binary16 bits, round to nearest, for the normal and
    /// subnormal range weights occupy (no NaN/infinity in a checkpoint).
    private static func float16Bits(_ value: Float) -> UInt16 {
        let sign: UInt16 = value.sign == .minus ? 0x8000 : 0
        let magnitude = abs(value)
        if magnitude >= 65504 { return sign | 0x7BFF }
        if magnitude < 0x1p-14 {
            // Subnormal: units of 2^-24.
            return sign | UInt16((magnitude * 0x1p24).rounded())
        }
        let exponent = Int(magnitude.exponent)
        let mantissa = (magnitude / Float(sign: .plus, exponent: exponent, significand: 1) - 1) * 1024
        var rounded = Int(mantissa.rounded())
        var biased = exponent + 15
        if rounded == 1024 { rounded = 0; biased += 1 }
        return sign | UInt16(biased << 10) | UInt16(rounded)
    }
}
