/// Why a vector file could not be read or written; every case names the file.
public enum VectorFileError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case badMagic(path: String)
    case unsupportedVersion(path: String, version: String)
    case badHeader(path: String, reason: String)
    case unsupportedDType(path: String, dtype: String)
    case unsupportedShape(path: String, shape: String)
    case fortranOrder(path: String)
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    case inconsistentDimension(path: String, row: Int, expected: Int, actual: Int)
    case unknownExtension(path: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            "\(path): cannot read the file (\(reason))"
        case let .badMagic(path):
            "\(path): not a .npy file (it does not start with \\x93NUMPY)"
        case let .unsupportedVersion(path, version):
            "\(path): .npy format version \(version) is not supported (1.0, 2.0 and 3.0 are)"
        case let .badHeader(path, reason):
            "\(path): malformed .npy header: \(reason)"
        case let .unsupportedDType(path, dtype):
            "\(path): dtype \(dtype) is not supported; save the array as little-endian float32 ('<f4'), e.g. numpy.save(path, a.astype('float32'))"
        case let .unsupportedShape(path, shape):
            "\(path): shape \(shape) is not supported; vectors must be a 2-D array (rows, dimension)"
        case let .fortranOrder(path):
            "\(path): the array is in Fortran order; save it in C order (numpy.ascontiguousarray)"
        case let .truncated(path, expected, actual):
            "\(path): truncated: the header promises \(expected) bytes of data but the file has \(actual)"
        case let .inconsistentDimension(path, row, expected, actual):
            "\(path): row \(row) has dimension \(actual), earlier rows have \(expected)"
        case let .unknownExtension(path):
            "\(path): unknown vector file type; use .npy or .fvecs"
        }
    }
}
