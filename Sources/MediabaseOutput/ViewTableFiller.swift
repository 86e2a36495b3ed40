import Foundation
import MediabaseBytes
import MediabaseSQLite
import MediabaseModel

/// Fills the view tables whose SQL form is slow in SQLite from index scans that are already in
/// the table's order, so no view needs a sort or a temporary table per row.
///
/// The rows are those of the PostgreSQL materialized view of the same name
/// (`schemas/postgres/views.pg.sql`): lists are JSON arrays as SQLite's `json_group_array`
/// writes them, ordered by bytes (`COLLATE "C"`), NULL symbols first. Each fill relies on a
/// covering index of `indexes.sqlite.sql` that starts with the view's key.
struct ViewTableFiller {
    let database: SQLiteDatabase
    /// The budget of the cross-reference view's in-memory lookup (see ``GeneTranscriptTable``);
    /// 0 makes it seek instead.
    var lookupLimitBytes = GeneTranscriptTable.defaultLimitBytes
    /// False while the core's lookup indexes are still being built on another connection: the
    /// fills then sort their own input, and a fill that would seek by gene without an index
    /// (the cross-reference view over its lookup budget) is left undone.
    var lookupIndexesBuilt = true

    init(database: SQLiteDatabase, lookupLimitBytes: Int = GeneTranscriptTable.defaultLimitBytes, lookupIndexesBuilt: Bool = true) {
        self.database = database
        self.lookupLimitBytes = lookupLimitBytes
        self.lookupIndexesBuilt = lookupIndexesBuilt
    }

    /// The view tables this type fills; `views.sqlite.sql` declares them without a query.
    static let filledTables: Set<String> = [
        "transcript_enrichment_view", "drug_interaction_summary_view", "publication_summary_view",
        "cross_reference_lookup_view", "patient_query_optimized_view",
    ]

    /// Fills `table`, created empty. `patient_query_optimized_view` also fills
    /// `transcript_enrichment_view` (created before it, in the same job) in the same walk of
    /// the transcripts.
    /// - Returns: false when the fill was left undone for want of the lookup indexes (see
    ///   ``lookupIndexesBuilt``); the table is then still empty.
    @discardableResult
    func fill(_ table: String) throws -> Bool {
        switch table {
        case "transcript_enrichment_view": break
        case "patient_query_optimized_view": try fillTranscriptViews()
        case "drug_interaction_summary_view": try fillDrugInteractionSummary()
        case "publication_summary_view": try fillPublicationSummary()
        case "cross_reference_lookup_view": return try fillCrossReferenceLookup()
        default: throw MediabaseError.io(path: database.path, message: "no filler for view table \(table)")
        }
        return true
    }

    /// One row per drug: how many genes it targets and their symbols.
    private func fillDrugInteractionSummary() throws {
        let drugs = try database.prepare("SELECT drug_interaction_id, drug_name, source_database FROM drug_interactions ORDER BY drug_interaction_id")
        let targets = try database.prepare("SELECT drug_interaction_id, gene_id FROM gene_drug_interactions ORDER BY drug_interaction_id, gene_id")
        let insert = try database.prepare("INSERT INTO drug_interaction_summary_view VALUES (?, ?, ?, ?, ?)")
        let symbols = GeneSymbols(database: try database.prepare("SELECT gene_symbol FROM genes WHERE gene_id = ?"))
        var target = try targets.step() ? targets.int64(0) : nil
        var genes = DistinctList<[UInt8]?>()
        while try drugs.step() {
            let id = drugs.int64(0)
            genes.removeAll()
            while let current = target, current <= id {
                if current == id { genes.append(Bytes.copy(targets.textBytes(1))) }
                target = try targets.step() ? targets.int64(0) : nil
            }
            try insert.bind(1, id)
            try insert.bind(2, bytes: drugs.textBytes(1))
            try insert.bind(3, bytes: drugs.textBytes(2))
            try insert.bind(4, Int64(genes.count))
            try insert.bind(5, bytes: try symbols.sortedSymbolsJSON(of: genes.elements))
            try insert.run()
        }
    }

    /// One row per pmid: its genes (count and symbols) and its reference categories.
    private func fillPublicationSummary() throws {
        let links = try database.prepare("SELECT pmid, gene_id, reference_category FROM gene_publications ORDER BY pmid, gene_id, reference_category")
        let insert = try database.prepare("INSERT INTO publication_summary_view VALUES (?, ?, ?, ?)")
        let symbols = GeneSymbols(database: try database.prepare("SELECT gene_symbol FROM genes WHERE gene_id = ?"))
        var pmid: [UInt8] = []
        var genes = DistinctList<[UInt8]?>()
        var categories = DistinctList<[UInt8]?>()
        var open = false
        func flush() throws {
            guard open else { return }
            try insert.bind(1, bytes: pmid)
            try insert.bind(2, Int64(genes.count))
            try insert.bind(3, bytes: try symbols.sortedSymbolsJSON(of: genes.elements))
            try insert.bind(4, bytes: JSONArray.strings(categories.elements.sorted(by: Bytes.precedes)))
            try insert.run()
        }
        while try links.step() {
            guard let key = links.textBytes(0) else { continue }
            if !open || !key.elementsEqual(pmid) {
                try flush()
                pmid = Array(key)
                genes.removeAll()
                categories.removeAll()
                open = true
            }
            genes.append(Bytes.copy(links.textBytes(1)))
            categories.append(Bytes.copy(links.textBytes(2)))
        }
        try flush()
    }

    /// One row per (external_db, external_id): the smallest gene id that carries it (directly
    /// or through one of its transcripts), that gene's symbol, and every transcript it reaches:
    /// all transcripts of a gene that carries it, and each transcript that carries it itself.
    ///
    /// The genes' transcripts and symbols come from a ``GeneTranscriptTable`` when they fit its
    /// budget (`lookupLimitBytes`), else from a seek per cross-reference: the same rows.
    private func fillCrossReferenceLookup() throws -> Bool {
        let table = try GeneTranscriptTable.load(from: database, limitBytes: lookupLimitBytes)
        // Without the table each gene's transcripts are a seek, a scan without the index.
        if table == nil && !lookupIndexesBuilt { return false }
        let geneReferences = try database.prepare("SELECT external_db, external_id, gene_id FROM gene_cross_references ORDER BY external_db, external_id, gene_id")
        // Without the table, the join gives each transcript's gene; with it, a transcript the
        // table lacks is skipped as the join would drop it.
        let transcriptReferences = try database.prepare(table != nil
            ? "SELECT external_db, external_id, transcript_id FROM transcript_cross_references ORDER BY external_db, external_id"
            : """
            SELECT x.external_db, x.external_id, x.transcript_id, tr.gene_id
            FROM transcript_cross_references x JOIN transcripts tr USING (transcript_id)
            ORDER BY x.external_db, x.external_id
            """)
        let geneTranscripts = try database.prepare("SELECT transcript_id FROM transcripts WHERE gene_id = ?")
        let symbol = try database.prepare("SELECT gene_symbol FROM genes WHERE gene_id = ?")
        let insert = try database.prepare("INSERT INTO cross_reference_lookup_view VALUES (?, ?, ?, ?, ?)")

        // The current key, its smallest gene and its transcripts live in buffers reused from key
        // to key: the view has a row for every external id.
        var keyDatabase: [UInt8] = [], keyIdentifier: [UInt8] = [], smallestGene: [UInt8] = []
        var hasGene = false
        var transcripts = ByteStrings()
        var json: [UInt8] = []
        func consider(_ gene: Span<UInt8>?) {
            guard let gene, !hasGene || gene.compare(smallestGene.span) < 0 else { return }
            smallestGene.replace(with: gene)
            hasGene = true
        }
        // The key columns are NOT NULL; a NULL would read as empty here and in the key alike.
        func hasKey(_ statement: SQLiteStatement) -> Bool {
            Bytes.equalsKey(statement.textBytes(0), keyDatabase) && Bytes.equalsKey(statement.textBytes(1), keyIdentifier)
        }
        /// The gene number of the current transcript reference's transcript (with the table).
        var transcriptGene: Int?
        /// Steps to the next transcript reference whose transcript the core has.
        func nextTranscriptReference() throws -> Bool {
            while try transcriptReferences.step() {
                guard let table else { return true }
                if let transcript = transcriptReferences.textBytes(2) {
                    transcriptGene = table.geneOfTranscript(transcript)
                } else {
                    transcriptGene = nil
                }
                if transcriptGene != nil { return true }
            }
            return false
        }
        var geneRow = try geneReferences.step()
        var transcriptRow = try nextTranscriptReference()
        while geneRow || transcriptRow {
            var fromGene = geneRow
            if geneRow && transcriptRow {
                let order = Bytes.compare(geneReferences.textBytes(0), transcriptReferences.textBytes(0))
                fromGene = order < 0 || (order == 0 && Bytes.compare(geneReferences.textBytes(1), transcriptReferences.textBytes(1)) <= 0)
            }
            let source = fromGene ? geneReferences : transcriptReferences
            keyDatabase.replace(with: source.textBytes(0))
            keyIdentifier.replace(with: source.textBytes(1))
            hasGene = false
            transcripts.removeAll()
            while geneRow && hasKey(geneReferences) {
                consider(geneReferences.textBytes(2))
                if let table {
                    if let bytes = geneReferences.textBytes(2), let gene = table.geneIndex(bytes) {
                        table.forEachTranscript(ofGene: gene) { transcripts.append($0) }
                    }
                } else {
                    try geneTranscripts.bind(1, bytes: geneReferences.textBytes(2))
                    while try geneTranscripts.step() {
                        if let id = geneTranscripts.textBytes(0) { transcripts.append(id) }
                    }
                    geneTranscripts.reset()
                }
                geneRow = try geneReferences.step()
            }
            while transcriptRow && hasKey(transcriptReferences) {
                if let table, let gene = transcriptGene {
                    table.withGeneId(gene) { consider($0) }
                } else {
                    consider(transcriptReferences.textBytes(3))
                }
                if let id = transcriptReferences.textBytes(2) { transcripts.append(id) }
                transcriptRow = try nextTranscriptReference()
            }
            transcripts.writeSortedDistinctJSON(to: &json)

            try insert.bind(1, bytes: keyDatabase)
            try insert.bind(2, bytes: keyIdentifier)
            if hasGene {
                try insert.bind(3, bytes: smallestGene)
                if let table {
                    if let gene = table.geneIndex(smallestGene.span) {
                        try table.withSymbol(ofGene: gene) { try insert.bind(4, bytes: $0) }
                    } else {
                        try insert.bindNull(4)
                    }
                } else {
                    try symbol.bind(1, bytes: smallestGene)
                    if try symbol.step() { try insert.bind(4, bytes: symbol.textBytes(0)) } else { try insert.bindNull(4) }
                    symbol.reset()
                }
            } else {
                try insert.bindNull(3)
                try insert.bindNull(4)
            }
            try insert.bind(5, bytes: json)
            try insert.run()
        }
        return true
    }
}

/// Looks up gene symbols and writes a gene list as a JSON array of symbols ordered by symbol
/// (NULL first, as SQLite sorts) and then by gene id.
private struct GeneSymbols {
    let database: SQLiteStatement

    func sortedSymbolsJSON(of genes: [[UInt8]?]) throws -> [UInt8] {
        var pairs: [(symbol: [UInt8]?, gene: [UInt8])] = []
        pairs.reserveCapacity(genes.count)
        for case let gene? in genes {
            try database.bind(1, bytes: gene)
            let symbol = try database.step() ? Bytes.copy(database.textBytes(0)) : nil
            database.reset()
            pairs.append((symbol, gene))
        }
        pairs.sort { left, right in
            switch (left.symbol, right.symbol) {
            case let (l?, r?) where l != r: return Bytes.precedes(l, r)
            case (nil, _?): return true
            case (_?, nil): return false
            default: return Bytes.precedes(left.gene, right.gene)
            }
        }
        return JSONArray.strings(pairs.map(\.symbol))
    }
}

/// Byte-string order of SQLite's BINARY collation: `memcmp`, then the shorter first.
enum Bytes {
    /// `memcmp` order, the shorter first on a tie; NULL (nil) first.
    static func compare(_ left: Span<UInt8>?, _ right: Span<UInt8>?) -> Int {
        guard let left else { return right == nil ? 0 : -1 }
        guard let right else { return 1 }
        return left.compare(right)
    }

    /// Whether a key column's value equals `key`, NULL reading as empty.
    static func equalsKey(_ value: Span<UInt8>?, _ key: [UInt8]) -> Bool {
        guard let value else { return key.isEmpty }
        return value.elementsEqual(key)
    }

    /// A copy of the bytes; nil for NULL.
    static func copy(_ bytes: Span<UInt8>?) -> [UInt8]? {
        guard let bytes else { return nil }
        return Array(bytes)
    }

    static func precedes(_ left: [UInt8]?, _ right: [UInt8]?) -> Bool {
        switch (left, right) {
        case let (l?, r?): return l.lexicographicallyPrecedes(r)
        case (nil, _?): return true
        default: return false
        }
    }
}

/// JSON arrays of strings written as SQLite's `json_group_array` writes them.
enum JSONArray {
    static func strings<S: Sequence>(_ values: S) -> [UInt8] where S.Element == [UInt8]? {
        var out: [UInt8] = [UInt8(ascii: "[")]
        var first = true
        for value in values {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            if let value {
                JSON.appendString(value.span, to: &out)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        }
        out.append(UInt8(ascii: "]"))
        return out
    }
}

/// Byte strings kept end to end in one buffer, for lists rebuilt for every row of a view.
private struct ByteStrings {
    private var bytes: [UInt8] = []
    private var spans: [Range<Int>] = []

    mutating func append(_ value: Span<UInt8>) {
        spans.append(bytes.count..<(bytes.count + value.count))
        bytes.append(value)
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
    }

    /// Sorts ranges of `strings` by their bytes.
    private static func sort(_ ranges: inout [Range<Int>], of strings: Span<UInt8>) {
        ranges.sort { strings.extracting($0).compare(strings.extracting($1)) < 0 }
    }

    /// Writes the distinct strings in byte order as a JSON array, as `json_group_array` would.
    mutating func writeSortedDistinctJSON(to out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.append(UInt8(ascii: "["))
        let bytes = bytes
        let strings = bytes.span
        Self.sort(&spans, of: strings)
        var previous: Range<Int>?
        for span in spans {
            let string = strings.extracting(span)
            if let previous, strings.extracting(previous).elementsEqual(string) { continue }
            if previous != nil { out.append(UInt8(ascii: ",")) }
            JSON.appendString(string, to: &out)
            previous = span
        }
        out.append(UInt8(ascii: "]"))
    }
}

extension Array where Element == UInt8 {
    /// Replaces the contents, keeping the capacity.
    mutating func replace(with bytes: Span<UInt8>?) {
        removeAll(keepingCapacity: true)
        if let bytes { append(bytes) }
    }
}
