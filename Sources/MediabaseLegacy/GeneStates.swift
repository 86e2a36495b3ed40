import Foundation
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
    /// The state as bytes, for a ``SpillFile``: numbers little-endian, strings length-prefixed.
    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 + processed.count * 8)
        func word(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        func text(_ value: String) {
            var value = value
            value.withUTF8 { utf8 in
                word(UInt64(utf8.count))
                bytes.append(contentsOf: utf8)
            }
        }
        word(UInt64(index))
        word(UInt64(fieldsSeen))
        bytes.append(conflict ? 1 : 0)
        for number in [start, end] {
            bytes.append(number == nil ? 0 : 1)
            word(UInt64(bitPattern: number ?? 0))
        }
        for candidate in [symbol, type, chromosome, strand] {
            bytes.append(candidate == nil ? 0 : 1)
            if let candidate {
                text(candidate.transcriptId)
                text(candidate.value)
            }
        }
        word(UInt64(processed.count))
        for key in processed { word(key) }
        return bytes
    }

    /// The state ``encoded()`` wrote.
    convenience init(decoding bytes: UnsafeBufferPointer<UInt8>) {
        var offset = 0
        func word() -> UInt64 {
            let value = UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress!).loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
            return value
        }
        func flag() -> Bool {
            offset += 1
            return bytes[offset - 1] != 0
        }
        func text() -> String {
            let count = Int(word())
            defer { offset += count }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<(offset + count)]), as: UTF8.self)
        }
        func candidate() -> Candidate? {
            guard flag() else { return nil }
            let transcriptId = text()
            return Candidate(transcriptId: transcriptId, value: text())
        }
        self.init(index: UInt32(word()))
        fieldsSeen = UInt32(word())
        conflict = flag()
        let hasStart = flag(), startValue = Int64(bitPattern: word())
        start = hasStart ? startValue : nil
        let hasEnd = flag(), endValue = Int64(bitPattern: word())
        end = hasEnd ? endValue : nil
        symbol = candidate()
        type = candidate()
        chromosome = candidate()
        strand = candidate()
        processed = (0..<Int(word())).map { _ in word() }
    }
}

/// The ``GeneState`` of every gene seen so far, by gene id, in bounded memory: the most recently
/// used ``capacity`` genes stay in memory, the others go to a ``SpillFile`` and come back when
/// one of their rows turns up again. The result is the same as with every state in memory,
/// whatever the order of the rows: the rows of a gene need not be adjacent.
///
/// The generator keeps a gene's rows within a block of 32 genes, and real dumps mostly keep them
/// close too, so a spilled gene rarely comes back; an ``ApproximateSet`` of the spilled ids
/// spares the lookup on disk for a gene seen for the first time.
final class GeneStates {
    static let defaultCapacity = 4096

    private let capacity: Int
    private var resident: [String: GeneState] = [:]
    private var clock: UInt64 = 0
    private var spilled: ApproximateSet
    private var anySpilled = false
    private let file: SpillFile
    private let save: SQLiteStatement
    private let load: SQLiteStatement
    /// Distinct genes seen; also the number the next new gene gets.
    private(set) var count = 0

    init(capacity: Int = GeneStates.defaultCapacity) throws {
        self.capacity = max(capacity, 2)
        file = try SpillFile(schema: "CREATE TABLE genes (gene_id TEXT PRIMARY KEY, state BLOB NOT NULL) WITHOUT ROWID")
        save = try file.database.prepare("INSERT OR REPLACE INTO genes (gene_id, state) VALUES (?, ?)")
        load = try file.database.prepare("SELECT state FROM genes WHERE gene_id = ?")
        // 4 Mbit (512 KB): under 0.1 % false positives up to 200,000 genes.
        spilled = ApproximateSet(bitCount: 1 << 22)
        resident.reserveCapacity(self.capacity)
    }

    /// The state of `geneId`: in memory, back from the file, or new (numbered in order of first
    /// appearance).
    func state(for geneId: String) throws -> GeneState {
        clock += 1
        if let state = resident[geneId] {
            state.lastUse = clock
            return state
        }
        let state = try restored(geneId) ?? {
            count += 1
            return GeneState(index: UInt32(count - 1))
        }()
        if resident.count >= capacity { try spillLeastRecent() }
        state.lastUse = clock
        resident[geneId] = state
        return state
    }

    private func restored(_ geneId: String) throws -> GeneState? {
        guard anySpilled, spilled.mayContain(ContentHash(geneId).low) else { return nil }
        try load.bind(1, geneId)
        defer { load.reset() }
        guard try load.step() else { return nil }
        return load.withBlob(0) { GeneState(decoding: $0.assumingMemoryBound(to: UInt8.self)) }
    }

    /// Moves the less recently used half of the resident genes to the file.
    private func spillLeastRecent() throws {
        let uses = resident.values.map(\.lastUse).sorted()
        let threshold = uses[uses.count / 2]
        let leaving = resident.filter { $0.value.lastUse < threshold }.keys.sorted()
        for geneId in leaving {
            try spill(geneId, resident.removeValue(forKey: geneId)!)
        }
    }

    private func spill(_ geneId: String, _ state: GeneState) throws {
        try save.bind(1, geneId)
        // SQLite reads the bytes in place during the step.
        try state.encoded().withUnsafeBytes { raw in
            try save.bind(2, blob: raw, copy: false)
            try save.run()
        }
        spilled.insert(ContentHash(geneId).low)
        anySpilled = true
    }

    /// Calls `body` with every gene, in gene id order; the states are not usable afterwards.
    func forEachSorted(_ body: (String, GeneState) throws -> Void) throws {
        if !anySpilled {
            for geneId in resident.keys.sorted() { try body(geneId, resident[geneId]!) }
            resident.removeAll()
            return
        }
        for geneId in resident.keys.sorted() { try spill(geneId, resident[geneId]!) }
        resident.removeAll()
        let all = try file.database.prepare("SELECT gene_id, state FROM genes ORDER BY gene_id")
        while try all.step() {
            let state = all.withBlob(1) { GeneState(decoding: $0.assumingMemoryBound(to: UInt8.self)) }
            try body(all.text(0) ?? "", state)
        }
    }
}
