import Synchronization

extension ServingCollection {
    /// The drift report of this collection's query log, computed again only when the log
    /// changed since the last one: `/metrics`, `/readyz`, `/drift` and the dashboard all ask for
    /// it, and each computation copies the log under the lock searches append to.
    public func driftReport() -> DriftReport {
        let version = queryLog.version
        if let cached = cachedDrift.withLock({ $0 }), cached.version == version { return cached.report }
        let report = DriftMonitor.report(collection: name, log: queryLog)
        cachedDrift.withLock { $0 = (version, report) }
        return report
    }
}
