import NIOConcurrencyHelpers
import MediabaseBytes
import MediabaseSQLite

/// What the server reads from the whole core: the `/stats` figures and the core's own fold
/// changes that are not 1.0. At start only the core's tables are checked; each part is read
/// when first needed (seconds on a full-size core, so start-up does not wait for them) and
/// kept: the core is opened read-only and served as it was.
final class CoreSummary: Sendable {
    private let statsValue = Once<CoreStats>()
    private let baselineValues = Once<BaselineFoldChanges>()

    /// Checks that the file is a mediabase core; one that is not fails with the table it lacks.
    init(database: SQLiteDatabase) throws {
        for table in ["genes", "transcripts", "transcript_products", "transcript_go_terms", "gene_pathways", "pathways",
                      "gene_drug_interactions", "drug_interactions", "gene_annotations", "schema_versions"] {
            guard try database.integer("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1", [table]) == 1 else {
                throw MediabaseError.notMediabaseOutput("\(database.path) is not a mediabase core: it has no table \(table) (make one with mediabase convert --to sqlite)")
            }
        }
    }

    /// The `/stats` figures, counted on `worker`'s core connection the first time.
    func stats(_ worker: Worker) throws -> CoreStats {
        try statsValue.value { try worker.withoutTimeLimit { try CoreStats(database: worker.core.database) } }
    }

    /// The core's own fold changes, read on `worker`'s core connection the first time.
    func baseline(_ worker: Worker) throws -> BaselineFoldChanges {
        try baselineValues.value { try worker.withoutTimeLimit { try BaselineFoldChanges(database: worker.core.database) } }
    }
}

/// A value computed once, by the first caller; callers at the same time wait for it. A failed
/// computation is tried again by the next caller.
final class Once<Value: Sendable>: Sendable {
    private let box = NIOLockedValueBox<Value?>(nil)

    func value(_ compute: () throws -> Value) rethrows -> Value {
        try box.withLockedValue { value in
            if let value { return value }
            let computed = try compute()
            value = computed
            return computed
        }
    }
}

/// The `/stats` figures of docs/spec.md §10.
struct CoreStats: Sendable {
    let totalTranscripts: Int
    let uniqueGenes: Int
    let genesWithDrugs: Int
    let genesWithPathways: Int
    let genesWithProductTypes: Int
    let transcriptsWithGoTerms: Int

    init(database: SQLiteDatabase) throws {
        totalTranscripts = try database.integer("SELECT count(*) FROM transcripts")
        uniqueGenes = try database.integer("SELECT count(DISTINCT gene_id) FROM transcripts")
        genesWithDrugs = try database.integer("""
            SELECT count(*) FROM (SELECT DISTINCT gene_id FROM transcripts)
            WHERE gene_id IN (SELECT gene_id FROM gene_drug_interactions)
            """)
        genesWithPathways = try database.integer("""
            SELECT count(*) FROM (SELECT DISTINCT gene_id FROM transcripts) WHERE gene_id IN (SELECT gene_id FROM gene_pathways)
            """)
        genesWithProductTypes = try database.integer("""
            SELECT count(DISTINCT t.gene_id) FROM transcripts t WHERE t.transcript_id IN (SELECT transcript_id FROM transcript_products)
            """)
        transcriptsWithGoTerms = try database.integer("""
            SELECT count(*) FROM transcripts WHERE transcript_id IN (SELECT transcript_id FROM transcript_go_terms)
            """)
    }
    /// `part` of `whole` in percent, rounded to two decimals; 0 for an empty core.
    static func percent(_ part: Int, of whole: Int) -> Double {
        whole == 0 ? 0 : (Double(part) * 10_000 / Double(whole)).rounded() / 100
    }

    func writeStats(to json: inout JSONWriter) {
        json.object { json in
            json.field("total_transcripts", Int64(totalTranscripts))
            json.field("unique_genes", Int64(uniqueGenes))
            json.field("genes_with_drugs", Int64(genesWithDrugs))
            json.field("genes_with_pathways", Int64(genesWithPathways))
            json.field("genes_with_product_types", Int64(genesWithProductTypes))
            json.field("transcripts_with_go_terms", Int64(transcriptsWithGoTerms))
            json.field("drug_coverage", Self.percent(genesWithDrugs, of: uniqueGenes))
            json.field("pathway_coverage", Self.percent(genesWithPathways, of: uniqueGenes))
            json.field("product_type_coverage", Self.percent(genesWithProductTypes, of: uniqueGenes))
            json.field("go_term_coverage", Self.percent(transcriptsWithGoTerms, of: totalTranscripts))
        }
    }
}

/// The core's `transcripts.expression_fold_change` values that are not 1.0, answered when a
/// request names no patient (the "public schema" of the guide), held sorted in memory: the core
/// has no index on that column and cannot get one read-only.
struct BaselineFoldChanges: FoldChangeSource, Sendable {
    /// Fold change descending, then transcript id ascending in byte order (SQLite's BINARY).
    private let sorted: [(id: String, value: Double)]
    private let values: [String: Double]

    init(database: SQLiteDatabase) throws {
        let statement = try database.prepare("SELECT transcript_id, expression_fold_change FROM transcripts WHERE expression_fold_change <> 1.0")
        var rows: [(id: String, value: Double)] = []
        while try statement.step() { rows.append((statement.text(0) ?? "", statement.double(1))) }
        rows.sort { $0.value != $1.value ? $0.value > $1.value : $0.id.precedesInBytes($1.id) }
        sorted = rows
        values = Dictionary(rows.map { ($0.id, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    func storedValue(_ transcriptId: String) -> Double? { values[transcriptId] }

    func forEachStored(from low: Double, to high: Double, _ visit: (String, Double) throws -> Bool) throws {
        // First index whose value is ≤ high (values descend).
        var lower = 0, upper = sorted.count
        while lower < upper {
            let middle = (lower + upper) / 2
            if sorted[middle].value > high { lower = middle + 1 } else { upper = middle }
        }
        for row in sorted[lower...] {
            guard row.value >= low, try visit(row.id, row.value) else { return }
        }
    }
}
