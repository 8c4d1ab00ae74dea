import Foundation
import Testing
import VectorFormats

@Suite struct VectorFileTests {
    func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("lodestone-\(UUID().uuidString)-\(name)")
    }

    @Test("npy and fvecs round-trip values and shape", arguments: ["npy", "fvecs"])
    func roundTrip(ext: String) throws {
        let values = (0..<(7 * 13)).map { Float($0) * 0.25 - 3 }
        let url = temporaryURL("v.\(ext)")
        defer { try? FileManager.default.removeItem(at: url) }
        try VectorFile.write(values, rows: 7, dimension: 13, to: url)
        let read = try VectorFile.read(url)
        #expect(read.rows == 7)
        #expect(read.dimension == 13)
        #expect(read.values == values)
    }

    /// Builds a .npy file with an arbitrary header, to test how the reader treats bad headers.
    func npy(header: String, payloadBytes: Int, magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59], version: UInt8 = 1) -> Data {
        var data = Data(magic)
        data.append(contentsOf: [version, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(Data(count: payloadBytes))
        return data
    }

    func expectError(_ data: Data, ext: String = "npy", matching check: (VectorFileError) -> Bool) throws {
        let url = temporaryURL("bad.\(ext)")
        defer { try? FileManager.default.removeItem(at: url) }
        try data.write(to: url)
        do {
            _ = try VectorFile.read(url)
            Issue.record("reading a bad file succeeded")
        } catch {
            #expect(check(error), "unexpected error \(error)")
            #expect(error.description.contains(url.path), "the message names the file")
        }
    }

    @Test("bad .npy files give errors that name the file and the problem")
    func badNumpy() throws {
        try expectError(npy(header: "{}", payloadBytes: 0, magic: Array("NOTNPY".utf8))) { if case .badMagic = $0 { true } else { false } }
        try expectError(npy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }\n", payloadBytes: 48)) {
            if case .unsupportedDType(_, "<f8") = $0 { true } else { false }
        }
        try expectError(npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }\n", payloadBytes: 96)) {
            if case .unsupportedShape = $0 { true } else { false }
        }
        try expectError(npy(header: "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }\n", payloadBytes: 24)) {
            if case .fortranOrder = $0 { true } else { false }
        }
        try expectError(npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 3), }\n", payloadBytes: 24)) {
            if case .truncated(_, 12_000, 24) = $0 { true } else { false }
        }
        try expectError(npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", payloadBytes: 24, version: 9)) {
            if case .unsupportedVersion = $0 { true } else { false }
        }
        try expectError(npy(header: "{'descr': '<f4', 'fortran_order': False}\n", payloadBytes: 24)) {
            if case .badHeader = $0 { true } else { false }
        }
        try expectError(npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }\n", payloadBytes: 24)) {
            if case .unsupportedShape = $0 { true } else if case .truncated = $0 { true } else { false }
        }
    }

    @Test("bad .fvecs files give errors that name the file and the problem")
    func badFvecs() throws {
        var rows = Data()
        for dimension: Int32 in [4, 4, 5] {
            withUnsafeBytes(of: dimension.littleEndian) { rows.append(contentsOf: $0) }
            rows.append(Data(count: 4 * Int(dimension)))
        }
        try expectError(rows, ext: "fvecs") { _ in true }
        var truncated = Data()
        withUnsafeBytes(of: Int32(8).littleEndian) { truncated.append(contentsOf: $0) }
        truncated.append(Data(count: 20))
        try expectError(truncated, ext: "fvecs") { if case .truncated = $0 { true } else { false } }
        try expectError(Data([1, 2, 3]), ext: "txt") { if case .unknownExtension = $0 { true } else { false } }
    }

    @Test("random garbage never crashes the readers")
    func garbage() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<200 {
            let length = Int.random(in: 0...300, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if round % 2 == 0, bytes.count > 10 {
                bytes.replaceSubrange(0..<6, with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59])
                bytes[6] = UInt8(round % 4)
            }
            for ext in ["npy", "fvecs"] {
                let url = temporaryURL("garbage.\(ext)")
                try Data(bytes).write(to: url)
                _ = try? VectorFile.read(url)
                try? FileManager.default.removeItem(at: url)
            }
        }
    }

    @Test("synthetic data is reproducible and normalised on request")
    func synthetic() {
        let generator = SyntheticVectors(dimension: 16, normalized: true, seed: 3)
        let a = generator.generate(count: 50)
        #expect(a == generator.generate(count: 50))
        #expect(a != generator.generate(count: 50, stream: 1))
        for row in 0..<50 {
            let norm = (0..<16).reduce(Float(0)) { $0 + a[row * 16 + $1] * a[row * 16 + $1] }
            #expect(abs(norm - 1) < 1e-5)
        }
    }
}
