import Foundation

extension CollectionStore {
    /// See `LMDBEnvironment.releaseResidentPages`: after an index has read every stored vector.
    public func releaseResidentPages() { environment.releaseResidentPages() }

    /// The collection's directory, on the data's disk: where its indexes page their vectors.
    public var directory: URL { environment.path }
}
