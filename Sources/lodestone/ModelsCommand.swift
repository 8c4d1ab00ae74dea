import ArgumentParser
import Foundation
import Lifecycle
import Storage

/// `lodestone models register|list|alias|delete`: the embedding-model registry.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Register, list, stage and delete embedding model versions.",
        subcommands: [Register.self, List.self, Alias.self, Delete.self, Verify.self]
    )

    struct Common: ParsableArguments {
        @Option(help: "Data directory.") var data: String = "./data"
        @Flag(help: "Print one JSON object.") var json = false

        func registry() throws -> (Store, ModelRegistry) {
            let store = try Store(directory: URL(fileURLWithPath: data))
            return (store, try ModelRegistry(store: store))
        }
    }

    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a model directory as NAME@VERSION: every file that determines its embeddings is copied into the data directory's artifact store, and the digest of their manifest is the version's identity.")
        @OptionGroup var common: Common
        @Argument(help: "The sentence-transformers model directory.") var directory: String
        @Option(help: "Model name.") var name: String
        @Option(help: "Model version.") var version: String

        func run() throws {
            let (_, registry) = try common.registry()
            let record = try registry.register(directory: URL(fileURLWithPath: directory), name: name, version: version,
                                               registeredBy: localUser)
            try ModelsCommand.emit(record, json: common.json)
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-hash every registered model's files in the artifact store against its manifest.",
            discussion: "Prints one line (or with --json one object) per version; exits 1 when any artifact changed or is missing.")
        @OptionGroup var common: Common

        func run() throws {
            let (_, registry) = try common.registry()
            var damaged = 0
            var results: [[String: Any]] = []
            for record in try registry.list() {
                let problems = registry.verify(record)
                if !problems.isEmpty { damaged += 1 }
                let state = record.digest == nil ? "registered before the artifact store: files read from \(record.path), not verified; register it again under a new version"
                    : problems.isEmpty ? "ok" : problems.joined(separator: "; ")
                results.append(["model": record.reference, "digest": record.digest ?? NSNull(), "ok": problems.isEmpty, "problems": problems])
                if !common.json { print("\(record.reference)  \(record.digest.map { String($0.prefix(16)) } ?? "-")  \(state)") }
            }
            if common.json { try printJSONObject(["models": results, "damaged": damaged]) }
            if damaged > 0 { throw ExitCode(1) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered model versions.")
        @OptionGroup var common: Common

        func run() throws {
            let (_, registry) = try common.registry()
            let records = try registry.list()
            if common.json {
                let encoded = try records.map { try jsonObject($0) }
                try printJSONObject(["models": encoded])
                return
            }
            print("MODEL                              STAGE       DIM  LAYERS POOLING  DIGEST")
            for record in records {
                print(record.reference.padding(toLength: 34, withPad: " ", startingAt: 0), record.stage.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0),
                      String(format: "%4d  %6d", record.dimension, record.layers), record.pooling.padding(toLength: 8, withPad: " ", startingAt: 0),
                      String((record.digest ?? record.weightsSHA256).prefix(16)))
            }
        }
    }

    struct Alias: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the stage of NAME@VERSION: candidate, production, archived or none.")
        @OptionGroup var common: Common
        @Argument(help: "NAME@VERSION") var reference: String
        @Argument(help: "candidate | production | archived | none") var stage: String

        func run() throws {
            guard let stage = ModelStage(rawValue: stage.lowercased()) else {
                throw ValidationError("stage must be candidate, production, archived or none")
            }
            let (_, registry) = try common.registry()
            let changed = try registry.setStage(reference, stage)
            try ModelsCommand.emit(changed[0], json: common.json, extra: ["archived": changed.dropFirst().map(\.reference)])
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete NAME@VERSION (refused while a collection is bound to it or a ready build uses it).")
        @OptionGroup var common: Common
        @Argument(help: "NAME@VERSION") var reference: String

        func run() throws {
            let (store, registry) = try common.registry()
            try registry.delete(reference, boundCollections: try registry.users(of: reference, store: store))
            print(common.json ? #"{"deleted":"\#(reference)"}"# : "deleted \(reference)")
        }
    }

    static func emit(_ record: ModelRecord, json: Bool, extra: [String: Any] = [:]) throws {
        if json {
            var object = try jsonObject(record) as? [String: Any] ?? [:]
            object["reference"] = record.reference
            for (key, value) in extra { object[key] = value }
            try printJSONObject(object)
        } else {
            print("\(record.reference): \(record.architecture), \(record.layers) layers, dimension \(record.dimension), \(record.pooling) pooling\(record.normalizes ? ", normalised" : ""), stage \(record.stage.rawValue), digest \(record.digest ?? "-"), weights sha256 \(record.weightsSHA256)")
        }
    }
}
