import Foundation
import Storage
import Testing

/// The byte-level number reader and writer against Swift's own (String-based) conversions,
/// which are correctly rounded and shortest: the reference the fast paths must match bit for bit.
@Suite struct JSONNumberTests {
    private func parsedDouble(_ text: String) throws -> Double? {
        switch try JSONValue(parsing: text) {
        case .double(let value): value
        case .int(let value): Double(value)
        default: nil
        }
    }

    @Test func decimalsParseToTheCorrectlyRoundedDouble() throws {
        var generator = SeededGenerator(seed: 7)
        var texts = ["0.1", "-0.0", "0.000123", "123456789012345678", "1.7976931348623157e308", "5e-324", "2.2250738585072014e-308",
                     "9007199254740993", "9007199254740993.0", "0.30000000000000004", "1e22", "1e23", "123e-20", "4.9406564584124654e-324",
                     "1.00000000000000011102230246251565404236316680908203125", "12345678901234567890123.5e-3"]
        for _ in 0 ..< 4000 {
            let bits = generator.next()
            let double = Double(bitPattern: bits)
            if double.isFinite { texts.append(double.description) }
            // Short decimals with chosen digit counts and exponents, the fast path's domain and its edges.
            let digits = Int(generator.next() % 20) + 1
            // JSON forbids leading zeros, so the first digit is 1...9.
            let mantissa = String(generator.next() % 9 + 1) + String((1 ..< digits).map { _ in Character(String(generator.next() % 10)) })
            let exponent = Int(generator.next() % 60) - 30
            texts.append("\(mantissa)e\(exponent)")
            texts.append("0.\(mantissa)")
            texts.append("-\(mantissa.prefix(digits / 2 + 1)).\(mantissa)")
        }
        for text in texts {
            guard let expected = Double(text) else { continue }
            let parsed = try parsedDouble(text)
            #expect(parsed?.bitPattern == expected.bitPattern, "\(text)")
        }
    }

    @Test func integersKeepTheirCaseToTheEdgesOfInt64() throws {
        #expect(try JSONValue(parsing: "9223372036854775807") == .int(.max))
        #expect(try JSONValue(parsing: "-9223372036854775808") == .int(.min))
        #expect(try JSONValue(parsing: "9223372036854775808") == .double(9223372036854775808))
        #expect(try JSONValue(parsing: "-9223372036854775809") == .double(-9223372036854775809))
        #expect(try JSONValue(parsing: "-0") == .int(0))
        #expect(try JSONValue(parsing: "123456789012345678901234") == .double(123456789012345678901234))
        #expect(throws: StorageError.self) { try JSONValue(parsing: "1e400") }
    }

    @Test func writtenNumbersAreShortestAndReadBackExactly() throws {
        var generator = SeededGenerator(seed: 11)
        for value: Int64 in [0, 7, -7, .max, .min, 1_000_000] {
            #expect(JSONValue.int(value).jsonText == String(value))
        }
        for _ in 0 ..< 4000 {
            let double = Double(bitPattern: generator.next())
            guard double.isFinite else { continue }
            let text = JSONValue.double(double).jsonText
            #expect(Double(text)?.bitPattern == double.bitPattern, "\(text)")
            #expect(text.contains(".") || text.contains("e"), "\(text) would read back as an integer")
            let float = Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()))
            guard float.isFinite else { continue }
            let floatText = JSONValue.float(float).jsonText
            #expect(Float(floatText)?.bitPattern == float.bitPattern, "\(floatText)")
            #expect(floatText.count <= float.description.count + 2)
        }
        #expect(JSONValue.float(0.1).jsonText == "0.1")
        #expect(JSONValue.float(3).jsonText == "3.0")
        #expect(JSONValue.double(-0.0).jsonText == "-0.0")
        #expect(JSONValue.double(1e300).jsonText == "1e+300")
    }
}
