import Foundation
import MediabaseBytes
import MediabaseSQLite
import MediabaseModel

/// How a gene id or symbol in a patient file maps to transcripts (`--symbol-mapping`).
package enum SymbolMapping: String, CaseIterable, Sendable, Codable {
    /// The gene's canonical transcript only: lowest transcript support level, then smallest
    /// transcript id (docs/spec.md §5.2).
    case canonical
    /// Every transcript of the gene.
    case allTranscripts = "all-transcripts"
}

/// The core's transcripts, genes and symbols in memory, for matching patient ids (docs/spec.md §5.2).
///
/// Loaded once per run and shared read-only by every worker thread. A transcript is known by
/// its position in ``transcriptIds`` (sorted bytewise, as SQLite sorts text), so a patient's
/// values can live in arrays indexed by transcript and come out in transcript-id order.
package final class CoreTranscriptIndex: Sendable {
    /// The core's transcript ids as stored, sorted.
    package let transcriptIds: [String]
    /// Number of genes that have transcripts.
    package let geneCount: Int
    /// Normalized transcript id → position.
    private let transcriptByKey: IdTable
    /// Positions 0..<n (each transcript's own span), then each gene's and each symbol's
    /// transcripts, the canonical ones first. A ``Match`` is a range of it.
    let members: [Int32]
    /// Normalized gene id → index in `spans` of its transcripts in `members`.
    private let geneByKey: IdTable
    /// ASCII-lower-cased symbol → index in `spans` of the transcripts of every gene with that
    /// symbol in `members`.
    private let symbolByKey: IdTable
    private let spans: [MemberSpan]
    /// The symbols several genes share, as the core spells them (the first gene's spelling),
    /// by span index: what reports name.
    private let sharedSymbolNames: [Int32: String]

    /// A gene's or symbol's transcripts in `members`: `canonical` of them first (one per gene,
    /// each gene's canonical transcript), then the others.
    private struct MemberSpan: Sendable {
        var start: Int32
        var count: Int32
        var canonical: Int32
    }

    /// What a patient id matched.
    package enum MatchKind: String, Sendable {
        case transcript, gene, symbol
    }

    /// A matched id: how it matched and where in `members` the transcripts that get its value are.
    package struct Match: Sendable {
        package var kind: MatchKind
        let members: Range<Int>
        /// For a symbol several genes share: its span, which ``sharedSymbol(of:)`` names; else -1.
        let sharedSpan: Int32

        /// Whether the id is a symbol several genes of the core share (docs/spec.md §5.2: its value goes
        /// to each of those genes).
        package var isSharedSymbol: Bool { sharedSpan >= 0 }
    }

    /// One transcript row of the core, as loaded.
    package struct Row: Sendable {
        package var transcriptId: String
        package var geneId: String
        /// `transcript_support_level`: 1 (best) to 5; nil when unknown, which ranks last.
        package var supportLevel: Int?
        package var geneSymbol: String?

        package init(transcriptId: String, geneId: String, supportLevel: Int?, geneSymbol: String?) {
            self.transcriptId = transcriptId
            self.geneId = geneId
            self.supportLevel = supportLevel
            self.geneSymbol = geneSymbol
        }
    }

    /// Loads `transcripts` and `genes` of a core SQLite made by `convert`.
    package static func load(path: String) throws -> CoreTranscriptIndex {
        let source = try openRows(path: path)
        var rows: [Row] = []
        while let row = try source.next() { rows.append(row) }
        return CoreTranscriptIndex(sortedRows: rows)
    }

    /// The transcript rows of a core, in transcript-id order (bytewise), one at a time.
    final class RowSource {
        private let database: SQLiteDatabase
        private let statement: SQLiteStatement

        fileprivate init(database: SQLiteDatabase, statement: SQLiteStatement) {
            self.database = database
            self.statement = statement
        }

        func next() throws -> Row? {
            guard try statement.step() else { return nil }
            return Row(transcriptId: statement.text(0) ?? "", geneId: statement.text(1) ?? "",
                       supportLevel: CoreTranscriptIndex.supportLevel(statement, column: 2), geneSymbol: statement.text(3))
        }
    }

    /// Opens the core SQLite at `path` and checks that it has `transcripts` and `genes`.
    static func openRows(path: String) throws -> RowSource {
        guard FileManager.default.fileExists(atPath: path) else { throw MediabaseError.io(path: path, message: "no such core database") }
        let database = try SQLiteDatabase(path: path, readOnly: true)
        let tables = Set(try database.rows("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0[0] })
        guard tables.contains("transcripts"), tables.contains("genes") else {
            throw MediabaseError.unsupportedInput(SourceLocation(file: path), reason: "not a mediabase core: it has no transcripts and genes tables (make one with mediabase convert)")
        }
        let statement = try database.prepare("""
            SELECT t.transcript_id, t.gene_id, t.transcript_support_level, g.gene_symbol
            FROM transcripts t LEFT JOIN genes g ON g.gene_id = t.gene_id
            WHERE t.transcript_id IS NOT NULL ORDER BY t.transcript_id
            """)
        return RowSource(database: database, statement: statement)
    }

    /// The transcripts and genes of the core at `path`, as counted by `count(*)`: what sizes
    /// the index before it is loaded.
    package static func countRows(path: String) throws -> (transcripts: Int, genes: Int) {
        _ = try openRows(path: path)
        let database = try SQLiteDatabase(path: path, readOnly: true)
        return (try database.integer("SELECT count(*) FROM transcripts WHERE transcript_id IS NOT NULL"),
                try database.integer("SELECT count(*) FROM genes"))
    }

    /// Where a transcript ranks among its gene's for the canonical one (lowest first): its
    /// support level, unknown last.
    static func rank(_ supportLevel: Int?) -> Int32 { Int32(clamping: supportLevel ?? Int(Int32.max)) }

    /// A support level stored as a number, or as Ensembl's text (`1 (assigned to previous version 5)`).
    private static func supportLevel(_ statement: SQLiteStatement, column: Int) -> Int? {
        switch statement.storageClass(column) {
        case .integer, .float: return Int(statement.int64(column))
        case .text: return Int(String((statement.text(column) ?? "").trimmingWhitespace.prefix { $0.isASCII && $0.isNumber }))
        default: return nil
        }
    }

    /// Builds the index from rows sorted by transcript id (bytewise).
    package init(sortedRows rows: [Row]) {
        transcriptIds = rows.map(\.transcriptId)
        var members = (0..<Int32(rows.count)).map { $0 }
        var transcriptsOfGene: [String: [Int32]] = [:]
        var symbolOfGene: [String: String] = [:]
        for (position, row) in rows.enumerated() {
            let gene = Self.lookupKey(row.geneId)
            transcriptsOfGene[gene, default: []].append(Int32(position))
            if var symbol = row.geneSymbol {
                symbol = Identifiers.trimmedText(symbol.utf8.span)
                if !symbol.isEmpty { symbolOfGene[gene] = symbol }
            }
        }
        // Canonical first: lowest support level (unknown last), then smallest transcript id.
        let rank = rows.map { Self.rank($0.supportLevel) }
        func canonicalOrder(_ positions: [Int32]) -> [Int32] {
            positions.sorted { rank[Int($0)] != rank[Int($1)] ? rank[Int($0)] < rank[Int($1)] : $0 < $1 }
        }
        var spans: [MemberSpan] = []
        /// Appends the transcripts of `genes` (each in canonical order): every gene's canonical
        /// transcript, then the rest.
        func append(_ genes: [[Int32]]) -> Int32 {
            spans.append(MemberSpan(start: Int32(members.count), count: Int32(genes.reduce(0) { $0 + $1.count }), canonical: Int32(genes.count)))
            members.append(contentsOf: genes.map { $0[0] })
            for gene in genes { members.append(contentsOf: gene.dropFirst()) }
            return Int32(spans.count - 1)
        }
        var genes: [(key: String, value: Int32)] = []
        var ordered: [String: [Int32]] = [:]
        var genesOfSymbol: [String: [String]] = [:]
        for gene in transcriptsOfGene.keys.sorted() {
            let transcripts = canonicalOrder(transcriptsOfGene[gene]!)
            ordered[gene] = transcripts
            genes.append((gene, append([transcripts])))
            if let symbol = symbolOfGene[gene] { genesOfSymbol[Self.asciiLowercased(symbol), default: []].append(gene) }
        }
        var sharedSymbolNames: [Int32: String] = [:]
        let symbols = genesOfSymbol.keys.sorted().map { symbol in
            let owners = genesOfSymbol[symbol]!
            let span = append(owners.map { ordered[$0]! })
            if owners.count > 1 { sharedSymbolNames[span] = symbolOfGene[owners[0]]! }
            return (key: symbol, value: span)
        }
        transcriptByKey = IdTable(rows.enumerated().map { (Self.lookupKey($0.element.transcriptId), Int32($0.offset)) })
        geneByKey = IdTable(genes)
        symbolByKey = IdTable(symbols)
        self.members = members
        self.spans = spans
        self.sharedSymbolNames = sharedSymbolNames
        geneCount = transcriptsOfGene.count
    }

    /// The transcripts a patient id stands for: a transcript id (after the id rules of docs/spec.md §4.1:
    /// trimmed, `ensembl:` dropped, version stripped, `ENS` upper-cased) is itself; a gene id or
    /// a symbol (case-insensitive) is its gene's canonical transcript, or every transcript of
    /// the gene with `.allTranscripts`. A symbol several genes share (`Metazoa_SRP`) stands for
    /// each of those genes: every one's canonical transcript, or with `.allTranscripts` every
    /// transcript of each. Nil when nothing matches.
    package func match(_ raw: Span<UInt8>, mapping: SymbolMapping) -> Match? {
        let id = Identifiers.trimmed(raw)
        // Nearly every file's ids are upper-case Ensembl ids, with or without a version: their
        // key is a prefix of the bytes, no allocation needed.
        if let length = Self.canonicalEnsemblLength(id) { return match(key: id.extracting(0..<length), mapping: mapping) }
        let key = Identifiers.normalizedEnsemblId(id)
        return match(key: key.utf8.span, mapping: mapping)
    }

    private func match(key: Span<UInt8>, mapping: SymbolMapping) -> Match? {
        if let position = transcriptByKey.value(for: key) {
            let start = Int(position)
            return Match(kind: .transcript, members: start..<(start + 1), sharedSpan: -1)
        }
        if let span = geneByKey.value(for: key) { return Match(kind: .gene, members: range(spans[Int(span)], mapping), sharedSpan: -1) }
        guard !key.isEmpty else { return nil }
        let symbol: Int32?
        if key.count <= Self.shortSymbolLength {
            // Lower-cased on the stack: no allocation per row for the usual symbol.
            var lowered = InlineArray<32, UInt8>(repeating: 0)
            for index in 0..<key.count { lowered[index] = Self.asciiLowercased(key[index]) }
            symbol = symbolByKey.value(for: lowered.span.extracting(0..<key.count))
        } else {
            var lowered = [UInt8](key)
            for index in lowered.indices { lowered[index] = Self.asciiLowercased(lowered[index]) }
            symbol = symbolByKey.value(for: lowered.span)
        }
        return symbol.map { Match(kind: .symbol, members: range(spans[Int($0)], mapping), sharedSpan: spans[Int($0)].canonical > 1 ? $0 : -1) }
    }

    /// Longest symbol lower-cased on the stack (the size of the `InlineArray` in ``match(key:mapping:)``).
    private static let shortSymbolLength = 32

    /// The transcripts (positions in ``transcriptIds``) a match stands for.
    package func targets(of match: Match) -> ArraySlice<Int32> { members[match.members] }

    /// The core's spelling of a symbol several genes share, for a match of one; nil otherwise.
    package func sharedSymbol(of match: Match) -> String? { match.isSharedSymbol ? sharedSymbolNames[match.sharedSpan] : nil }

    /// Whether `transcriptId` is one of ``transcriptIds`` exactly (a binary search: they are
    /// sorted bytewise).
    func contains(transcriptId: String) -> Bool {
        let index = SortedCoreIds.lowerBound(transcriptId, in: transcriptIds, within: transcriptIds.indices)
        return index < transcriptIds.count && transcriptIds[index] == transcriptId
    }

    private func range(_ span: MemberSpan, _ mapping: SymbolMapping) -> Range<Int> {
        let start = Int(span.start)
        return start..<(start + Int(mapping == .canonical ? span.canonical : span.count))
    }

    /// The length of the id rules' result when `id` is `ENS`, upper-case letters and digits,
    /// optionally followed by a version (`ENST00000269305.4`): the part before the version.
    /// Nil for any other shape, which takes the general rules of ``Identifiers``.
    private static func canonicalEnsemblLength(_ id: Span<UInt8>) -> Int? {
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard id.count > 4, id[0] == UInt8(ascii: "E"), id[1] == UInt8(ascii: "N"), id[2] == UInt8(ascii: "S") else { return nil }
        var index = 3
        while index < id.count, isUpper(id[index]) { index += 1 }
        let digits = index
        while index < id.count, isDigit(id[index]) { index += 1 }
        guard index > digits else { return nil }
        if index < id.count {
            guard id[index] == UInt8(ascii: "."), index + 1 < id.count else { return nil }
            for version in (index + 1)..<id.count where !isDigit(id[version]) { return nil }
        }
        return index
    }

    /// The lookup key of a patient id (already trimmed), as ``match(_:mapping:)`` computes it.
    static func matchKey(_ id: Span<UInt8>) -> String {
        if let length = canonicalEnsemblLength(id) { return String(utf8: id.extracting(0..<length)) }
        return Identifiers.normalizedEnsemblId(id)
    }

    /// The id rules applied to a core id, which is nearly always already in canonical form.
    static func lookupKey(_ id: String) -> String {
        let bytes = id.utf8.span
        return canonicalEnsemblLength(bytes) == bytes.count ? id : Identifiers.normalizedEnsemblId(bytes)
    }

    @inline(__always) private static func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }

    @inline(__always) private static func asciiLowercased(_ byte: UInt8) -> UInt8 { isUpper(byte) ? byte | 0x20 : byte }

    /// ASCII letters lower-cased, other characters kept: symbols are compared case-insensitively
    /// the same way on every machine, whatever the locale.
    static func asciiLowercased(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return text }
        return String(decoding: text.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
