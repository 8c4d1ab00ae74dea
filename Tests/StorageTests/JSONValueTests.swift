import Foundation
import Storage
import Testing

@Suite struct JSONValueTests {
    @Test func parsesIntegersAsIntegersAndDecimalsAsDoubles() throws {
        let value = try JSONValue(parsing: #"{"a": 3, "b": 3.0, "c": -7, "d": 1e2, "e": 9223372036854775808}"#)
        #expect(value["a"] == .int(3))
        #expect(value["b"] == .double(3.0))
        #expect(value["c"] == .int(-7))
        #expect(value["d"] == .double(100))
        #expect(value["e"] == .double(9_223_372_036_854_775_808))
    }

    @Test func textRoundTripIsStableAndSorted() throws {
        let text = #"{"z":[1,2.5,"x\n\"y\"",null,true,{"k":false}],"a":{"b":-0.125},"u":"é😀\u0001"}"#
        let value = try JSONValue(parsing: text)
        let written = value.jsonText
        #expect(written.hasPrefix(#"{"a":{"b":-0.125},"u":"#))
        #expect(try JSONValue(parsing: written) == value)
        #expect(try JSONValue(parsing: written).jsonText == written)
        #expect(JSONValue.double(2).jsonText == "2.0")
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try JSONValue(parsing: #""\ud83d\ude00 \u00e9 \/""#) == .string("😀 é /"))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "tru", "\"\\x\"", "[1] 2", "\"\\ud800\"", "nan"])
    func rejectsMalformedText(_ text: String) {
        #expect(throws: StorageError.self) { try JSONValue(parsing: text) }
    }

    @Test func rejectsExcessiveNesting() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: StorageError.self) { try JSONValue(parsing: deep) }
    }

    @Test func codableKeepsStructure() throws {
        let value: JSONValue = ["list": [1, "two", nil, ["nested": true]], "pi": 3.25]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
    }
}
