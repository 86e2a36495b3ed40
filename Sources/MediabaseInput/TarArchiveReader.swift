import MediabaseBytes
import MediabaseModel
/// Reads a pg_dump tar-format archive (`pg_dump -Ft`) without a server and without extracting
/// it, streaming its tables' rows in archive order.
///
/// ```swift
/// let reader = try TarArchiveReader(path: "legacy.tar")
/// try reader.read(into: sink)
/// ```
///
/// The tar (POSIX ustar: 512-byte headers, `tarCreateHeader` in PostgreSQL's `src/port/tar.c`)
/// holds the files of a directory archive: `toc.dat` first — the header and TOC, format code 3
/// and a data file name per entry, as in a directory archive — then one member per table's data,
/// named by the TOC (`3350.dat`) and in TOC order, the large objects (`blobs.toc`,
/// `blob_N.dat`) and `restore.sql` (`_CloseArchive` and `_ArchiveEntry` in
/// `pg_backup_tar.c`). pg_dump writes no compressed tar members; a gzip member is read all the
/// same, as in a directory archive. The members are read front to back, never by seeking, so
/// a compressed tar (`pg_dump -Ft | gzip`) reads like a plain one.
package final class TarArchiveReader {
    /// The archive path as the user gave it.
    package let file: String
    /// The archive's header and table of contents, from `toc.dat`.
    package let toc: ArchiveTOC
    private let tar: TarStream
    private var hasRead = false

    /// Opens the archive at `path` and reads its `toc.dat`.
    package convenience init(path: String) throws {
        let stream = try FileByteStream(path: path)
        try self.init(stream: stream, file: path, size: stream.size)
    }

    /// Reads the first member, `toc.dat`, from `stream`, which starts at the tar's first byte.
    ///
    /// - Parameters:
    ///   - file: names the archive in errors.
    ///   - size: the tar's size when known, which bounds the lengths a corrupt archive can claim.
    package init(stream: ByteStream, file: String, size: Int64? = nil) throws {
        self.file = file
        tar = TarStream(input: ArchiveInput(stream: stream, file: file, size: size))
        guard let first = try tar.nextMember() else {
            throw MediabaseError.malformedInput(SourceLocation(file: file, byteOffset: 0), expected: "a tar header naming toc.dat, the first member of a pg_dump tar archive")
        }
        guard first.name == "toc.dat" else {
            throw MediabaseError.unsupportedInput(
                SourceLocation(file: file, byteOffset: first.headerOffset),
                reason: "the tar's first member is \"\(first.name)\", not toc.dat: not a pg_dump tar archive (pg_dump -Ft writes toc.dat first); if it holds the files of a pg_dump archive, extract it and give the folder")
        }
        let member = tar.contents(of: first)
        toc = try ArchiveTOC.read(from: ArchiveInput(stream: member, file: Self.memberName(first, in: file), size: first.size), layout: .directory)
    }

    /// What the archive says about itself, for `inspect` and reports.
    package var info: DumpInfo { toc.dumpInfo }

    /// How errors name a member: `legacy.tar (3350.dat at byte 4096)`; offsets in such errors
    /// count from the member's first byte.
    private static func memberName(_ member: TarMember, in file: String) -> String {
        "\(file) (\(member.name) at byte \(member.dataOffset))"
    }

    /// Streams every table's rows into `sink`, in the order of the data members. Call once: the
    /// archive is read front to back.
    package func read(into sink: DumpSink) throws {
        precondition(!hasRead, "TarArchiveReader.read(into:) reads the archive once")
        hasRead = true
        let loader = try ArchiveTableLoader(toc: toc, file: file)
        var pending: [String: ArchiveTOCEntry] = [:]
        for entry in toc.entries where ArchiveTableLoader.carriesRows(entry) {
            guard let name = entry.dataFile else {
                throw MediabaseError.malformedInput(
                    SourceLocation(file: file, table: ArchiveTableLoader.tableName(entry)),
                    expected: "a data file name in the TOC entry of the table's data (dump id \(entry.dumpId))")
            }
            pending[name] = entry
        }
        while let member = try tar.nextMember() {
            guard let entry = pending.removeValue(forKey: member.name) else { continue }
            let name = Self.memberName(member, in: file)
            let contents = tar.contents(of: member)
            let payload: ByteStream
            var readAhead: ReadAheadStream?
            switch DataFileCompression(magic: try contents.peek(4)) {
            case .none:
                payload = contents
            case .gzip:
                let stream = ReadAheadStream(source: try InflateStream(source: contents, wrapping: .gzip, name: name))
                readAhead = stream
                payload = stream
            case let .unsupported(algorithm):
                throw DataFileCompression.unsupportedError(algorithm, file: name, table: ArchiveTableLoader.tableName(entry))
            }
            // The next member is read from the archive on this thread: the read-ahead ends first.
            defer { readAhead?.close() }
            try loader.readRows(of: entry, payload: payload, payloadName: name, sink: sink)
        }
        if let missing = toc.entries.first(where: { $0.dataFile.map { pending[$0] != nil } ?? false }) {
            throw MediabaseError.malformedInput(
                SourceLocation(file: file, table: ArchiveTableLoader.tableName(missing), byteOffset: tar.offset),
                expected: "the member \(missing.dataFile ?? "") with the table's data, but the archive ends: truncated file?")
        }
    }

    /// The name of the first member when `head` (a file's first bytes) starts with a POSIX tar
    /// header (`ustar` at byte 257), else nil.
    static func firstMemberName(_ head: [UInt8]) -> String? {
        guard head.count >= TarStream.blockSize, Array(head[257..<262]) == Array("ustar".utf8) else { return nil }
        return TarStream.name(of: Array(head[0..<TarStream.blockSize]))
    }
}

/// One member of a tar file.
struct TarMember {
    /// The path stored in the header (with the ustar prefix, if any).
    var name: String
    /// Bytes of content.
    var size: Int64
    /// Where the member's header starts in the tar.
    var headerOffset: Int64
    /// Where its content starts.
    var dataOffset: Int64 { headerOffset + Int64(TarStream.blockSize) }
}

/// Walks the members of a tar file front to back.
final class TarStream {
    static let blockSize = 512
    private let input: ArchiveInput
    /// The member whose content is being read, and how much of it (with its padding) is left.
    private var current: (member: TarMember, remaining: Int64)?

    init(input: ArchiveInput) { self.input = input }

    /// Offset in the tar of the next byte to be read.
    var offset: Int64 { input.offset }

    /// The header of the next file member, after skipping what is left of the current one;
    /// nil at the end-of-archive block (or at the end of the input, between members).
    /// Directories, links and extended headers carry no file of an archive and are skipped.
    func nextMember() throws -> TarMember? {
        while true {
            if let current {
                try input.skip(Int(current.remaining + Self.padding(current.member.size)),
                               "the rest of tar member \(current.member.name) (\(current.member.size) bytes from byte \(current.member.dataOffset)) and its padding")
                self.current = nil
            }
            let at = input.offset
            if try input.isAtEnd() { return nil }
            var header = [UInt8](repeating: 0, count: Self.blockSize)
            var filled = 0
            var span = header.mutableSpan
            while filled < span.count {
                let got = try input.read(into: &span, at: filled, count: span.count - filled)
                guard got > 0 else {
                    throw input.malformed(at: at, "a 512-byte tar header, but the input ends at byte \(input.offset)")
                }
                filled += got
            }
            if header.allSatisfy({ $0 == 0 }) { return nil }
            try checkChecksum(header, at: at)
            // A size beyond the end of the input shows as a truncated member when it is read.
            let size = try Self.size(of: header, at: at, input: input)
            let member = TarMember(name: Self.name(of: header), size: size, headerOffset: at)
            current = (member, size)
            // Regular files are type '0' or NUL (pre-POSIX), contiguous files '7'.
            if [0, UInt8(ascii: "0"), UInt8(ascii: "7")].contains(header[156]) { return member }
        }
    }

    /// The content of `member`, the member ``nextMember()`` returned last; valid until the next
    /// call of ``nextMember()``.
    func contents(of member: TarMember) -> TarMemberStream {
        TarMemberStream(tar: self, member: member)
    }

    /// Reads up to `buffer.count` bytes of the current member's content.
    fileprivate func readContent(of member: TarMember, into buffer: inout MutableSpan<UInt8>) throws -> Int {
        guard let current, current.member.headerOffset == member.headerOffset else { return 0 }
        let wanted = Int(min(Int64(buffer.count), current.remaining))
        guard wanted > 0 else { return 0 }
        let got = try input.read(into: &buffer, at: 0, count: wanted)
        guard got > 0 else {
            throw input.malformed(
                at: member.dataOffset,
                "the \(member.size) bytes of tar member \(member.name), but the input ends at byte \(input.offset): truncated file?")
        }
        self.current = (member, current.remaining - Int64(got))
        return got
    }

    /// Zero bytes after a member's content up to the next 512-byte boundary.
    private static func padding(_ size: Int64) -> Int64 {
        (Int64(blockSize) - size % Int64(blockSize)) % Int64(blockSize)
    }

    /// The name field (bytes 0–99), with the ustar prefix (345–499) in front when there is one.
    static func name(of header: [UInt8]) -> String {
        func text(_ range: Range<Int>) -> String {
            let field = header[range]
            return String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
        }
        let name = text(0..<100)
        guard Array(header[257..<262]) == Array("ustar".utf8) else { return name }
        let prefix = text(345..<500)
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// The size field (bytes 124–135): octal digits, or base-256 when its first byte has the
    /// high bit set (how `print_tar_number` writes sizes of 8 GiB and more).
    private static func size(of header: [UInt8], at: Int64, input: ArchiveInput) throws -> Int64 {
        let field = header[124..<136]
        if field.first! & 0x80 != 0 {
            var value: Int64 = Int64(field.first! & 0x7F)
            for byte in field.dropFirst() {
                guard value <= (Int64.max >> 8) else { throw input.malformed(at: at + 124, "a tar member size that fits in 64 bits") }
                value = value << 8 | Int64(byte)
            }
            return value
        }
        guard let value = octal(field) else {
            throw input.malformed(at: at + 124, "a tar member size in octal digits, not \(String(decoding: field, as: UTF8.self).debugDescription)")
        }
        return value
    }

    /// Octal digits between optional leading spaces and a NUL or space terminator.
    private static func octal(_ field: ArraySlice<UInt8>) -> Int64? {
        var digits = field.drop { $0 == 0x20 }
        digits = digits.prefix { $0 != 0 && $0 != 0x20 }
        guard !digits.isEmpty, digits.count <= 21, digits.allSatisfy({ (0x30...0x37).contains($0) }) else { return nil }
        return digits.reduce(0) { $0 << 3 | Int64($1 - 0x30) }
    }

    /// The header checksum (bytes 148–155): the sum of the header's bytes with the field itself
    /// taken as spaces, unsigned (POSIX) or signed (some old tars).
    private func checkChecksum(_ header: [UInt8], at: Int64) throws {
        guard let stored = Self.octal(header[148..<156]) else {
            throw input.malformed(at: at + 148, "a tar header checksum in octal digits: is this a tar file?")
        }
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for (index, byte) in header.enumerated() {
            let value = (148..<156).contains(index) ? UInt8(0x20) : byte
            unsigned += Int64(value)
            signed += Int64(Int8(bitPattern: value))
        }
        guard stored == unsigned || stored == signed else {
            throw input.malformed(at: at, "a tar header whose checksum matches (stored \(stored), computed \(unsigned)): corrupt file?")
        }
    }
}

/// The content of one tar member as a ``ByteStream``; the input ending inside it is an error.
final class TarMemberStream: ByteStream {
    private let tar: TarStream
    private let member: TarMember
    private var peeked: [UInt8] = []

    fileprivate init(tar: TarStream, member: TarMember) {
        self.tar = tar
        self.member = member
    }

    /// Up to `count` first bytes, which later reads return again. Call before any read.
    func peek(_ count: Int) throws -> ArraySlice<UInt8> {
        precondition(peeked.isEmpty, "TarMemberStream.peek(_:) comes before any read")
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        var span = bytes.mutableSpan
        while filled < count {
            let got = try read(into: &span, at: filled, count: count - filled)
            if got == 0 { break }
            filled += got
        }
        peeked = Array(bytes[0..<filled])
        return bytes[0..<filled]
    }

    func read(into buffer: inout MutableSpan<UInt8>) throws -> Int {
        guard peeked.isEmpty else {
            let count = min(buffer.count, peeked.count)
            let first = peeked[0..<count]
            peeked.removeFirst(count)
            buffer.copy(Array(first).span, to: 0)
            return count
        }
        return try tar.readContent(of: member, into: &buffer)
    }
}
