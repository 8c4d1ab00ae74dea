import Foundation

/// The files of a model directory that determine its embeddings: weights, the transformer and
/// tokenizer configuration, the sentence-transformers pipeline and every module directory it
/// names (pooling, normalisation). Other files (other weight formats, READMEs) are not copied.
enum ModelFiles {
    static let topLevel = ["model.safetensors", "config.json", "vocab.txt", "tokenizer.json", "tokenizer_config.json",
                           "special_tokens_map.json", "sentence_bert_config.json", "modules.json", "config_sentence_transformers.json"]

    static func determining(_ directory: URL) throws -> [String] {
        let manager = FileManager.default
        var files = topLevel.filter { manager.fileExists(atPath: directory.appending(path: $0).path) }
        var modules = ["1_Pooling", "2_Normalize"]
        if let data = try? Data(contentsOf: directory.appending(path: "modules.json")),
           let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] {
            modules += list.compactMap { $0["path"] as? String }.filter { !$0.isEmpty }
        }
        for module in Set(modules).sorted() where ArtifactStore.isSafeRelativePath(module) {
            let root = directory.appending(path: module, directoryHint: .isDirectory)
            // A module directory that links out of the model (to `/`, say) is not the model's.
            guard ArtifactStore.isInside(root.resolvingSymlinksInPath(), directory) else { throw ArtifactError.unsafePath(module) }
            guard let walker = manager.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { continue }
            for case let file as URL in walker where (try? file.resolvingSymlinksInPath().resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                let relative = module + "/" + file.path.dropFirst(root.path.count).drop { $0 == "/" }
                files.append(relative)
            }
        }
        return files
    }
}
