import Foundation
import Storage

/// Retires ready builds beyond a collection's `keep_builds`, oldest first, never the serving
/// build, the rollback target, or a shadow or canary build. Their index environments are
/// deleted and their records kept. Failed builds keep their record too and have no environment.
struct BuildRetention {
    let context: LifecycleContext

    /// Decides and records the retirements in one catalog transaction (so a promotion cannot
    /// pick a build that is being retired), then deletes their environments.
    @discardableResult
    func retire(collection: String, actor: String) throws -> [Int] {
        let retired = try context.store.catalog.write { transaction -> [BuildRecord] in
            let serving = try context.serving.record(collection, in: transaction)
            let protected = Set([serving.build ?? 0, serving.rollbackTarget, serving.shadow?.build, serving.canary?.build].compactMap { $0 })
            let spare = try context.builds.builds(of: collection, in: transaction)
                .filter { $0.status == .ready && !protected.contains($0.number) }
                .sorted { $0.number > $1.number }
            var retired: [BuildRecord] = []
            for var record in spare.dropFirst(serving.gates.keepBuilds) {
                record.status = .retired
                try context.builds.save(record, in: transaction)
                try context.audit.append(AuditEntry(collection: collection, actor: actor, action: .retire, fromBuild: nil,
                                                    toBuild: record.number, reason: "beyond keep_builds = \(serving.gates.keepBuilds)"),
                                         in: transaction)
                retired.append(record)
            }
            return retired
        }
        for record in retired { try context.store.deleteBuild(id: record.id) }
        return retired.map(\.number)
    }
}
