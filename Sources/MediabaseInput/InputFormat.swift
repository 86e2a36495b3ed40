import Foundation
import MediabaseBytes

/// What an input is, told from its bytes (never from its name).
package struct InputFormat: Sendable, Equatable, CustomStringConvertible {
    package enum Kind: String, Sendable {
        /// pg_dump plain SQL script (`-Fp`), COPY or INSERT data.
        case plain
        /// pg_dump custom archive (`-Fc`), starting with `PGDMP`.
        case custom
        /// pg_dump directory archive (`-Fd`): a folder with `toc.dat`.
        case directory
        /// pg_dump tar archive (`-Ft`): a POSIX tar whose first member is `toc.dat`.
        case tar
        /// Delimited text with a header row.
        case csv
    }

    package var kind: Kind
    /// Whether the file is gzip-compressed around the format (e.g. `pg_dump | gzip`).
    package var gzip: Bool

    package init(kind: Kind, gzip: Bool = false) {
        self.kind = kind
        self.gzip = gzip
    }

    package var description: String { gzip ? "\(kind.rawValue) (gzip)" : kind.rawValue }

    /// Detects the format of the file or folder at `path`.
    package static func detect(path: String) throws -> InputFormat {
        guard let kind = FileKind(at: path) else {
            throw MediabaseError.io(path: path, message: "no such file or directory")
        }
        if kind == .directory {
            for name in ["toc.dat", "toc.dat.gz"] where FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(name)) {
                return InputFormat(kind: .directory)
            }
            throw MediabaseError.unsupportedInput(SourceLocation(file: path), reason: "a folder without toc.dat is not a pg_dump directory archive")
        }
        // A pipe can be read once, and an input is read more than once (this detection, the
        // SHA-256 beside the load, the first pass of a subset).
        if kind != .file {
            throw MediabaseError.unsupportedInput(SourceLocation(file: path), reason: "not a regular file (a pipe or a device): the input is read more than once, so save it to a file first (`pg_dump ... > dump.sql`)")
        }
        let file = try FileByteStream(path: path)
        var head = try readPrefix(file, count: 64 * 1024)
        var gzip = false
        if head.count >= 2, head[0] == 0x1F, head[1] == 0x8B {
            gzip = true
            let inflated = try InflateStream(source: try FileByteStream(path: path), wrapping: .gzip, name: path)
            head = try readPrefix(inflated, count: 64 * 1024, tolerateErrors: true)
        }
        guard !head.isEmpty else {
            throw MediabaseError.malformedInput(SourceLocation(file: path, byteOffset: 0),
                                                expected: "a pg_dump archive, a plain SQL dump or a CSV export, but the \(gzip ? "decompressed " : "")file is empty")
        }
        if head.starts(with: Array("PGDMP".utf8)) { return InputFormat(kind: .custom, gzip: gzip) }
        if let member = TarArchiveReader.firstMemberName(head) {
            guard member == "toc.dat" else {
                throw MediabaseError.unsupportedInput(
                    SourceLocation(file: path, byteOffset: 0),
                    reason: "a tar file whose first member is \"\(member)\", not toc.dat: not a pg_dump tar archive (pg_dump -Ft writes toc.dat first); if it holds the files of a pg_dump archive, extract it and give the folder")
            }
            return InputFormat(kind: .tar, gzip: gzip)
        }
        if looksLikeSQL(head) { return InputFormat(kind: .plain, gzip: gzip) }
        if looksLikeDelimitedText(head) { return InputFormat(kind: .csv, gzip: gzip) }
        throw MediabaseError.unsupportedInput(
            SourceLocation(file: path, byteOffset: 0),
            reason: "the \(gzip ? "decompressed " : "")bytes are not a pg_dump archive (PGDMP, or a tar starting with toc.dat), an SQL script or delimited text with a header")
    }

    private static func readPrefix(_ stream: ByteStream, count: Int, tolerateErrors: Bool = false) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        var span = bytes.mutableSpan
        do {
            while filled < count {
                let got = try stream.read(into: &span, at: filled, count: count - filled)
                if got == 0 { break }
                filled += got
            }
        } catch where tolerateErrors && filled > 0 {
            // A damaged gzip tail is reported by the reader, with its offset; the head is enough here.
        }
        return Array(bytes[0..<filled])
    }

    /// SQL keywords and psql constructs a pg_dump script starts its first statement with.
    private static let sqlStarts = ["--", "/*", "\\", "set ", "create ", "copy ", "insert ", "begin", "select ", "alter ", "start transaction", "drop ", "comment ", "grant ", "revoke "]

    static func looksLikeSQL(_ head: [UInt8]) -> Bool {
        var text = Substring(String(decoding: head.prefix(4096), as: UTF8.self))
        if text.hasPrefix("\u{FEFF}") { text = text.dropFirst() }
        for line in text.split(whereSeparator: { $0 == "\n" }) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" || $0 == "\r" }.lowercased()
            if trimmed.isEmpty { continue }
            return sqlStarts.contains { trimmed.hasPrefix($0) }
        }
        return false
    }

    static func looksLikeDelimitedText(_ head: [UInt8]) -> Bool {
        guard let newline = head.firstIndex(of: 0x0A) ?? (head.count < 64 * 1024 ? head.count : nil) else { return false }
        let line = head[0..<newline]
        // A header is printable text: no NUL or other control bytes except TAB and CR.
        guard !line.contains(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0D }),
              String(validating: line, as: UTF8.self) != nil || line.starts(with: [0xEF, 0xBB, 0xBF])
        else { return false }
        return line.contains(UInt8(ascii: ",")) || line.contains(0x09) || line.contains(UInt8(ascii: ";"))
    }
}
