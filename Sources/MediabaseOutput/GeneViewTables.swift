import Foundation
import MediabaseBytes
import MediabaseModel
import MediabaseSQLite

/// The view tables of one row per transcript (docs/spec.md §4's view list):
/// `transcript_enrichment_view` and `patient_query_optimized_view` together from one walk of
/// the transcripts in id order beside the GO-term and product key indexes (each a range per
/// transcript, read in the same order), with what each gene's row of `gene_summary_view` would
/// give them looked up in memory (``GeneSummaries``, computed from the link tables, so the
/// two do not wait for that table: another connection may build it meanwhile). The walk reads
/// the primary key's index alone and takes each transcript's gene and fold change from a table
/// by rowid read in the table's order (``TranscriptRows``); without it, it reads each row.
///
/// Their SQL form walks the transcripts twice, and per transcript seeks the GO-term and
/// product indexes and the gene (in `genes`, then in its summary).
extension ViewTableFiller {
    /// One row per transcript whose gene is in `genes` (so in `gene_summary_view`), in each of
    /// the two tables. Falls back to ``transcriptViewQueries`` when the genes' summaries do not
    /// fit `lookupLimitBytes`.
    func fillTranscriptViews() throws {
        guard let summaries = try GeneSummaries.load(from: database, symbols: symbolCache, limitBytes: lookupLimitBytes) else {
            keepOnly(0)
            try raiseScanCache()
            for query in Self.transcriptViewQueries { try database.execute(query) }
            return
        }
        var goTerms = try OrderedRuns(database.prepare("SELECT transcript_id FROM transcript_go_terms ORDER BY transcript_id"))
        var products = try OrderedRuns(database.prepare(
            "SELECT transcript_id, product_type FROM transcript_products ORDER BY transcript_id, product_type"))
        let enrichment = SQLiteRowRuns(database: database, table: "transcript_enrichment_view", columns: 6)
        let patient = SQLiteRowRuns(database: database, table: "patient_query_optimized_view", columns: 10)
        var transcript: [UInt8] = []
        // The row's text values end to end (transcript id, gene id, symbol, product list), bound
        // in place into both tables.
        var row: [UInt8] = []

        /// Adds the two rows of a transcript of gene number `gene`. `id` and `geneId` are its
        /// text (nil when not text: then added by `appendStored`); `matching` is the id its GO
        /// terms and products are found by (nil: none); `appendStored(runs, column)` adds column 0
        /// (id), 1 (gene id) or 2 (fold change) of the transcript's row as stored.
        func emit(id: Span<UInt8>?, geneId: Span<UInt8>?, matching: Span<UInt8>?, gene: Int,
                  appendStored: (SQLiteRowRuns, Int) throws -> Void) throws {
            row.removeAll(keepingCapacity: true)
            if let id { row.append(id) }
            let idEnd = row.count
            if let geneId { row.append(geneId) }
            let geneEnd = row.count
            let symbolEnd: Int? = summaries.withSymbol(of: gene) { symbol in
                guard let symbol else { return nil }
                row.append(symbol)
                return row.count
            }
            let productsStart = row.count
            var goTermCount = 0
            row.append(UInt8(ascii: "["))
            // A NULL transcript id matches no GO term or product.
            if let matching {
                transcript.replace(with: matching)
                goTermCount = try goTerms.count(at: transcript)
                var first = true
                while try products.isAt(transcript) {
                    if !first { row.append(UInt8(ascii: ",")) }
                    first = false
                    try products.appendJSON(column: 1, to: &row)
                    try products.next()
                }
            }
            row.append(UInt8(ascii: "]"))
            let productsEnd = row.count
            let summary = summaries[gene]
            let (idIsText, geneIsText) = (id != nil, geneId != nil)
            func appendIds(_ runs: SQLiteRowRuns, _ values: Span<UInt8>) throws {
                if idIsText { runs.appendText(values.extracting(0..<idEnd)) } else { try appendStored(runs, 0) }
                if geneIsText { runs.appendText(values.extracting(idEnd..<geneEnd)) } else { try appendStored(runs, 1) }
                if let symbolEnd { runs.appendText(values.extracting(geneEnd..<symbolEnd)) } else { runs.appendNull() }
            }
            try appendIds(enrichment, row.span)
            enrichment.appendInteger(Int64(goTermCount))
            enrichment.appendText(row.span.extracting(productsStart..<productsEnd))
            try appendStored(enrichment, 2)
            try enrichment.endRow()
            try appendIds(patient, row.span)
            patient.appendInteger(summary.drugCount > 0 ? 1 : 0)
            patient.appendInteger(summary.pathwayCount > 0 ? 1 : 0)
            patient.appendInteger(summary.hasGoTerms ? 1 : 0)
            patient.appendInteger(summary.hasPublications ? 1 : 0)
            patient.appendInteger(Int64(summary.drugCount))
            patient.appendInteger(Int64(summary.pathwayCount))
            patient.appendReal(Self.completeness[Int(summary.annotatedKinds)])
            try patient.endRow()
        }

        if let rows = try TranscriptRows.load(from: database, genes: summaries, limitBytes: lookupLimitBytes - summaries.estimatedBytes) {
            keepOnly(summaries.estimatedBytes + rows.byteCount)
            // The primary key's index alone: the ids in order, each with its rowid.
            let ids = try database.prepare("SELECT transcript_id, rowid FROM transcripts ORDER BY transcript_id")
            while try ids.step() {
                guard let (gene, foldChange) = rows[ids.int64(1)], let id = ids.textBytes(0) else { continue }
                try summaries.withId(of: gene) { geneId in
                    try emit(id: id, geneId: geneId, matching: id, gene: gene) { runs, _ in
                        // Ids are text here: only the fold change is added as stored.
                        switch foldChange {
                        case .null: runs.appendNull()
                        case let .integer(value): runs.appendInteger(value)
                        case let .real(value): runs.appendReal(value)
                        }
                    }
                }
            }
            try enrichment.finish()
            try patient.finish()
            return
        }
        keepOnly(summaries.estimatedBytes)
        // The rows in id order by a scan and SQLite's sorter (its runs on disk beyond its cache),
        // not by the primary key's index and a seek of each row, which reads the table at random
        // when the input's rows were scattered: on 4 GB of lean rows, 6 s of CPU against 18 with
        // a 64 MB cache and 22 with 8 MB (`sqlite3`, the 4x core). Rows of equal ids (NULL) come
        // in rowid order, as in the index.
        let transcripts = try database.prepare(
            "SELECT transcript_id, gene_id, expression_fold_change FROM transcripts ORDER BY +transcript_id, rowid")
        while try transcripts.step() {
            guard let geneId = transcripts.textBytes(1), let gene = summaries.index(of: geneId) else { continue }
            // The id columns hold text, NULL or (never written by the converter) a blob, which is
            // bound as stored.
            let idIsText = transcripts.storageClass(0) == .text, geneIsText = transcripts.storageClass(1) == .text
            try emit(id: idIsText ? transcripts.textBytes(0) : nil, geneId: geneIsText ? geneId : nil,
                     matching: transcripts.textBytes(0), gene: gene) { runs, column in
                try runs.appendStored(column: column, of: transcripts)
            }
        }
        try enrichment.finish()
        try patient.finish()
    }

    /// `round(0.2 * n, 1)` as SQLite computes it for n = 0 ... 5 kinds of annotation: the
    /// doubles nearest to the one-decimal numbers.
    static let completeness: [Double] = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]

    /// The two transcript view tables as SQL (the queries of `views.pg.sql` in SQLite's
    /// dialect, with `gene_summary_view`'s query, taken from `views.sqlite.sql`, in place of the
    /// table): what fills them when the genes' summaries do not fit in memory.
    static var transcriptViewQueries: [String] {
        let summary = SchemaFiles.statements(SchemaFiles.sqliteViews).first { SchemaFiles.createdTable($0) == "gene_summary_view" }!
        let summaryQuery = summary[summary.range(of: "CREATE TABLE gene_summary_view AS")!.upperBound...]
        return [
            """
            INSERT INTO transcript_enrichment_view
            SELECT t.transcript_id, t.gene_id, genes.gene_symbol,
                   (SELECT count(*) FROM transcript_go_terms g WHERE g.transcript_id = t.transcript_id) AS go_term_count,
                   (SELECT json_group_array(product_type)
                    FROM (SELECT product_type FROM transcript_products p WHERE p.transcript_id = t.transcript_id ORDER BY product_type)) AS product_types,
                   t.expression_fold_change
            FROM transcripts t JOIN genes USING (gene_id)
            ORDER BY t.transcript_id
            """,
            """
            INSERT INTO patient_query_optimized_view
            SELECT t.transcript_id, t.gene_id, s.gene_symbol,
                   s.has_drugs, s.has_pathways, s.go_term_count > 0 AS has_go_terms, s.publication_count > 0 AS has_publications,
                   s.drug_count, s.pathway_count,
                   round(0.2 * ((s.drug_count > 0) + (s.pathway_count > 0) + (s.go_term_count > 0)
                                + (s.publication_count > 0) + (s.cross_reference_count > 0)), 1) AS annotation_completeness
            FROM transcripts t JOIN (\(summaryQuery)) s USING (gene_id)
            ORDER BY t.transcript_id
            """,
        ]
    }
}

/// A query ordered by its first column (a TEXT key), read beside a walk of keys in the same
/// order: the rows of each key in turn, rows of keys the walk skips passed over.
struct OrderedRuns {
    let statement: SQLiteStatement
    private var hasRow: Bool

    init(_ statement: SQLiteStatement) throws {
        self.statement = statement
        hasRow = try statement.step()
    }

    /// Whether the current row has `key`, after skipping the rows whose key sorts before it
    /// (NULL keys first, as SQLite orders them).
    mutating func isAt(_ key: [UInt8]) throws -> Bool {
        while hasRow {
            let order = Bytes.compare(statement.textBytes(0), key.span)
            if order == 0 { return true }
            if order > 0 { return false }
            hasRow = try statement.step()
        }
        return false
    }

    mutating func next() throws { hasRow = try statement.step() }

    /// The number of distinct values of `column` (NULLs not counted, as `count(DISTINCT …)`
    /// counts) among the rows with `key`, which it moves past; the rows are ordered by the key
    /// and then by `column`, so equal values are adjacent.
    mutating func distinctCount(at key: [UInt8], column: Int) throws -> Int {
        var count = 0
        var previous: DistinctValue?
        while try isAt(key) {
            if let value = DistinctValue(statement, column) {
                if value != previous { count += 1 }
                previous = value
            }
            hasRow = try statement.step()
        }
        return count
    }

    /// Calls `body` with the text of `column` (NULL skipped) of each row with `key`, which it
    /// moves past.
    mutating func forEachText(at key: [UInt8], column: Int, _ body: (Span<UInt8>) throws -> Void) throws {
        while try isAt(key) {
            if let value = statement.textBytes(column) { try body(value) }
            hasRow = try statement.step()
        }
    }

    /// The number of rows with `key`, which it moves past.
    mutating func count(at key: [UInt8]) throws -> Int {
        var count = 0
        while try isAt(key) {
            count += 1
            hasRow = try statement.step()
        }
        return count
    }

    /// Appends the value of `column` as `json_group_array` writes a TEXT value (NULL as `null`).
    func appendJSON(column: Int, to out: inout [UInt8]) throws {
        if let value = statement.textBytes(column) {
            JSON.appendString(value, to: &out)
        } else {
            out.append(contentsOf: "null".utf8)
        }
    }
}

/// A column's value as `DISTINCT` tells values apart: its storage class, then the value.
private enum DistinctValue: Equatable {
    case integer(Int64)
    case real(Double)
    case text([UInt8])
    case blob([UInt8])

    init?(_ statement: SQLiteStatement, _ column: Int) {
        switch statement.storageClass(column) {
        case .null: return nil
        case .integer: self = .integer(statement.int64(column))
        case .float: self = .real(statement.double(column))
        case .text: self = .text(Bytes.copy(statement.textBytes(column)) ?? [])
        case .blob: self = .blob(Array(statement.blobBytes(column)))
        }
    }
}

/// What `patient_query_optimized_view` takes from each gene's row of `gene_summary_view`, by
/// the gene numbers of the run's ``GeneSymbolTable`` (which finds a gene id's number and gives
/// its symbol); ``load(from:symbols:limitBytes:)`` gives up (nil) beyond its budget.
struct GeneSummaries {
    /// What `patient_query_optimized_view` takes from a gene's summary (12 bytes: a summary per
    /// gene of the core is kept).
    struct Summary {
        var drugCount: UInt32 = 0
        var pathwayCount: UInt32 = 0
        var hasGoTerms = false
        var hasPublications = false
        /// How many of drugs, pathways, GO terms, publications and cross-references it has.
        var annotatedKinds: UInt8 = 0
    }

    /// The genes' ids and symbols, shared with the run's other fills (``GeneSymbolCache``);
    /// the summaries are numbered as its genes.
    private let genes: GeneSymbolTable
    private var summaries: [Summary]

    /// Computes each gene's summary as `gene_summary_view`'s query does, in one walk of the
    /// genes in id order beside the link tables' key indexes (each lists a gene's links
    /// together): the exact drug and pathway counts, and whether it has GO terms, publications
    /// and cross-references. nil when the genes' symbols and summaries would take more than
    /// `limitBytes`, or a count does not fit 32 bits.
    static func load(from database: SQLiteDatabase, symbols: GeneSymbolCache, limitBytes: Int) throws -> GeneSummaries? {
        guard let genes = try symbols.table(from: database, limitBytes: limitBytes),
              genes.estimatedBytes + genes.count * MemoryLayout<Summary>.stride <= limitBytes else { return nil }
        var table = GeneSummaries(genes: genes, summaries: Array(repeating: Summary(), count: genes.count))
        let walk = try database.prepare("SELECT gene_id FROM genes ORDER BY gene_id")
        var drugs = try OrderedRuns(database.prepare(
            "SELECT gene_id, drug_interaction_id FROM gene_drug_interactions ORDER BY gene_id, drug_interaction_id"))
        var pathways = try OrderedRuns(database.prepare("SELECT gene_id FROM gene_pathways ORDER BY gene_id"))
        // `count(DISTINCT …)` of a NOT NULL column is above 0 when a row exists; a gene's GO
        // terms are found through its transcripts, the first one with any ending the search.
        var withGoTerms = try OrderedRuns(database.prepare("""
            SELECT g.gene_id FROM genes g
            WHERE EXISTS (SELECT 1 FROM transcripts t JOIN transcript_go_terms go USING (transcript_id)
                          WHERE t.gene_id = g.gene_id AND go.go_id IS NOT NULL)
            ORDER BY g.gene_id
            """))
        var publications = try OrderedRuns(database.prepare("SELECT gene_id FROM gene_publications WHERE pmid IS NOT NULL ORDER BY gene_id"))
        var crossReferences = try OrderedRuns(database.prepare("SELECT gene_id FROM gene_cross_references ORDER BY gene_id"))
        var gene: [UInt8] = []
        while try walk.step() {
            // A NULL gene id joins no transcript. Every other gene is in the symbols' table,
            // read from the same committed `genes`.
            guard let id = walk.textBytes(0) else { continue }
            guard let number = genes.index(of: id) else { return nil }
            gene.replace(with: id)
            guard let drugCount = UInt32(exactly: try drugs.distinctCount(at: gene, column: 1)),
                  let pathwayCount = UInt32(exactly: try pathways.count(at: gene)) else { return nil }
            let kinds = [drugCount > 0, pathwayCount > 0, try withGoTerms.count(at: gene) > 0,
                         try publications.count(at: gene) > 0, try crossReferences.count(at: gene) > 0]
            table.summaries[number] = Summary(drugCount: drugCount, pathwayCount: pathwayCount, hasGoTerms: kinds[2],
                                              hasPublications: kinds[3], annotatedKinds: UInt8(kinds.count { $0 }))
        }
        return table
    }

    /// Memory held, roughly: the symbols' table with the summaries.
    var estimatedBytes: Int { genes.estimatedBytes + summaries.count * MemoryLayout<Summary>.stride }

    /// The number of a gene id; nil when `gene_summary_view` lacks it. Ids compare as bytes, as
    /// the join's `=` on TEXT does.
    func index(of gene: Span<UInt8>) -> Int? { genes.index(of: gene) }

    subscript(index: Int) -> Summary { summaries[index] }

    /// Calls `body` with the id of a gene number.
    func withId<R>(of index: Int, _ body: (Span<UInt8>) throws -> R) rethrows -> R { try genes.withId(of: index, body) }

    /// Calls `body` with the symbol of a gene number (nil: NULL).
    func withSymbol<R>(of index: Int, _ body: (Span<UInt8>?) throws -> R) rethrows -> R { try genes.withSymbol(of: index, body) }
}

/// The gene number (in a ``GeneSummaries``) and fold change of each transcript, by rowid, read
/// in the table's order. Beside a walk of the primary key's index alone, which lists the ids in
/// order with their rowids, it gives the rows `ORDER BY transcript_id` would, without the seek
/// of the table's row per transcript (a random read once the table outgrows the page cache:
/// the input's rows came scattered, and so did their rowids), and without a page cache for it.
///
/// ``load(from:genes:limitBytes:)`` gives up (nil) on a value the converter does not write (an
/// id that is not text, a fold change that is not a number or NULL, a rowid below 1) and
/// beyond its budget; the fill then walks the table by its primary key.
struct TranscriptRows {
    /// A fold change as stored.
    enum FoldChange {
        case null
        case integer(Int64)
        case real(Double)
    }

    /// By rowid, side by side (13 bytes a transcript, where one struct of them took 16): the
    /// fold change's bits (`kinds` 1: an integer, 2: a double, 0: NULL) and the gene number
    /// (-1: no row with this rowid, or one whose gene has no summary).
    private var values: [UInt64] = []
    private var genes: [Int32] = []
    private var kinds: [UInt8] = []

    /// Bytes per rowid.
    static let bytesPerRow = MemoryLayout<UInt64>.stride + MemoryLayout<Int32>.stride + MemoryLayout<UInt8>.stride

    /// Memory held, roughly (array capacities aside).
    var byteCount: Int { kinds.count * Self.bytesPerRow }

    static func load(from database: SQLiteDatabase, genes: GeneSummaries, limitBytes: Int) throws -> TranscriptRows? {
        let last = try database.integer("SELECT coalesce(max(rowid), 0) FROM transcripts")
        guard (last + 1) * bytesPerRow <= limitBytes else { return nil }
        var table = TranscriptRows()
        table.values = Array(repeating: 0, count: last + 1)
        table.genes = Array(repeating: -1, count: last + 1)
        table.kinds = Array(repeating: 0, count: last + 1)
        let rows = try database.prepare("SELECT rowid, transcript_id, gene_id, expression_fold_change FROM transcripts")
        while try rows.step() {
            let rowid = rows.int64(0)
            guard rowid >= 1, rowid <= last, rows.storageClass(1) == .text, rows.storageClass(2) == .text,
                  let geneId = rows.textBytes(2) else { return nil }
            // A transcript whose gene has no summary has no row in either view.
            guard let gene = genes.index(of: geneId) else { continue }
            let row = Int(rowid)
            table.genes[row] = Int32(gene)
            switch rows.storageClass(3) {
            case .null: break
            case .integer: (table.kinds[row], table.values[row]) = (1, UInt64(bitPattern: rows.int64(3)))
            case .float: (table.kinds[row], table.values[row]) = (2, rows.double(3).bitPattern)
            default: return nil
            }
        }
        return table
    }

    /// The gene number and fold change of the transcript with this rowid; nil: none, or one
    /// whose gene has no summary.
    subscript(rowid: Int64) -> (gene: Int, foldChange: FoldChange)? {
        guard rowid >= 0, rowid < genes.count else { return nil }
        let row = Int(rowid)
        guard genes[row] >= 0 else { return nil }
        let foldChange: FoldChange = switch kinds[row] {
        case 1: .integer(Int64(bitPattern: values[row]))
        case 2: .real(Double(bitPattern: values[row]))
        default: .null
        }
        return (Int(genes[row]), foldChange)
    }
}
