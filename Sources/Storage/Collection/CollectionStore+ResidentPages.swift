extension CollectionStore {
    /// See `LMDBEnvironment.releaseResidentPages`: after an index has read every stored vector.
    public func releaseResidentPages() { environment.releaseResidentPages() }
}
