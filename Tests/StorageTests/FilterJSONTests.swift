import Foundation
import Storage
import Testing

@Suite struct FilterJSONTests {
    @Test func decodesQdrantFilters() throws {
        let simple = try Filter(jsonText: #"{"must": [{"key": "city", "match": {"value": "London"}}]}"#)
        #expect(simple == .matching("city", .keyword("London")))

        let mixed = try Filter(jsonText: """
            {"should": [{"key": "color", "match": {"any": ["red", "blue"]}}, {"key": "n", "match": {"value": 7}}],
             "must_not": [{"key": "n", "range": {"gte": 5, "lt": 10.5}}]}
            """)
        #expect(mixed.should == [
            .field(FieldCondition(key: "color", predicate: .matchAny([.keyword("red"), .keyword("blue")]))),
            .field(FieldCondition(key: "n", predicate: .match(.integer(7)))),
        ])
        #expect(mixed.mustNot == [.field(FieldCondition(key: "n", predicate: .range(NumericRange(greaterThanOrEqual: 5, lessThan: 10.5))))])

        let single = try Filter(jsonText: #"{"must": {"key": "a.b[].c", "match": {"except": [1, 2]}}}"#)
        #expect(single.must == [.field(FieldCondition(key: "a.b[].c", predicate: .matchExcept([.integer(1), .integer(2)])))])
        #expect(try PayloadPath(parsing: "a.b[].c").segments == [.key("a"), .key("b"), .eachElement, .key("c")])

        let special = try Filter(jsonText: """
            {"must": [{"has_id": [1, "550e8400-e29b-41d4-a716-446655440000"]}, {"is_empty": {"key": "reports"}},
                      {"is_null": {"key": "x"}}, {"key": "flag", "match": {"value": true}}, {"key": "list", "values_count": {"gt": 2}}]}
            """)
        #expect(special.must == [
            .hasID([.number(1), .uuid(UUID(uuidString: "550E8400-E29B-41D4-A716-446655440000")!)]),
            .isEmpty("reports"),
            .isNull("x"),
            .field(FieldCondition(key: "flag", predicate: .match(.bool(true)))),
            .field(FieldCondition(key: "list", predicate: .valuesCount(NumericRange(greaterThan: 2)))),
        ])

        let nested = try Filter(jsonText: """
            {"must": [{"should": [{"key": "a", "match": {"value": "x"}}], "must_not": null},
                      {"nested": {"key": "items", "filter": {"must": [{"key": "v", "range": {"lte": 3}}]}}},
                      {"key": "r", "is_empty": false}, {}]}
            """)
        #expect(nested.must == [
            .filter(Filter(should: [.field(FieldCondition(key: "a", predicate: .match(.keyword("x"))))])),
            .nested(path: "items", filter: Filter(must: [.field(FieldCondition(key: "v", predicate: .range(NumericRange(lessThanOrEqual: 3))))])),
            .filter(Filter(mustNot: [.isEmpty("r")])),
            .filter(Filter()),
        ])
    }

    @Test func encodesBackToTheSameFilter() throws {
        let texts = [
            #"{"must":[{"key":"n","range":{"gt":1.5,"lte":9}}],"should":[{"has_id":[3,"00000000-0000-0000-0000-000000000001"]}]}"#,
            #"{"must_not":[{"key":"t","match":{"any":["a","b"]}},{"is_null":{"key":"z"}},{"nested":{"filter":{"must":[{"key":"k","match":{"value":false}}]},"key":"o"}}]}"#,
        ]
        for text in texts {
            let filter = try Filter(jsonText: text)
            #expect(filter.json.jsonText == text)
            #expect(try Filter(json: filter.json) == filter)
            let viaCodable = try JSONDecoder().decode(Filter.self, from: JSONEncoder().encode(filter))
            #expect(viaCodable == filter)
        }
    }

    @Test(arguments: [
        (#"{"min_should": {"conditions": [], "min_count": 1}}"#, StorageError.unsupportedFilter("'min_should'")),
        (#"{"must": [{"key": "loc", "geo_radius": {"center": {"lon": 0, "lat": 0}, "radius": 1}}]}"#, StorageError.unsupportedFilter("'geo_radius'")),
        (#"{"must": [{"key": "body", "match": {"prefix": "hel"}}]}"#, StorageError.unsupportedFilter("match 'prefix'")),
        (#"{"must": [{"has_vector": 3}]}"#, StorageError.invalidFilter("'has_vector' must be a vector name (a string)")),
        (#"{"must": [{"key": "at", "range": {"gt": "2024-01-01T00:00:00Z", "lt": 5}}]}"#,
         StorageError.invalidFilter("'range' on 'at' mixes datetime strings and 5 in 'lt'; use one kind of bound")),
        (#"{"mustt": []}"#, StorageError.invalidFilter("unknown key 'mustt' in filter")),
        (#"{"must": [{"key": "p", "match": {"value": 1.5}}]}"#, StorageError.invalidFilter("match values are strings, integers or booleans, not 1.5; use 'range' for decimals")),
        (#"{"must": [{"has_id": ["not-a-uuid"]}]}"#, StorageError.invalidFilter("'not-a-uuid' is not a UUID")),
        (#"{"must": [{"key": "a..b", "match": {"value": 1}}]}"#, StorageError.invalidPayloadPath("a..b", reason: "a key between dots is empty")),
        (#"{"must": [{"key": "a"}]}"#, StorageError.invalidFilter("field condition on 'a' has no match, range, values_count, is_empty or is_null")),
        (#"[1]"#, StorageError.invalidFilter("a filter must be a JSON object")),
    ])
    func rejectsWithSpecificErrors(_ text: String, _ expected: StorageError) {
        #expect(throws: expected) { try Filter(jsonText: text) }
        #expect(throws: expected) { try JSONDecoder().decode(Filter.self, from: Data(text.utf8)) }
    }
}
