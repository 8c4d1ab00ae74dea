/// Everything that can go wrong while loading or running an embedding model.
///
/// Each case carries what a user needs to fix the problem: the file, the tensor
/// or the setting involved, and what was expected. A broken internal invariant
/// is a `precondition`, never one of these.
public enum EmbeddingsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file the model directory must contain is absent.
    case missingFile(path: String)
    /// A file exists but could not be opened, sized or mapped.
    case unreadableFile(path: String, reason: String)
    /// A JSON configuration file could not be parsed.
    case invalidJSON(path: String, reason: String)
    /// A configuration value is absent, out of range or inconsistent.
    case invalidConfiguration(path: String, field: String, reason: String)
    /// The model uses an activation this runtime does not implement.
    case unsupportedActivation(path: String, activation: String)
    /// The safetensors header is malformed (length, JSON or an entry).
    case invalidSafeTensorsHeader(path: String, reason: String)
    /// A tensor's byte range does not fit its shape or the file.
    case tensorOutOfBounds(path: String, tensor: String, byteRange: Range<Int>, fileSize: Int)
    /// A tensor is stored in a data type that cannot be read as floats.
    case unsupportedDataType(path: String, tensor: String, dataType: String)
    /// A weight the architecture needs is not in the safetensors file.
    case missingTensor(path: String, tensor: String)
    /// A weight's shape disagrees with what config.json implies.
    case shapeMismatch(tensor: String, expected: [Int], actual: [Int])
    /// Neither vocab.txt nor a WordPiece vocabulary in tokenizer.json was found.
    case missingVocabulary(directory: String)
    /// The vocabulary lacks a special token the tokenizer needs.
    case missingSpecialToken(token: String)
    /// A `ModelOverrides` value cannot be applied to this model.
    case invalidOverride(reason: String)
    /// An argument passed to the public API is out of range.
    case invalidArgument(reason: String)

    public var description: String {
        switch self {
        case let .missingFile(path):
            return "Missing file \(path). Check the model directory; tools/fetch-model downloads a complete all-MiniLM-L6-v2."
        case let .unreadableFile(path, reason):
            return "Cannot read \(path): \(reason)."
        case let .invalidJSON(path, reason):
            return "\(path) is not valid JSON for this model: \(reason)."
        case let .invalidConfiguration(path, field, reason):
            return "Invalid \"\(field)\" in \(path): \(reason)."
        case let .unsupportedActivation(path, activation):
            return "\(path) asks for hidden_act \"\(activation)\"; only \"gelu\" (the erf form) is supported."
        case let .invalidSafeTensorsHeader(path, reason):
            return "\(path) is not a valid safetensors file: \(reason). The file may be truncated or corrupt; download it again."
        case let .tensorOutOfBounds(path, tensor, byteRange, fileSize):
            return "Tensor \(tensor) in \(path) claims bytes \(byteRange.lowerBound)..<\(byteRange.upperBound) but the file has \(fileSize) bytes; the file is truncated or corrupt."
        case let .unsupportedDataType(path, tensor, dataType):
            return "Tensor \(tensor) in \(path) has data type \(dataType); only F32, F16 and BF16 weights are supported."
        case let .missingTensor(path, tensor):
            return "Tensor \(tensor) (with or without a \"bert.\" prefix) is missing from \(path); is this a BERT model?"
        case let .shapeMismatch(tensor, expected, actual):
            return "Tensor \(tensor) has shape \(actual) but config.json implies \(expected); config.json and model.safetensors do not belong together."
        case let .missingVocabulary(directory):
            return "No vocabulary in \(directory): expected vocab.txt, or tokenizer.json with a WordPiece model."
        case let .missingSpecialToken(token):
            return "The vocabulary has no \(token) token, which BERT tokenization needs."
        case let .invalidOverride(reason):
            return "Invalid model override: \(reason)."
        case let .invalidArgument(reason):
            return "Invalid argument: \(reason)."
        }
    }
}
