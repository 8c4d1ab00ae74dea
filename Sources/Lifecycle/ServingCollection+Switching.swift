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
        var chain: IndexImageChain.Extent?
        let model: String?
        if number == 0 {
            let record = try context.serving.record(name)
            // Images that cannot be used are only a cache of the stored points: rebuild instead.
            var discarded: String?
            if let loaded = Self.loadOwnImageOrNil(store, schema: schema, discarded: &discarded) {
                candidate = (loaded.index, loaded.sequence)
                chain = loaded.extent
            } else {
                candidate = try Self.buildOriginal(store: store, schema: schema, record: record, context: context, threads: 2, progress: nil)
            }
            model = record.originalModel(current: schema.embeddingModel)
        } else {
            let record = try context.builds.servable(name, number)
            let loaded = try context.loadIndexImages(collection: name, build: number, dimension: dimension)
            candidate = (loaded.index, loaded.sequence)
            chain = loaded.extent
            model = record.model
        }
        let quantization = try context.servingQuantization(collection: name, build: number)
        let blobs = number == 0 ? store.blobs : try context.store.build(id: LifecycleContext.buildID(name, number)).blobs
        let secondary = try BuildIndexImages.load(schema: schema, sequence: candidate.sequence, from: blobs, store: store, threads: 2)
        let candidateSet = BuildIndexes(primaryName: schema.primaryVectorName, primary: DenseFieldIndex(index: candidate.index, distance: schema.distance),
                                    secondary: secondary.indexes)
        let caughtUp = try context.catchUp(for: store, model: model).catchUp(candidateSet, from: secondary.sequence)
        // Codes are trained here, outside the write gate; changes applied after are encoded as inserted.
        candidateSet.quantize(quantization, schema: schema, directory: store.directory)
        // The image lock first, as `persistIndex` takes them: no image of the outgoing index
        // is half-stored while it is swapped out.
        try persistLock.withLock { _ in try writeGate.withLock { _ in
            // The outgoing original index is the rollback target of the first promotion: store it
            // before anything is switched.
            if servingBuild == 0, number != 0, try changesSincePersist > 0 || !store.blobs.contains(name: Self.indexBlobName) {
                let outgoing = index
                let snapshot = outgoing.snapshotStartingChain()
                do {
                    try IndexImageChain.storeFull(ServingIndexImage(sequence: lastAppliedSequence, snapshot: snapshot), in: store.blobs)
                } catch {
                    outgoing.breakChain()
                    storedChain.withLock { $0 = nil }
                    throw error
                }
                storedChain.withLock {
                    $0 = StoredChain(index: outgoing, build: 0, extent: IndexImageChain.Extent(fullBytes: snapshot.count + ServingIndexImage.headerSize),
                                     lastSequence: lastAppliedSequence)
                }
                try BuildIndexImages.store(indexes, sequence: lastAppliedSequence, in: store.blobs)
                persistedSequence.store(lastAppliedSequence, ordering: .releasing)
            }
            if let commit {
                try commit()
            } else if try (context.serving.record(name).build ?? 0) != number {
                // Following the catalog: it moved on (a promotion in this process) since it was read.
                return
            }
            // The switch is recorded. Finishing it here can still fail (a full disk, a model
            // that does not load); then the catalog follower finishes it on its next turn.
            do {
                try context.bindSchema(collection: name, to: model)
                try context.reconcileQuantization(collection: name)
                if model != servingModel { monitoring.installCanary(nil, index: nil, model: nil) }
                // The binding may just have moved, so read the rule again.
                let applied = try context.catchUp(for: store, model: model).catchUp(candidateSet, from: caughtUp)
                self.withServing { $0 = Serving(indexes: candidateSet, build: number, model: model) }
                storedChain.withLock { $0 = chain.map { StoredChain(index: candidate.index, build: number, extent: $0, lastSequence: candidate.sequence) } }
                appliedSequence.store(applied, ordering: .releasing)
                persistedSequence.store(candidate.sequence, ordering: .releasing)
            } catch {
                return
            }
        } }
    }

    /// Brings this process in line with the catalog: swaps to the build another process
    /// promoted, and applies changes other processes logged.
    public func follow() throws {
        guard let context else { return }
        let wanted = try context.serving.record(name).build ?? 0
        if wanted != servingBuild {
            try serve(build: wanted)
        } else {
            let stillServing = try writeGate.withLock { _ -> Bool in
                guard try (context.serving.record(name).build ?? 0) == servingBuild else { return false }
                try context.bindSchema(collection: name, to: servingModel)
                try context.reconcileQuantization(collection: name)
                return true
            }
            if stillServing, try store.lastSequence() > lastAppliedSequence { try applyBacklog() }
        }
        try configureRollout(try context.serving.record(name))
    }
}
