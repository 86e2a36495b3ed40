import Crypto
import MediabaseBytes
import MediabaseModel

/// Which genes a conversion keeps (`--sample-genes N --seed S`, `--genes SYM,...`).
package enum GeneSelection: Sendable, Equatable {
    /// `n` genes chosen by the smallest sample keys (``GeneSubsetPlanner/sampleKey(seed:geneId:)``)
    /// of their ids: the same genes for the same input, seed and n on every machine.
    case sample(count: Int, seed: UInt64)
    /// Genes named by symbol (case-insensitive) or gene id (normalized as docs/spec.md §4.1).
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
        guard let geneIndex, let raw = row.bytes(geneIndex), !Identifiers.trimmed(raw).isEmpty else { return }
        let geneId = Identifiers.normalizedEnsemblId(raw)
        switch selection {
        case let .sample(_, seed):
            if candidates[geneId] == nil { candidates[geneId] = Self.sampleKey(seed: seed, geneId: geneId) }
        case .named:
            var symbol: String?
            if let symbolIndex, let bytes = row.bytes(symbolIndex) { symbol = Identifiers.trimmedText(bytes).lowercased() }
            if wanted.contains(geneId.lowercased()) || symbol.map(wanted.contains) == true { chosen.insert(geneId) }
        }
    }

    func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws {}

    /// Completes the choice after the pass.
    func finish() {
        if case let .sample(count, _) = selection { chosen = Self.smallestKeys(candidates, count: count) }
    }

    /// The rank of a gene in `--sample-genes`: the first eight bytes (big-endian) of the SHA-256
    /// of `seed:gene_id`. A hash whose every output bit depends on every input bit, so that ids
    /// differing in one digit (consecutive Ensembl ids) land anywhere in the order: FNV-1a, used
    /// before, changes mostly high bits for a change in the last byte and so kept whole runs of
    /// neighbouring ids. Computed once per distinct gene (about 77,000 at full scale), not per row.
    static func sampleKey(seed: UInt64, geneId: String) -> UInt64 {
        SHA256.hash(data: Array("\(seed):\(geneId)".utf8)).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// The `count` ids with the smallest keys (ties, practically impossible, by id).
    static func smallestKeys(_ keys: [String: UInt64], count: Int) -> Set<String> {
        let ranked = keys.sorted { $0.value != $1.value ? $0.value < $1.value : $0.key < $1.key }
        return Set(ranked.prefix(count).map(\.key))
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
            guard let raw = row.bytes(geneIndex), chosen.contains(Identifiers.normalizedEnsemblId(raw)) else {
                rowsDropped += 1
                return
            }
        }
        try next.row(row)
    }

    func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws { try next.endTable(table, rows: rows, bytes: bytes) }
    func primaryKeyDeclared(_ table: TableSchema) throws { try next.primaryKeyDeclared(table) }
}
