import ArgumentParser
import COpenBLAS
import Embeddings
import Foundation
import VectorKernels
import VectorFormats

/// Embedding throughput next to this machine's large-square sgemm rate, measured in the same
/// process: the ratio says how close the forward pass gets to the BLAS ceiling.
struct EmbedBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-embed",
        abstract: "Benchmark: sentences/s and encoder GFLOP/s against cblas_sgemm GFLOP/s on 1,000 varied sentences."
    )

    @Option(help: "Model directory.") var model: String = "models/all-MiniLM-L6-v2"
    @Option(help: "Number of generated sentences (10-60 words each).") var sentences: Int = 1000
    @Option(help: "Texts per forward pass.") var batch: Int = 32
    @Option(help: "Rounds; each is bracketed by sgemm measurements.") var rounds: Int = 3

    func run() throws {
        let modelDirectory = URL(fileURLWithPath: model)
        let embedder = try SentenceEmbedder(modelDirectory: modelDirectory)
        print("model: \(embedder.info)")
        print("BLAS: \(String(cString: openblas_get_config())), \(openblas_get_num_threads()) threads, core \(String(cString: openblas_get_corename()))")

        let texts = makeSentences(count: sentences)
        let tokenCounts = texts.map { embedder.tokenize($0).count }
        let totalTokens = tokenCounts.reduce(0, +)
        print("sentences: \(sentences), tokens: \(totalTokens) (\(tokenCounts.min()!)–\(tokenCounts.max()!) per sentence), batch size \(batch)")

        // Warm up: page the weights in, let BLAS start its threads.
        _ = try embedder.embed(Array(texts.prefix(64)), batchSize: batch)

        var tokenizeTime = Double.infinity
        tokenizeTime = seconds { for sentence in texts { _ = embedder.tokenize(sentence) } }
        print(String(format: "tokenize only: %.3f s (%.0f sentences/s)", tokenizeTime, Double(sentences) / tokenizeTime))

        // Other work on a shared machine moves both numbers, so each round
        // brackets one embedding run with sgemm measurements and reports its
        // own ratio; the best round is the least disturbed one.
        let flops = embedder.encoderFLOPs(tokenCounts: tokenCounts)
        print(String(format: "encoder matrix products: %.1f GFLOP for these sentences", flops / 1e9))
        var results: [(embedTime: Double, gemm: Double, ratio: Double)] = []
        for round in 1...self.rounds {
            let gemmBefore = squareMatrixProductGFLOPs(size: 2048, repetitions: 6)
            let embedTime = try seconds { _ = try embedder.embed(texts, batchSize: batch) }
            let gemmAfter = squareMatrixProductGFLOPs(size: 2048, repetitions: 6)
            let gemm = max(gemmBefore, gemmAfter)
            let encoderGFLOPs = flops / embedTime / 1e9
            results.append((embedTime, gemm, encoderGFLOPs / gemm))
            print(String(format: "round %d: embed %.2f s = %.1f sentences/s, %.0f tokens/s, encoder %.1f GFLOP/s; sgemm 2048 %.1f GFLOP/s (before %.1f, after %.1f); ratio %.0f%%",
                         round, embedTime, Double(sentences) / embedTime, Double(totalTokens) / embedTime,
                         encoderGFLOPs, gemm, gemmBefore, gemmAfter, 100 * encoderGFLOPs / gemm))
        }
        let fastest = results.min { $0.embedTime < $1.embedTime }!
        let ratios = results.map(\.ratio).sorted()
        let bestGEMM = results.map(\.gemm).max()!
        let bestEncoder = flops / fastest.embedTime / 1e9
        // The conservative figure sets the fastest embedding run against the
        // fastest sgemm seen anywhere in this process.
        print(String(format: "best: %.1f sentences/s, encoder %.1f GFLOP/s; best sgemm %.1f GFLOP/s; best/best ratio %.0f%%; per-round ratio median %.0f%%",
                     Double(sentences) / fastest.embedTime, bestEncoder, bestGEMM,
                     100 * bestEncoder / bestGEMM, 100 * ratios[ratios.count / 2]))
    }
}

/// Sentences of 10–60 words drawn from a mixed vocabulary (common words,
/// longer words that split into several pieces, numbers, punctuation).
func makeSentences(count: Int) -> [String] {
    let words = """
    the of and to in is that for it as was with be by on not he this are or his from at which but have an they \
    you were her she there been one all we their has would when if so no will more can what about out up into \
    them some could time these two may first then do any like my now over such our man me even most made after \
    also did many before must through back years where much your way well down should because each just those \
    people how too little state good very make world still own see men work long get here between both life \
    being under never day same another know while last might us great old year off come since against go came \
    right used take three retrieval embedding vector database semantic similarity transformer attention \
    photosynthesis infrastructure microprocessor constitutional biodiversity archaeological \
    pharmaceutical thermodynamics reconciliation entrepreneurship Kubernetes PostgreSQL Zürich café \
    2024 3.14 $1,200 42% (approximately) e-mail state-of-the-art don't it's U.S.A.
    """.split(separator: " ").map(String.init)
    var generator = SplitMix64(seed: 20_240_601)
    return (0..<count).map { _ in
        let length = Int.random(in: 10...60, using: &generator)
        var sentence = (0..<length).map { _ in words.randomElement(using: &generator)! }.joined(separator: " ")
        sentence = sentence.prefix(1).uppercased() + sentence.dropFirst() + "."
        return sentence
    }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// GFLOP/s of an n×n×n sgemm, best of `repetitions` (the best run is the one
/// least disturbed by other work on a shared machine).
func squareMatrixProductGFLOPs(size: Int, repetitions: Int) -> Double {
    let a = (0..<(size * size)).map { Float($0 % 7) * 0.1 }
    let b = (0..<(size * size)).map { Float($0 % 5) * 0.1 }
    var c = [Float](repeating: 0, count: size * size)
    var best = Double.infinity
    for _ in 0..<(repetitions + 1) {
        let elapsed = seconds {
            BLAS.multiply(a, b, m: size, n: size, k: size, into: &c)
        }
        best = min(best, elapsed)
    }
    return 2 * pow(Double(size), 3) / best / 1e9
}

