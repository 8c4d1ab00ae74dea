import VectorKernels

/// Construction and search settings of an HNSW graph (Malkov & Yashunin).
public struct HNSWParameters: Sendable, Hashable, Codable {
    /// Neighbours kept per node on the upper levels; level 0 keeps twice as many.
    public var m: Int
    /// Beam width while inserting: larger builds slower and finds better neighbours.
    public var efConstruction: Int
    /// Default beam width while searching (raised to k when k is larger).
    public var ef: Int
    /// Seeds the level of every node, so one-thread builds are reproducible.
    public var seed: UInt64

    public init(m: Int = 16, efConstruction: Int = 200, ef: Int = 64, seed: UInt64 = 0x5EED_10DE_5703) {
        self.m = m
        self.efConstruction = efConstruction
        self.ef = ef
        self.seed = seed
    }

    public var maxNeighborsBase: Int { 2 * m }
    public var maxNeighborsUpper: Int { m }
    /// The level multiplier mL = 1 / ln(M) from the paper.
    public var levelMultiplier: Double { 1 / Foundation.log(Double(m)) }

    public func validate() throws(IndexError) {
        guard (2...255).contains(m) else {
            throw .invalidParameter(name: "m", reason: "must be between 2 and 255, got \(m)")
        }
        guard efConstruction >= 1, efConstruction <= 100_000 else {
            throw .invalidParameter(name: "ef_construct", reason: "must be between 1 and 100000, got \(efConstruction)")
        }
        guard ef >= 1, ef <= 100_000 else {
            throw .invalidParameter(name: "ef", reason: "must be between 1 and 100000, got \(ef)")
        }
    }
}

import Foundation
