import ArgumentParser
import Embeddings
import Foundation
import Hummingbird
import Lifecycle
import LodestoneServer
import Logging
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP server (Qdrant-compatible REST API) on a data directory.",
        discussion: """
            Settings come from --config FILE (JSON: host, port, data, max_body_bytes, max_batch_points, \
            max_result_window, search_threads, search_queue, write_threads, write_queue, index_image_changes, \
            index_image_seconds, index_backlog, telemetry_interval_seconds, telemetry_retention_seconds, models, api_key, read_only_api_key, jwt, artifacts_import_root, max_upload_bytes, tls_cert, tls_key, demo, demo_model), then LODESTONE_HOST / \
            LODESTONE_PORT / LODESTONE_DATA, then these flags. Collections load in the background: /readyz is \
            503 until they are open. SIGTERM or SIGINT stops accepting connections, finishes requests in flight, \
            stores every changed index image and exits.
            """
    )

    @Option(help: "Data directory (default ./data).") var data: String?
    @Option(help: "Address to bind (default 127.0.0.1).") var host: String?
    @Option(help: "Port (default 6333, as Qdrant).") var port: Int?
    @Option(help: "JSON configuration file.") var config: String?
    @Option(help: "Largest request body in bytes.") var maxBodyBytes: Int?
    @Flag(help: "Create and fill the small `demo` collection if it is missing.") var demo = false
    @Option(help: "Model directory used to embed the demo collection.") var demoModel: String = "models/all-MiniLM-L6-v2"
    @Option(help: "Serve a model directory for text embedding (repeatable; NAME=DIR names it).") var model: [String] = []
    @Option(name: .customLong("api-key"), help: "Key that may read and write (api-key header or Authorization: Bearer).") var apiKey: String?
    @Option(name: .customLong("read-only-api-key"), help: "Key that may only read.") var readOnlyAPIKey: String?
    @Flag(help: "Also accept JWTs signed (HS256) with the API key whose `access` claim grants global or per-collection rights, as Qdrant does.")
    var jwt = false
    @Option(help: "Directory whose model and dataset directories HTTP callers may name by server path (otherwise they upload them).")
    var artifactsImportRoot: String?
    @Option(help: "Directory for collection snapshots; recovery by file:// reads only inside it (default DATA/snapshots).")
    var snapshotsDir: String?
    @Option(help: "PEM certificate chain: serve HTTPS (with --tls-key).") var tlsCert: String?
    @Option(help: "PEM private key of --tls-cert.") var tlsKey: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel: String = "info"

    func run() async throws {
        var settings = try ServerConfiguration.load(file: config)
        if let data { settings.dataDirectory = data }
        if let host { settings.host = host }
        if let port { settings.port = port }
        if let maxBodyBytes { settings.maxBodyBytes = maxBodyBytes }
        if demo { settings.loadDemo = true }
        settings.demoModelDirectory = settings.demoModelDirectory ?? demoModel
        settings.models += model
        if let apiKey { settings.apiKey = apiKey }
        if let readOnlyAPIKey { settings.readOnlyAPIKey = readOnlyAPIKey }
        if jwt { settings.jwt = true }
        if let artifactsImportRoot { settings.artifactsImportRoot = artifactsImportRoot }
        if let snapshotsDir { settings.snapshotsDirectory = snapshotsDir }
        if let tlsCert { settings.tlsCertificate = tlsCert }
        if let tlsKey { settings.tlsKey = tlsKey }
        try settings.validateAccess()

        var logger = Logger(label: "lodestone")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let engine = try Engine(dataDirectory: URL(fileURLWithPath: settings.dataDirectory), indexBacklogLimit: settings.indexBacklog)
        for interrupted in try engine.lifecycle.builds.failInterruptedBuilds() {
            logger.warning("marked an interrupted build failed", metadata: ["build": "\(interrupted.id)"])
        }
        if settings.loadDemo, try DemoCollection.loadIfMissing(engine: engine, modelDirectory: settings.demoModelDirectory, logger: logger) {
            logger.info("loaded the demo collection", metadata: ["collection": "\(DemoCollection.name)"])
        }
        let telemetry = TelemetryRecorder(interval: .seconds(settings.telemetryIntervalSeconds), retention: .seconds(settings.telemetryRetentionSeconds))
        let metrics = ServerMetrics.bootstrap(telemetry: telemetry)
        let models = try ServedModels.load(settings.models, registry: engine.lifecycle.models) { name, size, duration in
            metrics.recordEmbeddingBatch(model: name, size: size, duration: duration)
        }
        for served in models.models {
            logger.info("serving model", metadata: ["model": "\(served.name)", "dimension": "\(served.embedder.dimension)"])
        }
        if !["127.0.0.1", "localhost", "::1"].contains(settings.host), settings.apiKey == nil {
            logger.warning("binding \(settings.host) without an API key: anyone who can reach this address can read and write")
        }
        let base = "\(settings.tlsCertificate == nil ? "http" : "https")://\(settings.host):\(settings.port)"
        FileHandle.standardOutput.write(Data("""
            Lodestone is serving \(settings.dataDirectory) on \(base) (Qdrant-compatible REST API).
            Try:
              curl -s \(base)/collections
              curl -s \(base)/collections/demo/points/query -H 'content-type: application/json' \\
                   -d '{"query": 1, "limit": 3, "with_payload": true}'
              curl -s \(base)/collections/demo/points/query -H 'content-type: application/json' \\
                   -d '{"query": "how do I check a new model before it serves?", "limit": 3, "with_payload": true}'
              open \(base)/dashboard
            Python: QdrantClient(url="\(base)").query_points("demo", query=1, limit=3)
            Stop with Ctrl-C (or SIGTERM): requests in flight finish and indexes are stored.

            """.utf8))
        let policyMonitor = PolicyMonitor(engine: engine, jobs: BuildJobs(), logger: logger)
        let app = try buildApplication(configuration: settings, engine: engine, models: models, metrics: metrics,
                                       policyMonitor: policyMonitor, logger: logger)
        // Collections load in the background while the server already answers: /livez and
        // /healthz at once, /readyz once every collection is open (it lists those still loading).
        let loadLogger = logger
        let loader = Thread {
            let started = ContinuousClock.now
            engine.openAll { serving, took in
                let report = serving.openingReport
                if let reason = report.discardedImage {
                    loadLogger.warning("stored index image not used; rebuilt from the stored points",
                                       metadata: ["collection": "\(serving.name)", "reason": "\(reason)"])
                }
                loadLogger.info("opened collection", metadata: [
                    "collection": "\(serving.name)", "points": "\(serving.liveCount)",
                    "index": "\(serving.loadedFromImage ? "loaded" : "rebuilt")", "seconds": "\(took.seconds)",
                    "index_seconds": "\(report.indexSeconds)", "image_deltas": "\(report.imageDeltas)",
                    "replayed_changes": "\(report.replayedChanges)", "replay_seconds": "\(report.replaySeconds)",
                ])
            }
            for (name, error) in engine.loadingState.failed {
                loadLogger.error("could not open collection", metadata: ["collection": "\(name)", "error": "\(error)"])
            }
            loadLogger.info("collections loaded", metadata: ["seconds": "\((ContinuousClock.now - started).seconds)"])
        }
        loader.name = "collection loader"
        loader.start()
        telemetry.start(engine: engine)
        policyMonitor.start()
        let images = IndexImageScheduler(engine: engine, changes: settings.indexImageChanges, interval: .seconds(settings.indexImageSeconds))
        let imageLogger = logger
        images.start(
            onStored: { name, changes, image, took, cpu in
                imageLogger.info("stored index image", metadata: [
                    "collection": "\(name)", "changes": "\(changes)", "kind": "\(image.map { $0.isDelta ? "delta" : "full" } ?? "none")",
                    "bytes": "\(image?.primaryBytes ?? 0)", "seconds": "\(took.seconds)", "cpu_seconds": "\(cpu.seconds)",
                ])
            },
            onError: { name, error in imageLogger.error("storing an index image failed", metadata: ["collection": "\(name)", "error": "\(error)"]) }
        )
        // Promotions made by `lodestone promote` in another process, and ready builds, are
        // followed without a restart.
        let follower = CatalogFollower(engine: engine)
        let followerLogger = logger
        follower.start { error in followerLogger.error("following the catalog failed", metadata: ["error": "\(error)"]) }
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        follower.stop()
        policyMonitor.stop()
        images.stop()
        telemetry.stop()
        try engine.persistIndexes()
        logger.info("stopped cleanly; index images stored")
    }
}
