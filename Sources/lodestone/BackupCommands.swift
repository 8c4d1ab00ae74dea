import ArgumentParser
import Foundation
import Lifecycle
import Storage

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Take a consistent, compacted copy of a data directory, also while a server uses it."
    )

    @Option(help: "Data directory to copy.") var data: String = "./data"
    @Option(help: "Empty or new directory to write the backup to.") var to: String

    func run() throws {
        let store = try Store(directory: URL(fileURLWithPath: data))
        let start = ContinuousClock.now
        try store.backup(to: URL(fileURLWithPath: to))
        print(String(format: "backup of %@ written to %@ in %.2f s", data, to, (ContinuousClock.now - start).seconds))
    }
}

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup made by `lodestone backup` into an empty data directory."
    )

    @Option(help: "The backup directory.") var from: String
    @Option(help: "Empty or new data directory to restore into.") var data: String = "./data"

    func run() throws {
        try Store.restore(from: URL(fileURLWithPath: from), to: URL(fileURLWithPath: data))
        print("restored \(from) into \(data)")
    }
}
