import ArgumentParser

@main
struct Lodestone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lodestone",
        abstract: "Vector search and embedding serving with lifecycle management.",
        subcommands: [
            ServeCommand.self, ModelsCommand.self, DatasetsCommand.self, PolicyCommand.self, BuildCommand.self, BuildsCommand.self, PromoteCommand.self, RollbackCommand.self, AuditCommand.self, GatesCommand.self, ShadowCommand.self, CanaryCommand.self, DriftCommand.self, PipelineCommand.self, EvalCommand.self, BenchCommand.self, ImportCommand.self, BackupCommand.self, RestoreCommand.self,
            StoreBenchCommand.self, SearchBenchCommand.self, EmbedCommand.self, EmbedBenchCommand.self, GenerateCommand.self, KernelsCommand.self, JSONBenchCommand.self, SparseBenchCommand.self, FilteredBenchCommand.self, CrashWriterCommand.self,
        ]
    )
}
