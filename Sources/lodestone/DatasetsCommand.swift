import ArgumentParser
import Foundation
import Lifecycle
import Storage

/// `lodestone datasets register|list|verify`: evaluation datasets as immutable artifacts.
struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "Register, list and verify evaluation datasets (BEIR layout: corpus.jsonl, queries.jsonl, qrels/test.tsv).",
        subcommands: [Register.self, List.self, Verify.self]
    )

    struct Common: ParsableArguments {
        @Option(help: "Data directory.") var data: String = "./data"
        @Flag(help: "Print one JSON object.") var json = false

        func registry() throws -> DatasetRegistry { try DatasetRegistry(store: try Store(directory: URL(fileURLWithPath: data))) }
    }

    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a BEIR directory into the artifact store as NAME@VERSION; the digest over corpus, queries and qrels is its identity.")
        @OptionGroup var common: Common
        @Argument(help: "The BEIR directory.") var directory: String
        @Option(help: "Dataset name.") var name: String
        @Option(help: "Dataset version.") var version: String

        func run() throws {
            let record = try common.registry().register(directory: URL(fileURLWithPath: directory), name: name, version: version,
                                                        registeredBy: localUser)
            if common.json { try printJSON(record) } else {
                print("\(record.reference): \(record.documents) documents, \(record.queries) judged queries, digest \(record.digest)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered dataset versions.")
        @OptionGroup var common: Common

        func run() throws {
            let records = try common.registry().list()
            if common.json { try printJSONObject(["datasets": try records.map { try jsonObject($0) }]); return }
            for record in records {
                print("\(record.reference.padding(toLength: 32, withPad: " ", startingAt: 0)) \(record.documents) documents, \(record.queries) queries, digest \(record.digest.prefix(16))")
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-hash every registered dataset's files against its manifest; exits 1 when any changed or is missing.")
        @OptionGroup var common: Common

        func run() throws {
            let registry = try common.registry()
            var damaged = 0
            var results: [[String: Any]] = []
            for record in try registry.list() {
                let problems = registry.verify(record)
                if !problems.isEmpty { damaged += 1 }
                results.append(["dataset": record.reference, "digest": record.digest, "ok": problems.isEmpty, "problems": problems])
                if !common.json { print("\(record.reference)  \(record.digest.prefix(16))  \(problems.isEmpty ? "ok" : problems.joined(separator: "; "))") }
            }
            if common.json { try printJSONObject(["datasets": results, "damaged": damaged]) }
            if damaged > 0 { throw ExitCode(1) }
        }
    }
}
