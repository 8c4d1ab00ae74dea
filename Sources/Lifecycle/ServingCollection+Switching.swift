import Foundation
import Storage
import Synchronization
import VectorIndex

extension ServingCollection {
    /// Loads build `number` (0: the collection's original index), brings it up to the change
    /// log and swaps it in. The slow part (loading, most of the catch-up) runs outside the
    /// write gate; inside it, `commit` records the switch, the last changes are applied and
    /// the index is swapped, so writes pause only for that.
    public func serve(build number: Int, commit: (() throws -> Void)? = nil) throws {
        guard let context else { throw LifecycleError.invalidRequest("this collection was opened without a catalog") }
        let schema = try store.schema()
        let candidate: (index: HNSWIndex, sequence: UInt64)
        let model: String?
        if number == 0 {
            guard let own = try Self.loadOwnImage(store, schema: schema) else {
                throw LifecycleError.corruptIndexImage("collection `\(name)` has no stored original index to return to")
            }
            candidate = own
            model = try context.serving.record(name).bindings.first?.model ?? schema.embeddingModel
        } else {
            guard let record = try context.builds.build(name, number) else {
                throw LifecycleError.buildNotFound(collection: name, number: number)
            }
            guard record.status == .ready else {
                throw LifecycleError.buildNotServable(collection: name, number: number, status: record.status.rawValue)
            }
            candidate = try context.loadIndex(collection: name, build: number, dimension: dimension)
            model = record.model
        }
        let caughtUp = try context.catchUp(for: store, model: model).catchUp(candidate.index, from: candidate.sequence)
        try writeGate.withLock { _ in
            try commit?()
            // The commit may have rebound the model, so read the rule again.
            let applied = try context.catchUp(for: store, model: model).catchUp(candidate.index, from: caughtUp)
            try self.withServing { $0 = Serving(index: candidate.index, build: number, model: model) }
            appliedSequence.store(applied, ordering: .releasing)
            persistedSequence.store(candidate.sequence, ordering: .releasing)
        }
    }

    /// Brings this process in line with the catalog: swaps to the build another process
    /// promoted, and applies changes other processes logged.
    public func follow() throws {
        guard let context else { return }
        let record = try context.serving.record(name)
        try configureRollout(record)
        let wanted = record.build ?? 0
        if wanted != servingBuild {
            try serve(build: wanted)
        } else if try store.lastSequence() > lastAppliedSequence {
            try writeGate.withLock { _ in try catchUp() }
        }
    }

    /// Checks, under the write gate, that points embedded with `model` may still be written.
    func checkBinding(_ model: String?) throws {
        guard let model else { return }
        let bound = try store.schema().embeddingModel
        if let bound, bound != model { throw LifecycleError.bindingChanged(expected: model, actual: bound) }
    }
}
