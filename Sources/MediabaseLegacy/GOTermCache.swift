import MediabaseModel

/// The rows of recent `go_terms` values, by content hash.
///
/// GO terms are a gene's annotation repeated in each of its transcript rows, so a gene's rows
/// usually carry one value; when those rows are scattered over the table (a real heap after
/// UPDATEs) the previous row's value is rarely it, and parsing the JSON again for each
/// transcript was the normalizer's largest cost on lean rows. The cache holds values of many
/// genes within a byte budget (``MemoryBudget/goTermCacheBytes``) and starts over when full:
/// which values it holds changes the time only, never the rows.
struct GOTermCache {
    let budgetBytes: Int
    private var entries: [ContentHash: RowTails] = [:]
    private(set) var bytes = 0

    init(budgetBytes: Int) {
        self.budgetBytes = budgetBytes
    }

    func terms(for hash: ContentHash) -> RowTails? { entries[hash] }

    mutating func insert(_ terms: RowTails, for hash: ContentHash) {
        let size = Self.estimatedBytes(terms)
        if bytes + size > budgetBytes {
            entries.removeAll(keepingCapacity: true)
            bytes = 0
            guard size <= budgetBytes else { return }
        }
        entries[hash] = terms
        bytes += size
    }

    /// What an entry takes, generously: the table slot and the object (96 bytes), per row its
    /// array of four values (160), each string's bytes twice (on the heap when over 15 bytes,
    /// and again in the encoded form ``RowTails/encoded`` keeps) with a header each.
    static func estimatedBytes(_ terms: RowTails) -> Int {
        var size = 96
        for row in terms.rows {
            size += 160
            for case let .text(text) in row { size += 2 * (text.utf8.count + 16) }
        }
        return size
    }
}
