import MediabaseBytes
/// A value bound into an output row.
package enum SQLValue: Hashable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    /// Text, or NULL for nil.
    package static func optional(_ text: String?) -> SQLValue { text.map(SQLValue.text) ?? .null }
}

/// The tables of the normalized core the normalizer fills, with the columns it provides for
/// each, in order. The types, keys and constraints live in `schemas/`; a writer prepares
/// `INSERT INTO table (columns) VALUES (...)` from this list, so a column missing from the DDL
/// fails at once.
package enum CoreTable: String, CaseIterable, Sendable {
    case genes
    case transcripts
    case drugInteractions = "drug_interactions"
    case geneDrugInteractions = "gene_drug_interactions"
    case pathways
    case genePathways = "gene_pathways"
    case transcriptGoTerms = "transcript_go_terms"
    case transcriptProducts = "transcript_products"
    case geneAnnotations = "gene_annotations"
    case geneCrossReferences = "gene_cross_references"
    case transcriptCrossReferences = "transcript_cross_references"
    case genePublications = "gene_publications"
    case geneExtras = "gene_extras"
    case transcriptExtras = "transcript_extras"
    /// Not part of the output: (gene, GO term) pairs, once per gene, for go_term_hierarchy_view.
    case geneGoTermsWork = "gene_go_terms_work"

    /// The tables of the output (every case but the work table).
    package static let outputTables: [CoreTable] = allCases.filter { $0 != .geneGoTermsWork }

    /// The table's position in `allCases`: per-table state lives in arrays, since a dictionary
    /// lookup per row (hashing the name) showed in profiles of the load.
    package var ordinal: Int {
        switch self {
        case .genes: return 0
        case .transcripts: return 1
        case .drugInteractions: return 2
        case .geneDrugInteractions: return 3
        case .pathways: return 4
        case .genePathways: return 5
        case .transcriptGoTerms: return 6
        case .transcriptProducts: return 7
        case .geneAnnotations: return 8
        case .geneCrossReferences: return 9
        case .transcriptCrossReferences: return 10
        case .genePublications: return 11
        case .geneExtras: return 12
        case .transcriptExtras: return 13
        case .geneGoTermsWork: return 14
        }
    }

    package var columns: [String] {
        switch self {
        case .genes:
            return ["gene_id", "gene_symbol", "gene_name", "gene_type", "chromosome", "start_position", "end_position", "strand", "description"]
        case .transcripts:
            return ["transcript_id", "gene_id", "transcript_name", "transcript_type", "transcript_support_level",
                    "start_position", "end_position", "strand", "expression_fold_change"]
        case .drugInteractions:
            return ["drug_interaction_id", "drug_name", "source_database", "source_drug_id", "mechanism_of_action",
                    "action_type", "target_type", "indication", "max_phase", "attributes_json"]
        case .geneDrugInteractions:
            return ["gene_id", "drug_interaction_id", "interaction_type", "evidence_type", "evidence_score", "drug_score", "pathway_id", "pmids"]
        case .pathways:
            return ["pathway_id", "pathway_name", "source_database", "pathway_type"]
        case .genePathways:
            return ["gene_id", "pathway_id", "origin"]
        case .transcriptGoTerms:
            return ["transcript_id", "go_id", "go_term", "go_category", "evidence_code"]
        case .transcriptProducts:
            return ["transcript_id", "product_type"]
        case .geneAnnotations:
            return ["gene_id", "annotation_type", "annotation_value"]
        case .geneCrossReferences:
            return ["gene_id", "external_db", "external_id"]
        case .transcriptCrossReferences:
            return ["transcript_id", "external_db", "external_id"]
        case .genePublications:
            return ["gene_id", "pmid", "reference_category", "evidence_type", "year", "citation_count", "source_db"]
        case .geneExtras:
            return ["gene_id", "field", "value_json"]
        case .transcriptExtras:
            return ["transcript_id", "field", "value_json"]
        case .geneGoTermsWork:
            return ["gene_id", "go_id", "go_term", "go_category"]
        }
    }

    /// The columns that identify a row: duplicates on them are merged (first row kept).
    /// nil for tables whose rows are deduplicated before they are emitted.
    package var uniqueKey: [String]? {
        switch self {
        case .genes: return ["gene_id"]
        case .transcripts: return ["transcript_id"]
        case .drugInteractions: return ["drug_interaction_id"]
        case .pathways: return ["pathway_id"]
        case .geneDrugInteractions: return ["gene_id", "drug_interaction_id", "interaction_type", "coalesce(pathway_id, '')"]
        case .genePathways: return ["gene_id", "pathway_id"]
        case .transcriptGoTerms: return ["transcript_id", "go_id"]
        case .transcriptProducts: return ["transcript_id", "product_type"]
        case .geneAnnotations: return ["gene_id", "annotation_type", "annotation_value"]
        case .geneCrossReferences: return ["gene_id", "external_db", "external_id"]
        case .transcriptCrossReferences: return ["transcript_id", "external_db", "external_id"]
        case .genePublications: return ["gene_id", "pmid", "reference_category"]
        case .geneExtras, .transcriptExtras, .geneGoTermsWork: return nil
        }
    }

    /// The ``uniqueKey`` columns by name, and whether each counts NULL as '' (as
    /// `coalesce(pathway_id, '')` does); nil as ``uniqueKey``.
    package var uniqueKeyColumns: [(name: String, nullIsEmpty: Bool)]? {
        uniqueKey?.map { key in key.hasPrefix("coalesce(") ? (String(key.dropFirst(9).prefix { $0 != "," }), true) : (key, false) }
    }

    /// The positions in ``columns`` of the ``uniqueKey`` columns (NULL counts as '' in
    /// `coalesce(pathway_id, '')`, as it does for the merge).
    package var keyColumnIndexes: [Int] { Self.keyColumnIndexes[ordinal] }

    private static let keyColumnIndexes: [[Int]] = allCases.map { table in
        (table.uniqueKeyColumns ?? []).map { table.columns.firstIndex(of: $0.name)! }
    }
}

/// Rows that share their first column, for ``CoreOutput/insert(_:first:tails:)``. A GO terms
/// value is often the same for many transcripts: its rows are built once, and kept encoded
/// (``encode()``, as ``RowBatch`` writes values), which an output copies in whole.
///
/// ``compact()`` keeps only the encoding: about a sixth of the memory of the values, for a
/// cache of many (the normalizer's GO terms); ``rows`` are then decoded when asked for.
package final class RowTails {
    /// The values, nil once compacted.
    private var values: [[SQLValue]]?
    /// The rows as ``RowBatch`` writes values, one after the other, made at first use.
    package private(set) var encoded: [UInt8]?
    /// The number of rows.
    package let count: Int
    /// Values per row, when every row has as many (nil: they differ, and the rows stay).
    private let width: Int?

    package init(_ rows: [[SQLValue]]) {
        values = rows
        count = rows.count
        let first = rows.first?.count ?? 0
        width = rows.allSatisfy { $0.count == first } ? first : nil
    }

    /// Compacted rows from their ``encoded`` bytes: `count` rows of `width` values each.
    package init(encoded: [UInt8], count: Int, width: Int) {
        values = nil
        self.encoded = encoded
        self.count = count
        self.width = width
    }

    /// Values per row, when every row has as many (nil: they differ).
    package var rowWidth: Int? { width }

    /// Each row's values after the first column, in ``CoreTable/columns`` order.
    package var rows: [[SQLValue]] {
        if let values { return values }
        guard let encoded, let width else { return [] }
        var reader = RowBatchReader(encoded.span)
        var rows: [[SQLValue]] = []
        rows.reserveCapacity(count)
        for _ in 0..<count {
            var row: [SQLValue] = []
            row.reserveCapacity(width)
            for _ in 0..<width { row.append(SQLValue.read(from: &reader)) }
            rows.append(row)
        }
        return rows
    }

    /// The rows' encoding, made and kept at the first call.
    package func encode() -> [UInt8] {
        if let encoded { return encoded }
        var bytes: [UInt8] = []
        for row in values ?? [] { for value in row { value.append(to: &bytes) } }
        encoded = bytes
        return bytes
    }

    /// Keeps only the encoding (rows of differing widths stay as they are).
    package func compact() {
        guard width != nil else { return }
        _ = encode()
        values = nil
    }

    /// Whether only the encoding is kept.
    package var isCompact: Bool { values == nil }
}

extension SQLValue {
    /// Appends the value as ``RowBatch`` writes it.
    package func append(to batch: inout [UInt8]) {
        switch self {
        case .null: RowBatch.appendNull(to: &batch)
        case let .integer(number): RowBatch.appendInteger(number, to: &batch)
        case let .real(number): RowBatch.appendReal(number, to: &batch)
        case let .text(text): RowBatch.appendField(text, to: &batch)
        }
    }

    /// Reads a value ``append(to:)`` wrote.
    package static func read(from reader: inout RowBatchReader) -> SQLValue {
        switch reader.nextFieldKind {
        case .null:
            _ = reader.field()
            return .null
        case .integer: return .integer(reader.integer())
        case .real: return .real(reader.real())
        case .text: return .text(reader.string() ?? "")
        }
    }
}

/// Where the normalizer sends its rows: the SQLite writer (and through it the bundle writer).
package protocol CoreOutput: AnyObject {
    /// One row of a core table, values in ``CoreTable/columns`` order.
    func insert(_ table: CoreTable, _ values: [SQLValue]) throws
    /// One row per element of `tails`: `first` then the element's values.
    func insert(_ table: CoreTable, first: SQLValue, tails: RowTails) throws
    /// One row of a core table of three columns, without an array: the most numerous rows
    /// (cross-references, annotations, extras) are built per legacy row.
    func insert(_ table: CoreTable, _ first: SQLValue, _ second: SQLValue, _ third: SQLValue) throws
    /// One row of a core table of three text columns, the last two given as their UTF-8 bytes:
    /// a row's cross-references straight from the bytes of its value, without Strings.
    func insert(_ table: CoreTable, _ first: String, utf8 second: Span<UInt8>, utf8 third: Span<UInt8>) throws
    /// One row of a core table of two text columns, the second given as its UTF-8 bytes.
    func insert(_ table: CoreTable, _ first: String, utf8 second: Span<UInt8>) throws
    /// Notes that `table` may now hold rows equal on its ``CoreTable/uniqueKey`` among the rows
    /// whose first key column is `id` (a gene whose rows disagree, a transcript listed twice);
    /// the writer merges those before indexing.
    func markMayHoldDuplicates(_ table: CoreTable, id: String) throws
    /// Every transcript row has been given: a writer that keeps them back to write the table
    /// in id order may write them now (else it does when it finishes).
    func transcriptsComplete() throws
    /// A table of the dump other than the legacy table, carried through under its own name.
    func beginCarriedTable(_ table: TableSchema) throws
    func carriedRow(_ row: RowBuffer) throws
    func endCarriedTable() throws
    /// The dump declared the primary key of a carried table after its rows (a plain dump):
    /// `table` is the table as ``beginCarriedTable(_:)`` got it, with `primaryKey` set. The
    /// carried table then holds what it holds when the key comes before the rows (an archive).
    func carriedPrimaryKey(_ table: TableSchema) throws
}

extension CoreOutput {
    package func insert(_ table: CoreTable, _ first: SQLValue, _ second: SQLValue, _ third: SQLValue) throws {
        try insert(table, [first, second, third])
    }

    package func insert(_ table: CoreTable, _ first: String, utf8 second: Span<UInt8>, utf8 third: Span<UInt8>) throws {
        try insert(table, .text(first), .text(String(utf8: second)), .text(String(utf8: third)))
    }

    package func insert(_ table: CoreTable, _ first: String, utf8 second: Span<UInt8>) throws {
        try insert(table, [.text(first), .text(String(utf8: second))])
    }
}
