import Foundation
import Storage
import Testing

@Suite struct FilterEvaluationTests {
    let payload: [String: JSONValue] = [
        "color": "red",
        "tags": ["a", "b"],
        "n": 5,
        "x": 2.5,
        "empty": [],
        "nothing": nil,
        "nulls": [nil],
        "meta": ["k": 1, "deep": ["z": "y"]],
        "items": [["v": 1, "w": "p"], ["v": 4, "w": "q"]],
        "mixed": [1, "1", true, 2.0],
    ]

    func check(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
        try Filter(jsonText: json).matches(id: .number(10), payload: payload)
    }

    @Test func matchesAnyArrayElementAndNestedKeys() throws {
        #expect(try check(#"{"must": [{"key": "tags", "match": {"value": "b"}}]}"#))
        #expect(try check(#"{"must": [{"key": "meta.deep.z", "match": {"value": "y"}}]}"#))
        #expect(try check(#"{"must": [{"key": "items[].v", "range": {"gte": 4}}]}"#))
        #expect(try !check(#"{"must": [{"key": "items[].v", "range": {"gt": 4}}]}"#))
        #expect(try check(#"{"must": [{"key": "mixed", "match": {"value": true}}]}"#))
        #expect(try check(#"{"must": [{"key": "mixed", "match": {"any": ["1"]}}]}"#))
    }

    @Test func typedComparisonAndMissingKeysNeverMatch() throws {
        #expect(try !check(#"{"must": [{"key": "x", "match": {"value": 2}}]}"#))
        #expect(try !check(#"{"must": [{"key": "color", "match": {"value": 5}}]}"#))
        #expect(try !check(#"{"must": [{"key": "absent", "match": {"value": "red"}}]}"#))
        #expect(try !check(#"{"must": [{"key": "color.inner", "range": {"gt": 0}}]}"#))
        #expect(try !check(#"{"must": [{"key": "absent", "match": {"except": ["red"]}}]}"#))
        #expect(try !check(#"{"must": [{"key": "color", "range": {"gt": 0}}]}"#))
        // A key without [] does not reach into arrays of objects.
        #expect(try !check(#"{"must": [{"key": "items.v", "match": {"value": 1}}]}"#))
    }

    @Test func exceptEmptyAndNullSemantics() throws {
        #expect(try check(#"{"must": [{"key": "tags", "match": {"except": ["a"]}}]}"#))
        #expect(try !check(#"{"must": [{"key": "tags", "match": {"except": ["a", "b"]}}]}"#))
        #expect(try check(#"{"must": [{"key": "n", "match": {"except": ["5"]}}]}"#))
        #expect(try !check(#"{"must": [{"key": "nothing", "match": {"except": ["x"]}}]}"#))
        #expect(try check(#"{"must": [{"is_empty": {"key": "empty"}}, {"is_empty": {"key": "nothing"}}, {"is_empty": {"key": "absent"}}]}"#))
        #expect(try !check(#"{"must": [{"is_empty": {"key": "tags"}}]}"#))
        #expect(try check(#"{"must": [{"is_null": {"key": "nothing"}}]}"#))
        #expect(try !check(#"{"must": [{"is_null": {"key": "absent"}}]}"#))
        #expect(try !check(#"{"must": [{"is_null": {"key": "nulls"}}]}"#))
        #expect(try check(#"{"must": [{"is_null": {"key": "nulls[]"}}]}"#))
        #expect(try check(#"{"must": [{"key": "tags", "values_count": {"gte": 2, "lt": 3}}]}"#))
    }

    @Test func booleanStructureAndNestedObjects() throws {
        #expect(try check(#"{"should": [{"key": "color", "match": {"value": "blue"}}, {"key": "n", "range": {"lte": 5}}]}"#))
        #expect(try !check(#"{"should": [{"key": "color", "match": {"value": "blue"}}], "must": [{"key": "n", "match": {"value": 5}}]}"#))
        #expect(try !check(#"{"must_not": [{"has_id": [10]}]}"#))
        #expect(try check(#"{"must_not": [{"has_id": [11]}], "must": [{"must_not": [{"key": "color", "match": {"value": "blue"}}]}]}"#))
        // Nested: one element must satisfy the whole inner filter.
        #expect(try check(#"{"must": [{"nested": {"key": "items", "filter": {"must": [{"key": "v", "match": {"value": 4}}, {"key": "w", "match": {"value": "q"}}]}}}]}"#))
        #expect(try !check(#"{"must": [{"nested": {"key": "items", "filter": {"must": [{"key": "v", "match": {"value": 4}}, {"key": "w", "match": {"value": "p"}}]}}}]}"#))
        #expect(try check(#"{}"#))
    }
}
