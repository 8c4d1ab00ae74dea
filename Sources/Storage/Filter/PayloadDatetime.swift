/// Datetimes in payloads and filters, as Qdrant reads them: RFC 3339 (`T` or a space between
/// date and time, `Z` or an offset), a date alone (midnight), or a time without a zone, which
/// means UTC. Values are microseconds since 1970-01-01T00:00:00Z: an Int64 orders like the
/// instant, and a fraction finer than a microsecond is cut off, as Qdrant does.
public enum PayloadDatetime {
    /// Microseconds since the epoch, or nil if `text` is not a datetime in an accepted form.
    public static func microseconds(parsing text: String) -> Int64? {
        var scanner = DatetimeScanner(Array(text.utf8).drop(while: { $0 == UInt8(ascii: " ") }))
        guard let year = scanner.digits(exactly: 4), scanner.skip("-"),
              let month = scanner.digits(exactly: 2), scanner.skip("-"),
              let day = scanner.digits(exactly: 2),
              (1 ... 12).contains(month), (1 ... daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var seconds = daysSinceEpoch(year: year, month: month, day: day) * 86_400
        guard !scanner.isAtEnd else { return seconds * 1_000_000 }

        guard scanner.skip("T") || scanner.skip("t") || scanner.skip(" "),
              let hour = scanner.digits(exactly: 2), scanner.skip(":"),
              let minute = scanner.digits(exactly: 2),
              hour < 24, minute < 60
        else { return nil }
        seconds += Int64(hour * 3600 + minute * 60)
        // `HH:MM` without seconds is accepted only without a zone, as Qdrant's formats list it.
        guard scanner.skip(":") else { return scanner.isAtEnd ? seconds * 1_000_000 : nil }
        guard let second = scanner.digits(exactly: 2), second < 60 else { return nil }
        seconds += Int64(second)

        var fraction: Int64 = 0
        if scanner.skip(".") {
            let digits = scanner.digitRun()
            guard (1 ... 9).contains(digits.count) else { return nil }
            for position in 0 ..< 6 {
                fraction = fraction * 10 + Int64(position < digits.count ? digits[position] : 0)
            }
        }
        guard let offset = scanner.zoneOffsetSeconds(), scanner.isAtEnd else { return nil }
        return (seconds - offset) * 1_000_000 + fraction
    }

    /// RFC 3339 in UTC with as many fraction digits as needed (none for whole seconds).
    public static func format(microseconds: Int64) -> String {
        let (days, remainder) = floorDivide(microseconds, 86_400_000_000)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let secondOfDay = remainder / 1_000_000
        let fraction = remainder % 1_000_000
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if fraction != 0 {
            var digits = pad(fraction, 6)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "Z"
    }

    // MARK: Calendar (proleptic Gregorian, after Howard Hinnant's days_from_civil)

    private static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let shiftedYear = Int64(month <= 2 ? year - 1 : year)
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = Int64((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1)
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civilDate(daysSinceEpoch days: Int64) -> (Int64, Int64, Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value / divisor
        let remainder = value % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}

/// Reads the pieces of a datetime from UTF-8 bytes, failing (nil/false) instead of throwing:
/// a string that is not a datetime is an ordinary payload value.
private struct DatetimeScanner {
    var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { bytes.isEmpty }

    mutating func skip(_ character: Character) -> Bool {
        guard let first = bytes.first, first == character.asciiValue else { return false }
        bytes.removeFirst()
        return true
    }

    mutating func digits(exactly count: Int) -> Int? {
        let run = bytes.prefix(count)
        guard run.count == count, run.allSatisfy({ (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains($0) }) else { return nil }
        bytes.removeFirst(count)
        return run.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    mutating func digitRun() -> [Int] {
        let run = bytes.prefix { (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains($0) }
        bytes.removeFirst(run.count)
        return run.map { Int($0 - UInt8(ascii: "0")) }
    }

    /// `Z`, ` UTC`, `±HH:MM`, `±HHMM` or `±HH` (optionally after one space); none means UTC.
    /// nil when something else follows.
    mutating func zoneOffsetSeconds() -> Int64? {
        if isAtEnd { return 0 }
        if skip("Z") || skip("z") { return 0 }
        if bytes.elementsEqual(" UTC".utf8) {
            bytes.removeAll()
            return 0
        }
        _ = skip(" ")
        let sign: Int64
        if skip("+") {
            sign = 1
        } else if skip("-") {
            sign = -1
        } else {
            return nil
        }
        guard let hours = digits(exactly: 2), hours < 24 else { return nil }
        var minutes = 0
        if skip(":") {
            guard let value = digits(exactly: 2) else { return nil }
            minutes = value
        } else if let value = digits(exactly: 2) {
            minutes = value
        }
        guard minutes < 60 else { return nil }
        return sign * Int64(hours * 3600 + minutes * 60)
    }
}
