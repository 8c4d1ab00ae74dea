extension CollectionStore {
    /// The first `limit` points matching `filter` in the order of their values at `order.key`,
    /// read from that field's payload index (Qdrant requires one, and so does this: ordering
    /// without it would read and sort every payload). Like Qdrant, a point with several
    /// values appears once per value, each with its own `orderValue`, and there is no next
    /// page offset: continue with `startFrom` set to the last value seen (and a filter
    /// excluding the ids already seen at that value). Equal values come in internal id order
    /// (the order points got their current vector), reversed when descending.
    ///
    /// An integer index orders integer values only, as Qdrant's does; a float index orders
    /// integers and decimals together (as doubles); a datetime index orders datetime strings.
    public func scroll(orderedBy order: OrderBy, limit: Int, filter: Filter? = nil, withVector: Bool = false) throws -> [OrderedPoint] {
        guard limit > 0 else { throw StorageError.invalidLimit(limit) }
        try ensureLive()
        let path = try PayloadPath(parsing: order.key, forIndex: true)
        return try environment.read { transaction in
            let state = try readState(in: transaction)
            let configuration = try configuration(in: transaction, state: state)
            guard let type = configuration.schema.payloadIndexes[order.key], type.isOrdered else {
                let found = configuration.schema.payloadIndexes[order.key].map { "its index is \($0.name)" } ?? "it has no payload index"
                throw StorageError.invalidOrderBy("ordering by `\(order.key)` needs an integer, float or datetime payload index, but \(found); create one with PUT /collections/\(name)/index")
            }
            let prepared = try filter.map { try prepare($0, state: state, in: transaction) }
            let bound = try prepared?.bound(in: transaction) ?? IDBound(superset: .everything, isExact: true)
            // A point with several values is met several times; check its payload once.
            var verdicts: [UInt32: Bool] = [:]

            let descending = order.direction == .descending
            var entries: [(value: OrderValue, internalID: UInt32)] = []
            for source in Self.orderSources(for: type) {
                // Each source is in order, so the first `limit` admitted entries of each hold
                // every entry of the merged first `limit`.
                var taken = 0
                try configuration.indexes.forEachOrderedEntry(
                    path: path, tag: source.tag, descending: descending,
                    startBits: order.startFrom.map { source.startBits($0, descending) }, in: transaction
                ) { bits, internalID in
                    guard bound.superset.contains(internalID) else { return true }
                    if !bound.isExact, let prepared {
                        let admitted = try verdicts[internalID] ?? prepared.matches(internalID, requireRecord(internalID, in: transaction))
                        verdicts[internalID] = admitted
                        guard admitted else { return true }
                    }
                    entries.append((source.value(bits), internalID))
                    taken += 1
                    return taken < limit
                }
            }
            func ascendingBefore(_ left: (value: OrderValue, internalID: UInt32), _ right: (value: OrderValue, internalID: UInt32)) -> Bool {
                left.value == right.value ? left.internalID < right.internalID : left.value.isBefore(right.value)
            }
            entries.sort { descending ? ascendingBefore($1, $0) : ascendingBefore($0, $1) }
            // A float index files 3 and 3.0 under different tags; one point with both is one
            // entry, as Qdrant keeps one (value, point) pair.
            var unique: [(value: OrderValue, internalID: UInt32)] = []
            for entry in entries where unique.last.map({ $0.value != entry.value || $0.internalID != entry.internalID }) ?? true {
                unique.append(entry)
            }
            return try unique.prefix(limit).map { entry in
                OrderedPoint(point: try loadPoint(entry.internalID, withVector: withVector, in: transaction), orderValue: entry.value)
            }
        }
    }

    /// One stream of ordered keys: which tag it reads, how its key bits become an order value,
    /// and where a `startFrom` puts the cursor.
    private struct OrderSource {
        let tag: PayloadIndexKey.Tag
        let value: (UInt64) -> OrderValue
        let startBits: (OrderValue, _ descending: Bool) -> UInt64
    }

    private static func orderSources(for type: PayloadIndexType) -> [OrderSource] {
        let integers = { (tag: PayloadIndexKey.Tag, asDouble: Bool) in
            OrderSource(
                tag: tag,
                value: { bits in
                    let integer = PayloadIndexKey.integer(fromSortableBits: bits)
                    return asDouble ? .double(Double(integer)) : .integer(integer)
                },
                startBits: { start, descending in PayloadIndexKey.sortableBits(Self.integerStart(start, descending: descending)) }
            )
        }
        let doubles = OrderSource(
            tag: .double,
            value: { .double(PayloadIndexKey.double(fromSortableBits: $0)) },
            startBits: { start, _ in PayloadIndexKey.sortableBits(start.doubleValue) }
        )
        switch type {
        case .integer: return [integers(.integer, false)]
        case .float: return [integers(.integer, true), doubles]
        case .datetime: return [integers(.datetime, false)]
        case .keyword, .bool, .text: return []
        }
    }

    /// The first integer at or past a start in the scroll's direction: 2.5 starts at 3
    /// ascending, at 2 descending.
    private static func integerStart(_ start: OrderValue, descending: Bool) -> Int64 {
        switch start {
        case .integer(let value):
            return value
        case .double(let value):
            let rounded = descending ? value.rounded(.down) : value.rounded(.up)
            if rounded >= 9.223_372_036_854_775_807e18 { return .max }
            if rounded <= -9.223_372_036_854_775_808e18 { return .min }
            return Int64(rounded)
        }
    }
}
