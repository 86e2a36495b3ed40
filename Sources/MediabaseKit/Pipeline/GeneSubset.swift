/// Which genes a conversion keeps (`--sample-genes N --seed S`, `--genes SYM,...`).
public enum GeneSelection: Sendable, Equatable {
    /// `n` genes chosen by the smallest FNV-1a hashes of `seed:gene_id`: the same genes for the
    /// same input, seed and n on every machine.
    case sample(count: Int, seed: UInt64)
    /// Genes named by symbol (case-insensitive) or gene id (normalized as SPEC 4.1).
    case named([String])
}

/// Decides, in a first pass over the input, which gene ids are kept.
final class GeneSubsetPlanner: DumpSink {
    private let selection: GeneSelection
    private var geneIndex: Int?
    private var symbolIndex: Int?
    private var candidates: [String: UInt64] = [:]
    private var wanted: Set<String> = []
    private(set) var chosen = Set<String>()

    init(selection: GeneSelection) {
        self.selection = selection
        if case let .named(names) = selection {
            wanted = Set(names.map { $0.trimmingWhitespace.lowercased() } + names.map { Identifiers.normalizedEnsemblId($0).lowercased() })
        }
    }

    func beginTable(_ table: TableSchema) throws {
        let legacy = LegacyColumns.isLegacy(table)
        geneIndex = legacy ? table.columnIndex("gene_id") : nil
        symbolIndex = legacy ? table.columnIndex("gene_symbol") : nil
    }

    func row(_ row: RowBuffer) throws {
        guard let geneIndex, let raw = row.field(geneIndex), !Identifiers.trimmed(raw).isEmpty else { return }
        let geneId = Identifiers.normalizedEnsemblId(raw)
        switch selection {
        case let .sample(_, seed):
            if candidates[geneId] == nil { candidates[geneId] = ContentHash.fnv1a64("\(seed):\(geneId)".utf8) }
        case .named:
            let symbol = symbolIndex.flatMap { row.field($0) }.map { Identifiers.trimmedText($0).lowercased() }
            if wanted.contains(geneId.lowercased()) || symbol.map(wanted.contains) == true { chosen.insert(geneId) }
        }
    }

    func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws {}

    /// Completes the choice after the pass.
    func finish() {
        if case let .sample(count, _) = selection {
            let ranked = candidates.sorted { $0.value != $1.value ? $0.value < $1.value : $0.key < $1.key }
            chosen = Set(ranked.prefix(count).map(\.key))
        }
    }
}

/// Passes on only the rows of the chosen genes: every legacy row of a chosen gene, and rows of
/// other tables whose gene column (`gene_id`, `target_gene_id`, `ensembl_gene_id`) names a
/// chosen gene. Tables without such a column are passed on whole.
final class GeneSubsetFilter: DumpSink {
    static let geneColumns = ["gene_id", "target_gene_id", "ensembl_gene_id"]
    private let next: DumpSink
    private let chosen: Set<String>
    private var geneIndex: Int?
    private(set) var rowsDropped = 0

    init(next: DumpSink, chosen: Set<String>) {
        self.next = next
        self.chosen = chosen
    }

    func beginTable(_ table: TableSchema) throws {
        geneIndex = Self.geneColumns.lazy.compactMap { table.columnIndex($0) }.first
        try next.beginTable(table)
    }

    func row(_ row: RowBuffer) throws {
        if let geneIndex {
            guard let raw = row.field(geneIndex), chosen.contains(Identifiers.normalizedEnsemblId(raw)) else {
                rowsDropped += 1
                return
            }
        }
        try next.row(row)
    }

    func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws { try next.endTable(table, rows: rows, bytes: bytes) }
}
