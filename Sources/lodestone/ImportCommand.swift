import ArgumentParser
import Foundation
import Lifecycle
import Embeddings
import Storage
import VectorFormats

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load vectors (.npy, .fvecs) or points (.jsonl) into a collection, one transaction per batch.",
        discussion: """
            JSONL lines look like {"id": 1, "vector": [...], "payload": {...}, "text": "..."}; ids are \
            unsigned integers or UUIDs. For .npy/.fvecs, row i gets id --start-id + i. A missing \
            collection is created with the file's dimension and --distance. A malformed line stops \
            the import with its line number; batches before it stay committed, its own batch is not written.
            """
    )

    @Option(help: "Data directory.") var data: String = "./data"
    @Option(help: "Collection to load into.") var collection: String
    @Option(help: "Distance for a collection created by this import: cosine, dot or euclid.") var distance: String = "cosine"
    @Option(help: "HNSW M for a created collection.") var m: Int = 16
    @Option(name: .customLong("ef-construct"), help: "HNSW ef_construct for a created collection.") var efConstruct: Int = 200
    @Option(help: "Points per transaction.") var batch: Int = 1000
    @Option(help: "Id of the first row of a .npy/.fvecs file.") var startID: UInt64 = 0
    @Option(help: "Registered model (name@version) that embeds the \"text\" of JSONL documents; a created collection is bound to it.")
    var model: String?
    @Flag(help: "Print the summary as one JSON object.") var json = false
    @Argument(help: "The file to import (.npy, .fvecs or .jsonl).") var file: String

    func validate() throws {
        guard batch > 0, batch <= 100_000 else { throw ValidationError("--batch must be between 1 and 100000") }
        guard Distance(rawValue: distance.lowercased()) != nil else {
            throw ValidationError("--distance must be cosine, dot or euclid, got '\(distance)'")
        }
    }

    func run() throws {
        let url = URL(fileURLWithPath: file)
        let engine = try Engine(dataDirectory: URL(fileURLWithPath: data))
        let start = ContinuousClock.now
        var imported = 0
        var target: ServingCollection?
        let embedder = try model.map { try engine.lifecycle.models.embedder(for: $0) }
        func openTarget(dimension: Int) throws -> ServingCollection {
            if let target { return target }
            let opened: ServingCollection
            if try engine.collectionNames().contains(collection) {
                opened = try engine.collection(named: collection)
                let bound = try opened.schema().embeddingModel
                if let model, bound != model {
                    throw ValidationError("collection '\(collection)' is bound to \(bound ?? "no model"), not \(model); its documents must be embedded with that")
                }
            } else {
                opened = try engine.createCollection(CollectionSchema(
                    name: collection, dimension: embedder?.dimension ?? dimension, distance: Distance(rawValue: distance.lowercased())!,
                    hnsw: HNSWSettings(m: m, efConstruction: efConstruct), embeddingModel: model))
            }
            target = opened
            return opened
        }

        switch url.pathExtension.lowercased() {
        case "jsonl", "ndjson":
            let reader = try JSONLPointReader(url: url)
            let progress = ProgressBar(label: "import", total: reader.byteCount)
            while var batch = try reader.next(maximum: batch) {
                let documents = batch.points.indices.filter { batch.points[$0].vector.isEmpty }
                if !documents.isEmpty {
                    guard let embedder else {
                        throw ValidationError("point \(batch.points[documents[0]].id) has text but no vector; pass --model NAME@VERSION to embed documents")
                    }
                    for (row, vector) in zip(documents, try embedder.embed(documents.map { batch.points[$0].text ?? "" })) {
                        batch.points[row].vector = vector
                    }
                }
                try openTarget(dimension: batch.points[0].vector.count).upsert(batch.points, embeddedWith: model)
                imported += batch.points.count
                progress.update(batch.bytesRead)
            }
            progress.update(reader.byteCount)
        default:
            let file = try VectorFile.read(url)
            guard file.rows > 0 else { throw ValidationError("\(url.path) holds no vectors") }
            let serving = try openTarget(dimension: file.dimension)
            let progress = ProgressBar(label: "import", total: file.rows)
            for first in stride(from: 0, to: file.rows, by: batch) {
                let last = min(first + batch, file.rows)
                let points = (first..<last).map { row in
                    PointInput(id: .number(startID + UInt64(row)),
                               vector: Array(file.values[(row * file.dimension)..<((row + 1) * file.dimension)]))
                }
                try serving.upsert(points)
                imported += points.count
                progress.update(last)
            }
        }
        guard let target else { throw ValidationError("\(url.path) holds no points") }
        try target.persistIndex()
        let seconds = (ContinuousClock.now - start).seconds
        if json {
            let summary: [String: Any] = [
                "collection": collection, "imported": imported, "points": target.liveCount,
                "sequence": target.lastAppliedSequence, "seconds": seconds,
            ]
            try printJSONObject(summary)
        } else {
            print(String(format: "imported %d points into '%@' in %.2f s (%d points, change-log sequence %llu)",
                         imported, collection, seconds, target.liveCount, target.lastAppliedSequence))
        }
    }
}
