import Foundation
import MediabaseBytes
import MediabaseModel
import MediabaseSQLite

/// Every transcript of a core with its gene, and every gene's symbol, in a few flat arrays: the
/// cross-reference view (``ViewTableFiller``) looks them up here instead of seeking the
/// `transcripts` and `genes` tables once or twice per cross-reference, which on a large core
/// (rows in input order, a small page cache) costs a page read per seek.
///
/// Built by two sequential scans of the tables in rowid order (`transcripts`, then `genes`), no
/// index needed (the fill runs while they are built); ``load(from:limitBytes:)`` gives up (nil)
/// once it would hold more than its budget, and the filler then joins by sorting instead.
/// Keys compare as bytes, as SQLite's BINARY collation does. A class: the fill binds it once per
/// cross-reference, which for a struct of ten arrays meant ten retains and releases each time.
final class GeneTranscriptTable {
    /// Budget of ``load(from:limitBytes:)``: about 30 MB for the real database's 77,114 genes
    /// and 385,659 transcripts.
    static let defaultLimitBytes = 96 << 20

    private var genes = ByteStringTable()
    /// The transcripts of gene `i` are the numbers `geneTranscripts[transcriptsStart[i] ..<
    /// transcriptsStart[i + 1]]`, in byte order.
    private var transcriptsStart: [Int32] = []
    private var geneTranscripts: [Int32] = []
    /// The symbol of gene `i`; nil: NULL, or no row in `genes`.
    private var symbols = OptionalByteStrings()
    /// In rowid order.
    private var transcripts = ByteStringTable()
    private var transcriptGene: [Int32] = []

    /// Reads the core's transcripts and genes; nil when they would take more than `limitBytes`.
    static func load(from database: SQLiteDatabase, limitBytes: Int = defaultLimitBytes) throws -> GeneTranscriptTable? {
        let table = GeneTranscriptTable()
        // A sort by gene would cost more than numbering the genes by hash as they come (input
        // order; on scattered rows a gene's transcripts are apart) and grouping them after.
        let transcripts = try database.prepare("SELECT gene_id, transcript_id FROM transcripts")
        var lastGene = -1
        while try transcripts.step() {
            // Neither a NULL gene nor a NULL transcript id can match a lookup.
            guard let gene = transcripts.textBytes(0), let transcript = transcripts.textBytes(1) else { continue }
            if lastGene < 0 || !table.genes.equals(lastGene, gene) {
                if let known = table.genes.index(of: gene) {
                    lastGene = known
                } else {
                    table.appendGene(gene)
                    table.genes.indexLast()
                    lastGene = table.genes.count - 1
                }
            }
            table.transcripts.append(transcript)
            table.transcriptGene.append(Int32(lastGene))
            if table.transcripts.count % 4096 == 0, table.estimatedBytes > limitBytes { return nil }
        }
        guard table.estimatedBytes <= limitBytes else { return nil }
        table.groupTranscriptsByGene()
        table.transcripts.index(capacityFor: table.transcripts.count)

        let genes = try database.prepare("SELECT gene_id, gene_symbol FROM genes")
        while try genes.step() {
            guard let gene = genes.textBytes(0) else { continue }
            var index = table.genes.index(of: gene)
            if index == nil {
                table.appendGene(gene)
                table.transcriptsStart.append(Int32(table.geneTranscripts.count))
                index = table.genes.count - 1
                table.genes.indexLast()
            }
            if let symbol = genes.textBytes(1) { table.symbols.set(index!, symbol) }
            if table.genes.count % 4096 == 0, table.estimatedBytes > limitBytes { return nil }
        }
        guard table.estimatedBytes <= limitBytes else { return nil }
        return table
    }

    /// Lists each gene's transcripts together (a counting sort by gene number), each gene's in
    /// byte order, and ends ``transcriptsStart`` with the genes seen so far.
    private func groupTranscriptsByGene() {
        var starts = [Int32](repeating: 0, count: genes.count + 1)
        for gene in transcriptGene { starts[Int(gene) + 1] += 1 }
        for gene in 0..<genes.count { starts[gene + 1] += starts[gene] }
        var next = starts
        geneTranscripts = [Int32](repeating: 0, count: transcriptGene.count)
        for (transcript, gene) in transcriptGene.enumerated() {
            geneTranscripts[Int(next[Int(gene)])] = Int32(transcript)
            next[Int(gene)] += 1
        }
        transcriptsStart = starts
        // Insertion sorts: a gene has a few transcripts, often in order already. A gene with
        // many (a placeholder id shared by thousands of scattered rows) is sorted in n log n.
        let strings = transcripts
        for gene in 0..<genes.count {
            let (start, end) = (Int(starts[gene]), Int(starts[gene + 1]))
            guard end - start > 1 else { continue }
            guard end - start <= 32 else {
                geneTranscripts[start..<end].sort { strings.compare(Int($0), Int($1)) < 0 }
                continue
            }
            for position in (start + 1)..<end {
                let moving = geneTranscripts[position]
                var slot = position
                while slot > start, strings.compare(Int(geneTranscripts[slot - 1]), Int(moving)) > 0 {
                    geneTranscripts[slot] = geneTranscripts[slot - 1]
                    slot -= 1
                }
                geneTranscripts[slot] = moving
            }
        }
    }

    /// Memory held, roughly (array capacities aside).
    var estimatedBytes: Int {
        genes.byteCount + symbols.byteCount + transcripts.byteCount + genes.count * 29 + transcripts.count * 20
            + (genes.slotCount + transcripts.slotCount) * 4
    }

    /// A new gene number; its start in ``transcriptsStart`` is set once the transcripts are read.
    private func appendGene(_ gene: Span<UInt8>) {
        genes.append(gene)
        symbols.append(nil)
    }

    /// The number of a gene id, if the core has it (in `transcripts` or `genes`).
    func geneIndex(_ gene: Span<UInt8>) -> Int? { genes.index(of: gene) }

    /// Calls `body` with the id of a gene number.
    func withGeneId<R>(_ index: Int, _ body: (Span<UInt8>) throws -> R) rethrows -> R { try genes.with(index, body) }

    /// The gene number of a transcript id; nil when `transcripts` lacks it.
    func geneOfTranscript(_ transcript: Span<UInt8>) -> Int? {
        transcripts.index(of: transcript).map { Int(transcriptGene[$0]) }
    }

    /// The number of a transcript id; nil when `transcripts` lacks it.
    func transcriptIndex(_ transcript: Span<UInt8>) -> Int? { transcripts.index(of: transcript) }

    /// The gene number of a transcript number.
    func gene(ofTranscriptNumber index: Int) -> Int { Int(transcriptGene[index]) }

    /// Calls `body` with the id of a transcript number.
    func withTranscriptId<R>(_ index: Int, _ body: (Span<UInt8>) throws -> R) rethrows -> R { try transcripts.with(index, body) }

    /// Calls `body` with each transcript id of a gene number.
    func forEachTranscript(ofGene index: Int, _ body: (Span<UInt8>) throws -> Void) rethrows {
        for position in Int(transcriptsStart[index])..<Int(transcriptsStart[index + 1]) {
            try transcripts.with(Int(geneTranscripts[position]), body)
        }
    }

    /// Appends the transcript ids of a gene number as the items of a JSON array (`"a","b"`, no
    /// brackets), in byte order and each once, as ``forEachTranscript(ofGene:_:)`` gives them.
    func appendTranscriptsJSON(ofGene index: Int, to out: inout [UInt8]) {
        transcripts.appendJSONStrings(geneTranscripts[Int(transcriptsStart[index])..<Int(transcriptsStart[index + 1])], to: &out)
    }

    /// Calls `body` with the symbol of a gene number: nil when NULL or when `genes` has no row for it.
    func withSymbol<R>(ofGene index: Int, _ body: (Span<UInt8>?) throws -> R) rethrows -> R { try symbols.with(index, body) }
}

/// Byte strings kept end to end in one buffer, numbered in the order they were appended, and
/// found by their bytes through ``HashSlots`` once ``index(capacityFor:)`` has built them: the
/// id lists of the in-memory lookups (``GeneTranscriptTable``, ``GeneSummaries``). Strings
/// compare as bytes, as SQLite's BINARY collation does.
struct ByteStringTable {
    private var bytes: [UInt8] = []
    /// String `i` is `bytes[ends[i - 1] ..< ends[i]]` (from 0 for the first).
    private var ends: [Int32] = []
    private var slots = HashSlots()

    var count: Int { ends.count }
    var isEmpty: Bool { ends.isEmpty }
    var byteCount: Int { bytes.count }
    var slotCount: Int { slots.slotCount }

    /// Appends a string; it is found by ``index(of:)`` only once indexed.
    mutating func append(_ string: Span<UInt8>) {
        bytes.append(string)
        ends.append(Int32(bytes.count))
    }

    /// Builds the hash slots of every string, with room for `capacity` at most half full.
    mutating func index(capacityFor capacity: Int) {
        slots = HashSlots(capacityFor: capacity)
        for index in ends.indices { slots.insert(Int32(index), hash: with(index) { ContentHash($0).low }) }
    }

    /// Appends `string` and indexes it (``indexLast()``); returns its number.
    mutating func appendIndexed(_ string: Span<UInt8>) -> Int {
        append(string)
        indexLast()
        return count - 1
    }

    /// Indexes the string appended last, rebuilding the slots at twice the room when they would
    /// be more than half full.
    mutating func indexLast() {
        if slots.isCrowded(count: count) {
            index(capacityFor: count * 2)
        } else {
            slots.insert(Int32(count - 1), hash: with(count - 1) { ContentHash($0).low })
        }
    }

    func with<R>(_ index: Int, _ body: (Span<UInt8>) throws -> R) rethrows -> R {
        let start = index == 0 ? 0 : Int(ends[index - 1])
        return try body(bytes.span.extracting(start..<Int(ends[index])))
    }

    func equals(_ index: Int, _ string: Span<UInt8>) -> Bool { with(index) { $0.elementsEqual(string) } }

    /// Appends strings `numbers` as the items of a JSON array (`"a","b"`, no brackets), in
    /// that order, reading the buffers once for all of them.
    func appendJSONStrings(_ numbers: ArraySlice<Int32>, to out: inout [UInt8]) {
        let strings = bytes.span
        let ends = ends.span
        var first = true
        for number in numbers {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            let index = Int(number)
            let start = index == 0 ? 0 : Int(ends[index - 1])
            JSON.appendString(strings.extracting(start..<Int(ends[index])), to: &out)
        }
    }

    /// Byte order of strings `left` and `right` (negative, zero, positive).
    func compare(_ left: Int, _ right: Int) -> Int { with(left) { left in with(right) { left.compare($0) } } }

    /// The strings' numbers in byte order of the strings, and each number's place in that order.
    func byteOrder() -> (numbers: [Int], ranks: [Int]) {
        let numbers = (0..<count).sorted { compare($0, $1) < 0 }
        var ranks = [Int](repeating: 0, count: count)
        for (rank, number) in numbers.enumerated() { ranks[number] = rank }
        return (numbers, ranks)
    }

    /// The number of an indexed string with these bytes, or nil.
    func index(of string: Span<UInt8>) -> Int? {
        slots.find(hash: ContentHash(string).low) { equals(Int($0), string) }.map(Int.init)
    }
}

/// Byte strings or NULLs by number, kept end to end in one buffer (the genes' symbols).
struct OptionalByteStrings {
    private var bytes: [UInt8] = []
    /// String `i` is `bytes[ranges[i]]`; nil: NULL.
    private var ranges: [Range<Int32>?] = []

    var byteCount: Int { bytes.count }

    mutating func append(_ string: Span<UInt8>?) {
        ranges.append(nil)
        if let string { set(ranges.count - 1, string) }
    }

    /// Sets string `index`, which was appended (as NULL or not).
    mutating func set(_ index: Int, _ string: Span<UInt8>) {
        let start = Int32(bytes.count)
        bytes.append(string)
        ranges[index] = start..<Int32(bytes.count)
    }

    /// Calls `body` with string `index` (nil: NULL).
    func with<R>(_ index: Int, _ body: (Span<UInt8>?) throws -> R) rethrows -> R {
        guard let range = ranges[index] else { return try body(nil) }
        return try body(bytes.span.extracting(Int(range.lowerBound)..<Int(range.upperBound)))
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
