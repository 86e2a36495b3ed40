import MediabaseBytes
import MediabaseModel
/// Reads a pg_dump custom-format archive (`pg_dump -Fc`, a file starting with `PGDMP`) without
/// a server, streaming its tables' rows in file order.
///
/// ```swift
/// let reader = try CustomArchiveReader(path: "legacy.dump")
/// print(reader.toc.header.version, reader.info.compression ?? "")
/// try reader.read(into: sink)
/// ```
///
/// After the header and TOC come the data blocks, each a type byte (`BLK_DATA` 1 or
/// `BLK_BLOBS` 3), the entry's dump id and its chunks (`_PrintTocData`, `_readBlockHeader`,
/// `_skipData` and `_skipLOs` in PostgreSQL's `src/bin/pg_dump/pg_backup_custom.c`). They are
/// read in order, never by seeking, so archives written to a pipe — whose TOC records no data
/// offsets — read the same way as seekable ones; large-object blocks are skipped, and what
/// follows the last entry's block is not read.
package final class CustomArchiveReader {
    /// The archive path as the user gave it.
    package let file: String
    /// The archive's header and table of contents.
    package let toc: ArchiveTOC
    private let input: ArchiveInput
    private var hasRead = false

    /// Opens the archive at `path` and reads its header and TOC.
    package convenience init(path: String) throws {
        let stream = try FileByteStream(path: path)
        try self.init(stream: stream, file: path, size: stream.size)
    }

    /// Reads the header and TOC from `stream`, which starts at the archive's first byte.
    ///
    /// - Parameters:
    ///   - file: names the archive in errors.
    ///   - size: the archive's size when known, which bounds the lengths a corrupt archive can
    ///     claim; without it lengths are limited to 1 GiB.
    package init(stream: ByteStream, file: String, size: Int64? = nil) throws {
        self.file = file
        input = ArchiveInput(stream: stream, file: file, size: size)
        toc = try ArchiveTOC.read(from: input, layout: .custom)
    }

    /// What the archive says about itself, for `inspect` and reports.
    package var info: DumpInfo { toc.dumpInfo }

    /// Streams every table's rows into `sink`, in the order of the data blocks. Call once: the
    /// archive is read front to back.
    package func read(into sink: DumpSink) throws {
        precondition(!hasRead, "CustomArchiveReader.read(into:) reads the archive once")
        hasRead = true
        let loader = try ArchiveTableLoader(toc: toc, file: file)
        var pending: [Int: ArchiveTOCEntry] = [:]
        for entry in toc.entries where entry.hasData && entry.dataOffset != .noData {
            pending[entry.dumpId] = entry
        }
        // Once every entry's block is read, the rest is not data: pg_dump 16 and later, writing
        // to a redirected standard output (`pg_dump -Fc > file`), append a copy of the TOC
        // there. pg_restore also stops at the last entry's block.
        while !pending.isEmpty, try !input.isAtEnd() {
            let blockOffset = input.offset
            let type = try input.readByte("a data block type")
            let dumpId = try input.readInt("the dump id of the data block at byte \(blockOffset)")
            guard let entry = pending.removeValue(forKey: dumpId) else {
                throw input.malformed(
                    at: blockOffset, "a data block for an entry of the TOC that has data, not one for dump id \(dumpId)")
            }
            let table = ArchiveTableLoader.tableName(entry)
            input.table = entry.isTableData ? table : nil
            defer { input.table = nil }
            switch type {
            case 1 where ArchiveTableLoader.carriesRows(entry):
                let payload = try ArchiveBlockPayload(input: input, compression: toc.header.compression, table: table)
                // Decompressed on a thread of its own; the next block is read on this one once it ends.
                let readAhead = payload.isCompressed ? ReadAheadStream(source: payload) : nil
                defer { readAhead?.close() }
                try loader.readRows(
                    of: entry, payload: readAhead ?? payload, payloadName: "\(file) (data block at byte \(blockOffset))", sink: sink)
            case 1:
                try ArchiveChunkStream(input: input, what: "the data of \(table)", oneChunkPerRead: false).skipToEnd()
            case 3:
                try skipLargeObjects()
            default:
                throw input.malformed(at: blockOffset, "a data block type of 1 (table data) or 3 (large objects), not \(type)")
            }
        }
        if let missing = toc.entries.first(where: { pending[$0.dumpId] != nil }) {
            throw input.malformed(
                at: input.offset,
                "the data block of \(missing.desc ?? "entry") \(ArchiveTableLoader.tableName(missing)) "
                    + "(dump id \(missing.dumpId)), but the archive ends: truncated file?")
        }
    }

    /// Skips a `BLK_BLOBS` block: per large object an Int OID and its chunks, ended by OID 0.
    private func skipLargeObjects() throws {
        while true {
            let at = input.offset
            let oid = try input.readInt("the OID of the next large object")
            if oid == 0 { return }
            guard oid > 0 else { throw input.malformed(at: at, "a large object OID, not \(oid)") }
            try ArchiveChunkStream(input: input, what: "large object \(oid)", oneChunkPerRead: false).skipToEnd()
        }
    }
}

extension ArchiveTOC {
    /// The header facts `inspect` shows, in the shape every reader reports.
    var dumpInfo: DumpInfo {
        var info = DumpInfo()
        info.serverVersion = header.serverVersion
        info.pgDumpVersion = header.dumpVersion
        info.archiveVersion = header.version.description
        info.encoding = encoding
        info.compression = header.compression.description
        info.database = header.databaseName
        return info
    }
}
