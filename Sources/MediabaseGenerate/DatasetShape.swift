import Foundation
import MediabaseBytes

/// How much annotation the generated legacy rows carry (`generate --profile`).
package enum DatasetProfile: String, CaseIterable, Codable, Sendable {
    /// Most protein-coding genes with a few KB per row, 1% heavy genes, a non-coding majority
    /// with little: about 8.8 KB per row on average.
    case standard
    /// About 1.3 KB per row: every gene annotated sparsely (a few GO terms, annotations and
    /// publications, no heavy genes), so a byte of input gives many output rows.
    case lean
    /// About 50 KB per row, as in the real 18 GB database: a quarter of the genes annotated like
    /// the heavy ones (hundreds of KB of `go_terms`, `source_references`, `features` and
    /// PharmGKB data per row), the others like protein-coding genes.
    case fat
}

/// Where a gene's rows sit in the legacy table (`generate --row-order`).
package enum RowOrder: String, CaseIterable, Codable, Sendable {
    /// Gene by gene, a few transcript rows moved to the end of their block of 32 genes.
    case generated
    /// Each row at a random place in the whole table, as in a heap after UPDATEs rewrote every
    /// row of a gene: a seeded permutation, the same for every form written.
    case scattered
}

/// Writes the legacy rows of `--row-order scattered` in a seeded random order with memory
/// bounded by the bucket size, not by the table.
///
/// Each row is sent, as the blocks arrive, to one of `bucketCount` temporary files chosen at
/// random; at the end every bucket in turn is read back, its rows shuffled, and appended to
/// the outputs. Every row is equally likely to land anywhere, buckets hold a few tens of MB,
/// and the same permutation applies to every form, so a row has the same position in
/// `mbase.sql`, `mbase.inserts.sql` and the CSV. The lines of planted rows are only known at
/// the merge, which returns them.
final class RowScatterer {
    private let seed: UInt64
    private let formats: Int
    private let folder: String
    private var buckets: [OutputFile] = []
    private var blocksSeen = 0

    /// Genes per bucket so that a bucket of one form holds about 10-15 MB.
    static func genesPerBucket(_ profile: DatasetProfile) -> Int {
        switch profile {
        case .standard: return 256
        case .lean: return 2_048
        case .fat: return 64
        }
    }

    init(seed: UInt64, genes: Int, profile: DatasetProfile, formats: Int, folder: String) throws {
        self.seed = seed
        self.formats = formats
        self.folder = folder
        let per = Self.genesPerBucket(profile)
        let count = max(1, (genes + per - 1) / per)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        for bucket in 0..<count {
            buckets.append(try OutputFile(creatingAt: (folder as NSString).appendingPathComponent("bucket-\(bucket)")))
        }
    }

    /// Sends the rows of `block` to their buckets. `rowEvents[position]` is the planted event
    /// (its index among all events) and the row's place in that event, if any.
    func add(_ block: DatasetBlock, rowEvents: [Int: (event: Int, slot: Int)]) throws {
        var random = SeededRandom(seed: seed, stream: .rowScatter, index: blocksSeen)
        blocksSeen += 1
        var chunks = [[UInt8]](repeating: [], count: buckets.count)
        for position in 0..<block.rowCount {
            let bucket = random.below(buckets.count)
            let event = rowEvents[position]
            chunks[bucket].appendLittleEndian(UInt32(truncatingIfNeeded: event.map { $0.event + 1 } ?? 0))
            chunks[bucket].appendLittleEndian(UInt32(truncatingIfNeeded: event?.slot ?? 0))
            for format in 0..<formats {
                let start = block.rowStarts[format][position]
                let end = position + 1 < block.rowCount ? block.rowStarts[format][position + 1] : block.outputs[format].count
                let lines = (position + 1 < block.rowCount ? block.rowLines[format][position + 1] : block.lines[format])
                    - block.rowLines[format][position]
                chunks[bucket].appendLittleEndian(UInt32(end - start))
                chunks[bucket].appendLittleEndian(UInt32(lines))
                chunks[bucket].append(contentsOf: block.outputs[format][start..<end])
            }
        }
        for (bucket, chunk) in chunks.enumerated() where !chunk.isEmpty { try buckets[bucket].write(chunk.span) }
    }

    /// Appends every bucket, shuffled, to `outputs` (one per form, after `linesBefore` lines
    /// each); returns the 1-based lines of each planted event's rows per form, and removes the
    /// bucket files.
    func merge(into outputs: [OutputFile], linesBefore: [Int], events: Int) throws -> [[[Int: Int]]] {
        var eventLines = [[[Int: Int]]](repeating: [[Int: Int]](repeating: [:], count: formats), count: events)
        var line = linesBefore
        for (index, bucket) in buckets.enumerated() {
            try bucket.close()
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: bucket.path)))
            try FileManager.default.removeItem(atPath: bucket.path)
            var records: [Int] = []
            var offset = 0
            while offset < bytes.count {
                records.append(offset)
                offset += 8
                for _ in 0..<formats { offset += 8 + Int(bytes.littleEndianUInt32(at: offset)) }
            }
            var random = SeededRandom(seed: seed, stream: .bucketShuffle, index: index)
            random.shuffle(&records)
            var out = [[UInt8]](repeating: [], count: formats)
            for record in records {
                let event = Int(bytes.littleEndianUInt32(at: record)) - 1
                let slot = Int(bytes.littleEndianUInt32(at: record + 4))
                var field = record + 8
                for format in 0..<formats {
                    let length = Int(bytes.littleEndianUInt32(at: field))
                    let lines = Int(bytes.littleEndianUInt32(at: field + 4))
                    if event >= 0 { eventLines[event][format][slot] = line[format] + 1 }
                    out[format].append(contentsOf: bytes[(field + 8)..<(field + 8 + length)])
                    line[format] += lines
                    field += 8 + length
                }
            }
            for (format, chunk) in out.enumerated() { try outputs[format].write(chunk.span) }
        }
        try FileManager.default.removeItem(atPath: folder)
        return eventLines
    }

    /// Closes and removes the bucket files (after a failure).
    func discard() {
        buckets.forEach { try? $0.close() }
        try? FileManager.default.removeItem(atPath: folder)
    }
}
