import ArgumentParser
import Foundation
import Lifecycle
import Storage

/// Who a command acts as, for the audit trail.
var localUser: String { ProcessInfo.processInfo.environment["USER"] ?? NSUserName() }

/// The one JSON encoding of the command line's `--json` output: ISO 8601 dates, sorted keys.
func encodeJSON(_ value: some Encodable) throws -> Data {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(value)
}

func printJSON(_ value: some Encodable) throws {
    print(String(decoding: try encodeJSON(value), as: UTF8.self))
}

/// An Encodable value as dictionaries and arrays, to add keys before printing.
func jsonObject(_ value: some Encodable) throws -> Any {
    try JSONSerialization.jsonObject(with: encodeJSON(value))
}

/// Prints a JSON object built from dictionaries and arrays, keys sorted, on one line.
func printJSONObject(_ object: Any) throws {
    print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
}

/// `lodestone promote`: switch a collection to a build when the gates pass.
struct PromoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Serve a build of a collection after its recall (and, on a new model, its evaluation) passes the gates.",
        discussion: "A refused promotion changes nothing, prints the gate's numbers and exits with status 2."
    )

    @Option(help: "Data directory.") var data: String = "./data"
    @Option(help: "Collection.") var collection: String
    @Option(help: "Build number (see `lodestone builds list`).") var build: Int
    @Flag(help: "Promote even when the gates refuse (needs --reason).") var force = false
    @Option(help: "Why: recorded in the audit trail.") var reason: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let context = try LifecycleContext(store: Store(directory: URL(fileURLWithPath: data)))
        let outcome = try Promoter(context: context).promote(
            collection: collection, build: build, actor: localUser, force: force, reason: reason) { message in
            FileHandle.standardError.write(Data("\(message)\n".utf8))
        }
        if json {
            try printJSON(outcome)
        } else {
            print(outcome.promoted
                  ? "build \(build) now serves '\(collection)' (was build \(outcome.entry.fromBuild ?? 0))\(outcome.entry.forced ? ", forced: \(reason ?? "")" : "")"
                  : "refused: build \(build) does not pass the gates; '\(collection)' still serves build \(outcome.entry.fromBuild ?? 0)")
            for line in GateLines.describe(outcome.gate) { print("  " + line) }
        }
        if !outcome.promoted { throw ExitCode(2) }
    }
}

enum GateLines {
    static func describe(_ gate: GateReport) -> [String] {
        var lines: [String] = []
        let recall = gate.recall
        var line = String(format: "recall@%d %.4f at ef=%d on %d %@ queries (floor %.2f)", recall.k, recall.candidate, recall.candidateEf,
                          recall.queries, recall.querySource, recall.floor)
        if let production = recall.production {
            line += String(format: "; production build %d: %.4f (margin %.3f)", recall.productionBuild ?? 0, production, recall.margin)
        }
        lines.append(line + (recall.passed ? " — pass" : " — FAIL"))
        if let model = gate.model {
            lines.append(String(format: "nDCG@10 on %@ (%d queries): %@ %.4f, %@ %.4f, delta %+.4f, 95%% CI [%+.4f, %+.4f], margin %.3f — %@",
                                model.dataset, model.queries, model.baseline, model.baselineNDCG, model.candidate, model.candidateNDCG,
                                model.ndcgDelta, model.ndcgDeltaCI95[0], model.ndcgDeltaCI95[1], model.margin, model.passed ? "pass" : "FAIL"))
        }
        lines += gate.failures.map { "refused: \($0)" }
        return lines
    }
}

/// `lodestone rollback`: return to the build that served before.
struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rollback", abstract: "Return a collection to the build that served before the current one.")

    @Option(help: "Data directory.") var data: String = "./data"
    @Option(help: "Collection.") var collection: String
    @Option(help: "Why: recorded in the audit trail.") var reason: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let context = try LifecycleContext(store: Store(directory: URL(fileURLWithPath: data)))
        let entry = try Promoter(context: context).rollback(collection: collection, actor: localUser, reason: reason)
        if json { try printJSON(entry) } else {
            print("'\(collection)' serves build \(entry.toBuild ?? 0) again (was build \(entry.fromBuild ?? 0))")
        }
    }
}

/// `lodestone audit`: every change to what a collection serves.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Show a collection's audit trail: promotions, rollbacks, refusals, retirements.")

    @Option(help: "Data directory.") var data: String = "./data"
    @Option(help: "Collection.") var collection: String
    @Flag(help: "Print one JSON object.") var json = false

    struct Listing: Encodable { var collection: String; var entries: [AuditEntry] }

    func run() throws {
        let store = try Store(directory: URL(fileURLWithPath: data))
        _ = try store.collection(named: collection)
        let entries = try AuditTrail(store: store).entries(of: collection)
        if json { return try printJSON(Listing(collection: collection, entries: entries)) }
        let formatter = ISO8601DateFormatter()
        for entry in entries {
            var line = "#\(entry.number) \(formatter.string(from: entry.at)) \(entry.actor) \(entry.action.rawValue)"
            if let from = entry.fromBuild { line += " from build \(from)" }
            if let to = entry.toBuild { line += " to build \(to)" }
            if entry.forced { line += " (forced)" }
            if let reason = entry.reason { line += ": \(reason)" }
            print(line)
            if let gate = entry.gate { for detail in GateLines.describe(gate) { print("    " + detail) } }
        }
    }
}

/// `lodestone gates`: show or change a collection's promotion gates and build retention.
struct GatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gates", abstract: "Show or set a collection's promotion gates and how many spare builds it keeps.")

    @Option(help: "Data directory.") var data: String = "./data"
    @Option(help: "Collection.") var collection: String
    @Option(name: .customLong("recall-floor"), help: "Minimum recall@10 of a build.") var recallFloor: Double?
    @Option(name: .customLong("recall-margin"), help: "How far below production's recall@10 a build may be.") var recallMargin: Double?
    @Option(name: .customLong("eval-dataset"), help: "The dataset a build on a new model is evaluated on: a registered NAME@VERSION, or a BEIR directory (registered as an immutable dataset, NAME@sha256-DIGEST).") var evalDataset: String?
    @Option(name: .customLong("eval-margin"), help: "How far below production's model nDCG@10 a new model may score.") var evalMargin: Double?
    @Option(name: .customLong("keep-builds"), help: "Ready builds kept besides the serving build and the rollback target.") var keepBuilds: Int?
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let store = try Store(directory: URL(fileURLWithPath: data))
        _ = try store.collection(named: collection)
        let context = try LifecycleContext(store: store)
        var gates = try context.serving.record(collection).gates
        if let recallFloor { gates.recallFloor = recallFloor }
        if let recallMargin { gates.recallMargin = recallMargin }
        if let evalDataset {
            // A registered name@version, or a directory, which is registered so the gate names an immutable copy.
            let datasets = try DatasetRegistry(store: store)
            let resolved = try datasets.resolve(evalDataset)
            gates.evaluationDataset = resolved.key.contains("/")
                ? try datasets.registerForGate(directory: resolved.directory, registeredBy: localUser).reference : resolved.key
        }
        if let evalMargin { gates.evaluationMargin = evalMargin }
        if let keepBuilds { gates.keepBuilds = keepBuilds }
        if gates != (try context.serving.record(collection).gates) {
            try GateSettingsChange(context: context).apply(gates, to: collection, actor: localUser)
        }
        if json { try printJSON(gates) } else {
            print(String(format: "recall floor %.3f, recall margin %.3f, evaluation set %@, eval margin %.3f, keep %d spare builds",
                         gates.recallFloor, gates.recallMargin, gates.evaluationDataset ?? "none", gates.evaluationMargin, gates.keepBuilds))
        }
    }
}
