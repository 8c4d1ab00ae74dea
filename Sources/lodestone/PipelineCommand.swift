import ArgumentParser
import Foundation
import Lifecycle
import Storage

/// `lodestone pipeline show|set|rollback`: the pipeline a collection answers text queries with.
struct PipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Show, switch (through the evaluation gate) or roll back a collection's query pipeline: dense or hybrid.",
        subcommands: [Show.self, Set.self, Rollback.self],
        defaultSubcommand: Show.self
    )

    struct Show: ParsableCommand {
        @Option(help: "Data directory.") var data: String = "./data"
        @Option(help: "Collection.") var collection: String
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let context = try LifecycleContext(store: Store(directory: URL(fileURLWithPath: data)))
            let pipeline = try PipelinePromoter(context: context).current(collection: collection)
            if json { try printJSON(pipeline) } else { print("'\(collection)' answers text queries with \(pipeline)") }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Switch the pipeline after it passes the evaluation gate on the collection's evaluation set.",
            discussion: "A refused change changes nothing, prints the numbers and exits with status 2.")
        @Option(help: "Data directory.") var data: String = "./data"
        @Option(help: "Collection.") var collection: String
        @Argument(help: "dense or hybrid.") var pipeline: String
        @Option(help: "The sparse vector BM25 fills (hybrid).") var sparseVector: String?
        @Option(help: "Candidates each side prefetches (hybrid).") var prefetchLimit = 20
        @Option(help: "RRF's k (hybrid).") var rrfK = 2
        @Flag(help: "Switch even when the gate refuses (needs --reason).") var force = false
        @Option(help: "Why: recorded in the audit trail.") var reason: String?
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            guard let kind = ServingPipeline.Kind(rawValue: pipeline) else { throw ValidationError("pipeline must be dense or hybrid") }
            let candidate = ServingPipeline(kind: kind, sparseVector: sparseVector, prefetchLimit: prefetchLimit, rrfK: rrfK)
            let context = try LifecycleContext(store: Store(directory: URL(fileURLWithPath: data)))
            let outcome = try PipelinePromoter(context: context).change(collection: collection, to: candidate, actor: localUser,
                                                                       force: force, reason: reason) { message in
                FileHandle.standardError.write(Data("\(message)\n".utf8))
            }
            if json {
                try printJSON(outcome)
            } else {
                print(outcome.changed ? "'\(collection)' now answers text queries with \(candidate)"
                                      : "refused: '\(collection)' keeps \(outcome.pipeline)")
                if let a = outcome.gate.baselineNDCG, let b = outcome.gate.candidateNDCG, let ci = outcome.gate.ndcgDeltaCI95 {
                    print(String(format: "  nDCG@10 on %@: %.4f -> %.4f (95%% CI of the difference [%+.4f, %+.4f], margin %.3f)",
                                 outcome.gate.dataset ?? "?", a, b, ci[0], ci[1], outcome.gate.margin))
                }
                for failure in outcome.gate.failures { print("  " + failure) }
            }
            if !outcome.changed { throw ExitCode(2) }
        }
    }

    struct Rollback: ParsableCommand {
        @Option(help: "Data directory.") var data: String = "./data"
        @Option(help: "Collection.") var collection: String
        @Option(help: "Why: recorded in the audit trail.") var reason: String?

        func run() throws {
            let context = try LifecycleContext(store: Store(directory: URL(fileURLWithPath: data)))
            let entry = try PipelinePromoter(context: context).rollback(collection: collection, actor: localUser, reason: reason)
            print("'\(collection)' answers text queries with \(try PipelinePromoter(context: context).current(collection: collection)) again (audit \(entry.number))")
        }
    }
}
