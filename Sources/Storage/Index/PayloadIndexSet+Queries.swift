/// Answers to single field conditions from the payload index: exact id sets, and cheap counts
/// for selectivity estimates.
extension PayloadIndexSet {
    /// Distinct keys a range estimate reads before it gives up and says "up to everything".
    static let estimateKeyBudget = 4096

    /// True when the index holds exactly the values this condition can match, so its answer is
    /// the brute-force answer.
    func covers(_ condition: FieldCondition) -> Bool {
        guard let type = type(of: condition.key) else { return false }
        switch condition.predicate {
        case .match(let value): return Self.holds(value, in: type)
        case .matchAny(let values): return values.allSatisfy { Self.holds($0, in: type) }
        case .range: return type == .integer || type == .float
        case .datetimeRange: return type == .datetime
        case .text(let match): return match.mode != .phrase && Self.holds(match, in: type)
        case .matchExcept, .valuesCount: return false
        }
    }

    /// True when the index answers a superset that the payload check must narrow: a phrase,
    /// whose token order the index does not keep, gets the points that have all its tokens.
    func narrows(_ condition: FieldCondition) -> Bool {
        guard case .text(let match) = condition.predicate, match.mode == .phrase, let type = type(of: condition.key) else { return false }
        return Self.holds(match, in: type)
    }

    /// A text index answers only conditions that tokenize as it did (see
    /// `Filter.bindingTextTokenizers`); any other would get another condition's answer.
    private static func holds(_ match: TextMatch, in type: PayloadIndexType) -> Bool {
        guard case .text(let tokenizer) = type else { return false }
        return tokenizer == match.tokenizer
    }

    private static func holds(_ value: MatchValue, in type: PayloadIndexType) -> Bool {
        switch (value, type) {
        case (.keyword, .keyword), (.integer, .integer), (.integer, .float), (.bool, .bool): true
        default: false
        }
    }

    private func keys(for value: MatchValue, path: PayloadPath) -> [UInt8] {
        switch value {
        case .keyword(let string): PayloadIndexKey.stringKey(path: path, string)
        case .integer(let integer): PayloadIndexKey.integerKey(path: path, integer)
        case .bool(let bool): PayloadIndexKey.prefix(path: path, tag: .bool) + [bool ? 1 : 0]
        }
    }

    /// The ids whose values satisfy a covered condition, or a superset for a narrowed one.
    func ids(matching condition: FieldCondition, in transaction: borrowing LMDBTransaction) throws -> InternalIDSet {
        precondition(covers(condition) || narrows(condition), "only covered or narrowed conditions are answered from the index")
        // Each key's ids come back sorted (big-endian duplicates), so the lists only need merging.
        var lists: [[UInt32]] = []
        let append: ([UInt8]) -> Void = { packed in
            lists.append(InternalIDBytes.decodeList(packed))
        }
        switch condition.predicate {
        case .match(let value):
            if let packed = try transaction.packedDuplicates(ofKey: keys(for: value, path: condition.key), in: database) {
                append(packed)
            }
        case .matchAny(let values):
            for value in Set(values) {
                if let packed = try transaction.packedDuplicates(ofKey: keys(for: value, path: condition.key), in: database) {
                    append(packed)
                }
            }
        case .range(let range):
            try forEachKey(in: range, path: condition.key, transaction: transaction, budget: nil) { key, _ in
                if let packed = try transaction.packedDuplicates(ofKey: key, in: database) {
                    append(packed)
                }
            }
        case .datetimeRange(let range):
            try forEachDatetimeKey(in: range, path: condition.key, transaction: transaction, budget: nil) { key, _ in
                if let packed = try transaction.packedDuplicates(ofKey: key, in: database) {
                    append(packed)
                }
            }
        case .text(let match):
            return try ids(matching: match, path: condition.key, in: transaction)
        case .matchExcept, .valuesCount:
            preconditionFailure("not covered")
        }
        return InternalIDSet(mergingSorted: lists)
    }

    /// Bounds on how many points a covered condition matches, read from key counts alone.
    func estimate(_ condition: FieldCondition, liveCount: Int, in transaction: borrowing LMDBTransaction) throws -> CountBounds {
        precondition(covers(condition) || narrows(condition), "only covered or narrowed conditions are estimated from the index")
        switch condition.predicate {
        case .match(let value):
            let count = try transaction.duplicateCount(ofKey: keys(for: value, path: condition.key), in: database)
            return CountBounds(lower: count, upper: count)
        case .matchAny(let values):
            let counts = try Set(values).map {
                try transaction.duplicateCount(ofKey: keys(for: $0, path: condition.key), in: database)
            }
            // A point with several listed values is counted once per value, hence the bounds.
            return CountBounds(lower: counts.max() ?? 0, upper: min(liveCount, counts.reduce(0, +)))
        case .range(let range):
            var largest = 0
            var total = 0
            let complete = try forEachKey(in: range, path: condition.key, transaction: transaction, budget: Self.estimateKeyBudget) { _, count in
                largest = max(largest, count)
                total += count
            }
            return CountBounds(lower: largest, upper: complete ? min(liveCount, total) : liveCount)
        case .datetimeRange(let range):
            var largest = 0
            var total = 0
            let complete = try forEachDatetimeKey(in: range, path: condition.key, transaction: transaction, budget: Self.estimateKeyBudget) { _, count in
                largest = max(largest, count)
                total += count
            }
            return CountBounds(lower: largest, upper: complete ? min(liveCount, total) : liveCount)
        case .text(let match):
            return try estimate(match, path: condition.key, liveCount: liveCount, in: transaction)
        case .matchExcept, .valuesCount:
            preconditionFailure("not covered")
        }
    }

    /// Visits the integer keys and then the double keys whose value lies in `range`, with
    /// their id counts. Returns false if `budget` keys were read before the end.
    @discardableResult
    private func forEachKey(
        in range: NumericRange,
        path: PayloadPath,
        transaction: borrowing LMDBTransaction,
        budget: Int?,
        _ body: (_ key: [UInt8], _ count: Int) throws -> Void
    ) throws -> Bool {
        var remaining = budget ?? .max
        let lower = [range.greaterThan, range.greaterThanOrEqual].compactMap { $0 }.max()

        // Integers compare as Double(integer), which is monotonic but not injective past 2^53,
        // so start a little below the bound and let the predicate skip the excess.
        let integerPrefix = PayloadIndexKey.prefix(path: path, tag: .integer)
        let integerStart: Int64 = lower.map { bound in
            let floor = bound <= -9.2e18 ? Int64.min : (bound >= 9.2e18 ? Int64.max : Int64(bound.rounded(.down)))
            return floor < Int64.min + 4096 ? Int64.min : floor - 4096
        } ?? Int64.min
        var stoppedEarly = false
        try transaction.forEachKeyWithCount(in: database, from: PayloadIndexKey.integerKey(path: path, integerStart)) { key, count in
            guard key.starts(with: integerPrefix) else { return false }
            let value = Double(PayloadIndexKey.integer(fromSortableBits: PayloadIndexKey.trailingBits(key, prefixLength: integerPrefix.count)))
            guard range.satisfiesLowerBounds(value) else { return true }
            guard range.satisfiesUpperBounds(value) else { return false }
            guard remaining > 0 else { stoppedEarly = true; return false }
            remaining -= 1
            try body(key, count)
            return true
        }
        if stoppedEarly { return false }

        let doublePrefix = PayloadIndexKey.prefix(path: path, tag: .double)
        let doubleStart = lower.map { PayloadIndexKey.doubleKey(path: path, $0) } ?? doublePrefix
        try transaction.forEachKeyWithCount(in: database, from: doubleStart) { key, count in
            guard key.starts(with: doublePrefix) else { return false }
            let value = PayloadIndexKey.double(fromSortableBits: PayloadIndexKey.trailingBits(key, prefixLength: doublePrefix.count))
            guard range.satisfiesLowerBounds(value) else { return true }
            guard range.satisfiesUpperBounds(value) else { return false }
            guard remaining > 0 else { stoppedEarly = true; return false }
            remaining -= 1
            try body(key, count)
            return true
        }
        return !stoppedEarly
    }
}

/// How many points something matches, at least and at most.
struct CountBounds: Equatable {
    var lower: Int
    var upper: Int
}
