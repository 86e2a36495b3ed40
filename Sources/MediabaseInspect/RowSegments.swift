import Foundation
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
/// (``ContentHash``) of its last run read field by field are kept, shared by the threads reading
/// the block (``SharedGeneRuns``): a row whose bytes at the run's place, that long and followed by
/// the same separator, hash the same holds the same run (raw bytes equal, so fields and values
/// equal), whatever its escapes. The last run the thread read is compared with first, as a
/// column's previous value is. The findings are those of checking every field: a run counts only
/// when each of its fields was valid, and counts the facts they had.
final class RowSegments {
    /// File offset (-1: none) and length of a run, and its fields' facts (nil: none had any).
    struct PreviousRun {
        var offset = -1
        var count = 0
        var facts: [ValueFacts]?
    }

    /// Whether a segment's runs are compared with the last one read, and how often that found it.
    /// As a column's values (``ChunkReader``), a segment whose runs seldom equal the last one (a
    /// gene's rows scattered over the table) stops being compared for the rest of the chunk.
    private struct Comparison {
        var hits = 0
        var misses = 0
        var comparing = true
    }

    /// Shorter runs are not taken as one.
    static let minimumColumns = 3

    /// The segments' columns.
    let columns: [Range<Int>]
    /// Per column: the index of the segment that starts there, or -1.
    let startingAt: [Int]
    /// Per column: whether it is in a segment. Its values are not kept in the thread's
    /// ``CheckedValueCache`` as well: the run is read field by field when the gene is new, and its
    /// values seldom recur in other genes.
    let inRun: [Bool]
    private let lineColumns: Int
    private let shared: SharedGeneRuns
    /// Per segment: the last run this thread read, all valid, while compared with.
    private var previous: [PreviousRun]
    private var comparisons: [Comparison]
    /// Per segment: the runs kept for the gene of the row being read (``lookedUpGene``), looked
    /// up together, under one lock.
    private var lookedUp: [(count: Int, hash: ContentHash, facts: [ValueFacts]?)?]
    private var lookedUpGene: Int?

    init(table: TableSchema, shared: SharedGeneRuns) {
        columns = Self.segments(of: table)
        lineColumns = table.columns.count
        var startingAt = Array(repeating: -1, count: table.columns.count)
        var inRun = Array(repeating: false, count: table.columns.count)
        for (index, run) in columns.enumerated() {
            startingAt[run.lowerBound] = index
            for column in run { inRun[column] = true }
        }
        self.startingAt = startingAt
        self.inRun = inRun
        self.shared = shared
        previous = Array(repeating: PreviousRun(), count: columns.count)
        comparisons = Array(repeating: Comparison(), count: columns.count)
        lookedUp = Array(repeating: nil, count: columns.count)
    }

    /// The runs of `table` checked as one value: none unless it is the legacy table with a gene id.
    static func segments(of table: TableSchema) -> [Range<Int>] {
        guard LegacyColumns.isLegacy(table), table.columnIndex("gene_id") != nil else { return [] }
        let byGene = table.columns.map { column in
            LegacyColumn.allCases.first { $0.name == column.name }.map { LegacyColumn.checkedByGene.contains($0) } ?? false
        }
        var runs: [Range<Int>] = []
        var column = 0
        while column < byGene.count {
            guard byGene[column] else {
                column += 1
                continue
            }
            var end = column + 1
            while end < byGene.count, byGene[end] { end += 1 }
            if end - column >= Self.minimumColumns { runs.append(column..<end) }
            column = end
        }
        return runs
    }

    /// Whether the run of `segment` ends the line (its last field is the line's last).
    func endsLine(_ segment: Int) -> Bool { columns[segment].upperBound == lineColumns }

    /// The last run of `segment` this thread read, all valid (none when runs are no longer
    /// compared with it).
    func previousRun(_ segment: Int) -> PreviousRun { previous[segment] }

    /// Counts whether a run equaled the last one read; after ``ChunkReader/trialMisses`` misses,
    /// when they were more than ``ChunkReader/minimumHitShare`` times the hits, runs are no longer
    /// compared with it in the chunk.
    func countComparison(_ segment: Int, equal: Bool) {
        if equal {
            comparisons[segment].hits += 1
            return
        }
        comparisons[segment].misses += 1
        if comparisons[segment].misses == ChunkReader.trialMisses, comparisons[segment].hits * ChunkReader.minimumHitShare < ChunkReader.trialMisses {
            comparisons[segment].comparing = false
            previous[segment] = PreviousRun()
        }
    }

    /// Starts a chunk: no run read yet, every segment compared.
    func startChunk() {
        for index in previous.indices {
            previous[index] = PreviousRun()
            comparisons[index] = Comparison()
        }
    }

    /// Starts a row: its gene's runs are not looked up yet.
    func startRow() {
        lookedUpGene = nil
    }

    /// The last run of `segment` kept for `gene`, and its fields' facts (nil: none had any). The
    /// row's gene's runs of every segment are looked up at its first.
    func run(of gene: Int, segment: Int) -> (count: Int, hash: ContentHash, facts: [ValueFacts]?)? {
        if lookedUpGene != gene {
            shared.runs(of: gene, into: &lookedUp)
            lookedUpGene = gene
        }
        return lookedUp[segment]
    }

    /// Keeps the run of `segment` of `gene` read at file offset `offset` (`count` bytes, hash
    /// `hash`), whose fields were all valid with `facts` (nil: none had any).
    func remember(_ hash: ContentHash, gene: Int, segment: Int, offset: Int, count: Int, facts: [ValueFacts]?) {
        shared.remember(GeneRunTable.Run(count: count, hash: hash, facts: -1), facts: facts, gene: gene, segment: segment)
        setPrevious(segment, PreviousRun(offset: offset, count: count, facts: facts))
    }

    /// Makes `run` the one the next row's is compared with, while runs are.
    func setPrevious(_ segment: Int, _ run: PreviousRun) {
        guard comparisons[segment].comparing else { return }
        previous[segment] = run
    }
}

/// Each gene's last run of each segment of a COPY block's table (``RowSegments``), shared by the
/// threads that read the block: a gene's rows scattered over the table are read by both, and its
/// run is read field by field once, not once per thread. The genes are spread over
/// ``stripeCount`` stripes by their hash, each behind its own lock, so that the two threads seldom
/// wait for each other (with one lock, one lookup per row made the threads wait for each other
/// about a thousand times on the lean dump, and sleep).
///
/// Unchecked as ``SharedCheckedValueCache`` is: each stripe's state is reached only under its
/// lock. A row looks its gene up once, too often for `Guarded`, which wakes its waiters on every
/// access.
final class SharedGeneRuns: @unchecked Sendable {
    static let stripeCount = 64
    /// Slots of a stripe's table at most (``GeneRunTable``): genes are kept up to three quarters of
    /// them, 196,608 in all (the real table has 77,114 genes, docs/spec.md §3.1; a 1 GB dump of
    /// lean rows about 172,000), in 21 MB at most for the legacy table's three segments. A stripe
    /// whose table is full forgets its genes and starts again.
    static let maximumSlots = 1 << 12

    /// A stripe's genes: its lock, their runs, and the facts of the fields of the runs that had
    /// some (``GeneRunTable/Run/facts``), reached only under the lock.
    private final class Stripe {
        let lock = NSLock()
        var runs: GeneRunTable
        var facts: [[ValueFacts]] = []

        init(segments: Int) {
            runs = GeneRunTable(segments: segments)
        }
    }

    private let stripes: [Stripe]

    init(table: TableSchema) {
        let count = RowSegments.segments(of: table).count
        stripes = (0..<Self.stripeCount).map { _ in Stripe(segments: count) }
    }

    /// The stripe of `gene`: from the hash's high bits, as its low bits pick its slot.
    private func stripe(_ gene: Int) -> Stripe { stripes[Int(UInt(bitPattern: gene) >> 58) % Self.stripeCount] }

    /// Sets `found[segment]` to the last run of each segment kept for `gene`, with its fields'
    /// facts (nil: none had any).
    func runs(of gene: Int, into found: inout [(count: Int, hash: ContentHash, facts: [ValueFacts]?)?]) {
        let stripe = stripe(gene)
        stripe.lock.lock()
        defer { stripe.lock.unlock() }
        let entry = stripe.runs.entry(of: gene)
        for segment in found.indices {
            if let entry, let run = stripe.runs.run(at: entry, segment: segment) {
                found[segment] = (run.count, run.hash, run.facts >= 0 ? stripe.facts[run.facts] : nil)
            } else {
                found[segment] = nil
            }
        }
    }

    func remember(_ run: GeneRunTable.Run, facts runFacts: [ValueFacts]?, gene: Int, segment: Int) {
        let stripe = stripe(gene)
        stripe.lock.lock()
        defer { stripe.lock.unlock() }
        // A full table, or facts piling up under genes whose rows disagree, start afresh.
        if stripe.runs.isFull(adding: gene, maximumSlots: Self.maximumSlots) || stripe.facts.count >= Self.maximumSlots {
            stripe.runs.removeAll()
            stripe.facts.removeAll()
        }
        var run = run
        if let runFacts {
            run.facts = stripe.facts.count
            stripe.facts.append(runFacts)
        }
        stripe.runs.set(run, gene: gene, segment: segment)
    }
}

/// A map from a gene (a hash of its id, ``ByteHash``) to its last run of each segment: open
/// addressing with linear probing, as ``FlatHashTable``, each slot's key and runs side by side in
/// one array of words, so that a row's lookup of every segment reads one or two cache lines (the
/// genes of scattered rows come at random: a table per segment, with its keys apart from its
/// runs, cost a cache miss per array and segment).
///
/// A slot is ``stride`` words: the key (0: empty; a gene hashing to 0 is kept as 1, which at
/// worst shares a slot with another gene: a run is taken only when its bytes hash the same), then
/// per segment three words: the run's byte count (low half; all ones: none) and facts index (high
/// half), and the two halves of its hash.
struct GeneRunTable {
    struct Run {
        var count: Int
        var hash: ContentHash
        /// The facts of its fields: an index in the facts ``SharedGeneRuns`` keeps, -1 when none had any.
        var facts: Int
    }

    private static let noRun: UInt64 = 0xFFFF_FFFF
    private let segments: Int
    private let stride: Int
    private var words: [UInt64]
    private var mask: Int
    private(set) var count = 0

    init(segments: Int, slots: Int = 64) {
        self.segments = segments
        stride = 1 + 3 * segments
        mask = slots - 1
        words = []
        words = emptyWords(slots: slots)
    }

    private func emptyWords(slots: Int) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: slots * stride)
        for slot in 0..<slots {
            for segment in 0..<segments { words[slot * stride + 1 + 3 * segment] = Self.noRun }
        }
        return words
    }

    @inline(__always) private static func key(_ gene: Int) -> UInt64 { gene == 0 ? 1 : UInt64(bitPattern: Int64(gene)) }

    /// Where the slot of `gene` starts in the words, nil when it has none.
    func entry(of gene: Int) -> Int? {
        let key = Self.key(gene)
        var slot = Int(truncatingIfNeeded: key) & mask
        while true {
            let start = slot * stride
            let found = words[start]
            if found == key { return start }
            if found == 0 { return nil }
            slot = (slot + 1) & mask
        }
    }

    /// The run of `segment` in the slot that starts at `entry`.
    func run(at entry: Int, segment: Int) -> Run? {
        let start = entry + 1 + 3 * segment
        let packed = words[start]
        guard packed & Self.noRun != Self.noRun else { return nil }
        return Run(count: Int(packed & Self.noRun), hash: ContentHash(low: words[start + 1], high: words[start + 2]),
                   facts: Int(Int32(truncatingIfNeeded: packed >> 32)))
    }

    /// Whether keeping `gene` would need more than `maximumSlots` slots.
    func isFull(adding gene: Int, maximumSlots: Int) -> Bool {
        (count + 1) * 4 > (mask + 1) * 3 && (mask + 1) * 2 > maximumSlots && entry(of: gene) == nil
    }

    /// Keeps `run` as the last of `segment` for `gene` (not one of 4 GiB or more: its count would not fit).
    mutating func set(_ run: Run, gene: Int, segment: Int) {
        guard run.count < Int(Self.noRun) else { return }
        let key = Self.key(gene)
        if entry(of: gene) == nil, (count + 1) * 4 > (mask + 1) * 3 { grow() }
        var slot = Int(truncatingIfNeeded: key) & mask
        while words[slot * stride] != key && words[slot * stride] != 0 { slot = (slot + 1) & mask }
        let start = slot * stride
        if words[start] == 0 {
            words[start] = key
            count += 1
        }
        let runStart = start + 1 + 3 * segment
        words[runStart] = UInt64(UInt32(truncatingIfNeeded: run.count)) | UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: run.facts))) << 32
        words[runStart + 1] = run.hash.low
        words[runStart + 2] = run.hash.high
    }

    mutating func removeAll() {
        words = emptyWords(slots: mask + 1)
        count = 0
    }

    private mutating func grow() {
        let old = words
        let oldSlots = mask + 1
        words = emptyWords(slots: oldSlots * 2)
        mask = oldSlots * 2 - 1
        for slot in 0..<oldSlots where old[slot * stride] != 0 {
            let key = old[slot * stride]
            var target = Int(truncatingIfNeeded: key) & mask
            while words[target * stride] != 0 { target = (target + 1) & mask }
            for word in 0..<stride { words[target * stride + word] = old[slot * stride + word] }
        }
    }
}
