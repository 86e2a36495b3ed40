import Foundation
import MediabaseBytes
import MediabaseModel

/// Reads a pg_dump directory-format archive (`pg_dump -Fd`, also what `pg_dump -j` writes)
/// without a server, streaming its tables' rows in TOC order.
///
/// ```swift
/// let reader = try DirectoryArchiveReader(path: "legacy.dir")
/// try reader.read(into: sink)
/// ```
///
/// The folder holds `toc.dat` — the same header and TOC as a custom archive, with format code
/// 3 and a file name in place of each data offset — and one file per table's data, named by
/// the TOC (`3350.dat`) plus the suffix of its compression: `.gz` (a gzip file), `.lz4` or
/// `.zst` (`_ReadExtraToc` and `_PrintFileData` in PostgreSQL's
/// `src/bin/pg_dump/pg_backup_directory.c`; `InitDiscoverCompressFileHandle` in
/// `compress_io.c`). The compression of each data file is told from its first bytes.
package final class DirectoryArchiveReader {
    /// The archive folder as the user gave it.
    package let path: String
    /// The archive's header and table of contents, from `toc.dat`.
    package let toc: ArchiveTOC

    /// Opens the archive folder at `path` and reads its `toc.dat` (or a gzip-compressed
    /// `toc.dat.gz`).
    package init(path: String) throws {
        self.path = path
        let tocPath = (path as NSString).appendingPathComponent("toc.dat")
        if FileManager.default.fileExists(atPath: tocPath) {
            let stream = try FileByteStream(path: tocPath)
            toc = try ArchiveTOC.read(from: ArchiveInput(stream: stream, file: tocPath, size: stream.size), layout: .directory)
        } else {
            let gzipPath = tocPath + ".gz"
            guard FileManager.default.fileExists(atPath: gzipPath) else {
                throw MediabaseError.io(path: tocPath, message: "no such file: a pg_dump directory archive has a toc.dat")
            }
            let stream = try InflateStream(source: try FileByteStream(path: gzipPath), wrapping: .gzip, name: gzipPath)
            toc = try ArchiveTOC.read(from: ArchiveInput(stream: stream, file: gzipPath, size: nil), layout: .directory)
        }
    }

    /// What the archive says about itself, for `inspect` and reports.
    package var info: DumpInfo { toc.dumpInfo }

    /// Streams every table's rows into `sink`, in TOC order.
    package func read(into sink: DumpSink) throws {
        let loader = try ArchiveTableLoader(toc: toc, file: path)
        for entry in toc.entries where ArchiveTableLoader.carriesRows(entry) {
            guard let name = entry.dataFile else {
                throw MediabaseError.malformedInput(
                    SourceLocation(file: path, table: ArchiveTableLoader.tableName(entry)),
                    expected: "a data file name in the TOC entry of the table's data (dump id \(entry.dumpId))")
            }
            let (payload, payloadPath) = try openDataFile(name, table: ArchiveTableLoader.tableName(entry))
            try loader.readRows(of: entry, payload: payload, payloadName: payloadPath, sink: sink)
        }
    }

    /// Opens a table's data file, as named or with a compression suffix, decompressing gzip.
    private func openDataFile(_ name: String, table: String) throws -> (ByteStream, String) {
        let base = (path as NSString).appendingPathComponent(name)
        guard let found = ["", ".gz", ".lz4", ".zst"].lazy.map({ base + $0 }).first(where: {
            FileManager.default.fileExists(atPath: $0)
        }) else {
            throw MediabaseError.io(path: base, message: "the table's data file is missing (also without .gz, .lz4 or .zst)")
        }
        let file = try FileByteStream(path: found)
        var magic = [UInt8](repeating: 0, count: 4)
        var count = 0
        var span = magic.mutableSpan
        while count < span.count {
            let got = try file.read(into: &span, at: count, count: span.count - count)
            if got == 0 { break }
            count += got
        }
        try file.seek(to: 0)
        switch DataFileCompression(magic: magic[0..<count]) {
        case .none:
            return (file, found)
        case .gzip:
            // Decompressed on a thread of its own; the file is this table's alone.
            return (ReadAheadStream(source: try InflateStream(source: file, wrapping: .gzip, name: found)), found)
        case let .unsupported(algorithm):
            throw DataFileCompression.unsupportedError(algorithm, file: found, table: table)
        }
    }
}

/// The compression of a directory archive's data file or a tar archive's data member, from its
/// magic number: gzip (RFC 1952), an LZ4 frame, or a Zstandard frame (RFC 8878).
enum DataFileCompression {
    case none
    case gzip
    case unsupported(ArchiveCompression)

    init(magic: ArraySlice<UInt8>) {
        if magic.starts(with: [0x1F, 0x8B]) {
            self = .gzip
        } else if magic.starts(with: [0x04, 0x22, 0x4D, 0x18]) {
            self = .unsupported(.lz4)
        } else if magic.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) {
            self = .unsupported(.zstd)
        } else {
            self = .none
        }
    }

    /// The error for data in a compression mediabase does not read.
    static func unsupportedError(_ algorithm: ArchiveCompression, file: String, table: String) -> MediabaseError {
        .unsupportedInput(
            SourceLocation(file: file, table: table, byteOffset: 0),
            reason: "the table's data is compressed with \(algorithm), which mediabase does not read; "
                + "convert the archive with pg_restore -f or dump again with --compress=gzip")
    }
}
