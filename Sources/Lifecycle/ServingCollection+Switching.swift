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
            if let commit {
                try commit()
            } else if try (context.serving.record(name).build ?? 0) != number {
                // Following the catalog: it moved on (a promotion in this process) since it was read.
                return
            }
            try bindSchema(to: model, context)
            // The outgoing original index is the rollback target of the first promotion.
            if servingBuild == 0, try changesSincePersist > 0 || store.blobs.get(name: Self.indexBlobName) == nil {
                let image = ServingIndexImage(sequence: lastAppliedSequence, snapshot: index.snapshot())
                try store.blobs.put(name: Self.indexBlobName, bytes: image.encoded)
            }
            // The commit may have rebound the model, so read the rule again.
            let applied = try context.catchUp(for: store, model: model).catchUp(candidate.index, from: caughtUp)
            self.withServing { $0 = Serving(index: candidate.index, build: number, model: model) }
            appliedSequence.store(applied, ordering: .releasing)
            persistedSequence.store(candidate.sequence, ordering: .releasing)
        }
    }

    /// Makes the collection's model binding agree with the serving index's model (the catalog
    /// is the truth: a process that stopped between the two writes leaves the schema behind),
    /// moving the recorded switch point to where the schema actually switched. Callers hold the
    /// write gate.
    func bindSchema(to model: String?, _ context: LifecycleContext) throws {
        guard try store.schema().embeddingModel != model else { return }
        let sequence = try context.store.bindEmbeddingModel(collection: name, model: model)
        try context.serving.update(name) { record in
            if let last = record.bindings.indices.last, record.bindings[last].model == model {
                record.bindings[last].sequence = max(record.bindings[last].sequence, sequence)
            } else {
                record.bindings.append(.init(sequence: sequence, model: model))
            }
        }
    }

    /// Brings this process in line with the catalog: swaps to the build another process
    /// promoted, and applies changes other processes logged.
    public func follow() throws {
        guard let context else { return }
        let wanted = try context.serving.record(name).build ?? 0
        if wanted != servingBuild {
            try serve(build: wanted)
        } else {
            try writeGate.withLock { _ in
                guard try (context.serving.record(name).build ?? 0) == servingBuild else { return }
                try bindSchema(to: servingModel, context)
                if try store.lastSequence() > lastAppliedSequence { try catchUp() }
            }
        }
        try configureRollout(try context.serving.record(name))
    }
}
