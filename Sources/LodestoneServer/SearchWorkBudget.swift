import Storage

/// How much search work one batch request may ask for, checked before any of it runs, so a
/// single request cannot hold the search threads for minutes: graph candidates (each search's
/// `max(hnsw_ef, limit + offset)`, prefetches included) and points scanned exactly
/// (`exact: true` searches times the collection's points).
struct SearchWorkBudget: Sendable {
    var maxCandidates: Int
    var maxExactScanPoints: Int

    struct Work: Equatable {
        var candidates = 0
        var exactSearches = 0
    }

    /// The work `searches` ask for; values a search's decoding would refuse count as their
    /// defaults here (the search itself refuses them with a precise message).
    static func work(of searches: [JSONFields], defaultEf: Int) -> Work {
        var total = Work()
        for search in searches { add(.object(search.fields), defaultEf: defaultEf, to: &total, depth: 0) }
        return total
    }

    private static func add(_ value: JSONValue, defaultEf: Int, to total: inout Work, depth: Int) {
        guard case let .object(fields) = value, depth < 16 else { return }
        let limit = integer(fields["limit"]) ?? integer(fields["top"]) ?? 10
        let offset = integer(fields["offset"]) ?? 0
        var ef = defaultEf
        if case let .object(params)? = fields["params"] {
            ef = integer(params["hnsw_ef"]) ?? defaultEf
            if case .bool(true)? = params["exact"] { total.exactSearches += 1 }
        }
        // Each term is capped so the sum cannot overflow; a capped term is over budget anyway.
        let capped = { (value: Int) in min(max(0, value), 1 << 40) }
        total.candidates = min(total.candidates + max(capped(ef), capped(limit) + capped(offset)), 1 << 60)
        switch fields["prefetch"] {
        case let .array(items)?: for item in items { add(item, defaultEf: defaultEf, to: &total, depth: depth + 1) }
        case let item?: add(item, defaultEf: defaultEf, to: &total, depth: depth + 1)
        case nil: break
        }
    }

    private static func integer(_ value: JSONValue?) -> Int? {
        if case let .int(number)? = value { return Int(exactly: number) }
        return nil
    }

    func check(_ searches: [JSONFields], defaultEf: Int, points: Int) throws {
        let work = Self.work(of: searches, defaultEf: defaultEf)
        guard work.candidates <= maxCandidates else {
            throw APIError.badRequest("the batch asks for \(work.candidates) graph candidates (the sum of max(hnsw_ef, limit + offset) over its searches); "
                                      + "the maximum per request is \(maxCandidates): split it into smaller batches or lower hnsw_ef")
        }
        let (scanned, overflow) = work.exactSearches.multipliedReportingOverflow(by: max(points, 1))
        // One exact search is always allowed: it is what `exact` is for.
        guard work.exactSearches <= 1 || (!overflow && scanned <= maxExactScanPoints) else {
            throw APIError.badRequest("the batch asks for \(work.exactSearches) exact searches over \(points) points; "
                                      + "the maximum per request is \(maxExactScanPoints) points scanned: split it or search the index")
        }
    }
}
