import ArgumentParser
import Embeddings
import Foundation
import VectorFormats

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed lines of text from standard input with a sentence-transformers model directory.",
        discussion: """
            Writes one JSON object per line, {"text": ..., "embedding": [...]}, or with --npy a float32 \
            (lines x dimension) .npy file. Empty lines are embedded too, so row i is line i.
            """
    )

    @Option(help: "Model directory (config.json, model.safetensors, vocab.txt, ...).") var model: String
    @Option(help: "Texts per forward pass.") var batch: Int = 32
    @Option(help: "Write a float32 .npy file instead of JSONL.") var npy: String?

    func validate() throws {
        guard (1...1024).contains(batch) else { throw ValidationError("--batch must be between 1 and 1024") }
    }

    func run() throws {
        let embedder = try SentenceEmbedder(modelDirectory: URL(fileURLWithPath: model))
        var lines: [String] = []
        while let line = readLine(strippingNewline: true) { lines.append(line) }
        let progress = ProgressBar(label: "embed", total: lines.count)
        var embeddings: [[Float]] = []
        embeddings.reserveCapacity(lines.count)
        // Chunks keep memory bounded and let the progress bar move on long inputs.
        for start in stride(from: 0, to: lines.count, by: batch * 8) {
            let chunk = Array(lines[start..<min(start + batch * 8, lines.count)])
            embeddings.append(contentsOf: try embedder.embed(chunk, batchSize: batch))
            progress.update(embeddings.count)
        }
        if let npy {
            try NumpyFile.write(embeddings.flatMap { $0 }, rows: embeddings.count, dimension: embedder.dimension,
                                to: URL(fileURLWithPath: npy))
            return
        }
        let output = FileHandle.standardOutput
        for (text, embedding) in zip(lines, embeddings) {
            let quoted = try JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed, .withoutEscapingSlashes])
            // Float's description is its shortest round-tripping decimal form.
            let line = #"{"text":"# + String(decoding: quoted, as: UTF8.self) + #","embedding":["#
                + embedding.map { "\($0)" }.joined(separator: ",") + "]}\n"
            output.write(Data(line.utf8))
        }
    }
}
