// Child process for the crash test: upserts points derived from their id, one commit at a
// time, and prints "ack <id>" only after the commit returned, until it is killed.
import Foundation
import Storage

let arguments = CommandLine.arguments
guard arguments.count == 3, let firstID = UInt64(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: storage-crash-child <data-directory> <first-id>\n".utf8))
    exit(2)
}

do {
    let store = try Store(directory: URL(fileURLWithPath: arguments[1]), options: Store.Options(mapSize: 64 << 10))
    let collection: CollectionStore
    if try store.collectionNames().contains(CrashWorkload.collectionName) {
        collection = try store.collection(named: CrashWorkload.collectionName)
    } else {
        collection = try store.createCollection(CrashWorkload.schema)
    }
    var id = firstID
    while true {
        // Mostly single-point commits, with a two-point batch now and then.
        let batch = id % 7 == 0 ? [id, id + 1] : [id]
        try collection.upsert(batch.map(CrashWorkload.point))
        for acknowledged in batch {
            FileHandle.standardOutput.write(Data("ack \(acknowledged)\n".utf8))
        }
        id += UInt64(batch.count)
    }
} catch {
    FileHandle.standardError.write(Data("crash child failed: \(error)\n".utf8))
    exit(1)
}
