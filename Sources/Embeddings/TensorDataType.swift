/// The element types a safetensors header can name.
///
/// Only the floating-point ones can become weights; the others are listed so
/// that an error names the type the file really has (all-MiniLM-L6-v2, for
/// one, carries an I64 `embeddings.position_ids` buffer that is never read).
enum TensorDataType: String, Sendable {
    case float64 = "F64"
    case float32 = "F32"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case int64 = "I64"
    case int32 = "I32"
    case int16 = "I16"
    case int8 = "I8"
    case uint8 = "U8"
    case bool = "BOOL"

    var byteWidth: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }
}
