import Embeddings
import Foundation
import Testing

/// Broken model directories fail with an error that names the culprit.
@Suite struct ModelLoadingErrorTests {
    private func loadingError(_ directory: URL, overrides: ModelOverrides = .unchanged) -> EmbeddingsError? {
        do {
            _ = try SentenceEmbedder(modelDirectory: directory, overrides: overrides)
            Issue.record("loading \(directory.path) succeeded but should have failed")
            return nil
        } catch let error as EmbeddingsError {
            return error
        } catch {
            Issue.record("expected an EmbeddingsError, got \(error)")
            return nil
        }
    }

    @Test func missingWeightsFileIsNamed() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestSupport.copyModelFiles(to: directory, excluding: ["model.safetensors"])

        let error = loadingError(directory)
        let expectedPath = directory.appendingPathComponent("model.safetensors").path
        #expect(error == .missingFile(path: expectedPath))
        #expect(error?.description.contains(expectedPath) == true)
    }

    @Test func configThatDisagreesWithWeightsNamesTheTensor() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestSupport.copyModelFiles(to: directory, excluding: ["config.json"])
        try rewriteConfig(in: directory) { $0["hidden_size"] = 768 }

        let error = loadingError(directory)
        #expect(error == .shapeMismatch(tensor: "embeddings.word_embeddings.weight", expected: [30522, 768], actual: [30522, 384]))
        #expect(error?.description.contains("embeddings.word_embeddings.weight") == true)
        #expect(error?.description.contains("[30522, 768]") == true)
    }

    @Test func intermediateSizeMismatchIsCaughtInALayer() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestSupport.copyModelFiles(to: directory, excluding: ["config.json"])
        try rewriteConfig(in: directory) { $0["intermediate_size"] = 1024 }

        #expect(loadingError(directory) == .shapeMismatch(
            tensor: "encoder.layer.0.intermediate.dense.weight", expected: [1024, 384], actual: [1536, 384]))
    }

    @Test func unsupportedActivationIsRefused() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestSupport.copyModelFiles(to: directory, excluding: ["config.json"])
        try rewriteConfig(in: directory) { $0["hidden_act"] = "relu" }

        let error = loadingError(directory)
        #expect(error == .unsupportedActivation(path: directory.appendingPathComponent("config.json").path, activation: "relu"))
    }

    @Test(arguments: [0, 5, 8, 20_000, 1_000_000, 90_000_000])
    func truncatedWeightsFileFailsCleanly(keptBytes: Int) throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestSupport.copyModelFiles(to: directory, excluding: ["model.safetensors"])
        let original = try TestSupport.requireModelDirectory().appendingPathComponent("model.safetensors")
        let source = try FileHandle(forReadingFrom: original)
        let prefix = try source.read(upToCount: keptBytes) ?? Data()
        try source.close()
        let truncatedPath = directory.appendingPathComponent("model.safetensors").path
        #expect(FileManager.default.createFile(atPath: truncatedPath, contents: prefix))

        let error = try #require(loadingError(directory))
        switch error {
        case let .invalidSafeTensorsHeader(path, _):
            // Too short for the length field or for the header it announces.
            #expect(path == truncatedPath)
            #expect(keptBytes < 20_000)
        case let .tensorOutOfBounds(path, tensor, byteRange, fileSize):
            #expect(path == truncatedPath)
            #expect(!tensor.isEmpty)
            #expect(byteRange.upperBound > fileSize)
            #expect(fileSize == keptBytes)
        default:
            Issue.record("unexpected error for a file cut to \(keptBytes) bytes: \(error)")
        }
        #expect(error.description.contains("truncated or corrupt"))
    }

    @Test func garbageHeaderIsRejected() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestSupport.copyModelFiles(to: directory, excluding: ["model.safetensors"])
        var bytes = Data([16, 0, 0, 0, 0, 0, 0, 0])
        bytes.append(Data("{not json at all".utf8))
        try bytes.write(to: directory.appendingPathComponent("model.safetensors"))

        guard case .invalidSafeTensorsHeader = loadingError(directory) else {
            Issue.record("a non-JSON header must be reported as an invalid header")
            return
        }
    }

    /// Shapes whose element count, or byte count, overflows an Int; and offsets at the limit.
    @Test(arguments: [
        #"{"embeddings.word_embeddings.weight": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 4]}}"#,
        #"{"embeddings.word_embeddings.weight": {"dtype": "F32", "shape": [4611686018427387904, 2], "data_offsets": [0, 4]}}"#,
        #"{"embeddings.word_embeddings.weight": {"dtype": "F32", "shape": [2305843009213693952, 2], "data_offsets": [0, 4]}}"#,
        #"{"embeddings.word_embeddings.weight": {"dtype": "X9", "shape": [4294967296, 4294967296], "data_offsets": [0, 4]}}"#,
        #"{"embeddings.word_embeddings.weight": {"dtype": "F32", "shape": [1], "data_offsets": [0, 9007199254740991]}}"#,
    ])
    func craftedHeaderIsRefusedWithoutTrapping(header: String) throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestSupport.copyModelFiles(to: directory, excluding: ["model.safetensors"])
        let json = Data(header.utf8)
        var bytes = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(json)
        bytes.append(Data(count: 16))
        try bytes.write(to: directory.appendingPathComponent("model.safetensors"))
        #expect(loadingError(directory) != nil)
    }

    @Test func missingVocabularyIsReported() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestSupport.copyModelFiles(to: directory, excluding: ["vocab.txt", "tokenizer.json"])
        #expect(loadingError(directory) == .missingVocabulary(directory: directory.path))
    }

    @Test func missingDirectoryNamesConfig() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-model-\(UUID().uuidString)")
        #expect(loadingError(directory) == .missingFile(path: directory.appendingPathComponent("config.json").path))
    }

    @Test(arguments: [0, 7])
    func layerOverrideOutsideTheModelIsRefused(layers: Int) throws {
        guard case .invalidOverride = loadingError(try TestSupport.requireModelDirectory(), overrides: ModelOverrides(layers: layers)) else {
            Issue.record("layers: \(layers) must be refused for a 6-layer model")
            return
        }
    }

    private func rewriteConfig(in directory: URL, _ change: (inout [String: Any]) -> Void) throws {
        let source = try TestSupport.requireModelDirectory().appendingPathComponent("config.json")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: source)) as? [String: Any])
        change(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: directory.appendingPathComponent("config.json"))
    }
}
