import Foundation
import MediabaseBytes
import MediabaseSQLite
import MediabaseModel

/// The ``CoreTranscriptIndex`` of a core too large for the run's `--memory-limit`, in a
/// temporary SQLite file: the same transcripts, gene and symbol spans and lookup keys, answered
/// by the file's indexes through a small page cache, so that memory does not grow with the core
/// (docs/spec.md §2; docs/decisions.md, "patients --memory-limit").
///
/// Built once per run; each patient then reads it through its own ``CoreTranscriptReader``
/// (one connection per worker thread). The file is removed when the run ends or is interrupted.
package final class CoreTranscriptFile: Sendable {
    package let path: String
    /// Transcripts of the core, as ``CoreTranscriptIndex/transcriptIds`` counts them.
    package let transcriptCount: Int
    /// Genes that have transcripts.
    package let geneCount: Int
    /// The page cache of each connection to the file.
    let cacheKilobytes: Int

    private init(path: String, transcriptCount: Int, geneCount: Int, cacheKilobytes: Int) {
        self.path = path
        self.transcriptCount = transcriptCount
        self.geneCount = geneCount
        self.cacheKilobytes = cacheKilobytes
    }

    /// Removes the file.
    package func remove() {
        try? FileManager.default.removeItem(atPath: path)
        TemporaryOutputs.unregister(path)
    }

    /// Builds the file at `path` from `transcripts` and `genes` of the core SQLite at `core`,
    /// as ``CoreTranscriptIndex/load(path:)`` reads them and ``CoreTranscriptIndex/init(sortedRows:)``
    /// arranges them: a transcript is its position in transcript-id order; each gene's
    /// transcripts are in canonical order (lowest support level, then smallest id); a symbol's
    /// span lists its genes (by gene key) with every gene's canonical transcript first.
    package static func build(core: String, at path: String, cacheKilobytes: Int) throws -> CoreTranscriptFile {
        let rows = try CoreTranscriptIndex.openRows(path: core)
        try? FileManager.default.removeItem(atPath: path)
        TemporaryOutputs.register(path)
        do {
            let database = try SQLiteDatabase(path: path)
            try database.execute("""
                PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE; PRAGMA cache_size = -\(cacheKilobytes);
                BEGIN;
                CREATE TABLE transcripts (position INTEGER PRIMARY KEY, transcript_id TEXT NOT NULL, key TEXT NOT NULL, gene TEXT NOT NULL,
                                          rank INTEGER NOT NULL, symbol TEXT);
                CREATE TABLE members (i INTEGER PRIMARY KEY, position INTEGER NOT NULL);
                CREATE TABLE genes (key TEXT PRIMARY KEY, start INTEGER NOT NULL, count INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE gene_symbols (symbol_key TEXT NOT NULL, gene TEXT NOT NULL, symbol TEXT NOT NULL, start INTEGER NOT NULL, count INTEGER NOT NULL);
                CREATE TABLE symbols (key TEXT PRIMARY KEY, start INTEGER NOT NULL, count INTEGER NOT NULL, canonical INTEGER NOT NULL,
                                      shared_name TEXT) WITHOUT ROWID;
                """)
            let insertTranscript = try database.prepare("INSERT INTO transcripts VALUES (?, ?, ?, ?, ?, ?)")
            var transcriptCount = 0
            while let row = try rows.next() {
                let symbol = row.geneSymbol.map { Identifiers.trimmedText($0.utf8.span) }
                try insertTranscript.bind(1, Int64(transcriptCount))
                try insertTranscript.bind(2, row.transcriptId)
                try insertTranscript.bind(3, CoreTranscriptIndex.lookupKey(row.transcriptId))
                try insertTranscript.bind(4, CoreTranscriptIndex.lookupKey(row.geneId))
                try insertTranscript.bind(5, Int64(CoreTranscriptIndex.rank(row.supportLevel)))
                try insertTranscript.bind(6, symbol?.isEmpty == false ? symbol : nil)
                try insertTranscript.run()
                transcriptCount += 1
            }
            try database.execute("CREATE INDEX transcripts_key ON transcripts (key, position); CREATE INDEX transcripts_id ON transcripts (transcript_id)")
            let geneCount = try appendGenes(database)
            try appendSymbols(database)
            try database.execute("DROP TABLE gene_symbols; COMMIT")
            return CoreTranscriptFile(path: path, transcriptCount: transcriptCount, geneCount: geneCount, cacheKilobytes: cacheKilobytes)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            TemporaryOutputs.unregister(path)
            throw error
        }
    }

    /// Each gene's transcripts in canonical order into `members`, its span into `genes`, and
    /// its symbol (the last non-empty one of its transcripts in id order) into `gene_symbols`.
    private static func appendGenes(_ database: SQLiteDatabase) throws -> Int {
        let transcripts = try database.prepare("SELECT gene, position, symbol FROM transcripts ORDER BY gene, rank, position")
        let insertMember = try database.prepare("INSERT INTO members (i, position) VALUES (?, ?)")
        let insertGene = try database.prepare("INSERT INTO genes VALUES (?, ?, ?)")
        let insertSymbol = try database.prepare("INSERT INTO gene_symbols VALUES (?, ?, ?, ?, ?)")
        var memberCount: Int64 = 0
        var genes = 0
        var gene: String?
        var start: Int64 = 0
        var symbol: (position: Int64, text: String)?
        func finish() throws {
            guard let gene else { return }
            try insertGene.bind(1, gene)
            try insertGene.bind(2, start)
            try insertGene.bind(3, memberCount - start)
            try insertGene.run()
            if let symbol {
                try insertSymbol.bind(1, CoreTranscriptIndex.asciiLowercased(symbol.text))
                try insertSymbol.bind(2, gene)
                try insertSymbol.bind(3, symbol.text)
                try insertSymbol.bind(4, start)
                try insertSymbol.bind(5, memberCount - start)
                try insertSymbol.run()
            }
            genes += 1
        }
        while try transcripts.step() {
            let key = transcripts.text(0) ?? ""
            if key != gene {
                try finish()
                gene = key
                start = memberCount
                symbol = nil
            }
            let position = transcripts.int64(1)
            if let text = transcripts.text(2), position >= symbol?.position ?? -1 { symbol = (position, text) }
            try insertMember.bind(1, memberCount)
            try insertMember.bind(2, position)
            try insertMember.run()
            memberCount += 1
        }
        try finish()
        return genes
    }

    /// Each symbol's span: the canonical transcript of each of its genes (in gene-key order),
    /// then the others, gene by gene; a symbol of several genes keeps the first gene's spelling.
    private static func appendSymbols(_ database: SQLiteDatabase) throws {
        let owners = try database.prepare("SELECT symbol_key, symbol, start, count FROM gene_symbols ORDER BY symbol_key, gene")
        let members = try database.prepare("SELECT position FROM members WHERE i >= ? AND i < ? ORDER BY i")
        let insertMember = try database.prepare("INSERT INTO members (i, position) VALUES (?, ?)")
        let insertSymbol = try database.prepare("INSERT INTO symbols VALUES (?, ?, ?, ?, ?)")
        var memberCount = Int64(try database.integer("SELECT count(*) FROM members"))
        var symbol: (key: String, name: String)?
        var genes: [[Int64]] = []
        func finish() throws {
            guard let symbol else { return }
            let start = memberCount
            for position in genes.map({ $0[0] }) + genes.flatMap({ $0.dropFirst() }) {
                try insertMember.bind(1, memberCount)
                try insertMember.bind(2, position)
                try insertMember.run()
                memberCount += 1
            }
            try insertSymbol.bind(1, symbol.key)
            try insertSymbol.bind(2, start)
            try insertSymbol.bind(3, memberCount - start)
            try insertSymbol.bind(4, Int64(genes.count))
            try insertSymbol.bind(5, genes.count > 1 ? symbol.name : nil)
            try insertSymbol.run()
        }
        while try owners.step() {
            let key = owners.text(0) ?? ""
            if key != symbol?.key {
                try finish()
                symbol = (key, owners.text(1) ?? "")
                genes = []
            }
            let start = owners.int64(2)
            try members.bind(1, start)
            try members.bind(2, start + owners.int64(3))
            var positions: [Int64] = []
            while try members.step() { positions.append(members.int64(0)) }
            members.reset()
            genes.append(positions)
        }
        try finish()
    }

    /// A connection for one patient.
    package func reader() throws -> CoreTranscriptReader { try CoreTranscriptReader(self) }
}

/// One patient's connection to a ``CoreTranscriptFile``: matches ids as
/// ``CoreTranscriptIndex/match(_:mapping:)`` does, through the file's indexes.
package final class CoreTranscriptReader {
    /// What an id matched: how, the transcripts (positions) that get its value, and for a
    /// symbol several genes share, its spelling in the core.
    package struct Match {
        package var kind: CoreTranscriptIndex.MatchKind
        package var positions: [Int]
        package var sharedSymbol: String?
    }

    let database: SQLiteDatabase
    private let transcriptByKey: SQLiteStatement
    private let geneByKey: SQLiteStatement
    private let symbolByKey: SQLiteStatement
    private let members: SQLiteStatement
    private let transcriptAt: SQLiteStatement
    private let containsId: SQLiteStatement
    package let transcriptCount: Int

    init(_ file: CoreTranscriptFile) throws {
        database = try SQLiteDatabase(path: file.path, readOnly: true)
        try database.execute("PRAGMA temp_store = FILE; PRAGMA cache_size = -\(file.cacheKilobytes)")
        transcriptByKey = try database.prepare("SELECT position FROM transcripts WHERE key = ? ORDER BY position LIMIT 1")
        geneByKey = try database.prepare("SELECT start, count FROM genes WHERE key = ?")
        symbolByKey = try database.prepare("SELECT start, count, canonical, shared_name FROM symbols WHERE key = ?")
        members = try database.prepare("SELECT position FROM members WHERE i >= ? AND i < ? ORDER BY i")
        transcriptAt = try database.prepare("SELECT transcript_id FROM transcripts WHERE position = ?")
        containsId = try database.prepare("SELECT 1 FROM transcripts WHERE transcript_id = ? LIMIT 1")
        transcriptCount = file.transcriptCount
    }

    /// The transcripts a patient id stands for, by the rules of ``CoreTranscriptIndex/match(_:mapping:)``.
    package func match(_ raw: Span<UInt8>, mapping: SymbolMapping) throws -> Match? {
        let key = CoreTranscriptIndex.matchKey(Identifiers.trimmed(raw))
        guard !key.isEmpty else { return nil }
        try transcriptByKey.bind(1, key)
        defer { transcriptByKey.reset() }
        if try transcriptByKey.step() { return Match(kind: .transcript, positions: [Int(transcriptByKey.int64(0))]) }
        try geneByKey.bind(1, key)
        defer { geneByKey.reset() }
        if try geneByKey.step() {
            let start = geneByKey.int64(0)
            return Match(kind: .gene, positions: try positions(start, mapping == .canonical ? 1 : geneByKey.int64(1)))
        }
        try symbolByKey.bind(1, CoreTranscriptIndex.asciiLowercased(key))
        defer { symbolByKey.reset() }
        guard try symbolByKey.step() else { return nil }
        let count = mapping == .canonical ? symbolByKey.int64(2) : symbolByKey.int64(1)
        return Match(kind: .symbol, positions: try positions(symbolByKey.int64(0), count), sharedSymbol: symbolByKey.text(3))
    }

    private func positions(_ start: Int64, _ count: Int64) throws -> [Int] {
        try members.bind(1, start)
        try members.bind(2, start + count)
        defer { members.reset() }
        var positions: [Int] = []
        while try members.step() { positions.append(Int(members.int64(0))) }
        return positions
    }

    /// The transcript id at `position`, as the core stores it.
    package func transcriptId(at position: Int) throws -> String {
        try transcriptAt.bind(1, Int64(position))
        defer { transcriptAt.reset() }
        guard try transcriptAt.step() else { return "" }
        return transcriptAt.text(0) ?? ""
    }

    /// Whether `transcriptId` is one of the core's transcript ids exactly.
    package func contains(transcriptId: String) throws -> Bool {
        try containsId.bind(1, transcriptId)
        defer { containsId.reset() }
        return try containsId.step()
    }

    /// The core's transcript ids from the first at or after parameter 1 (bound by the caller), in
    /// bytewise order (the index on the ids; the positions are in the same order).
    package func sortedIds() throws -> SQLiteStatement {
        try database.prepare("SELECT transcript_id FROM transcripts WHERE transcript_id >= ?1 ORDER BY transcript_id")
    }
}

/// One patient's view of the core (docs/decisions.md, "patients --memory-limit"): the run's
/// shared in-memory index, or the patient's own connection to the index file.
package enum CoreLookup {
    case memory(CoreTranscriptIndex)
    case file(CoreTranscriptReader)

    /// Transcripts of the core: the positions of ``transcriptId(at:)``.
    package var transcriptCount: Int {
        switch self {
        case let .memory(index): index.transcriptIds.count
        case let .file(reader): reader.transcriptCount
        }
    }

    /// The transcript id at `position`, as the core stores it.
    @inline(__always) package func transcriptId(at position: Int) throws -> String {
        switch self {
        case let .memory(index): index.transcriptIds[position]
        case let .file(reader): try reader.transcriptId(at: position)
        }
    }

    /// Whether `transcriptId` is one of the core's transcript ids exactly.
    package func contains(transcriptId: String) throws -> Bool {
        switch self {
        case let .memory(index): index.contains(transcriptId: transcriptId)
        case let .file(reader): try reader.contains(transcriptId: transcriptId)
        }
    }

    /// A walk over the core's transcript ids in bytewise order.
    package func sortedIds() throws -> SortedCoreIds { try SortedCoreIds(self) }
}

/// The core's transcript ids in bytewise order, walked alongside another sorted list: asked
/// ids in ascending order, it says which the core has, in one pass.
///
/// The walk jumps where the asked ids are sparse: a patient of 20 rows against a core of
/// 385,000 transcripts looks at a few dozen ids, not the whole core (10,000 such patients
/// walked the core 10,000 times). In memory it gallops (steps of 1, 2, 4, ... then a binary
/// search); in the index file it seeks the id once a few steps have not reached it.
package struct SortedCoreIds {
    private let ids: [String]
    private var position = 0
    private let statement: SQLiteStatement?
    private var current: String?
    /// Steps through the index file before a seek.
    private static let stepsBeforeSeek = 16

    init(_ core: CoreLookup) throws {
        switch core {
        case let .memory(index):
            ids = index.transcriptIds
            statement = nil
        case let .file(reader):
            ids = []
            statement = try reader.sortedIds()
            try statement!.bind(1, "")
            current = try statement!.step() ? statement!.text(0) ?? "" : nil
        }
    }

    /// Whether the core has `id`; each call's id sorts (bytewise) at or after the previous one's.
    package mutating func contains(_ id: String) throws -> Bool {
        guard let statement else {
            position = Self.firstNotBefore(id, in: ids, from: position)
            return position < ids.count && Self.compare(ids[position], id) == 0
        }
        var steps = 0
        while let known = current, Self.compare(known, id) < 0 {
            steps += 1
            if steps > Self.stepsBeforeSeek {
                statement.reset()
                try statement.bind(1, id)
            }
            current = try statement.step() ? statement.text(0) ?? "" : nil
        }
        return current.map { Self.compare($0, id) == 0 } ?? false
    }

    /// The first index at or after `start` whose id does not sort before `id` (`ids.count` if
    /// none): steps doubling from `start` until one does not, then a binary search below it.
    static func firstNotBefore(_ id: String, in ids: [String], from start: Int) -> Int {
        guard start < ids.count, compare(ids[start], id) < 0 else { return start }
        // ids[low] sorts before id; ids[high] (when in range) does not.
        var (low, step) = (start, 1)
        var high = start + 1
        while high < ids.count, compare(ids[high], id) < 0 {
            low = high
            step *= 2
            high = start + step
        }
        return lowerBound(id, in: ids, within: (low + 1)..<min(high, ids.count))
    }

    /// The first index of `range` whose id does not sort before `id` (`range.upperBound` if
    /// none), `ids` being sorted bytewise: a binary search.
    static func lowerBound(_ id: String, in ids: [String], within range: Range<Int>) -> Int {
        var (low, high) = (range.lowerBound, range.upperBound)
        while low < high {
            let middle = low + (high - low) / 2
            if compare(ids[middle], id) < 0 { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The bytewise order of two texts, as SQLite's BINARY collation sorts them.
    private static func compare(_ left: String, _ right: String) -> Int { left.utf8.span.compare(right.utf8.span) }
}

/// The core as a run of `patients` holds it (``PatientMemory``): the in-memory index every
/// patient shares, or the index file each patient opens.
package enum PatientCore: Sendable {
    case memory(CoreTranscriptIndex)
    case file(CoreTranscriptFile)

    package var transcriptCount: Int {
        switch self {
        case let .memory(index): index.transcriptIds.count
        case let .file(file): file.transcriptCount
        }
    }

    package var geneCount: Int {
        switch self {
        case let .memory(index): index.geneCount
        case let .file(file): file.geneCount
        }
    }
}
