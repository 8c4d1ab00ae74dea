import Embeddings
import Foundation
import Lifecycle
import Storage
import Testing

/// Registered models are immutable copies: the version's identity is the digest of the
/// manifest of every file that determines its embeddings, and serving reads only the copy.
@Suite(.serialized) struct ModelArtifactTests {
    /// A copy of the test model; the weights are a symlink (the store copies the bytes).
    func copyOfModel(in directory: URL, named name: String) throws -> URL {
        let copy = directory.appendingPathComponent(name)
        let manager = FileManager.default
        try manager.createDirectory(at: copy, withIntermediateDirectories: true)
        for file in try manager.contentsOfDirectory(atPath: ModelRegistryTests.modelDirectory.path) {
            let from = ModelRegistryTests.modelDirectory.appendingPathComponent(file)
            if file == "model.safetensors" {
                try manager.createSymbolicLink(at: copy.appendingPathComponent(file), withDestinationURL: from.resolvingSymlinksInPath())
            } else {
                try manager.copyItem(at: from, to: copy.appendingPathComponent(file))
            }
        }
        return copy
    }

    func setPooling(_ directory: URL, cls: Bool) throws {
        let file = directory.appendingPathComponent("1_Pooling/config.json")
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        config["pooling_mode_mean_tokens"] = !cls
        config["pooling_mode_cls_token"] = cls
        try JSONSerialization.data(withJSONObject: config).write(to: file)
    }

    @Test("a copy with CLS pooling under the same name@version is refused with both digests, though its weights are the same")
    func poolingChangeIsAnotherModel() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let registry = try ModelRegistry(store: try Store(directory: directory.appendingPathComponent("data")))
        let real = try registry.register(directory: try copyOfModel(in: directory, named: "real"), name: "minilm", version: "1", registeredBy: "t")
        let cls = try copyOfModel(in: directory, named: "cls")
        try setPooling(cls, cls: true)
        do {
            try registry.register(directory: cls, name: "minilm", version: "1", registeredBy: "t")
            Issue.record("a model with other pooling registered under the same version")
        } catch let RegistryError.differentManifest(reference, registered, offered) {
            #expect(reference == "minilm@1" && registered == real.digest && offered != real.digest)
            #expect(RegistryError.differentManifest(reference: reference, registered: registered, offered: offered).description.contains(offered))
        }
        let other = try registry.register(directory: cls, name: "minilm", version: "cls", registeredBy: "t")
        #expect(other.weightsSHA256 == real.weightsSHA256 && other.digest != real.digest && other.pooling == "cls")
        // The same files again, from anywhere, are a no-op.
        #expect(try registry.register(directory: try copyOfModel(in: directory, named: "again"), name: "minilm", version: "1", registeredBy: "x") == real)
    }

    @Test("serving reads the artifact: editing or deleting the registered directory changes nothing; verify finds a changed artifact")
    func sourceDirectoryDoesNotMatter() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(directory: directory.appendingPathComponent("data"))
        let source = try copyOfModel(in: directory, named: "source")
        let registry = try ModelRegistry(store: store)
        let record = try registry.register(directory: source, name: "minilm", version: "1", registeredBy: "t")
        let before = try ModelLoader(store: store).embedder(for: "minilm@1").embed(["a registered model never changes"])[0]
        try setPooling(source, cls: true)
        #expect(try ModelLoader(store: store).embedder(for: "minilm@1").embed(["a registered model never changes"])[0] == before)
        try FileManager.default.removeItem(at: source)
        #expect(try ModelLoader(store: store).embedder(for: "minilm@1").embed(["a registered model never changes"])[0] == before)
        #expect(registry.verify(record).isEmpty)

        let artifact = registry.directory(of: record)
        let vocabulary = artifact.appendingPathComponent("vocab.txt")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: vocabulary.path)
        try Data("tampered\n".utf8).write(to: vocabulary)
        let problems = registry.verify(record)
        #expect(problems.count == 1 && problems[0].contains("vocab.txt changed"), "\(problems)")
        try FileManager.default.removeItem(at: artifact.appendingPathComponent("config.json"))
        #expect(registry.verify(record).contains { $0.contains("config.json is missing") })
    }

    @Test("backup and restore carry the artifacts: a restored store serves the model with the source gone")
    func backupCarriesArtifacts() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(directory: directory.appendingPathComponent("data"))
        let source = try copyOfModel(in: directory, named: "source")
        let record = try ModelRegistry(store: store).register(directory: source, name: "minilm", version: "1", registeredBy: "t")
        try FileManager.default.removeItem(at: source)
        try store.backup(to: directory.appendingPathComponent("backup"))
        try Store.restore(from: directory.appendingPathComponent("backup"), to: directory.appendingPathComponent("restored"))
        let restored = try Store(directory: directory.appendingPathComponent("restored"))
        let registry = try ModelRegistry(store: restored)
        #expect(registry.verify(try registry.model("minilm@1")).isEmpty)
        #expect(registry.directory(of: record).path.hasPrefix(restored.directory.path))
        #expect(try ModelLoader(store: restored).embedder(for: "minilm@1").embed(["restored"])[0].count == 384)
    }

    @Test("a manifest reads back what it wrote, paths with spaces included")
    func manifestRoundTrip() throws {
        let manifest = ArtifactManifest(entries: [
            .init(path: "1_Pooling/my  config.json", sha256: String(repeating: "a", count: 64), size: 12),
            .init(path: "config.json", sha256: String(repeating: "b", count: 64), size: 3),
        ])
        let read = try ArtifactManifest(parsing: manifest.text)
        #expect(read == manifest && read.digest == manifest.digest)
        #expect(throws: ArtifactError.self) { try ArtifactManifest(parsing: "not a manifest line\n") }
    }
}
