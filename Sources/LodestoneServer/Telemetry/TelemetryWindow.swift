import VectorFormats

/// What happened in one sampling interval for one key (a collection's searches, a model's
/// embedding batches): a count, a sum, and a bounded uniform sample of the values for
/// percentiles. Bounded so a burst of searches costs constant memory; reservoir sampling keeps
/// the sample uniform over the whole interval.
struct TelemetryWindow {
    static let sampleCapacity = 2_048

    private(set) var count = 0
    private(set) var sum = 0.0
    private var sample: [Double] = []
    private var random = SplitMix64(seed: 0x5EED)

    mutating func record(_ value: Double) {
        count += 1
        sum += value
        if sample.count < Self.sampleCapacity {
            sample.append(value)
        } else {
            let slot = Int(random.next() % UInt64(count))
            if slot < Self.sampleCapacity { sample[slot] = value }
        }
    }

    /// The value at quantile `q` (0...1) of the sample, nearest rank; nil when empty.
    func quantile(_ q: Double) -> Double? {
        guard !sample.isEmpty else { return nil }
        let sorted = sample.sorted()
        let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    var mean: Double? { count > 0 ? sum / Double(count) : nil }

    var sampleValues: [Double] { sample }

    /// Counts values that are in no sample (merged from a window that dropped them).
    mutating func addUnsampled(count extra: Int, sum extraSum: Double) {
        count += extra
        sum += extraSum
    }
}
