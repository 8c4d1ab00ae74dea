/// The significant digits of a JSON number, accumulated as they are read.
struct DecimalDigits {
    /// The first 19 significant digits: every 19-digit decimal fits a UInt64.
    var mantissa: UInt64 = 0
    var significantDigits = 0
    /// Digits after the decimal point (including those dropped past the 19th).
    var fractionDigits = 0
    /// Digits that did not fit the mantissa; the exact path is then unavailable.
    var overflowed = false

    mutating func append(_ byte: UInt8) {
        let digit = UInt64(byte - UInt8(ascii: "0"))
        if significantDigits == 0, digit == 0 { return }
        guard significantDigits < 19 else {
            overflowed = true
            return
        }
        mantissa = mantissa * 10 + digit
        significantDigits += 1
    }

    private static let powersOfTen: [Double] = (0 ... 22).map { exponent in
        var value = 1.0
        for _ in 0 ..< exponent { value *= 10 }
        return value
    }

    /// The number's magnitude when one correctly rounded operation gives it exactly (Clinger's
    /// fast path: the mantissa is exact in a double and so is the power of ten); nil otherwise.
    func exactValue(exponent: Int) -> Double? {
        guard !overflowed, mantissa < (1 << 53) else { return nil }
        if mantissa == 0 { return 0 }
        let scale = exponent - fractionDigits
        guard scale >= -22, scale <= 22 else { return nil }
        let value = Double(mantissa)
        return scale < 0 ? value / Self.powersOfTen[-scale] : value * Self.powersOfTen[scale]
    }
}
