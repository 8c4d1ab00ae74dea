import CVectorKernels

/// The instruction-set level a distance kernel was compiled for.
public enum KernelISA: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Portable C, vectorised only as far as the baseline target allows.
    case serial = 0
    /// AVX2 with FMA (Intel Haswell, AMD Zen and later).
    case haswell = 1
    /// AVX-512F (Intel Skylake-X, Ice Lake, Sapphire Rapids; AMD Zen 4).
    case skylake = 2

    public var isSupported: Bool {
        lodestone_isa_supported(lodestone_isa(rawValue: UInt32(rawValue))) != 0
    }

    /// The best level this CPU runs, probed once. `LODESTONE_ISA` (serial, haswell, skylake)
    /// caps it, so a benchmark or a bug report can compare paths on one machine.
    public static let best: KernelISA = {
        let supported = KernelISA.allCases.filter(\.isSupported)
        let cap = environmentCap()
        return supported.filter { $0 <= cap }.max() ?? .serial
    }()

    public static var supported: [KernelISA] { allCases.filter(\.isSupported) }

    public var description: String {
        switch self {
        case .serial: "serial"
        case .haswell: "haswell (AVX2+FMA)"
        case .skylake: "skylake (AVX-512F)"
        }
    }

    public var shortName: String {
        switch self {
        case .serial: "serial"
        case .haswell: "haswell"
        case .skylake: "skylake"
        }
    }

    public static func < (lhs: KernelISA, rhs: KernelISA) -> Bool { lhs.rawValue < rhs.rawValue }

    private static func environmentCap() -> KernelISA {
        guard let pointer = getenv("LODESTONE_ISA") else { return .skylake }
        let name = String(cString: pointer).lowercased()
        return KernelISA.allCases.first { $0.shortName == name } ?? .skylake
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
