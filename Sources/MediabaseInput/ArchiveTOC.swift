/// Which part of a restore a TOC entry belongs to (`teSection` in PostgreSQL's
/// `src/bin/pg_dump/pg_backup.h`).
package enum ArchiveSection: Int, Sendable {
    /// Comments and ACLs, which follow their object.
    case none = 1
    /// Definitions restored before the data (`CREATE TABLE`, `CREATE SEQUENCE`).
    case preData = 2
    /// Table data, sequence values, large objects.
    case data = 3
    /// Definitions restored after the data (constraints, indexes, triggers).
    case postData = 4

    /// The section pre-1.11 archives imply by the entry's description (the fallback rules of
    /// `ReadToc` in `pg_backup_archiver.c`).
    init(impliedBy desc: String) {
        switch desc {
        case "COMMENT", "ACL", "ACL LANGUAGE":
            self = .none
        case "TABLE DATA", "BLOBS", "BLOB COMMENTS":
            self = .data
        case "CONSTRAINT", "CHECK CONSTRAINT", "FK CONSTRAINT", "INDEX", "RULE", "TRIGGER":
            self = .postData
        default:
            self = .preData
        }
    }
}

/// Where a custom archive's TOC says an entry's data block is (`K_OFFSET_*` flags).
package enum ArchiveDataOffset: Equatable, Sendable {
    /// The entry has data but pg_dump could not seek back to record where: the archive was
    /// written to a pipe. The data blocks must be found by reading them in order.
    case notSet
    /// The data block starts at this file offset.
    case at(Int64)
    /// The entry has no data block.
    case noData
}

/// One entry of an archive's table of contents, with the fields `ReadToc` in
/// `pg_backup_archiver.c` reads for archive versions 1.10 to 1.16.
package struct ArchiveTOCEntry: Equatable, Sendable {
    /// The entry's id; data blocks and dependencies refer to it.
    package var dumpId: Int
    /// Whether pg_dump wrote data for the entry (`hadDumper`).
    package var hasData: Bool
    /// The OID of the catalog the object lives in (`tableoid`), as written (decimal).
    package var tableOID: String?
    /// The object's OID, as written (decimal).
    package var oid: String?
    /// The object's name (for `TABLE DATA`, the table's name).
    package var tag: String?
    /// The kind of entry: `TABLE`, `TABLE DATA`, `SEQUENCE SET`, `CONSTRAINT`, `ENCODING`, …
    package var desc: String?
    package var section: ArchiveSection
    /// The SQL that creates the object (`CREATE TABLE …;`), often several statements.
    package var definition: String?
    package var dropStatement: String?
    /// For `TABLE DATA` in COPY form, the statement that precedes the data
    /// (`COPY public.t (a, b) FROM stdin;\n`); nil or empty when the data is `INSERT`
    /// statements (`pg_dump --inserts`).
    package var copyStatement: String?
    /// The schema, nil or empty for objects outside one.
    package var namespace: String?
    package var tablespace: String?
    /// The table access method (1.14+, tables only).
    package var tableAccessMethod: String?
    /// The relation kind, `r` for an ordinary table (1.16+, tables only).
    package var relationKind: Character?
    package var owner: String?
    /// True when the table was dumped `WITH OIDS`, which PostgreSQL 12+ cannot restore.
    package var withOIDs: Bool
    /// Dump ids of the entries this one depends on.
    package var dependencies: [Int]
    /// Custom archives: where the data block is. Nil in directory archives.
    package var dataOffset: ArchiveDataOffset?
    /// Directory and tar archives: the data file's name (`3350.dat`), to which pg_dump may have
    /// appended a compression suffix in a directory archive. Nil when the entry has no data, and
    /// in custom archives.
    package var dataFile: String?

    /// `TABLE DATA`: the rows of a table.
    package var isTableData: Bool { desc == "TABLE DATA" }
}

/// The header and table of contents of a pg_dump custom archive, or of a directory or tar
/// archive's `toc.dat`.
package struct ArchiveTOC: Sendable {
    /// What follows each TOC entry's common fields (the archive format's `ReadExtraToc`).
    enum Layout {
        /// `pg_backup_custom.c`: an Offset to the data block.
        case custom
        /// `pg_backup_directory.c` and `pg_backup_tar.c`: a Str with the data file's name.
        case directory

        var formatCode: UInt8 {
            self == .custom ? ArchiveHeader.customFormatCode : ArchiveHeader.directoryFormatCode
        }
    }

    package var header: ArchiveHeader
    /// The entries in archive order (for a custom archive, also the order of the data blocks).
    package var entries: [ArchiveTOCEntry]
    /// The dump's client encoding, from the `ENCODING` entry (`UTF8`, `LATIN1`, `SQL_ASCII`, …).
    package var encoding: String?
    /// Whether `'…'` literals in SQL take backslashes literally, from the `STDSTRINGS` entry.
    /// False when the entry is absent, as in `_allocAH`.
    package var standardConformingStrings: Bool

    /// Reads the header and the TOC from the start of `input`.
    static func read(from input: ArchiveInput, layout: Layout) throws -> ArchiveTOC {
        let header = try ArchiveHeader.read(from: input, formatCode: layout.formatCode)
        let countOffset = input.offset
        let count = try input.readInt("the number of TOC entries")
        // Every entry takes more than one Int, which bounds a believable count.
        let limit = input.lengthLimit / Int64(1 + input.intSize)
        guard count >= 0, Int64(count) <= limit else {
            throw input.malformed(
                at: countOffset, "a TOC entry count of 0 to \(limit) (what the rest of the input can hold), not \(count)")
        }
        var toc = ArchiveTOC(header: header, entries: [], encoding: nil, standardConformingStrings: false)
        toc.entries.reserveCapacity(min(count, 4096))
        for index in 0..<count {
            let entry = try readEntry(from: input, number: index + 1, of: count, version: header.version, layout: layout)
            // Entries that set session state are applied as they are read, as `ReadToc` does.
            switch entry.desc {
            case "ENCODING":
                toc.encoding = entry.definition.flatMap(quotedSetting)
            case "STDSTRINGS":
                toc.standardConformingStrings = entry.definition.flatMap(quotedSetting) == "on"
            default:
                break
            }
            toc.entries.append(entry)
        }
        return toc
    }

    /// The value between the first pair of single quotes of `SET name = 'value';`.
    private static func quotedSetting(_ statement: String) -> String? {
        let parts = statement.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count == 3 ? String(parts[1]) : nil
    }

    private static func readEntry(
        from input: ArchiveInput, number: Int, of count: Int, version: ArchiveVersion, layout: Layout
    ) throws -> ArchiveTOCEntry {
        let label = "TOC entry \(number) of \(count)"
        let idOffset = input.offset
        let dumpId = try input.readInt("the dump id of \(label)")
        guard dumpId > 0 else {
            throw input.malformed(at: idOffset, "a positive dump id for \(label), not \(dumpId)")
        }
        let hasData = try input.readInt("the data flag of \(label)") != 0
        let tableOID = try input.readString("the catalog OID of \(label)")
        let oid = try input.readString("the OID of \(label)")
        let tag = try input.readString("the tag of \(label)")
        let desc = try input.readString("the description of \(label)")
        let section: ArchiveSection
        if version >= ArchiveVersion.sections {
            let sectionOffset = input.offset
            let code = try input.readInt("the section of \(label)")
            guard let known = ArchiveSection(rawValue: code) else {
                throw input.malformed(at: sectionOffset, "a section code of 1 to 4 for \(label), not \(code)")
            }
            section = known
        } else {
            section = ArchiveSection(impliedBy: desc ?? "")
        }
        let definition = try input.readString("the definition of \(label)")
        let dropStatement = try input.readString("the drop statement of \(label)")
        let copyStatement = try input.readString("the COPY statement of \(label)")
        let namespace = try input.readString("the schema of \(label)")
        let tablespace = try input.readString("the tablespace of \(label)")
        let tableAccessMethod = version >= ArchiveVersion.tableAccessMethod
            ? try input.readString("the table access method of \(label)") : nil
        var relationKind: Character?
        if version >= ArchiveVersion.relationKind {
            let kindOffset = input.offset
            let code = try input.readInt("the relation kind of \(label)")
            guard (0...127).contains(code) else {
                throw input.malformed(at: kindOffset, "a relation kind character for \(label), not \(code)")
            }
            relationKind = code == 0 ? nil : Character(Unicode.Scalar(UInt8(code)))
        }
        let owner = try input.readString("the owner of \(label)")
        let withOIDs = try input.readString("the WITH OIDS flag of \(label)") == "true"

        var dependencies: [Int] = []
        while true {
            let dependencyOffset = input.offset
            guard let text = try input.readString("a dependency of \(label)") else { break }
            guard let id = Int(text) else {
                throw input.malformed(at: dependencyOffset, "a dump id as a dependency of \(label), not \"\(text)\"")
            }
            dependencies.append(id)
        }

        var dataOffset: ArchiveDataOffset?
        var dataFile: String?
        switch layout {
        case .custom:
            dataOffset = try input.readOffset("the data offset of \(label)")
        case .directory:
            dataFile = try input.readString("the data file name of \(label)")
            if dataFile == "" { dataFile = nil }
        }

        return ArchiveTOCEntry(
            dumpId: dumpId, hasData: hasData, tableOID: tableOID, oid: oid, tag: tag, desc: desc,
            section: section, definition: definition, dropStatement: dropStatement,
            copyStatement: copyStatement, namespace: namespace, tablespace: tablespace,
            tableAccessMethod: tableAccessMethod, relationKind: relationKind, owner: owner,
            withOIDs: withOIDs, dependencies: dependencies, dataOffset: dataOffset, dataFile: dataFile)
    }
}
