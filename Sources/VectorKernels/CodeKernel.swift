import CVectorKernels

/// The inner product of a stored 8-bit scalar-quantized code vector (one byte per dimension,
/// values 0...255, zero-padded to a multiple of 64 bytes) with a query's signed codes (within
/// ±`queryCodeLimit`), at one instruction-set level resolved once like `DistanceKernel`. Every
/// scalar-quantized distance is this integer times a per-query factor plus two corrections.
public struct CodeKernel: Sendable {
    public enum Level: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
        case serial = 0
        /// AVX2 `vpmaddubsw`: 32 byte products per instruction.
        case avx2 = 1
        /// AVX-512 VNNI `vpdpbusd`: 64 byte products summed into dwords per instruction.
        case vnni = 2

        public var isSupported: Bool {
            lodestone_codes_isa_supported(lodestone_codes_isa(rawValue: UInt32(rawValue))) != 0
        }

        /// The best level this CPU runs, capped by `LODESTONE_ISA` as the float kernels are
        /// (serial → serial, haswell → avx2, skylake → vnni).
        public static let best: Level = {
            let cap: Level = switch KernelISA.best {
            case .serial: .serial
            case .haswell: .avx2
            case .skylake: .vnni
            }
            return allCases.filter { $0.isSupported && $0 <= cap }.max() ?? .serial
        }()

        public static var supported: [Level] { allCases.filter(\.isSupported) }

        public var description: String {
            switch self {
            case .serial: "serial"
            case .avx2: "avx2 (vpmaddubsw)"
            case .vnni: "avx512-vnni (vpdpbusd)"
            }
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Codes are padded to this many bytes so the SIMD paths need no tail.
    public static let padding = 64

    public let level: Level
    @usableFromInline let function: lodestone_codes_dot_fn
    /// The level's four-row kernel, where it has one (the SIMD levels).
    @usableFromInline let batchFunction: lodestone_codes_dot4_fn?

    public init(level: Level = .best) {
        precondition(level.isSupported, "code kernel level \(level) is not supported on this CPU")
        self.level = level
        function = switch level {
        case .serial: lodestone_codes_dot_serial
        case .avx2: lodestone_codes_dot_avx2
        case .vnni: lodestone_codes_dot_vnni
        }
        #if arch(x86_64)
        batchFunction = switch level {
        case .serial: nil
        case .avx2: lodestone_codes_dot4_avx2
        case .vnni: lodestone_codes_dot4_vnni
        }
        #else
        batchFunction = nil
        #endif
    }

    /// How far a query code may go from 0 on this level: AVX2's `vpmaddubsw` sums two
    /// unsigned-by-signed products into a saturating 16-bit lane, and 2·255·64 = 32,640 is the
    /// largest such sum that fits, so its queries get ±64 steps; VNNI and the portable path
    /// sum into 32 bits and take ±127.
    public var queryCodeLimit: Int8 { level == .avx2 ? 64 : 127 }

    /// Σ codes[i]·query[i] over `count` bytes (a multiple of `padding`).
    @inlinable
    public func dot(_ codes: UnsafePointer<UInt8>, _ query: UnsafePointer<Int8>, count: Int) -> Int32 {
        function(codes, query, count)
    }

    /// The inner products of four code rows with one query into `out[0...3]`, equal to four
    /// `dot` calls (the query's blocks are loaded once for the four).
    @inlinable
    public func dots(
        _ query: UnsafePointer<Int8>, _ c0: UnsafePointer<UInt8>, _ c1: UnsafePointer<UInt8>,
        _ c2: UnsafePointer<UInt8>, _ c3: UnsafePointer<UInt8>, count: Int, into out: UnsafeMutablePointer<Int32>
    ) {
        guard let batchFunction else {
            out[0] = dot(c0, query, count: count); out[1] = dot(c1, query, count: count)
            out[2] = dot(c2, query, count: count); out[3] = dot(c3, query, count: count)
            return
        }
        batchFunction(query, c0, c1, c2, c3, count, out)
    }

    public static func paddedLength(_ dimension: Int) -> Int { (dimension + padding - 1) / padding * padding }
}
