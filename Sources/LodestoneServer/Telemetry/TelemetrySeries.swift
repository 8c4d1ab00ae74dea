import Foundation
import Storage

/// A bounded history of samples for one scope (the server, a collection, a model): each sample
/// is a time and a value per series name, missing when there was nothing to measure (no search
/// in the interval has no latency). The oldest samples drop off once `capacity` is reached.
struct TelemetrySeries {
    let capacity: Int
    private(set) var times: [Double] = []
    private(set) var values: [String: [Double?]] = [:]

    init(capacity: Int) { self.capacity = capacity }

    mutating func append(time: Double, _ sample: [String: Double?]) {
        let index = times.count
        times.append(time)
        for (name, value) in sample {
            // A series first seen now was missing in every earlier sample.
            values[name, default: [Double?](repeating: nil, count: index)].append(value)
        }
        for name in values.keys where sample[name] == nil { values[name]!.append(nil) }
        if times.count > capacity {
            let drop = times.count - capacity
            times.removeFirst(drop)
            for name in values.keys { values[name]!.removeFirst(drop) }
        }
    }

    /// The samples after `since` (seconds since 1970) as JSON: `times` and one array per series.
    func json(since: Double?) -> JSONValue {
        let first = since.map { cutoff in times.firstIndex { $0 > cutoff } ?? times.count } ?? 0
        var series: [String: JSONValue] = [:]
        for (name, column) in values {
            series[name] = .array(column[first...].map { $0.map(JSONValue.double) ?? .null })
        }
        return .object(["times": .array(times[first...].map(JSONValue.double)), "series": .object(series)])
    }
}
