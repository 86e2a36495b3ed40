import Foundation
import MediabaseModel
import MediabaseInput

/// Renders an ``InspectionReport`` for people (aligned text) and for programs (JSON).
package enum InspectionText {
    /// Pretty-printed JSON with sorted keys, so the output is deterministic.
    package static func json(_ report: InspectionReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    package static func human(_ report: InspectionReport) -> String {
        var out = "input:    \(report.input)\nformat:   \(report.format)\n"
        if let version = report.serverVersion { out += "server:   PostgreSQL \(version)\n" }
        if let version = report.pgDumpVersion { out += "pg_dump:  \(version)\n" }
        if let version = report.archiveVersion { out += "archive:  \(version)\n" }
        if let compression = report.compression { out += "compression: \(compression)\n" }
        if let encoding = report.encoding {
            out += "encoding: \(encoding)\(DumpInfo.readsAsUTF8(encoding) ? "" : " (not UTF-8: convert refuses it; dump again with pg_dump --encoding=UTF8)")\n"
        }
        if let line = report.endsEarlyAtLine { out += "warning:  \(DumpInfo.endsEarlyWarning(line: line))\n" }
        out += "\ntables (\(report.tables.count)):\n"
        let nameWidth = max(report.tables.map(\.name.count).max() ?? 0, 5)
        out += "  " + pad("table", nameWidth) + "  " + pad("rows", 12, right: true) + "  " + pad("bytes", 10, right: true) + "  columns\n"
        for table in report.tables {
            out += "  " + pad(table.name, nameWidth) + "  " + pad("\(table.rows)", 12, right: true) + "  "
            out += pad(ByteFormat.string(table.bytes), 10, right: true) + "  "
            out += table.columns.map { column in column.type.map { "\(column.name) \($0)" } ?? column.name }.joined(separator: ", ")
            if table.badValues > 0 { out += "  [\(table.badValues) bad values]" }
            out += "\n"
        }
        if let legacy = report.legacy {
            out += "\ncancer_transcript_base:\n"
            out += "  rows:                        \(legacy.rows)\n"
            out += "  distinct genes:              \(legacy.distinctGenes)\n"
            out += "  distinct transcripts:        \(legacy.distinctTranscripts)\n"
            out += "  redundancy (rows per gene):  \(legacy.redundancyRatio)\n"
            out += "  rows with pharmgkb_data in drugs: \(legacy.rowsWithPharmgkbInDrugs)\n"
            out += "  versioned transcript ids:    \(legacy.versionedTranscriptIds)\n"
            out += "  versioned gene ids:          \(legacy.versionedGeneIds)\n"
            out += "  rows missing gene id:        \(legacy.rowsMissingGeneId)\n"
            out += "  rows missing transcript id:  \(legacy.rowsMissingTranscriptId)\n"
            out += "  drugs encoded twice:         \(legacy.twiceEncodedDrugs)\n"
            for (column, types) in legacy.unexpectedJSONTypes.sorted(by: { $0.key < $1.key }) {
                let list = types.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
                out += "  unexpected JSON in \(column): \(list)\n"
            }
            if !legacy.symbolsOnSeveralGenes.isEmpty {
                let top = legacy.symbolsOnSeveralGenes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10)
                out += "  symbols on several genes:    " + top.map { "\($0.key) (\($0.value))" }.joined(separator: ", ") + "\n"
            }
            if !legacy.missingColumns.isEmpty { out += "  missing columns:             \(legacy.missingColumns.joined(separator: ", "))\n" }
            if !legacy.unknownColumns.isEmpty { out += "  unknown columns:             \(legacy.unknownColumns.joined(separator: ", "))\n" }
        }
        if report.badValueCount > 0 { out += "\nbad values: \(report.badValueCount)\n" }
        return out
    }

    private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }
}
