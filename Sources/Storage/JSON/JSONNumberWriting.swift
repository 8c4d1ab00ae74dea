/// Numbers written straight into the output bytes: a response with thousands of vector
/// components must not build a String for each of them.
extension JSONValue {
    static func writeInteger(_ value: Int64, into output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        // Magnitude as unsigned, so Int64.min does not overflow.
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            repeat {
                digits[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for position in stride(from: count - 1, through: 0, by: -1) { output.append(digits[position]) }
        }
    }

    /// Shortest round-trip text (Swift's own algorithm), with a '.0' added to integral values
    /// so they read back as doubles; non-finite values (never stored) as `null`.
    static func writeDouble(_ value: Double, into output: inout [UInt8]) {
        writeShortest(value, integralBelow: 1e15, into: &output)
    }

    /// float32's shortest round-trip text: eight or nine significant digits where the double
    /// of the same value would print seventeen.
    static func writeFloat(_ value: Float, into output: inout [UInt8]) {
        writeShortest(value, integralBelow: 1e7, into: &output)
    }

    /// Integral values below `integralBelow` (where Swift would print them without an exponent)
    /// as the integer's digits and '.0', without going through the float printer.
    private static func writeShortest<Value: BinaryFloatingPoint & CustomStringConvertible>(
        _ value: Value, integralBelow limit: Value, into output: inout [UInt8]
    ) {
        guard value.isFinite else { return output.append(contentsOf: "null".utf8) }
        if value.rounded(.towardZero) == value, value.magnitude < limit {
            if value == 0, value.sign == .minus { output.append(UInt8(ascii: "-")) }
            writeInteger(Int64(value), into: &output)
            return output.append(contentsOf: ".0".utf8)
        }
        appendShortest(value.description, into: &output)
    }

    /// Non-integral shortest forms are at most 15 bytes in the common case, so Swift keeps the
    /// description in a small inline string and this appends without a heap allocation.
    private static func appendShortest(_ text: String, into output: inout [UInt8]) {
        var text = text
        text.withUTF8 { output.append(contentsOf: $0) }
        // Swift prints large and tiny values with an exponent, which JSON accepts as is.
    }
}
