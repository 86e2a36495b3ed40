import Foundation
import MediabaseBytes
import MediabaseModel

/// The state of one gene while its rows stream by: the scalar candidates (from the row with the
/// smallest transcript id) and the hashes of the gene-level values already processed.
///
/// The stored properties are laid out for size (the class keeps their order): the numbers that
/// may be absent are words with a bit in ``flags``, not optionals (9 bytes each, padded to 16).
final class GeneState {
    /// Scalar attribute value and the transcript id it came from.
    struct Candidate: Equatable {
        var transcriptId: String
        var value: String
    }

    var symbol: Candidate?
    var type: Candidate?
    var chromosome: Candidate?
    var strand: Candidate?
    private var startValue: Int64 = 0
    private var endValue: Int64 = 0
    /// Where the spill file holds the tagged hashes of the gene-level values processed
    /// (``GeneStates/fieldKeys(of:)``); ``noFieldKeys`` before the first, ``fieldKeysInMemory``
    /// once the gene's rows have shown a second set of values (they are then in ``processed``).
    var fieldKeysOffset: Int64 = GeneState.noFieldKeys
    static let noFieldKeys: Int64 = -1
    static let fieldKeysInMemory: Int64 = -2
    /// When the gene was last asked for, in ``GeneStates`` lookups: the least recent leave memory first.
    var lastUse: UInt64 = 0
    /// 64-bit hashes (tagged) of what the gene's rows gave that was processed: each distinct
    /// set of gene-level values (``rowKey(_:)``; the values' own hashes are in the spill file)
    /// and each distinct `go_terms` value; enough to tell apart the few values one gene shows,
    /// at 8 bytes each. Grown by ``remember(_:)``.
    var processed: [UInt64] = []
    /// ``accountedBytes`` in 32 bits.
    private var accountedWord: UInt32 = 0
    /// The gene's number, in order of first appearance.
    let index: UInt32
    /// Bit `field.rawValue` is set once the field has given a value.
    var fieldsSeen: UInt32 = 0
    /// The gene's rows looked up so far (``GeneStates/state(for:)``), at most `UInt16.max`
    /// (16 bits keep the object in its 208-byte chunk): see ``GeneStates``' spills.
    var rowsSeen: UInt16 = 0
    /// ``Flag`` bits.
    private var flags: UInt8 = 0

    private enum Flag {
        static let conflict: UInt8 = 1, hasStart: UInt8 = 2, hasEnd: UInt8 = 4
    }

    init(index: UInt32) { self.index = index }

    /// ``estimatedBytes`` when ``GeneStates`` last measured it.
    var accountedBytes: Int {
        get { Int(accountedWord) }
        set { accountedWord = UInt32(clamping: newValue) }
    }

    var start: Int64? {
        get { flags & Flag.hasStart != 0 ? startValue : nil }
        set {
            startValue = newValue ?? 0
            flags = newValue == nil ? flags & ~Flag.hasStart : flags | Flag.hasStart
        }
    }

    var end: Int64? {
        get { flags & Flag.hasEnd != 0 ? endValue : nil }
        set {
            endValue = newValue ?? 0
            flags = newValue == nil ? flags & ~Flag.hasEnd : flags | Flag.hasEnd
        }
    }

    var conflict: Bool {
        get { flags & Flag.conflict != 0 }
        set { flags = newValue ? flags | Flag.conflict : flags & ~Flag.conflict }
    }

    /// Counts a row of the gene in ``rowsSeen``.
    @inline(__always) func countRow() {
        if rowsSeen < .max { rowsSeen += 1 }
    }

    /// Adds `key` to ``processed``, growing it by about a quarter rather than doubling: most
    /// genes stop at 15 to 25 hashes, where doubling left up to half the array unused.
    @inline(__always) func remember(_ key: UInt64) {
        if processed.count == processed.capacity { processed.reserveCapacity(processed.count + 4 + processed.count / 4) }
        processed.append(key)
    }

    /// Where a row's signature of its gene-level values' tagged hashes starts.
    static let signatureSeed: UInt64 = 0x243F_6A88_85A3_08D3

    /// `signature` followed by `key` (order matters: the columns come in one order).
    @inline(__always) static func signature(_ signature: UInt64, adding key: UInt64) -> UInt64 {
        var mixed = (signature ^ key) &* 0xFF51_AFD7_ED55_8CCD
        mixed ^= mixed >> 33
        return mixed &* 0xC4CE_B9FE_1A85_EC53 ^ key
    }

    /// The tagged hash under which a row's set of gene-level values is remembered (a tag no
    /// column has).
    @inline(__always) static func rowKey(_ signature: UInt64) -> UInt64 {
        signature ^ (UInt64(64) &* 0x9E37_79B9_7F4A_7C15)
    }

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
    /// Bits of the spilled form's second word, after the flags' three.
    private enum Spilled {
        /// Bit 3 + k: candidate k (symbol, type, chromosome, strand) is present.
        static let candidateShift: UInt64 = 3
        /// Every present candidate came from one transcript, whose id is written once.
        static let oneTranscript: UInt64 = 1 << 7
        /// The count of ``processed`` starts at this bit, 32 bits.
        static let countShift: UInt64 = 8
        /// ``rowsSeen`` starts at this bit.
        static let rowsShift: UInt64 = 40
    }

    /// Appends the state to `bytes`, for the spill file: the index and ``fieldsSeen`` in a word;
    /// the flags, which candidates are present, the hashes' count and ``rowsSeen`` in a word; the start and end
    /// words when present; ``fieldKeysOffset``; the candidates' transcript ids and values (``RowBatch`` fields; the
    /// transcript id once when every present candidate shares it, as it does when one row gave
    /// them all); the hashes.
    func encode(into bytes: inout [UInt8]) {
        let candidates = (symbol, type, chromosome, strand)
        var header = UInt64(flags) | UInt64(UInt32(processed.count)) << Spilled.countShift | UInt64(rowsSeen) << Spilled.rowsShift
        var shared: String?
        var oneTranscript = true
        func note(_ candidate: Candidate?, _ bit: UInt64) {
            guard let candidate else { return }
            header |= 1 << (Spilled.candidateShift + bit)
            if let shared { oneTranscript = oneTranscript && shared == candidate.transcriptId } else { shared = candidate.transcriptId }
        }
        note(candidates.0, 0)
        note(candidates.1, 1)
        note(candidates.2, 2)
        note(candidates.3, 3)
        if oneTranscript { header |= Spilled.oneTranscript }
        RowBatch.appendWord(UInt64(index) | UInt64(fieldsSeen) << 32, to: &bytes)
        RowBatch.appendWord(header, to: &bytes)
        if flags & Flag.hasStart != 0 { RowBatch.appendWord(UInt64(bitPattern: startValue), to: &bytes) }
        if flags & Flag.hasEnd != 0 { RowBatch.appendWord(UInt64(bitPattern: endValue), to: &bytes) }
        RowBatch.appendWord(UInt64(bitPattern: fieldKeysOffset), to: &bytes)
        if oneTranscript, let shared { RowBatch.appendField(shared, to: &bytes) }
        func append(_ candidate: Candidate?) {
            guard let candidate else { return }
            if !oneTranscript { RowBatch.appendField(candidate.transcriptId, to: &bytes) }
            RowBatch.appendField(candidate.value, to: &bytes)
        }
        append(candidates.0)
        append(candidates.1)
        append(candidates.2)
        append(candidates.3)
        let keys = processed
        RowBatch.appendWords(keys.span, to: &bytes)
    }

    /// The state ``encode(into:)`` wrote; its hash array has room for exactly its hashes.
    convenience init(decoding bytes: Span<UInt8>) {
        var reader = RowBatchReader(bytes)
        let first = reader.word()
        self.init(index: UInt32(truncatingIfNeeded: first))
        fieldsSeen = UInt32(truncatingIfNeeded: first >> 32)
        let header = reader.word()
        flags = UInt8(truncatingIfNeeded: header) & (Flag.conflict | Flag.hasStart | Flag.hasEnd)
        if flags & Flag.hasStart != 0 { startValue = Int64(bitPattern: reader.word()) }
        if flags & Flag.hasEnd != 0 { endValue = Int64(bitPattern: reader.word()) }
        fieldKeysOffset = Int64(bitPattern: reader.word())
        let present = Int(truncatingIfNeeded: header >> Spilled.candidateShift) & 0xF
        let shared = header & Spilled.oneTranscript != 0 && present != 0 ? reader.string() ?? "" : nil
        for bit in 0..<4 where present & (1 << bit) != 0 {
            let transcriptId = shared ?? reader.string() ?? ""
            let candidate = Candidate(transcriptId: transcriptId, value: reader.string() ?? "")
            switch bit {
            case 0: symbol = candidate
            case 1: type = candidate
            case 2: chromosome = candidate
            default: strand = candidate
            }
        }
        processed = reader.words(Int(UInt32(truncatingIfNeeded: header >> Spilled.countShift)))
        rowsSeen = UInt16(truncatingIfNeeded: header >> Spilled.rowsShift)
    }
}

// MARK: Memory

extension GeneState {
    /// Bytes of the object itself as malloc hands them out (197 bytes of fields and header, a
    /// 208-byte chunk), measured as described in docs/decisions.md.
    static let objectBytes = 208

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
/// holds them) fit in `budgetBytes`; beyond it those whose gene has shown the fewest rows (then
/// the least recently used) go to a temporary file and come back when one of their rows turns up
/// again. The result is the same as with every
/// state in memory, whatever the order of the rows: the rows of a gene need not be adjacent.
///
/// A state grows while its rows are processed, so the state handed out last is measured again
/// at the next lookup (the normalizer changes only the state of the row at hand). A state that
/// left memory keeps its entry in the dictionary, with where its bytes are in the file: a
/// lookup finds either in one probe, and the file is only appended to (``ScratchFile``), each
/// state read back with one `pread`. The same file keeps each gene's hashes of its gene-level
/// values (``keepFieldKeys(_:of:)``), which a state in memory does not hold: only a row whose
/// set of values the gene has not shown before reads them, and keeps them in memory from then
/// on (``moveFieldKeysIntoMemory(of:)``).
final class GeneStates {
    /// What the budget saw, for the report.
    struct Tally: Equatable {
        /// Most bytes held in memory at once.
        var peakBytes = 0
        /// States written to the temporary file, and read back from it.
        var spilled = 0
        var restored = 0
        /// Sets of gene-level values' hashes written to the spill file.
        var fieldKeyWrites = 0
    }

    /// A gene's state: in memory, or at an offset of the spill file.
    private enum Slot {
        case memory(GeneState)
        case file(Int64)
    }

    /// A dictionary bucket holds a 16-byte key and a 9-byte slot (16 with padding); buckets are at
    /// most 3/4 full.
    static let bytesPerSlot = 43

    private let budget: Int
    var budgetBytes: Int { budget }
    private var states: [String: Slot] = [:]
    /// ``GeneState/estimatedBytes`` of the states in memory as last measured, plus their ids' heap bytes.
    private var residentBytes = 0
    /// The states in memory with their ids, in no order: a spill walks these, not every gene's
    /// entry (with a budget the dictionary alone fills, a walk of it per lookup was quadratic).
    private var residents: [(geneId: String, state: GeneState)] = []
    /// What an entry of ``residents`` takes, with the array's room to grow.
    static let bytesPerResident = 32
    /// The state handed out last: its growth is counted at the next lookup.
    private var current: GeneState?
    private var clock: UInt64 = 0
    /// The temporary file (made at the first spill's write): each state's bytes as a record
    /// (``ScratchFile/appendRecord(_:)``); a state spilled again is appended again.
    private let spill: ScratchFile
    /// Where a state read back lands: most are read whole with their count in one `pread`.
    private var readBuffer = [UInt8](repeating: 0, count: 1024)
    /// Where a state is encoded before it goes to the file.
    private var encodeBuffer: [UInt8] = []
    private(set) var tally = Tally()
    /// Distinct genes seen; also the number the next new gene gets.
    private(set) var count = 0

    /// - Parameters:
    ///   - budgetBytes: bytes of states (and their dictionary) kept in memory; at least the
    ///     state at hand and the one before stay whatever the budget.
    ///   - scratchPath: the temporary file is made beside it (``ScratchFile/init(beside:bufferBytes:)``).
    ///   - spillBufferBytes: what the temporary file gathers before a write.
    init(budgetBytes: Int, scratchPath: String = "", spillBufferBytes: Int = 1 << 20) {
        budget = budgetBytes
        spill = ScratchFile(beside: scratchPath, bufferBytes: spillBufferBytes)
    }

    private var bytes: Int { residentBytes + states.capacity * Self.bytesPerSlot }

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
        let state: GeneState
        if let slot = states.index(forKey: geneId) {
            switch states.values[slot] {
            case let .memory(resident):
                resident.lastUse = clock
                resident.countRow()
                current = resident
                return resident
            case let .file(offset):
                state = try restored(at: offset)
                tally.restored += 1
                // Where the lookup found it: no second hash of the id.
                states.values[slot] = .memory(state)
            }
        } else {
            if states.count == states.capacity {
                // The dictionary grows (doubles) with this gene: states leave first, so that it
                // is within the budget grown too, and while it is copied (the old storage and the
                // new, twice as large, held at once), rather than over it until the next spill.
                let growth = 2 * max(1, states.capacity) * Self.bytesPerSlot
                if bytes + growth > budget { try spillStates(growth: growth) }
                states.reserveCapacity(states.count + 1)
            }
            count += 1
            state = GeneState(index: UInt32(count - 1))
            states[geneId] = .memory(state)
        }
        state.lastUse = clock
        state.countRow()
        state.accountedBytes = state.estimatedBytes
        residents.append((geneId, state))
        residentBytes += state.accountedBytes + GeneState.heapBytes(geneId) + Self.bytesPerResident
        current = state
        if bytes > budget { try spillStates() }
        tally.peakBytes = max(tally.peakBytes, bytes)
        return state
    }

    /// Moves states to the file until a quarter of the budget is free beyond `growth` (so that
    /// the search is paid once per many lookups); the state just handed out stays. Those whose
    /// gene has shown the fewest rows leave first, and of those that showed as many, the least
    /// recently used: where a gene's rows are scattered, a gene's rows so far are a share of all
    /// it has, so one that has shown few likely has few to come, while when it was last used says
    /// little of when it comes next. Where a gene's rows come together, a gene is done when
    /// another starts, and leaving in any order costs nothing. (Replaying the 1 GB lean dump's
    /// order of genes with half of them fitting: 43 % fewer states read back than by last use
    /// alone, 29 to 37 % fewer with each gene's rows in two or three runs at random places; with
    /// a tenth of the genes scattered and the rest together, 2,296 against 1,899 of 172,000
    /// genes. bench/spill-policy.py.) The states in memory are ranked by numbers (not the
    /// dictionary's entries), and those ranked up to the cut leave.
    private func spillStates(growth: Int = 0) throws {
        tally.peakBytes = max(tally.peakBytes, bytes)
        let target = budget - budget / 4 - growth
        var uses: [(rank: (UInt16, UInt64), bytes: Int)] = []
        uses.reserveCapacity(residents.count)
        for (geneId, state) in residents where state !== current {
            uses.append((Self.rank(state), state.accountedBytes + GeneState.heapBytes(geneId) + Self.bytesPerResident))
        }
        uses.sort { $0.rank < $1.rank }
        var freed = 0
        var cut: (UInt16, UInt64) = (0, 0)
        for use in uses {
            guard bytes - freed > target else { break }
            freed += use.bytes
            cut = use.rank
        }
        guard freed > 0 else { return }
        // The states ranked up to the cut leave; the others close up, in place.
        var kept = 0
        for index in residents.indices {
            let (geneId, state) = residents[index]
            guard state === current || Self.rank(state) > cut else {
                residentBytes -= state.accountedBytes + GeneState.heapBytes(geneId) + Self.bytesPerResident
                states[geneId] = .file(try save(state))
                continue
            }
            residents.swapAt(kept, index)
            kept += 1
        }
        residents.removeLast(residents.count - kept)
    }

    /// Where a state stands in the order in which states leave memory (the lowest first): the rows
    /// its gene has shown, then its last use. Each state's last use is its own (one state per
    /// lookup), so the order is total.
    @inline(__always) private static func rank(_ state: GeneState) -> (UInt16, UInt64) { (state.rowsSeen, state.lastUse) }

    private func save(_ state: GeneState) throws -> Int64 {
        tally.spilled += 1
        return try appendRecord(state.encode(into:))
    }

    /// Appends to the spill file, as a record, what `encode` writes into the reused buffer.
    private func appendRecord(_ encode: (inout [UInt8]) -> Void) throws -> Int64 {
        encodeBuffer.removeAll(keepingCapacity: true)
        encode(&encodeBuffer)
        // A copy of the reference, gone before the buffer is emptied in place again.
        let bytes = encodeBuffer
        return try spill.appendRecord(bytes.span)
    }

    /// `read`'s result for the record at `offset` of the spill file, read into the reused buffer.
    private func readRecord<Result>(at offset: Int64, _ read: (Span<UInt8>) -> Result) throws -> Result {
        let record = try spill.readRecord(at: offset, into: &readBuffer)
        let bytes = readBuffer
        return read(bytes.span.extracting(record))
    }

    /// The tagged hashes of the gene-level values processed for `state` (in the order they
    /// were), from the spill file; none before ``keepFieldKeys(_:of:)``.
    func fieldKeys(of state: GeneState) throws -> [UInt64] {
        guard state.fieldKeysOffset >= 0 else { return [] }
        return try readRecord(at: state.fieldKeysOffset) { record in
            var reader = RowBatchReader(record)
            return reader.words(record.count / 8)
        }
    }

    /// Moves `state`'s gene-level values' hashes from the spill file into its ``GeneState/processed``,
    /// where they stay (``GeneState/fieldKeysInMemory``): for a gene whose rows show more than one
    /// set of values, which is rare, so that a gene with many sets costs no file traffic per row.
    func moveFieldKeysIntoMemory(of state: GeneState) throws {
        guard state.fieldKeysOffset != GeneState.fieldKeysInMemory else { return }
        for key in try fieldKeys(of: state) { state.remember(key) }
        state.fieldKeysOffset = GeneState.fieldKeysInMemory
    }

    /// Writes `keys` to the spill file as `state`'s gene-level values' hashes.
    func keepFieldKeys(_ keys: [UInt64], of state: GeneState) throws {
        tally.fieldKeyWrites += 1
        state.fieldKeysOffset = try appendRecord { RowBatch.appendWords(keys.span, to: &$0) }
    }

    /// The state saved at `offset`.
    private func restored(at offset: Int64) throws -> GeneState {
        try readRecord(at: offset) { GeneState(decoding: $0) }
    }

    /// Calls `body` with every gene, in gene id order; the states are not usable afterwards.
    func forEachSorted(_ body: (String, GeneState) throws -> Void) throws {
        current = nil
        if tally.spilled > 0 {
            // The sorted ids (16 bytes a gene, and as much again while they are sorted) would come
            // on top of a full budget: the states in memory join the others in the file first.
            for (geneId, state) in residents { states[geneId] = .file(try save(state)) }
            residents = []
            residentBytes = 0
        }
        for geneId in states.keys.sorted() {
            switch states[geneId]! {
            case let .memory(state): try body(geneId, state)
            case let .file(offset): try body(geneId, try restored(at: offset))
            }
        }
        states.removeAll()
        residents.removeAll()
        residentBytes = 0
    }
}
