import Storage
import Synchronization
import VectorIndex

/// A build loaded to answer side-by-side queries: the console's comparison of the serving
/// build with another one. One is kept at a time, caught up with the log before each query.
struct ComparisonIndex {
    var build: Int
    var index: HNSWIndex
    var model: String?
    var applied: UInt64
}

extension ServingCollection {
    /// The model whose vectors build `number` holds (nil: vectors stored without a model), so a
    /// text query for it is embedded by the same model.
    public func model(ofBuild number: Int) throws -> String? {
        if number == servingBuild { return servingModel }
        guard let context else { throw LifecycleError.invalidRequest("this collection was opened without a catalog") }
        if number == 0 { return try context.serving.record(name).originalModel(current: try store.schema().embeddingModel) }
        return try context.builds.servable(name, number).model
    }

    /// Answers `request` from build `number` instead of the serving index, for comparing the
    /// two on the same query. Nothing is logged, shadowed or routed to a canary.
    public func search(_ request: SearchRequest, onBuild number: Int) throws -> [SearchHit] {
        guard let window = try validatedWindow(request) else { return [] }
        let index = try comparisonIndex(number)
        return try hits(try nearest(request, k: window, index: index).0, request)
    }

    /// The serving index, or build `number` loaded (once) from its images and caught up.
    private func comparisonIndex(_ number: Int) throws -> HNSWIndex {
        if number == servingBuild { return index }
        guard let context else { throw LifecycleError.invalidRequest("this collection was opened without a catalog") }
        return try comparison.withLock { cached in
            if cached?.build != number {
                cached = nil
                let model = try model(ofBuild: number)
                let loaded: (index: HNSWIndex, sequence: UInt64)
                if number == 0 {
                    guard let own = try Self.loadOwnImage(store, schema: try store.schema()) else {
                        throw LifecycleError.corruptIndexImage("build 0 of `\(name)` has no stored index image to compare with")
                    }
                    loaded = (own.index, own.sequence)
                } else {
                    loaded = try context.loadIndex(collection: name, build: number, dimension: vectorLayout.indexDimension)
                }
                cached = ComparisonIndex(build: number, index: loaded.index, model: model, applied: loaded.sequence)
            }
            guard var current = cached else { throw LifecycleError.invalidRequest("build \(number) could not be loaded") }
            current.applied = try context.catchUp(for: store, model: current.model).catchUp(current.index, from: current.applied)
            cached = current
            return current.index
        }
    }
}
