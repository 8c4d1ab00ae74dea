import ArgumentParser
import Foundation
import Lifecycle
import Storage

/// The writer that the crash test kills with SIGKILL: it upserts one point per transaction and
/// prints each id only after the commit (and the index update) returned.
struct CrashWriterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crash-writer",
        abstract: "Testing aid: upsert deterministic points one by one, printing each acknowledged id.",
        shouldDisplay: false
    )

    @Option var data: String
    @Option var collection: String = "crash"
    @Option var start: UInt64 = 0
    @Option var count: UInt64 = 1_000_000

    static let dimension = 8

    /// The vector and payload of point `id`, so a checker can recompute exactly what was written.
    static func point(_ id: UInt64) -> PointInput {
        // Hash-derived components: distinct for every id (a periodic formula made near-duplicates).
        let vector = (0..<dimension).map { component -> Float in
            var state = id &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(component) &* 0xBF58_476D_1CE4_E5B9
            state = (state ^ (state >> 31)) &* 0x94D0_49BB_1331_11EB
            state ^= state >> 29
            return Float(state >> 40) / Float(1 << 24) * 20 - 10
        }
        return PointInput(id: .number(id), vector: vector, payload: .object(["id": .int(Int64(id)), "tag": .string("t\(id % 7)")]))
    }

    func run() throws {
        let engine = try Engine(dataDirectory: URL(fileURLWithPath: data))
        let serving: ServingCollection
        if try engine.collectionNames().contains(collection) {
            serving = try engine.collection(named: collection)
        } else {
            serving = try engine.createCollection(CollectionSchema(name: collection, dimension: Self.dimension, distance: .euclid))
        }
        for id in start..<(start + count) {
            try serving.upsert([Self.point(id)])
            FileHandle.standardOutput.write(Data("\(id)\n".utf8))
        }
    }
}
