import MediabaseBytes
import MediabaseModel
import MediabaseSQLite

extension ViewTableFiller {
    /// `go_term_hierarchy_view`'s definition, as SQLite runs it: the rows the fill writes, and
    /// what it runs itself (``fillGOTermHierarchy()``) where its counting does not apply.
    static let goTermHierarchyQuery = """
        WITH
            gene_counts AS (SELECT go_id, count(DISTINCT gene_id) AS n, min(go_term) AS go_term, min(go_category) AS go_category
                            FROM gene_go_terms_work GROUP BY go_id),
            codes AS (SELECT go_id, sum(n) AS n, json_group_object(code, n) AS counts
                      FROM (SELECT go_id, coalesce(evidence_code, '') AS code, count(*) AS n
                            FROM transcript_go_terms GROUP BY go_id, code ORDER BY go_id, code)
                      GROUP BY go_id)
        SELECT t.go_id, g.go_term, g.go_category, coalesce(g.n, 0) AS gene_count, t.n AS transcript_count,
               t.counts AS evidence_code_counts
        FROM codes t LEFT JOIN gene_counts g USING (go_id)
        ORDER BY t.go_id
        """

    /// One row per GO id of `transcript_go_terms`: how many genes carry it (from
    /// `gene_go_terms_work`, a row per gene and GO value), its smallest term and category there,
    /// how many transcript rows carry it, and those rows counted per evidence code (NULL counts as
    /// the empty code) as a JSON object in code order, as `json_group_object` writes it.
    ///
    /// The codes are counted in one scan of `transcript_go_terms` in rowid order into a table per
    /// distinct (GO id, code), not sorted (SQLite's GROUP BY sorts every row: 3.2 of the view's
    /// 4.1 CPU-s on 1 GB of lean rows); the gene counts need each (GO id, gene) once, which SQLite
    /// sorts, on the work table's far fewer rows. Values that are not text (a table filled by
    /// hand), or more distinct pairs than the lookup budget holds, leave it to the definition.
    func fillGOTermHierarchy() throws {
        guard let counts = try GOCodeCounts.load(from: database, limitBytes: lookupLimitBytes) else {
            keepOnly(0)
            return try database.execute("INSERT INTO go_term_hierarchy_view \(Self.goTermHierarchyQuery)")
        }
        keepOnly(counts.estimatedBytes)
        let genes = try database.prepare(
            "SELECT go_id, count(DISTINCT gene_id), min(go_term), min(go_category) FROM gene_go_terms_work GROUP BY go_id ORDER BY go_id")
        var hasGene = try genes.step()
        let rows = SQLiteRowRuns(database: database, table: "go_term_hierarchy_view", columns: 6)
        try counts.forEachTerm { goId, total, codesJSON in
            // The gene counts in GO id order, merged: a row whose id is not text joins no term (a
            // text value never equals a blob; the column's affinity stores numbers as text).
            while hasGene {
                guard genes.storageClass(0) == .text, let id = genes.textBytes(0) else {
                    hasGene = try genes.step()
                    continue
                }
                if id.compare(goId) >= 0 { break }
                hasGene = try genes.step()
            }
            var matched = false
            if hasGene, let id = genes.textBytes(0) { matched = id.elementsEqual(goId) }
            rows.appendText(goId)
            if matched {
                try rows.appendStored(column: 2, of: genes)
                try rows.appendStored(column: 3, of: genes)
                rows.appendInteger(genes.int64(1))
            } else {
                rows.appendNull()
                rows.appendNull()
                rows.appendInteger(0)
            }
            rows.appendInteger(total)
            rows.appendText(codesJSON)
            try rows.endRow()
        }
        try rows.finish()
    }
}

/// `transcript_go_terms` counted per GO id and evidence code (NULL as the empty code), each id
/// and code kept once (``ByteStringTable``); keys compare as bytes, as SQLite's BINARY collation
/// does.
struct GOCodeCounts {
    private var terms = ByteStringTable()
    private var codes = ByteStringTable()
    /// Term number << 32 | code number → rows.
    private var counts: [UInt64: Int64] = [:]

    /// What the tables hold, about: the strings, their numbers and hash slots, and a dictionary
    /// entry (key, value and slot overhead) per pair.
    var estimatedBytes: Int {
        terms.byteCount + codes.byteCount + 4 * (terms.count + codes.count) + 4 * (terms.slotCount + codes.slotCount) + 40 * counts.count
    }

    /// Reads every row of `transcript_go_terms`; nil when a GO id is not text (or NULL), a code is
    /// neither text nor NULL, or the counts would take more than `limitBytes`.
    static func load(from database: SQLiteDatabase, limitBytes: Int) throws -> GOCodeCounts? {
        var result = GOCodeCounts()
        result.terms.index(capacityFor: 1024)
        result.codes.index(capacityFor: 64)
        let rows = try database.prepare("SELECT go_id, evidence_code FROM transcript_go_terms")
        let empty: [UInt8] = []
        while try rows.step() {
            guard rows.storageClass(0) == .text, let term = rows.textBytes(0) else { return nil }
            let codeClass = rows.storageClass(1)
            guard codeClass == .text || codeClass == .null else { return nil }
            let termNumber = result.terms.index(of: term) ?? result.terms.appendIndexed(term)
            let codeNumber: Int
            if let code = rows.textBytes(1) {
                codeNumber = result.codes.index(of: code) ?? result.codes.appendIndexed(code)
            } else {
                codeNumber = result.codes.index(of: empty.span) ?? result.codes.appendIndexed(empty.span)
            }
            let key = UInt64(termNumber) << 32 | UInt64(codeNumber)
            if let count = result.counts[key] {
                result.counts[key] = count + 1
            } else {
                result.counts[key] = 1
                if result.estimatedBytes > limitBytes { return nil }
            }
        }
        return result
    }

    /// Calls `body` for each GO id in byte order with its rows and their counts per code as
    /// `json_group_object(code, n)` over the codes in byte order writes them.
    func forEachTerm(_ body: (_ goId: Span<UInt8>, _ rows: Int64, _ codesJSON: Span<UInt8>) throws -> Void) rethrows {
        let (termOrder, termRank) = terms.byteOrder()
        let (codeOrder, codeRank) = codes.byteOrder()
        // (term rank, code rank, count), sorted: each term's codes together, in order.
        let pairs = counts.map { key, count in
            (term: termRank[Int(key >> 32)], code: codeRank[Int(key & 0xFFFF_FFFF)], count: count)
        }.sorted { ($0.term, $0.code) < ($1.term, $1.code) }
        var json: [UInt8] = []
        var start = 0
        while start < pairs.count {
            var (end, total) = (start, Int64(0))
            json.removeAll(keepingCapacity: true)
            json.append(UInt8(ascii: "{"))
            while end < pairs.count && pairs[end].term == pairs[start].term {
                if end > start { json.append(UInt8(ascii: ",")) }
                codes.with(codeOrder[Int(pairs[end].code)]) { JSON.appendString($0, to: &json) }
                json.append(UInt8(ascii: ":"))
                json.append(contentsOf: String(pairs[end].count).utf8)
                total += pairs[end].count
                end += 1
            }
            json.append(UInt8(ascii: "}"))
            try terms.with(termOrder[Int(pairs[start].term)]) { try body($0, total, json.span) }
            start = end
        }
    }
}
