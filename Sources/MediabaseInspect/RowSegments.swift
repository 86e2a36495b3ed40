import MediabaseBytes
import MediabaseModel

extension LegacyColumn {
    /// Columns whose values belong to the gene, copied into every transcript row of it (docs/spec.md
    /// §3.1), other than the ids, which inspect reads one by one.
    static let checkedByGene: Set<LegacyColumn> = Set(allCases).subtracting([
        .transcriptId, .geneSymbol, .geneId, .coordinates, .productType, .expressionFoldChange, .altTranscriptIds,
    ])
}

/// Runs of consecutive gene-level columns of the legacy table (``LegacyColumn/checkedByGene``),
/// each checked as one value by ``ChunkReader``: the legacy table repeats a gene's values in each of
/// its transcript rows, whatever the rows' order, so a gene's run recurs byte for byte, and a run
/// seen before with all its fields valid counts as it did then, its fields neither split nor
/// checked again.
///
/// For each gene (by the raw bytes of its id) and segment, the length and the hash
/// (``ContentHash``) of its last run read field by field are kept: a row whose bytes at the run's
/// place, that long and followed by the same separator, hash the same holds the same run (raw bytes
/// equal, so fields and values equal), whatever its escapes. The last run read is compared with
/// first, as a column's previous value is. The findings are those of checking every field: a run
/// counts only when each of its fields was valid, and counts the facts they had.
final class RowSegments {
    struct Segment {
        let columns: Range<Int>
        /// Whether the run ends the line (its last field is the line's last).
        let endsLine: Bool
        /// The last run read, all valid.
        var previous = PreviousRun()
        /// Each gene's last run.
        var runs = GeneRunTable()
        /// The facts of the fields of the runs that had some (``GeneRunTable/Run/facts``).
        var facts: [[ValueFacts]] = []
    }

    /// File offset (-1: none) and length of a run, and its fields' facts (an index in
    /// ``Segment/facts``, -1: none had any).
    struct PreviousRun {
        var offset = -1
        var count = 0
        var facts = -1
    }

    /// Genes remembered per segment before the table is cleared.
    static let limit = 200_000
    /// Shorter runs are not taken as one.
    static let minimumColumns = 3

    private(set) var segments: [Segment] = []
    /// Per column: the index of the segment that starts there, or -1.
    let startingAt: [Int]
    /// Per column: whether it is in a segment. Its values are not kept in the thread's
    /// ``CheckedValueCache`` as well: the run is read field by field when the gene is new to the
    /// thread, and its values seldom recur in other genes.
    let inRun: [Bool]

    init(table: TableSchema) {
        var startingAt = Array(repeating: -1, count: table.columns.count)
        if LegacyColumns.isLegacy(table), table.columnIndex("gene_id") != nil {
            let byGene = table.columns.map { column in
                LegacyColumn.allCases.first { $0.name == column.name }.map { LegacyColumn.checkedByGene.contains($0) } ?? false
            }
            var column = 0
            while column < byGene.count {
                guard byGene[column] else {
                    column += 1
                    continue
                }
                var end = column + 1
                while end < byGene.count, byGene[end] { end += 1 }
                if end - column >= Self.minimumColumns {
                    startingAt[column] = segments.count
                    segments.append(Segment(columns: column..<end, endsLine: end == byGene.count))
                }
                column = end
            }
        }
        self.startingAt = startingAt
        var inRun = Array(repeating: false, count: table.columns.count)
        for segment in segments { for column in segment.columns { inRun[column] = true } }
        self.inRun = inRun
    }

    func columns(of segment: Int) -> Range<Int> { segments[segment].columns }

    func endsLine(_ segment: Int) -> Bool { segments[segment].endsLine }

    /// The last run of `segment` read, all valid.
    func previousRun(_ segment: Int) -> PreviousRun { segments[segment].previous }

    /// The facts of the fields of a run (`index`: ``PreviousRun/facts``).
    func facts(_ index: Int, segment: Int) -> [ValueFacts] { segments[segment].facts[index] }

    /// Starts a chunk: no run read yet.
    func startChunk() {
        for index in segments.indices { segments[index].previous = PreviousRun() }
    }

    /// The last run of `segment` kept for `gene`.
    func run(of gene: Int, segment: Int) -> GeneRunTable.Run? { segments[segment].runs[gene] }

    /// Keeps the run of `segment` of `gene` read at file offset `offset` (`count` bytes, hash
    /// `hash`), whose fields were all valid with `facts` (nil: none had any).
    func remember(_ hash: ContentHash, gene: Int, segment: Int, offset: Int, count: Int, facts: [ValueFacts]?) {
        if segments[segment].runs.count >= Self.limit {
            segments[segment].runs.removeAll()
            segments[segment].facts.removeAll()
        }
        var index = -1
        if let facts {
            index = segments[segment].facts.count
            segments[segment].facts.append(facts)
        }
        segments[segment].runs.insert(gene, run: GeneRunTable.Run(count: count, hash: hash, facts: index))
        setPrevious(segment, PreviousRun(offset: offset, count: count, facts: index))
    }

    /// Makes `run` the one the next row's is compared with.
    func setPrevious(_ segment: Int, _ run: PreviousRun) {
        segments[segment].previous = run
    }
}

/// A map from a gene (a hash of its id, ``ByteHash``) to its last run of a segment: open
/// addressing with linear probing, as ``FlatHashTable``.
struct GeneRunTable {
    struct Run {
        var count: Int
        var hash: ContentHash
        /// The facts of its fields: an index in ``RowSegments/Segment/facts``, -1 when none had any.
        var facts: Int
    }

    private var keys: [Int]
    private var runs: [Run?]
    private var mask: Int
    private(set) var count = 0

    init() {
        keys = Array(repeating: 0, count: 16)
        runs = Array(repeating: nil, count: 16)
        mask = 15
    }

    subscript(key: Int) -> Run? {
        var slot = key & mask
        while let run = runs[slot] {
            if keys[slot] == key { return run }
            slot = (slot + 1) & mask
        }
        return nil
    }

    mutating func insert(_ key: Int, run: Run) {
        if (count + 1) * 4 > runs.count * 3 { grow() }
        var slot = key & mask
        while runs[slot] != nil {
            if keys[slot] == key {
                runs[slot] = run
                return
            }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        runs[slot] = run
        count += 1
    }

    mutating func removeAll() {
        for index in runs.indices { runs[index] = nil }
        count = 0
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldRuns = runs
        keys = Array(repeating: 0, count: oldRuns.count * 2)
        runs = Array(repeating: nil, count: oldRuns.count * 2)
        mask = runs.count - 1
        count = 0
        for index in oldRuns.indices { if let run = oldRuns[index] { insert(oldKeys[index], run: run) } }
    }
}
