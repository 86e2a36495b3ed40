import MediabaseSQLite
/// Gene symbols worth a second look (docs/spec.md §4.1): the same symbol on several genes (`Metazoa_SRP`
/// on 170 genes in the real data), and symbols that are clone, scaffold or contig names
/// (`AC012345.1`, `chrKI270728.1`) rather than gene names. They are real Ensembl genes, kept as
/// they are; the report lists them.
package struct SuspiciousSymbols: Codable, Equatable, Sendable {
    /// Symbols carried by more than one gene id, with their gene counts (the 50 most shared).
    package var sharedByGenes: [String: Int] = [:]
    /// How many distinct symbols are shared by several genes.
    package var sharedSymbolCount = 0
    /// Genes whose symbol looks like a clone, scaffold or contig name, and a few examples.
    package var cloneLikeGenes = 0
    package var cloneLikeExamples: [String] = []

    package init() {}

    /// Reads the figures from a converted core.
    package static func find(in database: SQLiteDatabase) throws -> SuspiciousSymbols {
        var result = SuspiciousSymbols()
        let shared = try database.rows("""
            SELECT gene_symbol, count(*) FROM genes WHERE gene_symbol IS NOT NULL
            GROUP BY gene_symbol HAVING count(*) > 1 ORDER BY count(*) DESC, gene_symbol
            """)
        result.sharedSymbolCount = shared.count
        for row in shared.prefix(50) { result.sharedByGenes[row[0] ?? ""] = Int(row[1] ?? "0") ?? 0 }
        // GLOB patterns: one or two capital letters and five or more digits with a version
        // (GenBank clone names), or chromosome/scaffold names used as a symbol.
        let clone = """
            gene_symbol GLOB '[A-Z][0-9][0-9][0-9][0-9][0-9]*.[0-9]*' OR gene_symbol GLOB '[A-Z][A-Z][0-9][0-9][0-9][0-9][0-9]*.[0-9]*'
            OR gene_symbol GLOB 'chr*' OR gene_symbol GLOB '*scaffold*' OR gene_symbol GLOB '*contig*' OR gene_symbol GLOB 'KI[0-9]*' OR gene_symbol GLOB 'GL[0-9]*'
            """
        result.cloneLikeGenes = try database.integer("SELECT count(*) FROM genes WHERE \(clone)")
        result.cloneLikeExamples = try database.rows("SELECT DISTINCT gene_symbol FROM genes WHERE \(clone) ORDER BY gene_symbol LIMIT 10").compactMap { $0[0] }
        return result
    }
}
