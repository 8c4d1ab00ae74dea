import Foundation
import Storage
import Testing

/// Random payloads and random filters (seeded): the index-assisted answers (`matchingInternalIDs`,
/// `count`, filtered `scroll`) must equal brute-force evaluation, and selectivity estimates
/// must bracket the true count.
@Suite struct FilterPropertyTests {
    static let indexes: [String: PayloadIndexType] = [
        "color": .keyword, "tags": .keyword, "n": .integer, "x": .float, "flag": .bool,
        "nested.k": .integer, "items[].v": .integer,
    ]
    static let keys: [PayloadPath] = ["color", "tags", "n", "x", "flag", "nested.k", "items[].v", "items[].w", "free", "absent"]
    static let words = ["red", "green", "blue", "a", "b", "c", "p", "q"]

    @Test(arguments: [1, 2, 3] as [UInt64])
    func indexAssistedEqualsBruteForce(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let directory = try TemporaryDirectory()
        let store = try Store.temporary(in: directory)
        let collection = try store.createCollection(CollectionSchema(name: "prop", dimension: 2, distance: .dot, payloadIndexes: Self.indexes))

        // Inserts, then vector replacements, payload edits and deletes, so the indexes have
        // been maintained through every kind of write.
        try collection.upsert((0 ..< 300).map { PointInput(id: .number(UInt64($0)), vector: [Float($0), 1], payload: Self.payload(&random)) })
        for _ in 0 ..< 60 {
            let id = PointID.number(UInt64.random(in: 0 ..< 300, using: &random))
            switch Int.random(in: 0 ..< 4, using: &random) {
            case 0: try collection.upsert([PointInput(id: id, vector: [Float.random(in: 0 ..< 1, using: &random), 2], payload: Self.payload(&random))])
            case 1: try collection.delete(ids: [id])
            case 2: try collection.setPayload(Self.payload(&random), for: .filter(Filter(must: [.hasID([id])])))
            default: try collection.deletePayloadKeys([Self.keys.randomElement(using: &random)!], for: .filter(Filter(must: [.hasID([id])])))
            }
        }
        let everything = try CollectionSnapshot(collection).points

        var coveredCount = 0
        for round in 0 ..< 250 {
            let filter = Self.filter(&random, depth: 0)
            let expected = everything.filter { filter.matches(id: $0.id, payload: $0.payload) }
            let matched = try collection.matchingInternalIDs(filter)
            let resolved = try collection.points(internalIDs: matched.sortedIDs).map { $0?.id }
            #expect(Set(resolved) == Set(expected.map(\.id)), "seed \(seed) round \(round): \(filter.json.jsonText)")
            #expect(matched.count == expected.count)
            #expect(try collection.count(filter: filter) == expected.count, "\(filter.json.jsonText)")

            let estimate = try collection.estimateSelectivity(of: filter)
            #expect(estimate.liveCount == everything.count)
            #expect(estimate.lowerBound <= expected.count && expected.count <= estimate.upperBound, "\(estimate) vs \(expected.count): \(filter.json.jsonText)")
            if estimate.isCoveredByIndexes { coveredCount += 1 }

            if round % 10 == 0 {
                let page = try collection.scroll(limit: 7, filter: filter)
                #expect(page.points.map(\.id) == Array(expected.map(\.id).prefix(7)))
                #expect(page.nextOffset == (expected.count > 7 ? expected[7].id : nil))
            }
        }
        // The generator must exercise both paths.
        #expect(coveredCount > 20)
        #expect(coveredCount < 230)
    }

    @Test func selectivityOfSimpleIndexedConditionsIsExact() throws {
        let directory = try TemporaryDirectory()
        let store = try Store.temporary(in: directory)
        let collection = try store.createCollection(CollectionSchema(name: "sel", dimension: 2, distance: .dot, payloadIndexes: ["color": .keyword, "n": .integer]))
        try collection.upsert((0 ..< 1000).map { PointInput(id: .number(UInt64($0)), vector: [1, 2], payload: ["color": $0 % 10 == 0 ? "rare" : "common", "n": .int(Int64($0))]) })

        let rare = try collection.estimateSelectivity(of: .matching("color", .keyword("rare")))
        #expect(rare.lowerBound == 100 && rare.upperBound == 100 && rare.isCoveredByIndexes)
        #expect(abs(rare.upperFraction - 0.1) < 1e-9)

        let notRare = try collection.estimateSelectivity(of: Filter(mustNot: [.field(FieldCondition(key: "color", predicate: .match(.keyword("rare"))))]))
        #expect(notRare.lowerBound == 900 && notRare.upperBound == 900)

        let both = try collection.estimateSelectivity(of: Filter(must: [
            .field(FieldCondition(key: "color", predicate: .match(.keyword("rare")))),
            .field(FieldCondition(key: "n", predicate: .range(NumericRange(lessThan: 50)))),
        ]))
        #expect(both.lowerBound == 0 && both.upperBound == 50)

        let unindexed = try collection.estimateSelectivity(of: .matching("other", .keyword("x")))
        #expect(unindexed.lowerBound == 0 && unindexed.upperBound == 1000 && !unindexed.isCoveredByIndexes)

        let wideRange = try collection.estimateSelectivity(of: Filter(must: [.field(FieldCondition(key: "n", predicate: .range(NumericRange(greaterThanOrEqual: 0))))]))
        #expect(wideRange.upperBound == 1000)
    }

    // MARK: Generators

    static func payload(_ random: inout SeededGenerator) -> JSONValue {
        var members: [String: JSONValue] = [:]
        func pick(_ options: [JSONValue?]) -> JSONValue? { options.randomElement(using: &random)! }
        func word() -> JSONValue { .string(words.randomElement(using: &random)!) }
        members["color"] = pick([.string("red"), .string("green"), .string("blue"), .string("red"), nil, .null, .int(3), ["red", "blue"], []])
        members["tags"] = pick([.array((0 ..< Int.random(in: 0 ... 3, using: &random)).map { _ in word() }), "a", nil, ["a", 1, nil, ["b"]]])
        members["n"] = pick([.int(Int64.random(in: -5 ... 5, using: &random)), .int(Int64.random(in: -5 ... 5, using: &random)), 2.5, 3.0, nil, "5", [1, 7], .null, .int(.max), .int(.min)])
        members["x"] = pick([.double(Double(Int.random(in: -6 ... 6, using: &random)) / 2), .int(Int64.random(in: -3 ... 3, using: &random)), -0.0, nil, [0.5, -1.5], "x"])
        members["flag"] = pick([true, false, nil, "true", [true, false]])
        members["nested"] = pick([["k": .int(Int64.random(in: 0 ... 3, using: &random))], ["k": [1, 2]], ["k": 1.5], "notobject", nil])
        members["items"] = pick([
            .array((0 ..< Int.random(in: 0 ... 3, using: &random)).map { _ in
                ["v": .int(Int64.random(in: 0 ... 4, using: &random)), "w": word()]
            }),
            [["w": "p"], ["v": nil]],
            ["v": 2],
            nil,
        ])
        members["free"] = pick(["p", "q", nil, 1])
        return .object(members.compactMapValues { $0 })
    }

    static func filter(_ random: inout SeededGenerator, depth: Int) -> Filter {
        func conditions() -> [Condition] {
            (0 ..< Int.random(in: 0 ... 2, using: &random)).map { _ in condition(&random, depth: depth) }
        }
        return Filter(must: conditions(), should: conditions(), mustNot: Int.random(in: 0 ..< 3, using: &random) == 0 ? conditions() : [])
    }

    static func condition(_ random: inout SeededGenerator, depth: Int) -> Condition {
        let key = keys.randomElement(using: &random)!
        func value() -> MatchValue {
            switch Int.random(in: 0 ..< 5, using: &random) {
            case 0, 1: .keyword(words.randomElement(using: &random)!)
            case 2, 3: .integer(Int64.random(in: -5 ... 7, using: &random))
            default: .bool(Bool.random(using: &random))
            }
        }
        func bound() -> Double? {
            Bool.random(using: &random) ? Double(Int.random(in: -12 ... 14, using: &random)) / 2 : nil
        }
        switch Int.random(in: 0 ..< 14, using: &random) {
        case 0, 1, 2: return .field(FieldCondition(key: key, predicate: .match(value())))
        case 3, 4: return .field(FieldCondition(key: key, predicate: .matchAny((0 ..< Int.random(in: 1 ... 3, using: &random)).map { _ in value() })))
        case 5: return .field(FieldCondition(key: key, predicate: .matchExcept([value(), value()])))
        case 6, 7: return .field(FieldCondition(key: key, predicate: .range(NumericRange(greaterThan: bound(), greaterThanOrEqual: bound(), lessThan: bound(), lessThanOrEqual: bound()))))
        case 8: return .field(FieldCondition(key: key, predicate: .valuesCount(NumericRange(greaterThanOrEqual: Double(Int.random(in: 0 ... 2, using: &random))))))
        case 9: return Bool.random(using: &random) ? .isEmpty(key) : .isNull(key)
        case 10: return .hasID(Set((0 ..< 3).map { _ in PointID.number(UInt64.random(in: 0 ..< 320, using: &random)) }))
        case 11: return .nested(path: "items", filter: Filter(must: [.field(FieldCondition(key: Bool.random(using: &random) ? "v" : "w", predicate: .match(value())))]))
        default: return depth < 2 ? .filter(filter(&random, depth: depth + 1)) : .field(FieldCondition(key: key, predicate: .match(value())))
        }
    }
}
