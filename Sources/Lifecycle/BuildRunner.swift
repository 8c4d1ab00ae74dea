import Foundation
import Storage
import VectorIndex

/// Builds a new, numbered index version of a collection from its stored points, catches it up
/// on the change log, stores it in its own environment and measures its recall.
public struct BuildRunner: Sendable {
    public let store: Store
    public let catalog: BuildCatalog
    public var threads: Int
    /// Held-out queries for the recall check.
    public var recallQueries = 200
    public var recallK = 10

    public init(store: Store, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        self.store = store
        self.catalog = try BuildCatalog(store: store)
        self.threads = threads
    }

    /// Runs a build to `ready` (or `failed`, with the reason recorded) and returns its record.
    public func run(collection name: String, parameters: HNSWParameters? = nil,
                    progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> BuildRecord {
        let collection = try store.collection(named: name)
        let schema = try collection.schema()
        let settings = parameters ?? schema.hnsw.indexParameters
        try settings.validate()
        var record = try catalog.begin(collection: name) { number in
            BuildRecord(collection: name, number: number, model: nil, m: settings.m, efConstruction: settings.efConstruction,
                        ef: settings.ef, fromSequence: 0, appliedSequence: 0, status: .building, startedAt: Date(),
                        points: 0)
        }
        do {
            let start = ContinuousClock.now
            let (index, sequence) = try ServingCollection.rebuild(store: collection, schema: schema, parameters: settings,
                                                                  threads: threads, progress: progress)
            record.fromSequence = sequence
            record.buildSeconds = (ContinuousClock.now - start).seconds
            let catchUpStart = ContinuousClock.now
            var applied = sequence
            while true {
                let changes = try collection.changes(after: applied, limit: 4096)
                guard let last = try ServingCollection.apply(changes, to: index, from: collection) else { break }
                applied = last
            }
            record.appliedSequence = applied
            record.catchUpSeconds = (ContinuousClock.now - catchUpStart).seconds
            record.points = index.liveCount
            let image = ServingIndexImage(sequence: applied, snapshot: index.snapshot())
            try store.build(id: record.id).blobs.put(name: ServingCollection.indexBlobName, bytes: image.encoded)
            record.recall = try RecallCheck(k: recallK, queries: recallQueries).measure(index, ef: settings.ef)
            record.status = .ready
        } catch {
            record.status = .failed
            record.failure = "\(error)"
        }
        record.finishedAt = Date()
        try catalog.save(record)
        return record
    }
}

/// Recall@k of an index's graph search against exact (BLAS) search on held-out vectors: each
/// query is a stored vector whose own point is excluded from both answers.
struct RecallCheck {
    var k: Int
    var queries: Int

    func measure(_ index: HNSWIndex, ef: Int) throws -> RecallReport {
        var generator = SystemRandomNumberGenerator()
        let ids = index.liveIDs()
        let sample = ids.count <= queries ? ids : Array(ids.shuffled(using: &generator).prefix(queries))
        var found: [[UInt32]] = []
        var truth: [[UInt32]] = []
        var latencies: [Double] = []
        for id in sample {
            guard let vector = index.vector(id: id) else { continue }
            let others: (UInt32) -> Bool = { $0 != id }
            truth.append(try index.exactSearch(vector, k: k, filter: others).map(\.id))
            let start = ContinuousClock.now
            found.append(try index.search(vector, k: k, ef: ef, filter: others).map(\.id))
            latencies.append((ContinuousClock.now - start).seconds * 1000)
        }
        latencies.sort()
        return RecallReport(
            k: k, ef: ef, queries: found.count, querySource: "held_out_vectors",
            recall: Recall.atK(found: found, truth: truth, k: k),
            latencyP50Milliseconds: latencies.isEmpty ? 0 : latencies[latencies.count / 2],
            latencyP99Milliseconds: latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, latencies.count * 99 / 100)])
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
