import Foundation
import VectorIndex

/// What a quantized build that failed the recall gate would need: the gate measures it as a
/// query naming no parameters is served (Qdrant's oversampling 1, where rescoring only reorders
/// the codes' own top k), so a refusal also measures more oversampling on the same queries and
/// says which passes. It decides nothing: the build stays refused.
struct OversamplingAdvice {
    let check: RecallCheck
    let index: HNSWIndex
    let ef: Int
    /// The index's exact answers on the gate's queries, from the gate's own measurement: at
    /// 1M x 384 with the floats paged, each scan for them costs minutes.
    let exact: RecallCheck.ExactAnswers
    static let tried: [Double] = [2, 4, 8]

    /// Measures each oversampling in turn, stopping at the first reaching `needed`, and adds
    /// one sentence to `failures` saying what would pass (or that none tried did).
    func measure(reaching needed: Double, failures: inout [String]) throws -> [GateReport.OversampledRecall] {
        var measured: [GateReport.OversampledRecall] = []
        for oversampling in Self.tried {
            let report = try check.measure(index, ef: ef, against: exact,
                                           quantization: QuantizationParameters(oversampling: oversampling))
            measured.append(GateReport.OversampledRecall(oversampling: oversampling, recall: report.recall,
                                                         p99Milliseconds: report.latencyP99Milliseconds))
            guard report.recall >= needed else { continue }
            failures.append(String(format: "at oversampling %g the same queries reach recall@10 %.4f, which would pass: query with "
                                   + "params.quantization.oversampling %g (rescore true), then promote with force and that reason, "
                                   + "or widen the recall margin (PUT /collections/{name}/gates or lodestone gates --recall-margin)", oversampling, report.recall, oversampling))
            return measured
        }
        let remedies = if case .binary? = index.quantizer { "build with a higher ef, use int8 instead of binary codes, or keep the floats" }
            else { "build with a higher ef, or keep the floats" }
        failures.append(String(format: "even at oversampling %g recall@10 is %.4f: these codes lose too much on this data", Self.tried.last!,
                               measured.last?.recall ?? 0) + " (\(remedies))")
        return measured
    }
}
