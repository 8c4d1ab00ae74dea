import CVectorKernels

/// The Hamming distance of two binary-quantized vectors (one bit per dimension in 64-bit
/// words) at one instruction-set level, resolved once like `CodeKernel`.
public struct BitKernel: Sendable {
    public enum Level: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
        case serial = 0
        /// The POPCNT instruction, one word at a time.
        case popcnt = 1
        /// AVX-512 VPOPCNTDQ: eight words per instruction, the tail read with a mask.
        case avx512 = 2

        public var isSupported: Bool {
            lodestone_bits_isa_supported(lodestone_bits_isa(rawValue: UInt32(rawValue))) != 0
        }

        /// The best level this CPU runs, capped by `LODESTONE_ISA` as the float kernels are
        /// (serial → serial, haswell → popcnt, skylake → avx512).
        public static let best: Level = {
            let cap: Level = switch KernelISA.best {
            case .serial: .serial
            case .haswell: .popcnt
            case .skylake: .avx512
            }
            return allCases.filter { $0.isSupported && $0 <= cap }.max() ?? .serial
        }()

        public static var supported: [Level] { allCases.filter(\.isSupported) }

        public var description: String {
            switch self {
            case .serial: "serial"
            case .popcnt: "popcnt"
            case .avx512: "avx512-vpopcntdq"
            }
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public let level: Level
    @usableFromInline let function: lodestone_bits_hamming_fn
    @usableFromInline let planesFunction: lodestone_bits_planes_fn

    public init(level: Level = .best) {
        precondition(level.isSupported, "bit kernel level \(level) is not supported on this CPU")
        self.level = level
        function = switch level {
        case .serial: lodestone_bits_hamming_serial
        case .popcnt: lodestone_bits_hamming_popcnt
        case .avx512: lodestone_bits_hamming_avx512
        }
        planesFunction = switch level {
        case .serial: lodestone_bits_planes_serial
        case .popcnt: lodestone_bits_planes_popcnt
        case .avx512: lodestone_bits_planes_avx512
        }
    }

    /// The number of differing bits over `words` 64-bit words.
    @inlinable
    public func hamming(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, words: Int) -> UInt32 {
        function(a, b, words)
    }

    /// Σ over planes p of 2^p · popcount(plane_p & bits): a query quantized to `planes` bits
    /// per dimension (stored plane after plane, `words` words each) against stored bits.
    @inlinable
    public func planeDot(_ queryPlanes: UnsafePointer<UInt64>, _ bits: UnsafePointer<UInt64>, words: Int, planes: Int) -> UInt32 {
        planesFunction(queryPlanes, bits, words, planes)
    }

    public static func words(forDimension dimension: Int) -> Int { (dimension + 63) / 64 }
}
