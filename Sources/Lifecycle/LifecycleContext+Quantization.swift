import Storage

extension LifecycleContext {
    /// The codes build `number` of `collection` serves with: what its record says, else (a
    /// build begun without its own, or build 0 never switched away from) the collection's
    /// setting now.
    func servingQuantization(collection: String, build number: Int) throws -> QuantizationSettings? {
        try servingQuantization(collection: collection, build: number, serving: try serving.record(collection),
                                current: try store.collection(named: collection).schema().quantization)
    }

    /// The same from records already read, so a reconcile reads each once.
    private func servingQuantization(collection: String, build number: Int, serving record: ServingRecord,
                                     current: QuantizationSettings?) throws -> QuantizationSettings? {
        if number == 0 { return record.originalQuantization.map(\.settings) ?? current }
        // Not `?.` with `??`: a build that serves without codes must not fall back to the setting.
        guard let record = try builds.build(collection, number) else { return current }
        return record.servingQuantization(collectionSetting: current)
    }

    /// Sets the collection's `quantization_config` to what its serving build serves with, and
    /// returns it: after a switch, and at open and on a follower's turn, so a stop between the
    /// catalog's switch and this write is repaired like the model binding is.
    @discardableResult
    func reconcileQuantization(collection: String) throws -> QuantizationSettings? {
        let record = try serving.record(collection)
        let current = try store.collection(named: collection).schema().quantization
        let wanted = try servingQuantization(collection: collection, build: record.build ?? 0, serving: record, current: current)
        if wanted != current {
            try store.setQuantization(collection: collection, wanted)
        }
        return wanted
    }

    /// Before a switch away from `outgoing`: records the codes it served with, when nothing
    /// did yet, so a rollback to it serves with them again.
    func recordOutgoingQuantization(collection: String, outgoing: Int, serving record: inout ServingRecord,
                                    in transaction: borrowing LMDBTransaction) throws {
        let current = BuildQuantization(try store.collection(named: collection).schema().quantization)
        if outgoing == 0 {
            if record.originalQuantization == nil { record.originalQuantization = current }
        } else if var build = try builds.build(collection, outgoing, in: transaction), build.quantization == nil {
            build.quantization = current
            try builds.save(build, in: transaction)
        }
    }
}
