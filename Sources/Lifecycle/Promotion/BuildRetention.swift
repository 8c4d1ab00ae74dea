import Foundation
import Storage

/// Retires ready builds beyond a collection's `keep_builds`, oldest first, never the serving
/// build, the rollback target, or a shadow or canary build. Their index environments are
/// deleted and their records kept. Failed builds keep their record too and have no environment.
struct BuildRetention {
    let context: LifecycleContext

    @discardableResult
    func retire(collection: String, actor: String) throws -> [Int] {
        let serving = try context.serving.record(collection)
        let protected = Set([serving.build, serving.rollbackTarget, serving.shadow?.build, serving.canary?.build].compactMap { $0 })
        let spare = try context.builds.builds(of: collection)
            .filter { $0.status == .ready && !protected.contains($0.number) }
            .sorted { $0.number > $1.number }
        var retired: [Int] = []
        for record in spare.dropFirst(serving.gates.keepBuilds) {
            try context.builds.update(collection, record.number) { $0.status = .retired }
            try context.store.deleteBuild(id: record.id)
            try context.audit.append(AuditEntry(collection: collection, actor: actor, action: .retire, fromBuild: nil,
                                                toBuild: record.number, reason: "beyond keep_builds = \(serving.gates.keepBuilds)"))
            retired.append(record.number)
        }
        return retired
    }
}
