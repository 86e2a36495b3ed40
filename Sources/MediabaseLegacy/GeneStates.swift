import Foundation
import MediabaseBytes
import MediabaseSQLite
import MediabaseModel

/// The state of one gene while its rows stream by: the scalar candidates (from the row with the
/// smallest transcript id) and the hashes of the gene-level values already processed.
final class GeneState {
    /// Scalar attribute value and the transcript id it came from.
    struct Candidate {
        var transcriptId: String
        var value: String
    }

    var symbol: Candidate?
    var type: Candidate?
    var chromosome: Candidate?
    var strand: Candidate?
    var start: Int64?
    var end: Int64?
    var conflict = false
    /// The gene's number, in order of first appearance.
    let index: UInt32
    /// 64-bit hashes (field-tagged) of the gene-level values processed: enough to tell apart the
    /// few values one gene shows, at 8 bytes each.
    var processed: [UInt64] = []
    /// Bit `field.rawValue` is set once the field has given a value.
    var fieldsSeen: UInt32 = 0

    /// When the gene was last asked for, in ``GeneStates`` lookups: the least recent leave memory first.
    var lastUse: UInt64 = 0
    /// ``estimatedBytes`` when ``GeneStates`` last measured it.
    var accountedBytes = 0

    init(index: UInt32) { self.index = index }

    /// The tagged hash under which `field`'s value with `hash` is remembered.
    @inline(__always) static func key(_ field: LegacyColumn, _ hash: ContentHash) -> UInt64 {
        hash.low ^ (UInt64(field.rawValue + 1) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Offers a scalar value from `transcriptId`'s row; keeps the one from the smallest id and
    /// reports whether two non-empty values disagree.
    static func offer(_ candidate: inout Candidate?, value: String, transcriptId: String) -> Bool {
        guard !value.isEmpty else { return false }
        guard let current = candidate else {
            candidate = Candidate(transcriptId: transcriptId, value: value)
            return false
        }
        if transcriptId < current.transcriptId { candidate = Candidate(transcriptId: transcriptId, value: value) }
        return current.value != value
    }
}


// MARK: Spilling

extension GeneState {
    /// The state as bytes, for a ``SpillFile``: a ``RowBatch`` of numbers, flags and strings.
    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 + processed.count * 8)
        RowBatch.appendWord(UInt64(index), to: &bytes)
        RowBatch.appendWord(UInt64(fieldsSeen), to: &bytes)
        bytes.append(conflict ? 1 : 0)
        for number in [start, end] {
            bytes.append(number == nil ? 0 : 1)
            RowBatch.appendWord(UInt64(bitPattern: number ?? 0), to: &bytes)
        }
        for candidate in [symbol, type, chromosome, strand] {
            bytes.append(candidate == nil ? 0 : 1)
            if let candidate {
                RowBatch.appendField(candidate.transcriptId, to: &bytes)
                RowBatch.appendField(candidate.value, to: &bytes)
            }
        }
        RowBatch.appendWord(UInt64(processed.count), to: &bytes)
        for key in processed { RowBatch.appendWord(key, to: &bytes) }
        return bytes
    }

    /// The state ``encoded()`` wrote.
    convenience init(decoding bytes: Span<UInt8>) {
        var reader = RowBatchReader(bytes)
        self.init(index: UInt32(reader.word()))
        fieldsSeen = UInt32(reader.word())
        conflict = reader.byte() != 0
        let hasStart = reader.byte() != 0, startValue = Int64(bitPattern: reader.word())
        start = hasStart ? startValue : nil
        let hasEnd = reader.byte() != 0, endValue = Int64(bitPattern: reader.word())
        end = hasEnd ? endValue : nil
        var candidates: [Candidate?] = []
        for _ in 0..<4 {
            guard reader.byte() != 0 else {
                candidates.append(nil)
                continue
            }
            let transcriptId = reader.string() ?? ""
            candidates.append(Candidate(transcriptId: transcriptId, value: reader.string() ?? ""))
        }
        symbol = candidates[0]
        type = candidates[1]
        chromosome = candidates[2]
        strand = candidates[3]
        processed = (0..<Int(reader.word())).map { _ in reader.word() }
    }
}

// MARK: Memory

extension GeneState {
    /// Bytes of the object itself as malloc hands them out (208 bytes of fields and header),
    /// measured as described in docs/decisions.md.
    static let objectBytes = 224

    /// What the state takes in memory: the object, its hash array and the strings too long to
    /// be stored inline (over 15 UTF-8 bytes). Cheap: no allocation, no walk over the strings.
    var estimatedBytes: Int {
        var bytes = Self.objectBytes
        if processed.capacity > 0 { bytes += Self.mallocBytes(32 + processed.capacity * 8) }
        return bytes + Self.heapBytes(symbol) + Self.heapBytes(type) + Self.heapBytes(chromosome) + Self.heapBytes(strand)
    }

    @inline(__always) private static func heapBytes(_ candidate: Candidate?) -> Int {
        guard let candidate else { return 0 }
        return heapBytes(candidate.transcriptId) + heapBytes(candidate.value)
    }

    /// A native string longer than 15 UTF-8 bytes lives in a heap buffer with a 32-byte header.
    @inline(__always) static func heapBytes(_ text: String) -> Int {
        let count = text.utf8.count
        return count <= 15 ? 0 : mallocBytes(32 + count + 1)
    }

    /// glibc's chunk for a request of `bytes`: 8 bytes of header, 16-byte steps, 32 at least.
    @inline(__always) static func mallocBytes(_ bytes: Int) -> Int { max(32, (bytes + 8 + 15) & ~15) }
}

/// The ``GeneState`` of every gene seen so far, by gene id, in bounded memory: states stay in
/// memory while their estimated bytes (``GeneState/estimatedBytes``, plus the dictionary that
/// holds them) fit in `budgetBytes`; beyond it the least recently used go to a ``SpillFile`` and
/// come back when one of their rows turns up again. The result is the same as with every state
/// in memory, whatever the order of the rows: the rows of a gene need not be adjacent.
///
/// A state grows while its rows are processed, so the state handed out last is measured again
/// at the next lookup (the normalizer changes only the state of the row at hand). Once anything
/// spills, an ``ApproximateSet`` of the spilled ids spares the lookup on disk for a gene seen
/// for the first time; neither it nor the file exists before.
final class GeneStates {
    /// What the budget saw, for the report.
    struct Tally: Equatable {
        /// Most bytes held in memory at once.
        var peakBytes = 0
        /// States written to the temporary file, and read back from it.
        var spilled = 0
        var restored = 0
    }

    /// The temporary file, its statements and the filter in front of it, made at the first spill.
    private final class Spill {
        let file: SpillFile
        let save: SQLiteStatement
        let load: SQLiteStatement
        // 4 Mbit (512 KB): under 0.1 % false positives up to 200,000 genes.
        var spilled = ApproximateSet(bitCount: 1 << 22)

        init(cacheKilobytes: Int) throws {
            file = try SpillFile(schema: "CREATE TABLE genes (gene_id TEXT PRIMARY KEY, state BLOB NOT NULL) WITHOUT ROWID",
                                 cacheKilobytes: cacheKilobytes)
            save = try file.database.prepare("INSERT OR REPLACE INTO genes (gene_id, state) VALUES (?, ?)")
            load = try file.database.prepare("SELECT state FROM genes WHERE gene_id = ?")
        }
    }

    /// A dictionary bucket holds a 16-byte key and an 8-byte reference; buckets are at most 3/4 full.
    private static let bytesPerSlot = 32

    private let budget: Int
    var budgetBytes: Int { budget }
    private let cacheKilobytes: Int
    private var resident: [String: GeneState] = [:]
    /// ``GeneState/estimatedBytes`` of the resident states as last measured, plus their ids' heap bytes.
    private var residentBytes = 0
    /// The state handed out last: its growth is counted at the next lookup.
    private var current: GeneState?
    private var clock: UInt64 = 0
    private var spill: Spill?
    private(set) var tally = Tally()
    /// Distinct genes seen; also the number the next new gene gets.
    private(set) var count = 0

    /// - Parameters:
    ///   - budgetBytes: bytes of states (and their dictionary) kept in memory; at least the
    ///     state at hand and the one before stay whatever the budget.
    ///   - cacheKilobytes: the page cache of the temporary file.
    init(budgetBytes: Int, cacheKilobytes: Int = 2048) {
        budget = budgetBytes
        self.cacheKilobytes = cacheKilobytes
    }

    private var bytes: Int { residentBytes + resident.capacity * Self.bytesPerSlot }

    /// What the budget leaves unused now (the GO-term cache may borrow it: ``GOTermCache``).
    var unusedBytes: Int { max(0, budget - bytes) }

    /// The state of `geneId`: in memory, back from the file, or new (numbered in order of first
    /// appearance).
    func state(for geneId: String) throws -> GeneState {
        clock += 1
        if let current {
            let now = current.estimatedBytes
            residentBytes += now - current.accountedBytes
            current.accountedBytes = now
        }
        if let state = resident[geneId] {
            state.lastUse = clock
            current = state
            return state
        }
        let state = try restored(geneId) ?? {
            count += 1
            return GeneState(index: UInt32(count - 1))
        }()
        state.lastUse = clock
        state.accountedBytes = state.estimatedBytes
        resident[geneId] = state
        residentBytes += state.accountedBytes + GeneState.heapBytes(geneId)
        current = state
        if bytes > budget { try spillLeastRecent() }
        tally.peakBytes = max(tally.peakBytes, bytes)
        return state
    }

    private func restored(_ geneId: String) throws -> GeneState? {
        guard let spill, spill.spilled.mayContain(ContentHash(geneId).low) else { return nil }
        let load = spill.load
        try load.bind(1, geneId)
        defer { load.reset() }
        guard try load.step() else { return nil }
        tally.restored += 1
        let state = GeneState(decoding: load.blobBytes(0))
        return state
    }

    /// Moves the least recently used states to the file until a quarter of the budget is free
    /// (so that the sort is paid once per many lookups); the state just handed out stays.
    private func spillLeastRecent() throws {
        tally.peakBytes = max(tally.peakBytes, bytes)
        let target = budget - budget / 4
        var leaving: [String] = []
        var freed = 0
        for (geneId, state) in resident.sorted(by: { $0.value.lastUse < $1.value.lastUse }) where state !== current {
            guard bytes - freed > target else { break }
            leaving.append(geneId)
            freed += state.accountedBytes + GeneState.heapBytes(geneId)
        }
        // In id order: appends and neighbours in the file's B-tree.
        for geneId in leaving.sorted() {
            let state = resident.removeValue(forKey: geneId)!
            residentBytes -= state.accountedBytes + GeneState.heapBytes(geneId)
            try save(geneId, state)
        }
    }

    private func save(_ geneId: String, _ state: GeneState) throws {
        let spill = try self.spill ?? {
            let made = try Spill(cacheKilobytes: cacheKilobytes)
            self.spill = made
            return made
        }()
        try spill.save.bind(1, geneId)
        try spill.save.bind(2, blob: state.encoded().span)
        try spill.save.run()
        spill.spilled.insert(ContentHash(geneId).low)
        tally.spilled += 1
    }

    /// Calls `body` with every gene, in gene id order; the states are not usable afterwards.
    func forEachSorted(_ body: (String, GeneState) throws -> Void) throws {
        current = nil
        guard let spill else {
            for geneId in resident.keys.sorted() { try body(geneId, resident[geneId]!) }
            resident.removeAll()
            residentBytes = 0
            return
        }
        for geneId in resident.keys.sorted() { try save(geneId, resident[geneId]!) }
        resident.removeAll()
        residentBytes = 0
        let all = try spill.file.database.prepare("SELECT gene_id, state FROM genes ORDER BY gene_id")
        while try all.step() {
            let state = GeneState(decoding: all.blobBytes(1))
            try body(all.text(0) ?? "", state)
        }
    }
}
