import Crypto
import Foundation
import MediabaseBytes
import MediabaseModel

/// Writes one gzip file (RFC 1952) from a stream of bytes, compressing fixed-size chunks on a
/// ``CompressionPool`` and writing them in order, as a single member.
///
/// The output is byte-identical for the same input whatever the number of threads: chunk
/// boundaries depend only on the byte count, each chunk's deflate bytes only on the chunk and
/// the 32 KiB before it, and the header carries no time stamp or file name (as `gzip -n`).
/// The SHA-256 and size of what is written are computed on the way, for the manifest.
package final class GzipWriter {
    /// Uncompressed bytes per chunk: pigz uses 128 KiB; larger chunks cost less per-chunk work
    /// (dictionary priming, flush markers) and still give two cores plenty to share.
    static let defaultChunkSize = 1 << 20

    /// Room past the chunk size, so that a row ``append(_:)`` adds to a nearly full chunk
    /// seldom makes the buffer grow (and copy the chunk).
    static let appendSlack = 64 * 1024

    private let pool: CompressionPool
    private let chunkSize: Int
    private let file: OutputFile
    private var pending: [UInt8] = []
    private var previousTail: [UInt8] = []
    /// Submitted chunks not yet written, oldest first (at most the pool's `maxInFlight`).
    private var inFlight: [CompressionJob] = []
    private var crc: UInt = 0
    private var uncompressedBytes: Int64 = 0
    private var hasher = SHA256()
    private var writtenBytes: Int64 = 0

    /// Creates (truncating) the file at `path` and writes the gzip header.
    package init(path: String, pool: CompressionPool, chunkSize: Int = GzipWriter.defaultChunkSize) throws {
        self.pool = pool
        self.chunkSize = chunkSize
        file = try OutputFile(creatingAt: path)
        pending.reserveCapacity(chunkSize + Self.appendSlack)
        // ID1 ID2, CM = deflate, FLG = none, MTIME = 0, XFL = 0, OS = 3 (Unix) — fixed, so that
        // bundles are reproducible.
        try writeToFile([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03])
    }

    /// Appends uncompressed bytes.
    func write(_ bytes: Span<UInt8>) throws {
        var offset = 0
        while offset < bytes.count {
            let take = min(chunkSize - pending.count, bytes.count - offset)
            pending.append(bytes.extracting(offset..<(offset + take)))
            offset += take
            if pending.count == chunkSize { try submitChunk(final: false) }
        }
    }

    /// Lets `body` append uncompressed bytes straight to the buffer of the chunk being filled (a
    /// row at a time, say), without a copy through a buffer of its own; a chunk that fills up is
    /// cut at the chunk size as ``write(_:)-([UInt8])`` cuts it, so the bytes are the same. When
    /// `body` throws, what it appended is taken back.
    package func append(_ body: (inout [UInt8]) throws -> Void) throws {
        let start = pending.count
        do {
            try body(&pending)
        } catch {
            pending.removeSubrange(start...)
            throw error
        }
        guard pending.count >= chunkSize else { return }
        // What passed the chunk's end is copied out once and cut into chunks as `write` cuts
        // bytes (copying the rest back after each chunk was quadratic in a value of many MB). A
        // buffer that grew for it is not kept: the chunk is submitted in one of its own size.
        let rest = Array(pending[chunkSize...])
        if pending.capacity > chunkSize + Self.appendSlack {
            pending = Array(pending[..<chunkSize])
        } else {
            pending.removeSubrange(chunkSize...)
        }
        try submitChunk(final: false)
        try write(rest.span)
    }

    /// Appends uncompressed bytes.
    package func write(_ bytes: [UInt8]) throws {
        try write(bytes.span)
    }

    /// Appends the UTF-8 bytes of `text`.
    package func write(_ text: String) throws {
        try write(text.utf8.span)
    }

    /// Compresses what is pending, writes the remaining chunks and the trailer, and closes the
    /// file.
    /// - Returns: the SHA-256 (hex) and size of the file written.
    package func finish() throws -> (sha256: String, bytes: Int64) {
        try submitChunk(final: true)
        while !inFlight.isEmpty { try writeOldestChunk() }
        // CRC-32 and the uncompressed size modulo 2^32, little-endian.
        var trailer: [UInt8] = []
        for shift in stride(from: 0, to: 32, by: 8) { trailer.append(UInt8(truncatingIfNeeded: crc >> UInt(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { trailer.append(UInt8(truncatingIfNeeded: uncompressedBytes >> Int64(shift))) }
        try writeToFile(trailer)
        try file.close()
        return (FileDigest.hex(hasher.finalize()), writtenBytes)
    }

    private func submitChunk(final: Bool) throws {
        let job = CompressionJob(input: pending, dictionary: previousTail, final: final)
        previousTail = Array(pending.suffix(Deflater.windowSize))
        pending = []
        pending.reserveCapacity(chunkSize + Self.appendSlack)
        pool.submit(job)
        inFlight.append(job)
        while inFlight.count >= pool.maxInFlight { try writeOldestChunk() }
    }

    private func writeOldestChunk() throws {
        // Removed before waiting, so that its buffers are freed once written.
        let job = inFlight.removeFirst()
        let (output, jobCRC) = try job.result()
        crc = CRC32.combine(crc, jobCRC, secondLength: job.input.count)
        uncompressedBytes += Int64(job.input.count)
        try writeToFile(output)
    }

    private func writeToFile(_ bytes: [UInt8]) throws {
        hasher.update(data: bytes)
        try file.write(bytes.span)
        writtenBytes += Int64(bytes.count)
    }
}
