import ArgumentParser

@main
struct Lodestone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lodestone",
        abstract: "Vector search and embedding serving with lifecycle management.",
        subcommands: [BenchCommand.self, GenerateCommand.self, KernelsCommand.self]
    )
}
