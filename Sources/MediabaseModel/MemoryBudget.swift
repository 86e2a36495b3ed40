import Foundation

/// `--memory-limit SIZE` (docs/spec.md §2): what a conversion may keep in memory, and how the
/// normalizer's share of it is split.
///
/// A run needs a part that does not depend on the limit (``fixedBytes``: the program, the
/// reader's buffers, the batches between the threads, the writer's SQLite page cache and the
/// transcripts it holds to write them in id order); the rest is the normalizer's state. Most of
/// it goes to the gene states (``GeneStates``, accounted in bytes), an eighth to the transcript →
/// gene map (``TranscriptOwners``), an eighth to parsed GO terms kept for reuse; what does not
/// fit waits in temporary files (the GO terms are parsed again). The split is explained in
/// docs/decisions.md.
package struct MemoryBudget: Sendable, Equatable {
    /// 300 MB: the real database's 77,114 genes and 385,659 transcripts stay in memory.
    package static let defaultLimit: Int64 = 300_000_000
    /// Smaller limits are refused as a likely mistake (a size without its unit).
    package static let minimumLimit: Int64 = 1_000_000

    /// What a run holds whatever the limit, measured on the generator's profiles (see
    /// docs/decisions.md): below it the state still spills as much as it can, but the peak
    /// cannot stay under the limit. 120 MB, where the read stage's peak less its state was 72 MB
    /// on small inputs: with the gene states filling their share and spilling, a 4x lean input's
    /// read stage held 100 to 113 MB besides its state (306.8 MB with 90 MB here, 300.9 with 100;
    /// 296 to 303 with 110 once the spill files replaced SQLite).
    package static let fixedBytes: Int64 = 120_000_000
    /// The state never gets less than this, whatever the limit.
    static let minimumStateBytes: Int64 = 1_000_000

    /// Most bytes per transcript in memory: the transcript map's slots (12 bytes, a 64-bit key
    /// and a 32-bit gene) at most 3/4 full, with room for its segments' uneven shares, is 16.4 to
    /// 16.6 bytes per transcript of its capacity, counted over its storage (`OwnerTable`'s tests;
    /// a `[UInt64: UInt32]` took up to 48, growing beside its old table).
    static let bytesPerTranscript: Int64 = 17
    /// The Bloom filter in front of the transcripts' temporary file, once anything spills (the
    /// gene states keep an entry per gene instead, counted in their share).
    static let filterBytes: Int64 = (1 << 24) / 8

    package let limit: Int64

    package init(limit: Int64 = MemoryBudget.defaultLimit) {
        self.limit = limit
    }

    /// What the normalizer's state may take.
    var stateBytes: Int64 { max(limit - Self.fixedBytes, Self.minimumStateBytes) }

    /// Room for each temporary file's buffers (the spilled gene states' and transcripts'): 1/64 of
    /// the state, between 256 KB and 2 MB.
    package var spillBufferKilobytes: Int { Int(min(max(stateBytes / 64 / 1024, 256), 2048)) }

    /// Transcripts kept in memory before they go to their temporary file.
    package var transcriptsInMemory: Int { Int(max(stateBytes / 8 / Self.bytesPerTranscript, 64)) }

    /// Bytes of parsed GO terms kept for reuse by content (the normalizer's `GOTermCache`): an
    /// eighth of the state.
    package var goTermCacheBytes: Int { Int(stateBytes / 8) }

    /// Bytes of gene states kept in memory (as ``GeneState/estimatedBytes`` counts them).
    package var geneStateBytes: Int {
        Int(max(stateBytes - stateBytes / 8 - Int64(goTermCacheBytes) - 2 * Int64(spillBufferKilobytes) * 1024 - Self.filterBytes, 0))
    }

    /// The end steps' own peak (indexes, view tables, validation), measured on the generator's
    /// profiles; the state is gone by then.
    static let endStepsBytes: Int64 = 130_000_000

    /// Page cache of the view tables that walk `transcripts` in id order and look each row's
    /// transcript and gene up (random reads when the input's rows were scattered): what the
    /// limit leaves above the end steps' peak, between 2 MB (SQLite's default) and 64 MB (the
    /// full-size core's `transcripts` and `genes`).
    package var viewScanCacheKilobytes: Int {
        Int(min(max((limit - Self.endStepsBytes) / 1024, 2048), 65536))
    }

    /// What the end steps hold besides their in-memory lookups and the checks' sets of keys
    /// (SQLite's caches and sorters on four connections), for ``endStepsPoolBytes``: the read
    /// stage's state is freed before them, so this is not ``fixedBytes``.
    static let endStepsBesideLookupsBytes: Int64 = 100_000_000

    /// What the end steps' in-memory structures take from, together, whichever connection runs
    /// them and however they overlap (a `MemoryPool`): the view tables' lookups (the genes'
    /// transcripts and symbols, then with them the cross-references sorted in memory; the gene
    /// summaries with the transcripts' rows) and the foreign-key checks' sets of parent keys.
    /// What the limit leaves above ``endStepsBesideLookupsBytes``.
    package var endStepsPoolBytes: Int { Int(max(0, limit - Self.endStepsBesideLookupsBytes)) }

    /// The most one fill's lookups take of ``endStepsPoolBytes``: 96 MiB, less under a smaller
    /// limit. A fill granted less than it needs sorts (the cross-reference view) or seeks the
    /// core's indexes instead: the same rows, more slowly. The genes' ids and symbols, which
    /// several fills use, are read once and shared (docs/commands.md, "Memory limit").
    package var viewLookupBytes: Int { min(96 << 20, endStepsPoolBytes) }

    /// Parses SIZE: a number (decimals allowed) and an optional unit, case-insensitive, with or
    /// without a space: none or `B` for bytes, `K`/`KB`, `M`/`MB`, `G`/`GB`, `T`/`TB` for powers of
    /// 1000 (as the run's summary prints sizes), `KiB`, `MiB`, `GiB`, `TiB` for powers of 1024.
    /// Nil for anything else, including a size that is not a whole number of bytes or does not
    /// fit in 63 bits.
    package static func parseSize(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let numberEnd = trimmed.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? trimmed.endIndex
        let parts = trimmed[..<numberEnd].split(separator: ".", omittingEmptySubsequences: false)
        let multipliers: [String: Int64] = [
            "": 1, "b": 1,
            "k": 1_000, "kb": 1_000, "m": 1_000_000, "mb": 1_000_000, "g": 1_000_000_000, "gb": 1_000_000_000,
            "t": 1_000_000_000_000, "tb": 1_000_000_000_000,
            "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
        ]
        guard let multiplier = multipliers[trimmed[numberEnd...].trimmingCharacters(in: .whitespaces).lowercased()],
              (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.count <= 18 }),
              let whole = Int64(parts[0]) else { return nil }
        // The fraction, as digits over a power of ten, must give whole bytes.
        let fraction = parts.count == 2 ? parts[1] : "0"
        guard let numerator = Int64(fraction) else { return nil }
        let denominator = (0..<fraction.count).reduce(Int64(1)) { product, _ in product * 10 }
        let (wholeBytes, overflow) = whole.multipliedReportingOverflow(by: multiplier)
        let (fractionScaled, fractionOverflow) = numerator.multipliedReportingOverflow(by: multiplier)
        guard !overflow, !fractionOverflow, fractionScaled % denominator == 0 else { return nil }
        let (bytes, sumOverflow) = wholeBytes.addingReportingOverflow(fractionScaled / denominator)
        return sumOverflow ? nil : bytes
    }

    /// What `--memory-limit` says of a value it refuses.
    package static let sizeExpected = "a size of at least 1MB such as 300MB, 1.5GB, 512MiB or 400000000 (bytes)"
}

/// How the normalizer's state fared against its budget (``MemoryBudget``), for `report.json`:
/// whether anything went to the temporary files, and how much.
package struct SpillTally: Codable, Equatable, Sendable {
    /// Bytes of gene states the budget allowed in memory, and the most they took at once.
    package var geneStateBudgetBytes = 0
    package var geneStatePeakBytes = 0
    /// Gene states written to the temporary file (a gene may go more than once), and read back.
    package var geneStatesSpilled = 0
    package var geneStatesRestored = 0
    /// Transcripts the transcript → gene map kept in memory before writing them all to its
    /// temporary file, and how many it wrote there.
    package var transcriptsInMemory = 0
    package var transcriptsSpilled = 0

    package init(geneStateBudgetBytes: Int = 0, geneStatePeakBytes: Int = 0, geneStatesSpilled: Int = 0, geneStatesRestored: Int = 0,
                 transcriptsInMemory: Int = 0, transcriptsSpilled: Int = 0) {
        self.geneStateBudgetBytes = geneStateBudgetBytes
        self.geneStatePeakBytes = geneStatePeakBytes
        self.geneStatesSpilled = geneStatesSpilled
        self.geneStatesRestored = geneStatesRestored
        self.transcriptsInMemory = transcriptsInMemory
        self.transcriptsSpilled = transcriptsSpilled
    }
}
