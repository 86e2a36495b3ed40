import Foundation
import MediabaseBytes
import MediabaseModel
import MediabaseInput

/// What `mediabase inspect` reports: the tables of an input and, for the legacy table, the
/// figures that tell how redundant and how corrupted it is.
package struct InspectionReport: Codable, Equatable {
    package struct Column: Codable, Equatable {
        package var name: String
        package var type: String?
    }

    package struct Table: Codable, Equatable {
        package var name: String
        package var columns: [Column]
        package var rows: Int
        package var bytes: Int64
        /// Fields that are not valid for their type (invalid UTF-8, NUL, malformed JSON or array).
        package var badValues: Int
    }

    /// A field that does not decode as its column's type.
    package struct BadValue: Codable, Equatable, CustomStringConvertible {
        package var table: String
        package var column: String
        package var line: Int
        package var byteOffset: Int64
        package var expected: String

        package var description: String { "line \(line) (byte \(byteOffset)) in table \(table), column \(column): expected \(expected)" }
    }

    /// Figures for `cancer_transcript_base`.
    package struct Legacy: Codable, Equatable {
        package var rows = 0
        package var distinctGenes = 0
        package var distinctTranscripts = 0
        /// Rows per distinct gene (5 in the real database).
        package var redundancyRatio = 0.0
        /// Rows whose `drugs` object holds the misplaced `pharmgkb_data` key (docs/spec.md §3.2).
        package var rowsWithPharmgkbInDrugs = 0
        package var versionedTranscriptIds = 0
        package var versionedGeneIds = 0
        package var rowsMissingGeneId = 0
        package var rowsMissingTranscriptId = 0
        /// Per JSON column, how many values had each JSON type other than the expected one.
        package var unexpectedJSONTypes: [String: [String: Int]] = [:]
        /// `drugs` values that are a JSON string whose content is itself JSON.
        package var twiceEncodedDrugs = 0
        /// Gene symbols carried by more than one gene id (e.g. `Metazoa_SRP`), with gene counts.
        package var symbolsOnSeveralGenes: [String: Int] = [:]
        /// Known legacy columns absent from this dump (they read as empty).
        package var missingColumns: [String] = []
        /// Columns the legacy form does not have (kept as extras by convert).
        package var unknownColumns: [String] = []
    }

    package var input: String
    package var format: String
    package var serverVersion: String?
    package var pgDumpVersion: String?
    package var archiveVersion: String?
    package var compression: String?
    package var encoding: String?
    /// See ``DumpInfo/endsEarlyAtLine``.
    package var endsEarlyAtLine: Int?
    package var tables: [Table] = []
    package var legacy: Legacy?
    package var badValueCount = 0
    /// The first bad values found, with their locations.
    package var badValueExamples: [BadValue] = []
}

/// A ``DumpSink`` that counts and checks everything it is given, keeping memory bounded by the
/// number of genes (hashes of ids), never by the number of rows.
///
/// Given a plain dump file, it reads each COPY block itself, in parts on two threads
/// (``CopyBlockInspection``), with the same findings as reading it row by row.
package final class Inspector: DumpSink, CopyBlockSink {
    package private(set) var report: InspectionReport
    private let progress: ProgressReporter?
    private var checker: ValueChecker?
    private var tally: TableTally?
    /// Checks already made, by content: one cache for this thread, one for a COPY block's helper,
    /// and one for long values that both share.
    private let cache = CheckedValueCache()
    private let helperCache = CheckedValueCache()
    private let sharedCache = SharedCheckedValueCache()
    /// How COPY blocks are cut and read; tests make the chunks and buffers small.
    var copyChunkSizes = CopyBlockInspection.ChunkSizes()

    package init(input: String, format: InputFormat, progress: ProgressReporter? = nil) {
        report = InspectionReport(input: input, format: format.description)
        self.progress = progress
    }

    /// Copies what the reader learned about the dump into the report.
    package func finish(info: DumpInfo) -> InspectionReport {
        report.serverVersion = info.serverVersion
        report.pgDumpVersion = info.pgDumpVersion
        report.archiveVersion = info.archiveVersion
        report.compression = info.compression
        report.encoding = info.encoding
        report.endsEarlyAtLine = info.endsEarlyAtLine
        return report
    }

    package func beginTable(_ table: TableSchema) throws {
        checker = ValueChecker(table: table, cache: cache, shared: sharedCache)
        tally = TableTally(table: table)
    }

    package func row(_ row: RowBuffer) throws {
        try Self.inspect(row, checker: checker!, tally: &tally!)
        progress?.tick()
    }

    /// Checks every value of a decoded row and counts it.
    static func inspect(_ row: RowBuffer, checker: ValueChecker, tally: inout TableTally) throws {
        for index in 0..<row.count {
            guard let field = row.bytes(index) else { continue }
            switch try checker.check(field, column: index) {
            case let .valid(facts):
                tally.count(facts, column: index)
            case let .invalid(offset, expected):
                tally.badValue(column: index, line: row.line, byteOffset: row.byteOffset, offset: offset, expected: expected)
            }
        }
        let transcriptIndex = tally.legacy?.transcriptIndex
        let geneIndex = tally.legacy?.geneIndex
        let symbolIndex = tally.legacy?.symbolIndex
        tally.legacy?.countIds(transcript: field(row, transcriptIndex), gene: field(row, geneIndex), symbol: field(row, symbolIndex))
    }

    /// The value of column `index` of `row`; nil for NULL or no column.
    @_lifetime(borrow row)
    private static func field(_ row: RowBuffer, _ index: Int?) -> Span<UInt8>? {
        guard let index else { return nil }
        return row.bytes(index)
    }

    package func readCopyBlock(_ block: CopyBlock) throws -> CopyBlockEnd? {
        let inspection = CopyBlockInspection(
            block: block, tally: tally!, checker: checker!, helperChecker: ValueChecker(table: block.table, cache: helperCache, shared: sharedCache),
            progress: progress, sizes: copyChunkSizes)
        let end: CopyBlockEnd
        (end, tally) = try inspection.run()
        return end
    }

    package func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws {
        let tally = tally!
        report.tables.append(InspectionReport.Table(
            name: table.qualifiedName, columns: table.columns.map { .init(name: $0.name, type: $0.type) },
            rows: rows, bytes: bytes, badValues: tally.badValues))
        report.badValueCount += tally.badValues
        report.badValueExamples += tally.examples.prefix(TableTally.maxExamples - report.badValueExamples.count)
        if let legacy = tally.legacy { report.legacy = legacy.report(rows: rows) }
        self.tally = nil
        checker = nil
    }
}
