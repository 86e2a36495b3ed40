import MediabaseBytes
/// The payload of one data block of a custom archive, decompressed: the COPY text or `INSERT`
/// statements pg_dump wrote for a table.
///
/// With gzip compression the chunks hold one zlib (RFC 1950) stream per block, as
/// `AllocateCompressor` sets up in PostgreSQL's `compress_io.c` (PG 15) and `compress_gzip.c`
/// (PG 16+). Decompression errors are reported at their offset in the archive file and name
/// the table.
final class ArchiveBlockPayload: ByteStream {
    private let chunks: ArchiveChunkStream
    private let inflater: InflateStream?
    private let input: ArchiveInput
    private let table: String

    /// Starts reading the payload of the block whose header `input` has just read.
    init(input: ArchiveInput, compression: ArchiveCompression, table: String) throws {
        self.input = input
        self.table = table
        let what = "the data of \(table)"
        switch compression {
        case .none:
            chunks = ArchiveChunkStream(input: input, what: what, oneChunkPerRead: false)
            inflater = nil
        case .gzip:
            chunks = ArchiveChunkStream(input: input, what: what, oneChunkPerRead: true)
            inflater = try InflateStream(source: chunks, wrapping: .zlib, name: input.file)
        case .lz4, .zstd:
            throw MediabaseError.unsupportedInput(
                SourceLocation(file: input.file, table: table, byteOffset: input.offset),
                reason: "the archive's data is compressed with \(compression), which mediabase does not read; "
                    + "convert it with pg_restore -f or dump again with --compress=gzip")
        }
    }

    /// Whether the payload is decompressed as it is read.
    var isCompressed: Bool { inflater != nil }

    func read(into buffer: inout MutableSpan<UInt8>) throws -> Int {
        guard let inflater else { return try chunks.read(into: &buffer) }
        do {
            return try inflater.read(into: &buffer)
        } catch MediabaseError.malformedInput(var location, let expected) where location.table == nil {
            // Only the inflater reports without a table: its offsets count compressed payload
            // bytes, which the chunk stream places in the file.
            location.table = table
            location.byteOffset = location.byteOffset.flatMap(chunks.fileOffset(ofPayload:)) ?? input.offset
            throw MediabaseError.malformedInput(location, expected: expected)
        }
    }
}
