import MediabaseBytes
import MediabaseModel

/// The rows of recent `go_terms` values, by content hash.
///
/// GO terms are a gene's annotation repeated in each of its transcript rows, so a gene's rows
/// usually carry one value; when those rows are scattered over the table (a real heap after
/// UPDATEs) the previous row's value is rarely it, and parsing the JSON again for each
/// transcript was the normalizer's largest cost on lean rows. The cache holds values of many
/// genes within a byte budget (``MemoryBudget/goTermCacheBytes``) and starts over when full:
/// which values it holds changes the time only, never the rows.
///
/// It may also borrow what the gene states leave of their budget (``GeneStates/unusedBytes``),
/// half of it at each insert, and gives it back by starting over when the states grow into it
/// (``fits(beside:)``), so that the two together stay within their two budgets: with scattered
/// rows a value's next use is far away, and the more values are held, the more of them are
/// used again before the cache starts over.
struct GOTermCache {
    let budgetBytes: Int
    private var entries: [ContentHash: RowTails] = [:]
    private(set) var bytes = 0

    init(budgetBytes: Int) {
        self.budgetBytes = budgetBytes
    }

    func terms(for hash: ContentHash) -> RowTails? { entries[hash] }

    mutating func removeAll() {
        entries = [:]
        bytes = 0
    }

    /// Whether what the cache holds is within its budget and `unused` bytes the gene states
    /// leave of theirs; if not, it should start over (``removeAll()``).
    func fits(beside unused: Int) -> Bool { bytes <= budgetBytes + unused }

    /// Keeps `terms`, starting over first when they would take the cache past its budget and
    /// half of `unused`, the bytes the gene states leave of theirs.
    mutating func insert(_ terms: RowTails, for hash: ContentHash, unused: Int = 0) {
        let size = Self.estimatedBytes(terms)
        let budgetBytes = budgetBytes + unused / 2
        if bytes + size > budgetBytes {
            entries.removeAll(keepingCapacity: true)
            bytes = 0
            guard size <= budgetBytes else { return }
        }
        entries[hash] = terms
        bytes += size
    }

    /// What an entry takes. Compacted (``RowTails/compact()``, as the normalizer keeps them):
    /// the table slot and the object (128 bytes as malloc hands them out) and the encoding with
    /// its array's header, rounded up as malloc does, with half again for slack. Otherwise: the
    /// slot, object and row list (128 bytes), per row its array of four values (176 as malloc
    /// hands it out), each string's bytes twice (on the heap when over 15 bytes, and again in
    /// the encoding) with a header each (lean rows' read stage grew by about 1.4 times the
    /// first estimate, so these figures are set about 1.5 times higher).
    static func estimatedBytes(_ terms: RowTails) -> Int {
        if terms.isCompact, let encoded = terms.encoded { return 128 + (encoded.count + 32 + 15) / 16 * 24 }
        var size = 128
        for row in terms.rows {
            size += 176
            for case let .text(text) in row { size += 3 * (text.utf8.count + 16) }
        }
        return size
    }
}

/// Large parsed `go_terms` values kept on disk, for the rows the memory cache (``GOTermCache``)
/// no longer holds: on scattered rows of genes with hundreds of KB of GO terms its budget holds
/// a share of the values that shrinks as the input grows, and each miss parsed the JSON again
/// (the read stage of 4x fat rows took 5.5 times the 1x one's). Reading a value's encoding back
/// costs a copy, not a parse.
///
/// Only values whose encoding is at least ``minimumBytes`` are kept (a small value parses about
/// as fast as it reads back), at most ``maximumEntries`` of them and ``maximumFileBytes`` in all,
/// so the index in memory stays a few MB and the file beside the output within reason; past
/// either limit a miss parses, as before. Which values it holds changes the time only, never the
/// rows.
final class GOTermStore {
    static let minimumBytes = 4096
    static let maximumEntries = 100_000
    static let maximumFileBytes: Int64 = 4 << 30

    private struct Entry {
        var offset: Int64
        var rows: Int32
        var width: Int32
    }

    private let file: ScratchFile
    private var index: [ContentHash: Entry] = [:]
    private var buffer: [UInt8] = []

    /// The values are written to a temporary file beside `scratchPath` ("": the temporary
    /// directory), made at the first one kept.
    init(scratchPath: String, bufferBytes: Int) {
        file = ScratchFile(beside: scratchPath, bufferBytes: bufferBytes)
    }

    var count: Int { index.count }

    /// The rows kept for `hash`, compacted; nil when none are.
    func terms(for hash: ContentHash) throws -> RowTails? {
        guard let entry = index[hash] else { return nil }
        let range = try file.readRecord(at: entry.offset, into: &buffer)
        return RowTails(encoded: Array(buffer[range]), count: Int(entry.rows), width: Int(entry.width))
    }

    /// Keeps compacted `terms` when they are large enough and the limits allow.
    func keep(_ terms: RowTails, for hash: ContentHash) throws {
        guard terms.isCompact, let encoded = terms.encoded, let width = terms.rowWidth, encoded.count >= Self.minimumBytes,
              index.count < Self.maximumEntries, file.size + Int64(encoded.count) + 4 <= Self.maximumFileBytes,
              index[hash] == nil else { return }
        let offset = try file.appendRecord(encoded.span)
        index[hash] = Entry(offset: offset, rows: Int32(terms.count), width: Int32(width))
    }
}
