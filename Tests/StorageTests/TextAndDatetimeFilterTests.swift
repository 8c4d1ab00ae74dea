import Foundation
import Storage
import Testing

/// Full-text matches, datetime ranges and `has_vector` on random data (seeded): answers helped
/// by text and datetime indexes and by the vector databases must equal brute-force evaluation
/// of every point, and estimates must bracket the true count.
@Suite struct TextAndDatetimeFilterTests {
    static let bodyTokenizer = TextTokenizer.standard
    static let titleTokenizer = TextTokenizer(kind: .whitespace, lowercase: false, minimumTokenLength: 2, maximumTokenLength: 6)
    static let tagsTokenizer = TextTokenizer(kind: .word, lowercase: false, maximumTokenLength: 5)
    static let indexes: [String: PayloadIndexType] = [
        "body": .text(bodyTokenizer), "title": .text(titleTokenizer), "tags": .text(tagsTokenizer),
        "t": .datetime, "n": .integer,
    ]
    /// The tokenizer each key's conditions use: the index's, else the standard one (unused:
    /// those keys match substrings).
    static let textKeys: [(PayloadPath, TextTokenizer)] = [
        ("body", bodyTokenizer), ("title", titleTokenizer), ("tags", tagsTokenizer), ("notes", .standard), ("t", .standard),
    ]
    static let words = ["Red", "red", "fox", "Fox!", "quick-brown", "a", "ab", "über", "naïve", "x1", "2024", "jumps", "LONGWORD"]
    static let separators = [" ", ", ", "-", "  ", ". ", "\n"]
    /// 2024-01-01T00:00:00Z, the middle of the generated instants.
    static let origin: Int64 = 1_704_067_200 * 1_000_000

    static func makeCollection(_ store: Store, name: String) throws -> CollectionStore {
        try store.createCollection(CollectionSchema(
            name: name, dimension: 2, distance: .dot, payloadIndexes: indexes, vectorName: "dense",
            namedVectors: ["image": DenseVectorConfiguration(dimension: 2, distance: .dot)],
            sparseVectors: ["words": SparseVectorConfiguration()]))
    }

    @Test(arguments: [11, 12, 13] as [UInt64])
    func indexAssistedEqualsBruteForce(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let directory = try TemporaryDirectory()
        let store = try Store.temporary(in: directory)
        let collection = try Self.makeCollection(store, name: "text")

        try collection.upsert((0 ..< 250).map { Self.point(UInt64($0), &random) })
        for _ in 0 ..< 60 {
            let id = PointID.number(UInt64.random(in: 0 ..< 250, using: &random))
            switch Int.random(in: 0 ..< 4, using: &random) {
            case 0: try collection.upsert([Self.point(id.numberValue, &random)])
            case 1: try collection.delete(ids: [id])
            case 2: try collection.setPayload(Self.payload(&random), for: .ids([id]))
            default: try collection.deleteVectors([["image", "words", "dense"].randomElement(using: &random)!], for: .ids([id]))
            }
        }
        let everything = try CollectionSnapshot(collection).points
        func hasVector(_ point: Point) -> (String) -> Bool {
            { name in name == "dense" ? point.vector != nil : point.namedVectors[name] != nil || point.sparseVectors[name] != nil }
        }

        var coveredCount = 0
        for round in 0 ..< 250 {
            let filter = Self.filter(&random, depth: 0)
            let expected = everything.filter { filter.matches(id: $0.id, payload: $0.payload, hasVector: hasVector($0)) }
            let matched = try collection.matchingInternalIDs(filter)
            let resolved = try collection.points(internalIDs: matched.sortedIDs).map { $0?.id }
            #expect(Set(resolved) == Set(expected.map(\.id)), "seed \(seed) round \(round): \(filter.json.jsonText)")
            #expect(try collection.count(filter: filter) == expected.count, "\(filter.json.jsonText)")
            let estimate = try collection.estimateSelectivity(of: filter)
            #expect(estimate.lowerBound <= expected.count && expected.count <= estimate.upperBound, "\(estimate) vs \(expected.count): \(filter.json.jsonText)")
            if estimate.isCoveredByIndexes { coveredCount += 1 }
            if round % 10 == 0 {
                let page = try collection.scroll(limit: 7, filter: filter)
                #expect(page.points.map(\.id) == Array(expected.map(\.id).prefix(7)))
            }
        }
        #expect(coveredCount > 20)
        #expect(coveredCount < 230)
    }

    /// Qdrant's two definitions: without a full-text index `text` is a substring of one value
    /// (`text_any`: any of the query's words is); with one, the tokens decide, and the index
    /// answers exactly as the payload check does.
    @Test func aTextIndexAddedLaterSwitchesFromSubstringsToTokens() throws {
        var random = SeededGenerator(seed: 5)
        let directory = try TemporaryDirectory()
        let store = try Store.temporary(in: directory)
        let collection = try store.createCollection(CollectionSchema(name: "late", dimension: 2, distance: .dot))
        let payloads = (0 ..< 120).map { _ in Self.payload(&random) }
        try collection.upsert(payloads.enumerated().map { PointInput(id: .number(UInt64($0.offset)), vector: [1, 1], payload: $0.element) })
        let queries = (0 ..< 40).map { _ in (Self.sentence(&random, words: Int.random(in: 1 ... 2, using: &random)), TextMatch.Mode.allTokens) }
            + [("fox red", .phrase), ("Fox jumps", .anyToken), ("ed", .allTokens)]
        let filters = queries.map { query, mode in
            Filter(must: [.field(FieldCondition(key: "notes", predicate: .text(TextMatch(query: query, mode: mode))))])
        }
        func notes(_ row: Int) -> String? { payloads[row]["notes"]?.stringValue }
        for ((query, mode), filter) in zip(queries, filters) {
            let expected = (0 ..< 120).filter { row in
                guard let text = notes(row) else { return false }
                return mode == .anyToken ? query.split(separator: " ").contains { text.contains($0) } : text.contains(query)
            }
            #expect(try collection.matchingInternalIDs(filter).sortedIDs == expected.map(UInt32.init), "\(query)")
        }
        #expect(try collection.matchingInternalIDs(filters.last!).sortedIDs.isEmpty == false, "`ed` is inside `red`: a substring")

        try store.addPayloadIndex(collection: "late", field: "notes", type: .text(.standard))
        for ((query, mode), filter) in zip(queries, filters) {
            let tokenMatch = TextMatch(query: query, mode: mode)
            let expected = (0 ..< 120).filter { row in notes(row).map { tokenMatch.matches(values: [$0]) } ?? false }
            #expect(try collection.matchingInternalIDs(filter).sortedIDs == expected.map(UInt32.init), "\(query)")
        }
        #expect(try collection.matchingInternalIDs(filters.last!).sortedIDs.isEmpty, "`ed` is no token of any note")
        #expect(try collection.estimateSelectivity(of: filters[0]).isCoveredByIndexes)
        let reopenedSchema = try collection.schema()
        #expect(reopenedSchema.payloadIndexes["notes"] == .text(.standard))
    }

    @Test func hasVectorNamingAnUnknownVectorIsRefused() throws {
        let directory = try TemporaryDirectory()
        let store = try Store.temporary(in: directory)
        let collection = try Self.makeCollection(store, name: "vectors")
        let filter = Filter(must: [.hasVector("nope")])
        #expect(throws: StorageError.unknownFilterVector(name: "nope", collection: "vectors", known: ["dense", "image", "words"])) {
            try collection.count(filter: filter)
        }
        let unnamed = try store.createCollection(CollectionSchema(name: "plain", dimension: 2, distance: .dot))
        try unnamed.upsert([PointInput(id: .number(1), vector: [1, 2])])
        #expect(try unnamed.count(filter: Filter(must: [.hasVector("")])) == 1)
        #expect(throws: StorageError.unknownFilterVector(name: "dense", collection: "plain", known: [""])) {
            try unnamed.count(filter: Filter(must: [.hasVector("dense")]))
        }
    }

    // MARK: Generators

    static func sentence(_ random: inout SeededGenerator, words count: Int) -> String {
        (0 ..< count).map { _ in words.randomElement(using: &random)! }.reduce("") { text, word in
            text.isEmpty ? word : text + separators.randomElement(using: &random)! + word
        }
    }

    static func datetimeText(_ random: inout SeededGenerator) -> String {
        let instant = origin + Int64.random(in: -8 ... 35, using: &random) * 86_400_000_000 + Int64.random(in: 0 ..< 86_400, using: &random) * 1_000_000
        let utc = PayloadDatetime.format(microseconds: instant)
        let date = String(utc.prefix(10))
        switch Int.random(in: 0 ..< 6, using: &random) {
        case 0: return utc
        case 1: return date
        case 2: return String(utc.dropLast()).replacingOccurrences(of: "T", with: " ")
        case 3: return String(utc.dropLast()) + ".25+02:00"
        case 4: return String(utc.dropLast()) + "-0530"
        default: return String(utc.dropLast(4)) + "Z" // no seconds: not a datetime with a zone
        }
    }

    static func payload(_ random: inout SeededGenerator) -> JSONValue {
        var members: [String: JSONValue] = [:]
        func pick(_ options: [JSONValue?]) -> JSONValue? { options.randomElement(using: &random)! }
        members["body"] = pick([.string(sentence(&random, words: Int.random(in: 1 ... 6, using: &random))), nil, .int(3), ""])
        members["title"] = pick([.string(sentence(&random, words: Int.random(in: 1 ... 4, using: &random))), nil])
        members["tags"] = pick([.array((0 ..< Int.random(in: 0 ... 3, using: &random)).map { _ in .string(sentence(&random, words: 2)) }), "Fox", nil])
        members["notes"] = pick([.string(sentence(&random, words: Int.random(in: 1 ... 5, using: &random))), nil])
        members["t"] = pick([.string(datetimeText(&random)), .string(datetimeText(&random)), .array([.string(datetimeText(&random)), .string(datetimeText(&random))]),
                             "not a date", .int(1_704_067_200), nil])
        members["u"] = pick([.string(datetimeText(&random)), nil, "2024-13-01"])
        members["n"] = pick([.int(Int64.random(in: 0 ... 5, using: &random)), nil])
        return .object(members.compactMapValues { $0 })
    }

    static func point(_ id: UInt64, _ random: inout SeededGenerator) -> PointInput {
        var input = PointInput(id: .number(id), vector: Bool.random(using: &random) ? [1, Float(id)] : [], payload: payload(&random))
        if Bool.random(using: &random) { input.namedVectors["image"] = [2, 3] }
        if Bool.random(using: &random) { input.sparseVectors["words"] = try! SparseVectorValue(indices: [UInt32(id % 7)], values: [1]) }
        if input.vector.isEmpty && input.namedVectors.isEmpty && input.sparseVectors.isEmpty { input.vector = [1, 0] }
        return input
    }

    static func filter(_ random: inout SeededGenerator, depth: Int) -> Filter {
        func conditions() -> [Condition] {
            (0 ..< Int.random(in: 0 ... 2, using: &random)).map { _ in condition(&random, depth: depth) }
        }
        return Filter(must: conditions(), should: conditions(), mustNot: Int.random(in: 0 ..< 3, using: &random) == 0 ? conditions() : [])
    }

    static func condition(_ random: inout SeededGenerator, depth: Int) -> Condition {
        func bound() -> Int64? {
            Bool.random(using: &random) ? origin + Int64.random(in: -10 ... 40, using: &random) * 43_200_000_000 : nil
        }
        switch Int.random(in: 0 ..< 10, using: &random) {
        case 0, 1, 2, 3:
            let (key, tokenizer) = textKeys.randomElement(using: &random)!
            let mode = [TextMatch.Mode.allTokens, .anyToken, .phrase].randomElement(using: &random)!
            let query = Int.random(in: 0 ..< 10, using: &random) == 0 ? "!!" : sentence(&random, words: Int.random(in: 1 ... 3, using: &random))
            // Keys without a text index match substrings, as the collection binds them.
            let substrings: Bool
            if case .text? = indexes[key.rawValue] { substrings = false } else { substrings = true }
            return .field(FieldCondition(key: key, predicate: .text(TextMatch(query: query, mode: mode, tokenizer: tokenizer, matchesSubstrings: substrings))))
        case 4, 5:
            let key: PayloadPath = Bool.random(using: &random) ? "t" : "u"
            return .field(FieldCondition(key: key, predicate: .datetimeRange(DatetimeRange(
                greaterThan: bound(), greaterThanOrEqual: bound(), lessThan: bound(), lessThanOrEqual: bound()))))
        case 6:
            return .hasVector(["dense", "image", "words"].randomElement(using: &random)!)
        case 7:
            return .field(FieldCondition(key: "n", predicate: .match(.integer(Int64.random(in: 0 ... 5, using: &random)))))
        default:
            return depth < 2 ? .filter(filter(&random, depth: depth + 1)) : .hasVector("image")
        }
    }
}

extension PointID {
    var numberValue: UInt64 {
        guard case .number(let value) = self else { preconditionFailure("tests use numeric ids") }
        return value
    }
}
