import MediabaseBytes
/// The payload of one data block of a custom archive, as one stream: the block's chunks
/// (Int length, then that many bytes) up to the Int 0 that ends the block.
///
/// Layout from `_StartData`, `_CustomWriteFunc` and `_EndData` in PostgreSQL's
/// `src/bin/pg_dump/pg_backup_custom.c`. With compression the payloads of all chunks form one
/// compressed stream; pg_dump writes a chunk whenever its 4 KB compression buffer fills
/// (`DEFAULT_IO_BUFFER_SIZE`), and, uncompressed, one chunk per write (a COPY row).
final class ArchiveChunkStream: ByteStream {
    private let input: ArchiveInput
    private let what: String
    private let oneChunkPerRead: Bool
    private var remainingInChunk = 0
    private var ended = false
    /// Payload bytes served so far.
    private var payloadOffset: Int64 = 0
    /// The payload offset and file offset where the current chunk's bytes start.
    private var chunkStart: (payload: Int64, file: Int64) = (0, 0)

    /// - Parameters:
    ///   - what: names the block in errors (`the data of public.genes`).
    ///   - oneChunkPerRead: never serve bytes of two chunks in one read, so that everything a
    ///     reader holds from its last read lies in the current chunk and ``fileOffset(ofPayload:)``
    ///     can place it (used under a decompressor, whose errors give payload offsets).
    init(input: ArchiveInput, what: String, oneChunkPerRead: Bool) {
        self.input = input
        self.what = what
        self.oneChunkPerRead = oneChunkPerRead
    }

    /// Reads the next chunk's length; false at the Int 0 that ends the block.
    private func startChunk() throws -> Bool {
        let at = input.offset
        let length = try input.readInt("the length of the next chunk of \(what)")
        if length == 0 {
            ended = true
            return false
        }
        guard length > 0 else {
            throw input.malformed(at: at, "the next chunk of \(what): a chunk length of 0 (end of data) or more, not \(length)")
        }
        try input.checkLength(length, at: at, { "the next chunk of \(what)" }, "a chunk")
        remainingInChunk = length
        chunkStart = (payloadOffset, input.offset)
        return true
    }

    func read(into buffer: inout MutableSpan<UInt8>) throws -> Int {
        var filled = 0
        while filled < buffer.count, !ended {
            if remainingInChunk == 0 {
                if filled > 0 && oneChunkPerRead { break }
                guard try startChunk() else { break }
            }
            let want = min(buffer.count - filled, remainingInChunk)
            let count = try input.read(into: &buffer, at: filled, count: want)
            guard count > 0 else {
                throw input.malformed(
                    at: chunkStart.file,
                    "a chunk of \(what) with \(remainingInChunk) more bytes, but the input ends at byte \(input.offset)")
            }
            filled += count
            remainingInChunk -= count
            payloadOffset += Int64(count)
        }
        return filled
    }

    /// The file offset of payload byte `offset`, when it lies in the current chunk (always the
    /// case for bytes a reader got from its last read, with `oneChunkPerRead`).
    func fileOffset(ofPayload offset: Int64) -> Int64? {
        guard offset >= chunkStart.payload, offset <= payloadOffset else { return nil }
        return chunkStart.file + (offset - chunkStart.payload)
    }

    /// Skips the rest of the block, leaving the input at whatever follows its end marker.
    func skipToEnd() throws {
        while !ended {
            if remainingInChunk > 0 {
                try input.skip(remainingInChunk, "the rest of a chunk of \(what)")
                payloadOffset += Int64(remainingInChunk)
                remainingInChunk = 0
            }
            _ = try startChunk()
        }
    }
}
