import Foundation
import MediabaseBytes

/// The version of a pg_dump archive: `vmaj.vmin.vrev` in its header (`MAKE_ARCHIVE_VERSION`
/// in PostgreSQL's `src/bin/pg_dump/pg_backup_archiver.h`).
///
/// mediabase reads versions 1.10 to 1.16. PostgreSQL 12–15 write 1.14, 16 writes 1.15, and 17
/// and 18 write 1.16.
package struct ArchiveVersion: Comparable, Hashable, Sendable, CustomStringConvertible {
    package var major: UInt8
    package var minor: UInt8
    package var revision: UInt8

    package init(_ major: UInt8, _ minor: UInt8, _ revision: UInt8 = 0) {
        self.major = major
        self.minor = minor
        self.revision = revision
    }

    /// `1.14`, with the revision appended only when it is not 0 (`1.14.1`).
    package var description: String {
        revision == 0 ? "\(major).\(minor)" : "\(major).\(minor).\(revision)"
    }

    package static func < (lhs: ArchiveVersion, rhs: ArchiveVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.revision) < (rhs.major, rhs.minor, rhs.revision)
    }

    /// The oldest version read: the first with tablespaces and the server and pg_dump versions
    /// in the header (`K_VERS_1_10`).
    static let oldestSupported = ArchiveVersion(1, 10)
    /// The newest version read, any revision (`K_VERS_MAX` of PostgreSQL 17 and 18).
    static let newestSupported = ArchiveVersion(1, 16, 255)
    /// TOC entries carry their section (`K_VERS_1_11`).
    static let sections = ArchiveVersion(1, 11)
    /// TOC entries carry the table access method (`K_VERS_1_14`).
    static let tableAccessMethod = ArchiveVersion(1, 14)
    /// The header names the compression algorithm instead of a zlib level (`K_VERS_1_15`).
    static let compressionAlgorithm = ArchiveVersion(1, 15)
    /// TOC entries carry the relation kind (`K_VERS_1_16`).
    static let relationKind = ArchiveVersion(1, 16)
}

/// How an archive's data is compressed (`pg_compress_algorithm` in PostgreSQL's
/// `src/include/common/compression.h`, whose order is the header byte of 1.15+ archives).
package enum ArchiveCompression: UInt8, Sendable, CustomStringConvertible {
    case none = 0
    case gzip = 1
    case lz4 = 2
    case zstd = 3

    /// The name pg_dump's `--compress` option uses.
    package var description: String {
        switch self {
        case .none: return "none"
        case .gzip: return "gzip"
        case .lz4: return "lz4"
        case .zstd: return "zstd"
        }
    }
}

/// The header of a custom archive or of a directory or tar archive's `toc.dat`, as `ReadHead` in
/// `pg_backup_archiver.c` reads it.
package struct ArchiveHeader: Sendable, Equatable {
    /// The format byte of a custom archive (`archCustom`).
    package static let customFormatCode: UInt8 = 1
    /// The format byte of a directory or tar archive's `toc.dat`: directory archives share the
    /// code of the tar format (`archTar`; see `InitArchiveFmt_Directory` in `pg_backup_directory.c`).
    package static let directoryFormatCode: UInt8 = 3

    package var version: ArchiveVersion
    /// Bytes in an Int's magnitude (4 on every platform PostgreSQL runs on).
    package var intSize: Int
    /// Bytes in a file offset (8 with large-file support).
    package var offSize: Int
    /// ``customFormatCode`` or ``directoryFormatCode``.
    package var formatCode: UInt8
    package var compression: ArchiveCompression
    /// The zlib level of archives before 1.15 (−1 is zlib's default); nil from 1.15 on, where
    /// the header records only the algorithm.
    package var compressionLevel: Int?
    /// When the dump started, in pg_dump's local time: the `struct tm` fields it wrote, as a
    /// calendar date (year and month made absolute).
    package var created: DateComponents
    /// The dumped database.
    package var databaseName: String?
    /// The server's version string (`15.18 (Debian 15.18-0+deb12u1)`).
    package var serverVersion: String?
    /// The version string of the pg_dump that wrote the archive.
    package var dumpVersion: String?

    /// Reads the header from the start of `input`; `formatCode` is the format byte the caller
    /// expects, and sets `input`'s integer and offset sizes.
    static func read(from input: ArchiveInput, formatCode expectedFormat: UInt8) throws -> ArchiveHeader {
        for (index, byte) in "PGDMP".utf8.enumerated() {
            guard try input.readByte("the magic string PGDMP") == byte else {
                throw input.malformed(at: Int64(index), "the magic string PGDMP at the start of a pg_dump archive")
            }
        }
        let major = try input.readByte("the archive's major version")
        let minor = try input.readByte("the archive's minor version")
        let revision = major > 1 || (major == 1 && minor > 0) ? try input.readByte("the archive's version revision") : 0
        let version = ArchiveVersion(major, minor, revision)
        guard version >= ArchiveVersion.oldestSupported, version <= ArchiveVersion.newestSupported else {
            throw MediabaseError.unsupportedInput(
                SourceLocation(file: input.file, byteOffset: 5),
                reason: "pg_dump archive version \(version) (mediabase reads versions 1.10 to 1.16, "
                    + "written by pg_dump up to PostgreSQL 18)")
        }

        let intSizeOffset = input.offset
        let intSize = Int(try input.readByte("the integer size"))
        guard (1...32).contains(intSize) else {
            throw input.malformed(at: intSizeOffset, "an integer size of 1 to 32 bytes, not \(intSize)")
        }
        let offSizeOffset = input.offset
        let offSize = Int(try input.readByte("the file offset size"))
        guard (1...32).contains(offSize) else {
            throw input.malformed(at: offSizeOffset, "a file offset size of 1 to 32 bytes, not \(offSize)")
        }
        input.intSize = intSize
        input.offSize = offSize

        let formatOffset = input.offset
        let formatCode = try input.readByte("the archive format code")
        if formatCode != expectedFormat {
            if expectedFormat == customFormatCode && formatCode == directoryFormatCode {
                throw MediabaseError.unsupportedInput(
                    SourceLocation(file: input.file, byteOffset: formatOffset),
                    reason: "this is the toc.dat of a directory (or tar) archive; give the archive's directory instead")
            }
            let name = expectedFormat == customFormatCode ? "custom" : "directory"
            throw input.malformed(at: formatOffset, "the \(name) archive format code \(expectedFormat), not \(formatCode)")
        }

        let compression: ArchiveCompression
        var compressionLevel: Int?
        let compressionOffset = input.offset
        if version >= ArchiveVersion.compressionAlgorithm {
            let code = try input.readByte("the compression algorithm")
            guard let algorithm = ArchiveCompression(rawValue: code) else {
                throw input.malformed(
                    at: compressionOffset, "a compression algorithm of 0 (none), 1 (gzip), 2 (lz4) or 3 (zstd), not \(code)")
            }
            compression = algorithm
        } else {
            // Before 1.15 the header holds a zlib level; any level other than 0 means gzip.
            let level = try input.readInt("the compression level")
            guard (-1...9).contains(level) else {
                throw input.malformed(at: compressionOffset, "a compression level of -1 to 9, not \(level)")
            }
            compressionLevel = level
            compression = level == 0 ? .none : .gzip
        }

        var fields: [Int] = []
        for name in ["seconds", "minutes", "hours", "day", "month", "year", "daylight saving flag"] {
            fields.append(try input.readInt("the \(name) of the archive's creation time"))
        }
        let created = DateComponents(
            year: fields[5] &+ 1900, month: fields[4] &+ 1, day: fields[3],
            hour: fields[2], minute: fields[1], second: fields[0])

        return ArchiveHeader(
            version: version, intSize: intSize, offSize: offSize, formatCode: formatCode,
            compression: compression, compressionLevel: compressionLevel, created: created,
            databaseName: try input.readString("the database name"),
            serverVersion: try input.readString("the server version"),
            dumpVersion: try input.readString("the pg_dump version"))
    }
}
