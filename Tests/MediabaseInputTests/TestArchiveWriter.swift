
/// Writes pg_dump archives byte by byte, following `WriteHead`, `WriteToc`, `WriteInt`,
/// `WriteStr` and `WriteOffset` in PostgreSQL's `pg_backup_archiver.c` and the block layout of
/// `pg_backup_custom.c`, so tests can cover archive versions the installed pg_dump (15, which
/// writes 1.14) cannot produce.
struct TestArchiveWriter {
    struct Entry {
        var dumpId: Int
        var hadDumper = false
        var tag: String
        var desc: String
        var section = 2
        var defn = ""
        var copyStmt: String?
        var namespace: String? = "public"
        var tableam: String?
        var relkind: UInt8 = 0
        var owner = "postgres"
        var dependencies: [Int] = []
        /// Custom archives: the data offset flag (1 not set, 2 set, 3 no data) and position.
        var offsetFlag: UInt8 = 3
        var offset: UInt64 = 0
        /// Directory archives: the data file name ("" for none).
        var dataFile = ""
    }

    enum Block {
        /// `BLK_DATA`: a dump id and the chunks of its payload.
        case data(dumpId: Int, chunks: [[UInt8]])
        /// `BLK_BLOBS`: a dump id and, per large object, its OID and chunks.
        case blobs(dumpId: Int, objects: [(oid: Int, chunks: [[UInt8]])])
    }

    var major: UInt8 = 1
    var minor: UInt8 = 16
    var revision: UInt8 = 0
    var intSize = 4
    var offSize = 8
    var formatCode: UInt8 = 1
    /// The 1.15+ algorithm byte (0 none, 1 gzip, 2 lz4, 3 zstd).
    var algorithm: UInt8 = 0
    /// The pre-1.15 zlib level.
    var level = 0
    var entries: [Entry] = []
    var blocks: [Block] = []

    private var atLeast: (UInt8) -> Bool { { minor in self.major > 1 || self.minor >= minor } }

    func bytes() -> [UInt8] {
        var out: [UInt8] = Array("PGDMP".utf8) + [major, minor, revision, UInt8(intSize), UInt8(offSize), formatCode]
        if atLeast(15) { out.append(algorithm) } else { writeInt(level, to: &out) }
        for field in [30, 15, 10, 21, 10, 125, 0] { writeInt(field, to: &out) }
        writeString("testdb", to: &out)
        writeString("17.2", to: &out)
        writeString("17.2", to: &out)
        writeInt(entries.count, to: &out)
        for entry in entries {
            writeInt(entry.dumpId, to: &out)
            writeInt(entry.hadDumper ? 1 : 0, to: &out)
            writeString("0", to: &out)
            writeString("0", to: &out)
            writeString(entry.tag, to: &out)
            writeString(entry.desc, to: &out)
            if atLeast(11) { writeInt(entry.section, to: &out) }
            writeString(entry.defn, to: &out)
            writeString("", to: &out)
            writeString(entry.copyStmt, to: &out)
            writeString(entry.namespace, to: &out)
            writeString("", to: &out)
            if atLeast(14) { writeString(entry.tableam, to: &out) }
            if atLeast(16) { writeInt(Int(entry.relkind), to: &out) }
            writeString(entry.owner, to: &out)
            writeString("false", to: &out)
            for dependency in entry.dependencies { writeString(String(dependency), to: &out) }
            writeString(nil, to: &out)
            if formatCode == 1 {
                out.append(entry.offsetFlag)
                for index in 0..<offSize { out.append(index < 8 ? UInt8(truncatingIfNeeded: entry.offset >> (8 * UInt64(index))) : 0) }
            } else {
                writeString(entry.dataFile, to: &out)
            }
        }
        for block in blocks {
            switch block {
            case let .data(dumpId, chunks):
                out.append(1)
                writeInt(dumpId, to: &out)
                writeChunks(chunks, to: &out)
            case let .blobs(dumpId, objects):
                out.append(3)
                writeInt(dumpId, to: &out)
                for object in objects {
                    writeInt(object.oid, to: &out)
                    writeChunks(object.chunks, to: &out)
                }
                writeInt(0, to: &out)
            }
        }
        return out
    }

    func writeInt(_ value: Int, to out: inout [UInt8]) {
        out.append(value < 0 ? 1 : 0)
        let magnitude = value.magnitude
        for index in 0..<intSize { out.append(index < 8 ? UInt8(truncatingIfNeeded: magnitude >> (8 * UInt(index))) : 0) }
    }

    func writeString(_ text: String?, to out: inout [UInt8]) {
        guard let text else { return writeInt(-1, to: &out) }
        writeInt(text.utf8.count, to: &out)
        out += Array(text.utf8)
    }

    private func writeChunks(_ chunks: [[UInt8]], to out: inout [UInt8]) {
        for chunk in chunks {
            writeInt(chunk.count, to: &out)
            out += chunk
        }
        writeInt(0, to: &out)
    }

    /// A zlib stream (RFC 1950) holding `data` in stored deflate blocks, as pg_dump's gzip
    /// compression would hold it compressed.
    static func storedZlib(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        out += storedDeflate(data)
        let adler = adler32(data)
        out += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: adler >> $0) }
        return out
    }

    /// A gzip file (RFC 1952) holding `data` in stored deflate blocks.
    static func storedGzip(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
        out += storedDeflate(data)
        let crc = crc32(data)
        out += [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: crc >> $0) }
        out += [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: UInt32(data.count) >> $0) }
        return out
    }

    private static func storedDeflate(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        repeat {
            let count = min(65535, data.count - start)
            let final = start + count == data.count
            out.append(final ? 1 : 0)
            out += [UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            out += data[start..<(start + count)]
            start += count
        } while start < data.count
        return out
    }

    private static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }

    private static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// Splits `bytes` into chunks of at most `size` bytes.
    static func chunked(_ bytes: [UInt8], size: Int) -> [[UInt8]] {
        stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
    }
}
