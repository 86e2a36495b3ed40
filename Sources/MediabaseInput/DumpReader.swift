import Foundation
import MediabaseBytes
import MediabaseModel

/// Opens any MEDIABASE input — pg_dump plain, custom, directory or tar, CSV export, gzip-compressed
/// or not — and streams its tables into a ``DumpSink``.
package final class DumpReader {
    /// The input path as the user gave it.
    package let path: String
    /// The detected format.
    package let format: InputFormat
    /// What the dump says about itself: an archive's from its TOC on, a plain dump's as its
    /// header is read (its `SET client_encoding` comes before any table's data); complete after
    /// ``read(into:)``.
    package var info: DumpInfo { plainReader?.info ?? archiveInfo }
    private var archiveInfo = DumpInfo()
    private var plainReader: PlainDumpReader?
    private var file: FileByteStream?

    private init(path: String, format: InputFormat) {
        self.path = path
        self.format = format
    }

    /// Detects the format of `path` and prepares to read it.
    package static func open(path: String) throws -> DumpReader {
        DumpReader(path: path, format: try InputFormat.detect(path: path))
    }

    /// Bytes of the input file read so far (compressed bytes for gzip), for progress.
    package var bytesRead: Int64 { file?.position ?? 0 }

    /// Size of the input on disk, when known; a symbolic link's target's (`stat`, not `lstat`).
    package var totalBytes: Int64? {
        if format.kind == .directory { return Self.folderSize(path) }
        return FileIdentity.of(path)?.size
    }

    private static func folderSize(_ path: String) -> Int64? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return nil }
        return names.reduce(Int64(0)) { total, name in total + (FileIdentity.of((path as NSString).appendingPathComponent(name))?.size ?? 0) }
    }

    /// Opens the input as a byte stream, decompressing gzip.
    private func openStream() throws -> ByteStream {
        let file = try FileByteStream(path: path)
        self.file = file
        // Decompressed on a thread of its own, while this one reads the text.
        return format.gzip ? ReadAheadStream(source: try InflateStream(source: file, wrapping: .gzip, name: path)) : file
    }

    /// Streams every table's rows into `sink`.
    package func read(into sink: DumpSink) throws {
        switch format.kind {
        case .plain:
            let reader = PlainDumpReader(stream: try openStream(), file: path)
            plainReader = reader
            try reader.read(into: sink)
        case .csv:
            try CSVReader.export(stream: try openStream(), file: path).read(into: sink)
        case .custom:
            let stream = try openStream()
            let reader = try CustomArchiveReader(stream: stream, file: path, size: format.gzip ? nil : file?.size)
            archiveInfo = reader.info
            try reader.read(into: sink)
        case .tar:
            let reader = try TarArchiveReader(stream: try openStream(), file: path, size: format.gzip ? nil : file?.size)
            archiveInfo = reader.info
            try reader.read(into: sink)
        case .directory:
            let reader = try DirectoryArchiveReader(path: path)
            archiveInfo = reader.info
            try reader.read(into: sink)
        }
    }
}
