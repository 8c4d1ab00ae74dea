/// A read transaction lent beyond its closure's borrow, for checks called back from code that
/// cannot take a `borrowing` parameter (a graph walk's per-node predicate). It is valid only
/// until the `read` that opened it returns, which `close` marks; use after that traps instead
/// of reading a finished transaction.
final class ScopedReader {
    private let pointer: OpaquePointer
    private let context: TransactionContext
    private var isOpen = true

    init(_ transaction: borrowing LMDBTransaction) {
        pointer = transaction.pointer
        context = transaction.context
    }

    /// A handle on the open transaction (it owns nothing: the `read` that opened it ends it).
    var transaction: LMDBTransaction {
        precondition(isOpen, "a filter scope was used after its read transaction ended")
        return LMDBTransaction(pointer: pointer, context: context)
    }

    func close() { isOpen = false }
}
