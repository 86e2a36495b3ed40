import MediabaseBytes
import MediabaseSQLite

/// One transcript of the core with what `/transcripts` filters on.
struct CoreTranscript {
    let transcriptId: String
    let geneId: String
    let geneSymbol: String?
    let geneType: String?
    let chromosome: String?
    /// The core's own `expression_fold_change` (the baseline answered without a patient).
    let baseline: Double
    let hasDrugs: Bool
    let hasPathways: Bool
}

/// A transcript of the core with its own fields rendered: what a page writes per row besides the
/// fold change and the gene's fields.
struct CachedTranscript: Sendable {
    let row: CoreTranscript
    /// `{"transcript_id":…,"chromosome":…,"expression_fold_change":`
    let head: [UInt8]
    /// `,"product_type":[…],"go_terms":[…]`
    let own: [UInt8]

    /// Bytes held, for ``FragmentCache``'s budget (the row's strings counted roughly).
    var cost: Int { head.count + own.count + 128 }
}

/// A read-only connection to the core with every statement the API runs on it, prepared once.
///
/// Owned by one worker and used by one thread at a time. The nested fields of a transcript
/// are read per page row from the link tables' unique indexes, which start with the transcript
/// or gene id (schemas/sqlite/indexes.sqlite.sql).
final class CoreConnection {
    let database: SQLiteDatabase
    private let transcript: SQLiteStatement
    private let symbolTranscripts: SQLiteStatement
    private let allTranscripts: SQLiteStatement
    private let products: SQLiteStatement
    private let goTerms: SQLiteStatement
    private let pathways: SQLiteStatement
    private let drugs: SQLiteStatement
    private let annotations: SQLiteStatement
    private let ping: SQLiteStatement
    /// The rendered genes and transcripts, shared by every worker's connection.
    private let fragments: CoreFragments

    private static let transcriptColumns = """
        SELECT t.transcript_id, t.gene_id, g.gene_symbol, g.gene_type, g.chromosome, t.expression_fold_change,
               EXISTS (SELECT 1 FROM gene_drug_interactions d WHERE d.gene_id = t.gene_id),
               EXISTS (SELECT 1 FROM gene_pathways p WHERE p.gene_id = t.gene_id)
        FROM transcripts t LEFT JOIN genes g ON g.gene_id = t.gene_id
        """

    init(path: String, fragments: CoreFragments) throws {
        self.fragments = fragments
        database = try SQLiteDatabase(path: path, readOnly: true)
        // Up to 32 MB of pages per worker (SQLite's default is 2 MB): the link tables' pages of
        // popular genes stay in memory across requests.
        try database.execute("PRAGMA cache_size = -32768")
        transcript = try database.prepare(Self.transcriptColumns + " WHERE t.transcript_id = ?1")
        symbolTranscripts = try database.prepare("""
            SELECT t.transcript_id FROM genes g JOIN transcripts t ON t.gene_id = g.gene_id WHERE g.gene_symbol = ?1
            """)
        // ?1 / ?2: the has_drugs / has_pathways filters, NULL when not asked.
        allTranscripts = try database.prepare("""
            SELECT t.transcript_id FROM transcripts t
            WHERE (?1 IS NULL OR EXISTS (SELECT 1 FROM gene_drug_interactions d WHERE d.gene_id = t.gene_id) = ?1)
              AND (?2 IS NULL OR EXISTS (SELECT 1 FROM gene_pathways p WHERE p.gene_id = t.gene_id) = ?2)
            ORDER BY t.transcript_id
            """)
        products = try database.prepare("SELECT product_type FROM transcript_products WHERE transcript_id = ?1 ORDER BY product_type")
        goTerms = try database.prepare("SELECT go_id, go_term, go_category FROM transcript_go_terms WHERE transcript_id = ?1 ORDER BY go_id")
        pathways = try database.prepare("""
            SELECT DISTINCT coalesce(p.pathway_name, p.pathway_id) AS name
            FROM gene_pathways gp JOIN pathways p ON p.pathway_id = gp.pathway_id WHERE gp.gene_id = ?1 ORDER BY name
            """)
        drugs = try database.prepare("""
            SELECT coalesce(d.drug_name, d.source_drug_id, 'drug_interaction ' || d.drug_interaction_id),
                   d.source_drug_id, gdi.interaction_type, d.source_database
            FROM gene_drug_interactions gdi JOIN drug_interactions d ON d.drug_interaction_id = gdi.drug_interaction_id
            WHERE gdi.gene_id = ?1
            ORDER BY 1, d.drug_interaction_id, gdi.interaction_type, gdi.pathway_id
            """)
        annotations = try database.prepare("""
            SELECT annotation_type, annotation_value FROM gene_annotations
            WHERE gene_id = ?1 AND annotation_type IN ('molecular_function', 'cellular_location')
            ORDER BY annotation_type, annotation_value
            """)
        ping = try database.prepare("SELECT count(*) FROM schema_versions")
    }

    /// True when the core answers a query.
    func isConnected() -> Bool {
        defer { ping.reset() }
        return (try? ping.step()) == true
    }

    /// The transcript `id` of the core with its own fields rendered, nil when the core lacks it.
    /// Rendered once and kept in ``CoreFragments/transcripts`` (the core does not change).
    func transcript(_ id: String) throws -> CachedTranscript? {
        try fragments.transcripts.fragment(id) { try renderTranscript(id) }
    }

    /// Reads transcript `id` and renders its own fields; nil when the core lacks it.
    private func renderTranscript(_ id: String) throws -> CachedTranscript? {
        try transcript.bind(1, id)
        defer { transcript.reset() }
        guard try transcript.step() else { return nil }
        let row = CoreTranscript(
            transcriptId: transcript.text(0) ?? id, geneId: transcript.text(1) ?? "", geneSymbol: transcript.text(2),
            geneType: transcript.text(3), chromosome: transcript.text(4), baseline: transcript.double(5),
            hasDrugs: transcript.int64(6) != 0, hasPathways: transcript.int64(7) != 0)
        var head = JSONWriter.openObject()
        head.field("transcript_id", row.transcriptId)
        head.field("gene_symbol", row.geneSymbol)
        head.field("gene_id", row.geneId)
        head.field("gene_type", row.geneType)
        head.field("chromosome", row.chromosome)
        head.key("expression_fold_change")
        var own = JSONWriter.continuingObject()
        own.key("product_type")
        try own.array { json in
            try each(products, row.transcriptId) { json.string(bytes: $0.textBytes(0)) }
        }
        own.key("go_terms")
        try own.array { json in
            try each(goTerms, row.transcriptId) { statement in
                json.object { json in
                    json.field("go_id", bytes: statement.textBytes(0))
                    json.field("name", bytes: statement.textBytes(1))
                    json.field("category", bytes: statement.textBytes(2))
                }
            }
        }
        return CachedTranscript(row: row, head: head.bytes, own: own.bytes)
    }

    /// The transcript ids of the genes with this symbol (exact, case-sensitive match).
    func transcriptIds(ofSymbol symbol: String) throws -> [String] {
        try symbolTranscripts.bind(1, symbol)
        defer { symbolTranscripts.reset() }
        var ids: [String] = []
        while try symbolTranscripts.step() { ids.append(symbolTranscripts.text(0) ?? "") }
        return ids
    }

    /// Visits the core's transcript ids in id order, those passing the gene filters only, until
    /// `visit` returns false.
    func forEachTranscriptId(hasDrugs: Bool?, hasPathways: Bool?, _ visit: (String) throws -> Bool) throws {
        try allTranscripts.bind(1, hasDrugs.map { Int64($0 ? 1 : 0) })
        try allTranscripts.bind(2, hasPathways.map { Int64($0 ? 1 : 0) })
        defer { allTranscripts.reset() }
        while try allTranscripts.step() {
            guard try visit(allTranscripts.text(0) ?? "") else { return }
        }
    }

    /// Writes the transcript object of docs/spec.md §10, with `value` as its fold change. The
    /// gene's fields (pathways, drugs, annotations: most of the bytes, a gene has up to
    /// thousands of drug links) come from ``CoreFragments/genes``, rendered once per gene.
    func writeTranscript(_ transcript: CachedTranscript, value: Double, to json: inout JSONWriter) throws {
        let geneId = transcript.row.geneId
        let gene = try fragments.genes.fragment(geneId) { try renderGeneFields(geneId) }
        json.renderedObject(transcript.head, number: value, transcript.own, gene)
    }

    /// `,"pathways":[...],"drugs":{...},"molecular_functions":[...],"cellular_location":[...]`
    /// of a gene: the fields that follow a transcript's own.
    private func renderGeneFields(_ geneId: String) throws -> [UInt8] {
        var json = JSONWriter.continuingObject()
        json.key("pathways")
        try json.array { json in
            try each(pathways, geneId) { json.string(bytes: $0.textBytes(0)) }
        }
        // One entry per drug name (an object's keys are unique): the first in the order of
        // the query, i.e. the lowest drug_interaction_id, then interaction type.
        json.key("drugs")
        try json.object { json in
            var seen = Set<String>()
            try each(drugs, geneId) { statement in
                let name = statement.text(0) ?? ""
                guard seen.insert(name).inserted else { return }
                json.key(name)
                json.object { json in
                    json.field("drug_id", bytes: statement.textBytes(1))
                    json.field("interaction_type", bytes: statement.textBytes(2))
                    json.field("source", bytes: statement.textBytes(3))
                }
            }
        }
        var functions: [String] = []
        var locations: [String] = []
        try each(annotations, geneId) { statement in
            let value = statement.text(1) ?? ""
            if statement.text(0) == "molecular_function" { functions.append(value) } else { locations.append(value) }
        }
        json.key("molecular_functions")
        json.array { json in functions.forEach { json.string($0) } }
        json.key("cellular_location")
        json.array { json in locations.forEach { json.string($0) } }
        return json.bytes
    }

    private func each(_ statement: SQLiteStatement, _ key: String, _ row: (SQLiteStatement) throws -> Void) throws {
        try statement.bind(1, key)
        defer { statement.reset() }
        while try statement.step() { try row(statement) }
    }
}
