import Foundation
import Storage
import VectorIndex

/// Keeps ready builds that are not serving current with the change log, so a promotion finds
/// them up to date: each is loaded, caught up and stored again when the log moved past it.
struct BuildFollowing {
    let context: LifecycleContext

    /// Returns the numbers of the builds that moved.
    @discardableResult
    func follow(collection: String) throws -> [Int] {
        let store = try context.store.collection(named: collection)
        let last = try store.lastSequence()
        let record = try context.serving.record(collection)
        // Shadow and canary builds are in memory and receive every write already.
        let skipped = Set([record.build ?? 0, record.shadow?.build, record.canary?.build].compactMap { $0 })
        let schema = try store.schema()
        let dimension = schema.indexDimension
        var moved: [Int] = []
        for build in try context.builds.builds(of: collection)
        where build.status == .ready && !skipped.contains(build.number) && build.appliedSequence < last {
            let (index, primarySequence) = try context.loadIndex(collection: collection, build: build.number, dimension: dimension, quantized: false)
            let blobs = try context.store.build(id: LifecycleContext.buildID(collection, build.number)).blobs
            let secondary = try BuildIndexImages.load(schema: schema, sequence: primarySequence, from: blobs, store: store, threads: 1)
            let set = BuildIndexes(primaryName: schema.primaryVectorName, primary: DenseFieldIndex(index: index, distance: schema.distance),
                               secondary: secondary.indexes)
            let sequence = secondary.sequence
            let applied = try context.catchUp(for: store, model: build.model).catchUp(set, from: sequence)
            guard applied > primarySequence else { continue }
            try context.storeIndex(index, sequence: applied, collection: collection, build: build.number)
            try BuildIndexImages.store(set, sequence: applied, in: blobs)
            try context.builds.update(collection, build.number) { record in
                record.appliedSequence = applied
                record.points = index.liveCount
            }
            moved.append(build.number)
        }
        return moved
    }
}
