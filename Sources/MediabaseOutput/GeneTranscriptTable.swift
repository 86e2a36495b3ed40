import Foundation
import MediabaseModel
import MediabaseSQLite

/// Every transcript of a core with its gene, and every gene's symbol, in a few flat arrays: the
/// cross-reference view (``ViewTableFiller``) looks them up here instead of seeking the
/// `transcripts` and `genes` tables once or twice per cross-reference, which on a large core
/// (rows in input order, a small page cache) costs a page read per seek.
///
/// Built by two sequential scans (`transcripts_gene_id`, then `genes`); ``load(from:limitBytes:)``
/// gives up (nil) once it would hold more than its budget, and the filler then seeks as before.
/// Keys compare as bytes, as SQLite's BINARY collation does.
struct GeneTranscriptTable {
    /// Budget of ``load(from:limitBytes:)``: about 30 MB for the real database's 77,114 genes
    /// and 385,659 transcripts.
    static let defaultLimitBytes = 96 << 20

    private var geneBytes: [UInt8] = []
    /// Gene `i` is `geneBytes[geneEnds[i - 1] ..< geneEnds[i]]` (from 0 for the first).
    private var geneEnds: [Int32] = []
    /// The transcripts of gene `i` are `transcriptsStart[i] ..< transcriptsStart[i + 1]`.
    private var transcriptsStart: [Int32] = []
    private var symbolBytes: [UInt8] = []
    /// The symbol of gene `i` is `symbolBytes[symbolRange[i]]`; nil: NULL, or no row in `genes`.
    private var symbolRange: [Range<Int32>?] = []
    private var transcriptBytes: [UInt8] = []
    private var transcriptEnds: [Int32] = []
    private var transcriptGene: [Int32] = []
    private var geneSlots = HashSlots()
    private var transcriptSlots = HashSlots()

    /// Reads the core's transcripts and genes; nil when they would take more than `limitBytes`.
    static func load(from database: SQLiteDatabase, limitBytes: Int = defaultLimitBytes) throws -> GeneTranscriptTable? {
        var table = GeneTranscriptTable()
        // The lookup index covers both columns, in gene order: the genes come grouped.
        let transcripts = try database.prepare("SELECT gene_id, transcript_id FROM transcripts ORDER BY gene_id, transcript_id")
        while try transcripts.step() {
            // Neither a NULL gene nor a NULL transcript id can match a lookup.
            guard let gene = transcripts.textBytes(0), let transcript = transcripts.textBytes(1) else { continue }
            if table.geneEnds.isEmpty || !table.geneEquals(table.geneEnds.count - 1, gene) { table.appendGene(gene) }
            table.transcriptBytes.append(transcript)
            table.transcriptEnds.append(Int32(table.transcriptBytes.count))
            table.transcriptGene.append(Int32(table.geneEnds.count - 1))
            if table.transcriptEnds.count % 4096 == 0, table.estimatedBytes > limitBytes { return nil }
        }
        table.transcriptsStart.append(Int32(table.transcriptEnds.count))
        guard table.estimatedBytes <= limitBytes else { return nil }
        table.transcriptSlots = HashSlots(capacityFor: table.transcriptEnds.count)
        for index in table.transcriptEnds.indices {
            table.transcriptSlots.insert(Int32(index), hash: table.withTranscript(index) { ContentHash($0).low })
        }
        table.rehashGenes()

        let genes = try database.prepare("SELECT gene_id, gene_symbol FROM genes")
        while try genes.step() {
            guard let gene = genes.textBytes(0) else { continue }
            var index = table.geneIndex(gene)
            if index == nil {
                table.appendGene(gene)
                table.transcriptsStart.append(Int32(table.transcriptEnds.count))
                index = table.geneEnds.count - 1
                if table.geneSlots.isCrowded(count: table.geneEnds.count) {
                    table.rehashGenes()
                } else {
                    table.geneSlots.insert(Int32(index!), hash: ContentHash(gene).low)
                }
            }
            if let symbol = genes.textBytes(1) {
                let start = Int32(table.symbolBytes.count)
                table.symbolBytes.append(symbol)
                table.symbolRange[index!] = start..<Int32(table.symbolBytes.count)
            }
            if table.geneEnds.count % 4096 == 0, table.estimatedBytes > limitBytes { return nil }
        }
        guard table.estimatedBytes <= limitBytes else { return nil }
        return table
    }

    /// Memory held, roughly (array capacities aside).
    private var estimatedBytes: Int {
        geneBytes.count + symbolBytes.count + transcriptBytes.count + geneEnds.count * 29 + transcriptEnds.count * 16
            + (geneSlots.slotCount + transcriptSlots.slotCount) * 4
    }

    private mutating func appendGene(_ gene: Span<UInt8>) {
        geneBytes.append(gene)
        geneEnds.append(Int32(geneBytes.count))
        transcriptsStart.append(Int32(transcriptEnds.count))
        symbolRange.append(nil)
    }

    private mutating func rehashGenes() {
        geneSlots = HashSlots(capacityFor: geneEnds.count * 2)
        for index in geneEnds.indices { geneSlots.insert(Int32(index), hash: withGene(index) { ContentHash($0).low }) }
    }

    private func withGene<R>(_ index: Int, _ body: (Span<UInt8>) throws -> R) rethrows -> R {
        let start = index == 0 ? 0 : Int(geneEnds[index - 1])
        return try body(geneBytes.span.extracting(start..<Int(geneEnds[index])))
    }

    private func withTranscript<R>(_ index: Int, _ body: (Span<UInt8>) throws -> R) rethrows -> R {
        let start = index == 0 ? 0 : Int(transcriptEnds[index - 1])
        return try body(transcriptBytes.span.extracting(start..<Int(transcriptEnds[index])))
    }

    private func geneEquals(_ index: Int, _ gene: Span<UInt8>) -> Bool {
        withGene(index) { $0.elementsEqual(gene) }
    }

    /// The number of a gene id, if the core has it (in `transcripts` or `genes`).
    func geneIndex(_ gene: Span<UInt8>) -> Int? {
        geneSlots.find(hash: ContentHash(gene).low) { geneEquals(Int($0), gene) }.map(Int.init)
    }

    /// Calls `body` with the id of a gene number.
    func withGeneId<R>(_ index: Int, _ body: (Span<UInt8>) throws -> R) rethrows -> R { try withGene(index, body) }

    /// The gene number of a transcript id; nil when `transcripts` lacks it.
    func geneOfTranscript(_ transcript: Span<UInt8>) -> Int? {
        transcriptSlots.find(hash: ContentHash(transcript).low) { withTranscript(Int($0)) { $0.elementsEqual(transcript) } }
            .map { Int(transcriptGene[Int($0)]) }
    }

    /// Calls `body` with each transcript id of a gene number.
    func forEachTranscript(ofGene index: Int, _ body: (Span<UInt8>) throws -> Void) rethrows {
        for transcript in Int(transcriptsStart[index])..<Int(transcriptsStart[index + 1]) { try withTranscript(transcript, body) }
    }

    /// Calls `body` with the symbol of a gene number: nil when NULL or when `genes` has no row for it.
    func withSymbol<R>(ofGene index: Int, _ body: (Span<UInt8>?) throws -> R) rethrows -> R {
        guard let range = symbolRange[index] else { return try body(nil) }
        return try body(symbolBytes.span.extracting(Int(range.lowerBound)..<Int(range.upperBound)))
    }
}

/// An open-addressing table of element numbers by 64-bit hash (linear probing); the caller
/// compares the keys.
struct HashSlots {
    private var slots: [Int32] = []
    private var mask = 0

    init() {}

    /// Room for `count` elements at most half full.
    init(capacityFor count: Int) {
        var size = 16
        while size < count * 2 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
        mask = size - 1
    }

    var slotCount: Int { slots.count }

    func isCrowded(count: Int) -> Bool { count * 2 > slots.count }

    mutating func insert(_ element: Int32, hash: UInt64) {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = element
    }

    func find(hash: UInt64, matches: (Int32) -> Bool) -> Int32? {
        guard !slots.isEmpty else { return nil }
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 {
            if matches(slots[slot]) { return slots[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }
}
