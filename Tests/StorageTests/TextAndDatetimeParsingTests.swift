import Foundation
import Storage
import Testing

/// Tokenizers, datetime parsing and the Qdrant JSON of the full-text, datetime and has_vector
/// conditions.
@Suite struct TextAndDatetimeParsingTests {
    @Test func wordTokenizerSplitsAtEverythingButLettersAndNumbers() {
        let standard = TextTokenizer.standard
        #expect(standard.tokens(of: "The quick-brown Fox, jumps!  über naïve x1 2024") == ["the", "quick", "brown", "fox", "jumps", "über", "naïve", "x1", "2024"])
        #expect(standard.tokens(of: "  ..  ").isEmpty)
        #expect(TextTokenizer(lowercase: false).tokens(of: "Fox fox") == ["Fox", "fox"])
        let limited = TextTokenizer(minimumTokenLength: 2, maximumTokenLength: 4)
        #expect(limited.tokens(of: "a ab abcd abcde ÜBER") == ["ab", "abcd", "über"])
    }

    @Test func whitespaceTokenizerKeepsPunctuation() {
        let tokenizer = TextTokenizer(kind: .whitespace)
        #expect(tokenizer.tokens(of: "Fox! quick-brown\tnew\nline") == ["fox!", "quick-brown", "new", "line"])
    }

    @Test func textMatchModes() {
        func matches(_ query: String, _ mode: TextMatch.Mode, _ values: [String]) -> Bool {
            TextMatch(query: query, mode: mode).matches(values: values)
        }
        #expect(matches("fox quick", .allTokens, ["The quick brown fox"]))
        #expect(matches("fox quick", .allTokens, ["quick", "a fox"]))
        #expect(!matches("fox cat", .allTokens, ["The quick brown fox"]))
        #expect(matches("fox cat", .anyToken, ["The quick brown fox"]))
        #expect(matches("Brown FOX", .phrase, ["The quick brown fox"]))
        #expect(!matches("fox brown", .phrase, ["The quick brown fox"]))
        // A phrase lies within one value.
        #expect(!matches("quick fox", .phrase, ["quick", "fox"]))
        #expect(!matches("!!", .anyToken, ["!!"]))
    }

    @Test(arguments: [
        ("2024-01-01T00:00:00Z", 1_704_067_200_000_000),
        ("2024-01-01t00:00:00z", 1_704_067_200_000_000),
        ("2024-01-01", 1_704_067_200_000_000),
        ("2024-01-01T10:00:00", 1_704_103_200_000_000),
        ("2024-01-01 10:00:00", 1_704_103_200_000_000),
        ("2024-01-01T10:00", 1_704_103_200_000_000),
        ("2024-01-01T12:00:00+02:00", 1_704_103_200_000_000),
        ("2024-01-01T12:00:00 +0200", 1_704_103_200_000_000),
        ("2024-01-01T12:00:00+02", 1_704_103_200_000_000),
        ("2024-01-01 10:00:00 UTC", 1_704_103_200_000_000),
        ("2024-01-01T10:00:00.5Z", 1_704_103_200_500_000),
        ("2024-01-01T10:00:00.123456789-00:30", 1_704_105_000_123_456),
        ("1969-12-31T23:59:59.999999Z", -1),
        ("2024-02-29", 1_709_164_800_000_000),
    ] as [(String, Int64)])
    func acceptedDatetimes(_ text: String, _ expected: Int64) {
        #expect(PayloadDatetime.microseconds(parsing: text) == expected, "\(text)")
    }

    @Test(arguments: ["", "2024", "2024-1-01", "2024-13-01", "2023-02-29", "2024-01-32", "2024-01-01T24:00:00Z", "2024-01-01T10:00Z",
                      "2024-01-01T10:00:00.Z", "2024-01-01T10:00:00+2:00", "2024-01-01T10:00:00Zjunk", "yesterday", "2024-01-01T10:60:00"])
    func rejectedDatetimes(_ text: String) {
        #expect(PayloadDatetime.microseconds(parsing: text) == nil, "\(text)")
    }

    @Test func formattingInvertsParsingAndAgreesWithFoundation() throws {
        var random = SeededGenerator(seed: 9)
        let formatter = ISO8601DateFormatter()
        for _ in 0 ..< 500 {
            let microseconds = Int64.random(in: -4_000_000_000_000_000 ... 250_000_000_000_000_000, using: &random)
            let text = PayloadDatetime.format(microseconds: microseconds)
            #expect(PayloadDatetime.microseconds(parsing: text) == microseconds, "\(text)")
            let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
            let wholeSeconds = PayloadDatetime.format(microseconds: seconds * 1_000_000)
            let date = try #require(formatter.date(from: wholeSeconds), "\(wholeSeconds)")
            #expect(Int64(date.timeIntervalSince1970) == seconds, "\(wholeSeconds)")
        }
    }

    // MARK: Qdrant JSON

    @Test func fullTextDatetimeAndHasVectorConditionsRoundTrip() throws {
        let text = #"{"must":[{"key":"body","match":{"text":"quick fox"}},{"key":"body","match":{"text_any":"a b"}},{"key":"body","match":{"phrase":"brown fox"}},{"has_vector":"image"},{"key":"t","range":{"gte":"2024-01-01T00:00:00Z","lt":"2024-01-31T22:00:00.5Z"}}]}"#
        let filter = try Filter(jsonText: text)
        #expect(filter.must == [
            .field(FieldCondition(key: "body", predicate: .text(TextMatch(query: "quick fox", mode: .allTokens)))),
            .field(FieldCondition(key: "body", predicate: .text(TextMatch(query: "a b", mode: .anyToken)))),
            .field(FieldCondition(key: "body", predicate: .text(TextMatch(query: "brown fox", mode: .phrase)))),
            .hasVector("image"),
            .field(FieldCondition(key: "t", predicate: .datetimeRange(DatetimeRange(
                greaterThanOrEqual: 1_704_067_200_000_000, lessThan: PayloadDatetime.microseconds(parsing: "2024-02-01T00:00:00.5+02:00"))))),
        ])
        #expect(filter.json.jsonText == text)
        #expect(try Filter(json: filter.json) == filter)
    }

    @Test(arguments: [
        (#"{"must": [{"key": "t", "range": {"gte": "2024-01-01T25:00:00Z"}}]}"#,
         StorageError.invalidFilter("'range.gte' on 't': '2024-01-01T25:00:00Z' is not a datetime; use RFC 3339 such as 2024-01-31T12:00:00Z, 2024-01-31T12:00:00+02:00 or 2024-01-31")),
        (#"{"must": [{"key": "t", "match": {"text": 5}}]}"#, StorageError.invalidFilter("'match.text' on 't' must be a string")),
        (#"{"must": [{"key": "t", "match": {"text": "a", "value": "a"}}]}"#,
         StorageError.invalidFilter("'match' on 't' needs exactly one of value, any, except, text, text_any, phrase")),
        (#"{"must": [{"has_vector": "a", "extra": 1}]}"#, StorageError.invalidFilter("unknown key 'extra' in has_vector condition")),
        (#"{"must": [{"key": "n", "values_count": {"gt": "2024-01-01"}}]}"#, StorageError.invalidFilter("'values_count.gt' must be a number")),
    ])
    func malformedConditionsAreRefused(_ text: String, _ expected: StorageError) {
        #expect(throws: expected) { try Filter(jsonText: text) }
    }

    @Test func orderByJSON() throws {
        #expect(try OrderBy(json: "n") == OrderBy(key: "n"))
        #expect(try OrderBy(json: ["key": "t", "direction": "desc", "start_from": "2024-01-01"])
            == OrderBy(key: "t", direction: .descending, startFrom: .integer(1_704_067_200_000_000)))
        #expect(try OrderBy(json: ["key": "x", "start_from": 2.5]) == OrderBy(key: "x", startFrom: .double(2.5)))
        #expect(throws: StorageError.invalidOrderBy("`direction` must be `asc` or `desc`, not `up`")) {
            try OrderBy(json: ["key": "n", "direction": "up"])
        }
        #expect(throws: StorageError.invalidOrderBy("`start_from` 'soon' is neither a number nor an RFC 3339 datetime such as 2024-01-31T12:00:00Z")) {
            try OrderBy(json: ["key": "n", "start_from": "soon"])
        }
        #expect(throws: StorageError.invalidOrderBy("unknown key `limit`; use `key`, `direction`, `start_from`")) {
            try OrderBy(json: ["key": "n", "limit": 3])
        }
    }

    @Test func textIndexTypesSurviveTheStoredSchema() throws {
        let other = try TemporaryDirectory()
        let path = other.appending("data")
        let tokenizer = TextTokenizer(kind: .whitespace, lowercase: false, minimumTokenLength: 1, maximumTokenLength: 9)
        let indexes: [String: PayloadIndexType] = ["body": .text(tokenizer), "t": .datetime, "k": .keyword]
        do {
            let store = try Store(directory: path)
            try store.createCollection(CollectionSchema(name: "docs", dimension: 2, distance: .dot, payloadIndexes: indexes))
        }
        let reopened = try Store(directory: path)
        #expect(try reopened.collection(named: "docs").schema().payloadIndexes == indexes)
        #expect(throws: StorageError.invalidSchema("text index on `bad`: `min_token_len` 3 is above `max_token_len` 2")) {
            try reopened.addPayloadIndex(collection: "docs", field: "bad", type: .text(TextTokenizer(minimumTokenLength: 3, maximumTokenLength: 2)))
        }
    }
}
