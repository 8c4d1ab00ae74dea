import ArgumentParser
import Foundation
import Lifecycle
import Storage

/// `lodestone policy`: show or set what monitoring may do on its own for a collection. The
/// server running on the data directory applies it (it reads the stored policy at each check).
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Show or set a collection's monitoring policy: re-check recall on a drift alert, rebuild on low recall or many deletions, auto-promote through the gates.")

    @Option(help: "Data directory.") var data: String = "./data"
    @Option(help: "Collection.") var collection: String
    @Option(name: .customLong("recheck-on-drift"), help: "true or false: measure recall on logged queries when drift is alerted.") var recheckOnDrift: Bool?
    @Option(name: .customLong("logged-recall-floor"), help: "Rebuild when recall@10 on logged queries is below this; `off` to stop.") var loggedRecallFloor: String?
    @Option(name: .customLong("max-deleted-fraction"), help: "Rebuild when deleted points exceed this fraction of the graph; `off` to stop.") var maxDeletedFraction: String?
    @Option(name: .customLong("auto-promote"), help: "true or false: promote the policy's rebuild when it passes every gate.") var autoPromote: Bool?
    @Option(name: .customLong("check-interval"), help: "Seconds between checks.") var checkInterval: Double?
    @Option(name: .customLong("cooldown"), help: "Least seconds between two rebuilds the policy starts.") var cooldown: Double?
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let store = try Store(directory: URL(fileURLWithPath: data))
        _ = try store.collection(named: collection)
        let context = try LifecycleContext(store: store)
        let stored = try context.policies.policy(collection)
        var policy = stored ?? CollectionPolicy()
        if let recheckOnDrift { policy.recheckOnDrift = recheckOnDrift }
        if let loggedRecallFloor { policy.loggedRecallFloor = try Self.limit(loggedRecallFloor, "--logged-recall-floor") }
        if let maxDeletedFraction { policy.maxDeletedFraction = try Self.limit(maxDeletedFraction, "--max-deleted-fraction") }
        if let autoPromote { policy.autoPromote = autoPromote }
        if let checkInterval { policy.checkIntervalSeconds = checkInterval }
        if let cooldown { policy.rebuildCooldownSeconds = cooldown }
        if policy != stored {
            try context.policies.change(policy, for: collection, actor: localUser, audit: context.audit)
        }
        if json { try printJSON(policy); return }
        print("recheck on drift \(policy.recheckOnDrift), logged recall floor \(policy.loggedRecallFloor.map { String($0) } ?? "off"), "
              + "max deleted fraction \(policy.maxDeletedFraction.map { String($0) } ?? "off"), auto-promote \(policy.autoPromote), "
              + "every \(policy.checkIntervalSeconds) s, cooldown \(policy.rebuildCooldownSeconds) s")
    }

    static func limit(_ text: String, _ flag: String) throws -> Double? {
        if text == "off" { return nil }
        guard let value = Double(text) else { throw ValidationError("\(flag) takes a number or `off`, got `\(text)`") }
        return value
    }
}
