import CSQLite
import Foundation

/// How a gene id or symbol in a patient file maps to transcripts (`--symbol-mapping`).
public enum SymbolMapping: String, CaseIterable, Sendable, Codable {
    /// The gene's canonical transcript only: lowest transcript support level, then smallest
    /// transcript id (SPEC 5.2).
    case canonical
    /// Every transcript of the gene.
    case allTranscripts = "all-transcripts"
}

/// The core's transcripts, genes and symbols in memory, for matching patient ids (SPEC 5.2).
///
/// Loaded once per run and shared read-only by every worker thread. A transcript is known by
/// its position in ``transcriptIds`` (sorted bytewise, as SQLite sorts text), so a patient's
/// values can live in arrays indexed by transcript and come out in transcript-id order.
public final class CoreTranscriptIndex: Sendable {
    /// The core's transcript ids as stored, sorted.
    public let transcriptIds: [String]
    /// Number of genes that have transcripts.
    public let geneCount: Int
    /// Normalized transcript id → position.
    private let transcriptByKey: [String: Int32]
    /// Positions 0..<n (each transcript's own span), then each gene's and each symbol's
    /// transcripts, canonical first.
    private let members: [Int32]
    /// Normalized gene id → its transcripts in `members`.
    private let geneByKey: [String: Span]
    /// ASCII-lower-cased symbol → the transcripts of every gene with that symbol in `members`.
    private let symbolByKey: [String: Span]

    private struct Span: Sendable {
        var start: Int32
        var count: Int32
    }

    /// What a patient id matched.
    public enum MatchKind: String, Sendable {
        case transcript, gene, symbol
    }

    /// A matched id: how it matched and the transcripts (positions) that get its value.
    public struct Match {
        public var kind: MatchKind
        public var targets: ArraySlice<Int32>
    }

    /// One transcript row of the core, as loaded.
    public struct Row: Sendable {
        public var transcriptId: String
        public var geneId: String
        /// `transcript_support_level`: 1 (best) to 5; nil when unknown, which ranks last.
        public var supportLevel: Int?
        public var geneSymbol: String?

        public init(transcriptId: String, geneId: String, supportLevel: Int?, geneSymbol: String?) {
            self.transcriptId = transcriptId
            self.geneId = geneId
            self.supportLevel = supportLevel
            self.geneSymbol = geneSymbol
        }
    }

    /// Loads `transcripts` and `genes` of a core SQLite made by `convert`.
    public static func load(path: String) throws -> CoreTranscriptIndex {
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
        var rows: [Row] = []
        while try statement.step() {
            rows.append(Row(transcriptId: statement.text(0) ?? "", geneId: statement.text(1) ?? "",
                            supportLevel: supportLevel(statement, column: 2), geneSymbol: statement.text(3)))
        }
        return CoreTranscriptIndex(sortedRows: rows)
    }

    /// A support level stored as a number, or as Ensembl's text (`1 (assigned to previous version 5)`).
    private static func supportLevel(_ statement: SQLiteStatement, column: Int) -> Int? {
        switch statement.storageClass(column) {
        case SQLITE_INTEGER, SQLITE_FLOAT: return Int(statement.int64(column))
        case SQLITE_TEXT: return Int(String((statement.text(column) ?? "").trimmingWhitespace.prefix { $0.isASCII && $0.isNumber }))
        default: return nil
        }
    }

    /// Builds the index from rows sorted by transcript id (bytewise).
    public init(sortedRows rows: [Row]) {
        transcriptIds = rows.map(\.transcriptId)
        var members = (0..<Int32(rows.count)).map { $0 }
        var transcriptByKey: [String: Int32] = [:]
        transcriptByKey.reserveCapacity(rows.count)
        var transcriptsOfGene: [String: [Int32]] = [:]
        var symbolOfGene: [String: String] = [:]
        for (position, row) in rows.enumerated() {
            let key = Identifiers.normalizedEnsemblId(row.transcriptId)
            if transcriptByKey[key] == nil { transcriptByKey[key] = Int32(position) }
            let gene = Identifiers.normalizedEnsemblId(row.geneId)
            transcriptsOfGene[gene, default: []].append(Int32(position))
            if let symbol = row.geneSymbol?.trimmingWhitespace, !symbol.isEmpty { symbolOfGene[gene] = symbol }
        }
        // Canonical first: lowest support level (unknown last), then smallest transcript id.
        let rank = rows.map { Int32(clamping: $0.supportLevel ?? Int(Int32.max)) }
        func canonicalOrder(_ positions: [Int32]) -> [Int32] {
            positions.sorted { rank[Int($0)] != rank[Int($1)] ? rank[Int($0)] < rank[Int($1)] : $0 < $1 }
        }
        func append(_ positions: [Int32]) -> Span {
            let span = Span(start: Int32(members.count), count: Int32(positions.count))
            members.append(contentsOf: canonicalOrder(positions))
            return span
        }
        var geneByKey: [String: Span] = [:]
        var genesOfSymbol: [String: [String]] = [:]
        for gene in transcriptsOfGene.keys.sorted() {
            geneByKey[gene] = append(transcriptsOfGene[gene]!)
            if let symbol = symbolOfGene[gene] { genesOfSymbol[Self.asciiLowercased(symbol), default: []].append(gene) }
        }
        var symbolByKey: [String: Span] = [:]
        for symbol in genesOfSymbol.keys.sorted() {
            symbolByKey[symbol] = append(genesOfSymbol[symbol]!.flatMap { transcriptsOfGene[$0]! })
        }
        self.members = members
        self.transcriptByKey = transcriptByKey
        self.geneByKey = geneByKey
        self.symbolByKey = symbolByKey
        geneCount = transcriptsOfGene.count
    }

    /// The transcripts a patient id stands for: a transcript id (after the id rules of SPEC 4.1:
    /// trimmed, `ensembl:` dropped, version stripped, `ENS` upper-cased) is itself; a gene id or
    /// a symbol (case-insensitive) is its gene's canonical transcript, or every transcript of
    /// the gene with `.allTranscripts`. A symbol several genes share stands for their
    /// transcripts together: the canonical one across them, or all. Nil when nothing matches.
    public func match(_ id: UnsafeBufferPointer<UInt8>, mapping: SymbolMapping) -> Match? {
        let key = Identifiers.normalizedEnsemblId(id)
        if let position = transcriptByKey[key] {
            let start = Int(position)
            return Match(kind: .transcript, targets: members[start..<(start + 1)])
        }
        if let span = geneByKey[key] { return Match(kind: .gene, targets: targets(span, mapping)) }
        if let span = symbolByKey[Self.asciiLowercased(key)] { return Match(kind: .symbol, targets: targets(span, mapping)) }
        return nil
    }

    private func targets(_ span: Span, _ mapping: SymbolMapping) -> ArraySlice<Int32> {
        let start = Int(span.start)
        return members[start..<(start + (mapping == .canonical ? 1 : Int(span.count)))]
    }

    /// Whether the core has exactly this transcript id.
    public func contains(transcriptId: String) -> Bool {
        guard let position = transcriptByKey[Identifiers.normalizedEnsemblId(transcriptId)] else { return false }
        return transcriptIds[Int(position)] == transcriptId
    }

    /// ASCII letters lower-cased, other characters kept: symbols are compared case-insensitively
    /// the same way on every machine, whatever the locale.
    static func asciiLowercased(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return text }
        return String(decoding: text.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
