import Foundation

/// What `mediabase inspect` reports: the tables of an input and, for the legacy table, the
/// figures that tell how redundant and how corrupted it is.
public struct InspectionReport: Codable, Equatable {
    public struct Column: Codable, Equatable {
        public var name: String
        public var type: String?
    }

    public struct Table: Codable, Equatable {
        public var name: String
        public var columns: [Column]
        public var rows: Int
        public var bytes: Int64
        /// Fields that are not valid for their type (invalid UTF-8, NUL, malformed JSON or array).
        public var badValues: Int
    }

    /// A field that does not decode as its column's type.
    public struct BadValue: Codable, Equatable, CustomStringConvertible {
        public var table: String
        public var column: String
        public var line: Int
        public var byteOffset: Int64
        public var expected: String

        public var description: String { "line \(line) (byte \(byteOffset)) in table \(table), column \(column): expected \(expected)" }
    }

    /// Figures for `cancer_transcript_base`.
    public struct Legacy: Codable, Equatable {
        public var rows = 0
        public var distinctGenes = 0
        public var distinctTranscripts = 0
        /// Rows per distinct gene (5 in the real database).
        public var redundancyRatio = 0.0
        /// Rows whose `drugs` object holds the misplaced `pharmgkb_data` key (SPEC 3.2).
        public var rowsWithPharmgkbInDrugs = 0
        public var versionedTranscriptIds = 0
        public var versionedGeneIds = 0
        public var rowsMissingGeneId = 0
        public var rowsMissingTranscriptId = 0
        /// Per JSON column, how many values had each JSON type other than the expected one.
        public var unexpectedJSONTypes: [String: [String: Int]] = [:]
        /// `drugs` values that are a JSON string whose content is itself JSON.
        public var twiceEncodedDrugs = 0
        /// Gene symbols carried by more than one gene id (e.g. `Metazoa_SRP`), with gene counts.
        public var symbolsOnSeveralGenes: [String: Int] = [:]
        /// Known legacy columns absent from this dump (they read as empty).
        public var missingColumns: [String] = []
        /// Columns the legacy form does not have (kept as extras by convert).
        public var unknownColumns: [String] = []
    }

    public var input: String
    public var format: String
    public var serverVersion: String?
    public var pgDumpVersion: String?
    public var archiveVersion: String?
    public var compression: String?
    public var encoding: String?
    public var tables: [Table] = []
    public var legacy: Legacy?
    public var badValueCount = 0
    /// The first bad values found, with their locations.
    public var badValueExamples: [BadValue] = []
}

/// A ``DumpSink`` that counts and checks everything it is given, keeping memory bounded by the
/// number of genes (hashes of ids), never by the number of rows.
public final class Inspector: DumpSink {
    public private(set) var report: InspectionReport
    private let maxExamples = 20
    private var checks: [ColumnCheck] = []
    private var tableName = ""
    private var columnNames: [String] = []
    private var tableBadValues = 0
    private var legacy: LegacyTally?
    private let progress: ProgressReporter?
    /// Types of JSON values already validated, by content: the legacy table repeats each gene's
    /// values in every transcript row, so most values are seen before. Cleared when large, to keep
    /// memory bounded whatever the input.
    private var knownJSON: [ContentHash: JSONValueType] = [:]
    /// Array values already validated, by content.
    private var knownArrays = Set<ContentHash>()
    private static let cacheLimit = 200_000
    /// Values shorter than this are validated again rather than hashed and looked up.
    private static let cacheMinimumLength = 128

    private enum ColumnCheck {
        case text
        case json(expected: JSONValueType?)
        case array
    }

    public init(input: String, format: InputFormat, progress: ProgressReporter? = nil) {
        report = InspectionReport(input: input, format: format.description)
        self.progress = progress
    }

    /// Copies what the reader learned about the dump into the report.
    public func finish(info: DumpInfo) -> InspectionReport {
        report.serverVersion = info.serverVersion
        report.pgDumpVersion = info.pgDumpVersion
        report.archiveVersion = info.archiveVersion
        report.compression = info.compression
        report.encoding = info.encoding
        return report
    }

    public func beginTable(_ table: TableSchema) throws {
        tableName = table.qualifiedName
        columnNames = table.columns.map(\.name)
        tableBadValues = 0
        let isLegacy = LegacyColumns.isLegacy(table)
        checks = table.columns.map { column in
            let type = column.type?.lowercased() ?? ""
            if type.hasSuffix("]") { return .array }
            if type == "jsonb" || type == "json" {
                return .json(expected: isLegacy ? LegacyColumns.all.first { $0.name == column.name }?.json : nil)
            }
            if type.isEmpty, isLegacy, let known = LegacyColumns.all.first(where: { $0.name == column.name }), known.json != nil {
                return .json(expected: known.json)
            }
            return .text
        }
        legacy = isLegacy ? LegacyTally(table: table) : nil
    }

    public func row(_ row: RowBuffer) throws {
        for index in 0..<row.count {
            guard let field = row.field(index) else { continue }
            if let offset = UTF8Validation.firstInvalidOffset(field) {
                badValue(row, column: index, offset: offset, expected: "valid UTF-8 text without NUL bytes")
                continue
            }
            switch checks[index] {
            case .text:
                break
            case let .json(expected):
                let key = field.count >= Self.cacheMinimumLength ? ContentHash(field) : nil
                var type = key.flatMap { knownJSON[$0] }
                if type == nil {
                    do {
                        type = try JSON.validate(field)
                        if let key {
                            if knownJSON.count >= Self.cacheLimit { knownJSON.removeAll(keepingCapacity: true) }
                            knownJSON[key] = type
                        }
                    } catch let error as DecodeError {
                        badValue(row, column: index, offset: error.offset, expected: "JSON: \(error.expected)")
                        continue
                    }
                }
                if let expected, let type, type != expected { legacy?.unexpectedType(column: index, type: type, field: field) }
                if index == legacy?.drugsIndex, type == .object { legacy?.countDrugs(field, key: key) }
            case .array:
                let key = field.count >= Self.cacheMinimumLength ? ContentHash(field) : nil
                if let key, knownArrays.contains(key) { continue }
                do {
                    try ArrayLiteral.forEachElement(field) { _ in }
                    if let key {
                        if knownArrays.count >= Self.cacheLimit { knownArrays.removeAll(keepingCapacity: true) }
                        knownArrays.insert(key)
                    }
                } catch let error as DecodeError {
                    badValue(row, column: index, offset: error.offset, expected: "an array literal: \(error.expected)")
                }
            }
        }
        legacy?.count(row)
        progress?.tick()
    }

    public func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws {
        report.tables.append(InspectionReport.Table(
            name: table.qualifiedName, columns: table.columns.map { .init(name: $0.name, type: $0.type) },
            rows: rows, bytes: bytes, badValues: tableBadValues))
        if let legacy { report.legacy = legacy.report(rows: rows) }
        legacy = nil
    }

    private func badValue(_ row: RowBuffer, column: Int, offset: Int, expected: String) {
        tableBadValues += 1
        report.badValueCount += 1
        guard report.badValueExamples.count < maxExamples else { return }
        report.badValueExamples.append(InspectionReport.BadValue(
            table: tableName, column: columnNames.indices.contains(column) ? columnNames[column] : "#\(column + 1)",
            line: row.line, byteOffset: row.byteOffset, expected: expected + " (at byte \(offset) of the value)"))
    }
}

/// Counters for the legacy table; genes and transcripts are remembered as 64-bit hashes.
private struct LegacyTally {
    let columnNames: [String]
    private let transcriptIndex: Int?
    private let geneIndex: Int?
    private let symbolIndex: Int?
    let drugsIndex: Int?
    /// Whether a `drugs` object holds `pharmgkb_data`, by content.
    private var drugsWithPharmgkb: [ContentHash: Bool] = [:]
    private var genes = Set<Int>()
    private var transcripts = Set<Int>()
    private var genesPerSymbol: [String: Int] = [:]
    private var tally = InspectionReport.Legacy()

    init(table: TableSchema) {
        columnNames = table.columns.map(\.name)
        transcriptIndex = table.columnIndex("transcript_id")
        geneIndex = table.columnIndex("gene_id")
        symbolIndex = table.columnIndex("gene_symbol")
        drugsIndex = table.columnIndex("drugs")
        tally.missingColumns = LegacyColumns.all.map(\.name).filter { !columnNames.contains($0) }
        tally.unknownColumns = columnNames.filter { !LegacyColumns.names.contains($0) }
    }

    mutating func count(_ row: RowBuffer) {
        if let transcriptIndex, let id = row.field(transcriptIndex).map(Identifiers.trimmed), !id.isEmpty {
            if Identifiers.hasEnsemblVersion(id) { tally.versionedTranscriptIds += 1 }
            transcripts.insert(Self.hash(Identifiers.withoutEnsemblVersion(id)))
        } else {
            tally.rowsMissingTranscriptId += 1
        }
        if let geneIndex, let id = row.field(geneIndex).map(Identifiers.trimmed), !id.isEmpty {
            if Identifiers.hasEnsemblVersion(id) { tally.versionedGeneIds += 1 }
            if genes.insert(Self.hash(Identifiers.withoutEnsemblVersion(id))).inserted, let symbolIndex,
               let symbol = row.field(symbolIndex).map(Identifiers.trimmed), !symbol.isEmpty {
                genesPerSymbol[String(decoding: symbol, as: UTF8.self), default: 0] += 1
            }
        } else {
            tally.rowsMissingGeneId += 1
        }
    }

    /// Counts a row whose `drugs` object (already validated) holds `pharmgkb_data`.
    mutating func countDrugs(_ drugs: UnsafeBufferPointer<UInt8>, key: ContentHash?) {
        if let key, let known = drugsWithPharmgkb[key] {
            if known { tally.rowsWithPharmgkbInDrugs += 1 }
            return
        }
        var found = false
        try? JSON.forEachMember(drugs) { name, _ in
            if name.equals("pharmgkb_data") { found = true }
        }
        if found { tally.rowsWithPharmgkbInDrugs += 1 }
        if let key {
            if drugsWithPharmgkb.count >= 200_000 { drugsWithPharmgkb.removeAll(keepingCapacity: true) }
            drugsWithPharmgkb[key] = found
        }
    }

    mutating func unexpectedType(column: Int, type: JSONValueType, field: UnsafeBufferPointer<UInt8>) {
        tally.unexpectedJSONTypes[columnNames[column], default: [:]][type.rawValue, default: 0] += 1
        if columnNames[column] == "drugs", type == .string {
            var decoded: [UInt8] = []
            if (try? JSON.decodeString(field, into: &decoded)) != nil,
               (try? decoded.withUnsafeBufferPointer({ try JSON.validate($0) })) != nil {
                tally.twiceEncodedDrugs += 1
            }
        }
    }

    func report(rows: Int) -> InspectionReport.Legacy {
        var result = tally
        result.rows = rows
        result.distinctGenes = genes.count
        result.distinctTranscripts = transcripts.count
        result.redundancyRatio = genes.isEmpty ? 0 : (Double(rows) / Double(genes.count) * 1000).rounded() / 1000
        result.symbolsOnSeveralGenes = genesPerSymbol.filter { $0.value > 1 }
        return result
    }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        return hasher.finalize()
    }
}
