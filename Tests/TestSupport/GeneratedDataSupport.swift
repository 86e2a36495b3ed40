import Foundation
import XCTest
import MediabaseBytes
import MediabaseModel
import MediabaseInput
import MediabaseGenerate
import MediabasePipeline

/// Helpers shared by the generator tests: scratch folders, raw row capture, and the small
/// parts of the normalization rules (docs/spec.md §4.1) the tests recompute independently.
package enum GeneratedData {
    /// A new empty folder under the system temporary folder; removed by the caller.
    package static func scratchFolder(_ name: String) throws -> URL {
        URL(fileURLWithPath: try Repository.scratchFolder(name))
    }

    /// Generates into a new scratch folder and returns it with the facts.
    package static func generate(_ options: GenerateOptions, name: String) throws -> (URL, DatasetFacts) {
        let folder = try scratchFolder(name).appendingPathComponent("out")
        let facts = try DatasetGenerator(options: options).generate(into: folder.path, replace: false)
        return (folder, facts)
    }

    /// Converts the generated `mbase.sql` in `folder` to SQLite at `output`, its report beside it.
    @discardableResult
    package static func convertDump(in folder: URL, to output: String) throws -> ConversionReport {
        var conversion = ConversionOptions(input: folder.appendingPathComponent("mbase.sql").path, output: output)
        conversion.progress = .never
        conversion.reportPath = output + ".report.json"
        return try Conversion.run(conversion)
    }

    /// Every file under `folder` by relative path, with its bytes.
    package static func contents(of folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])!
        for case let url as URL in enumerator where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            let relative = String(url.standardizedFileURL.path.dropFirst(folder.standardizedFileURL.path.count + 1))
            files[relative] = try Data(contentsOf: url)
        }
        return files
    }

    /// A transcript or gene id after the id rules: trimmed, database prefix dropped, `ENS`
    /// upper-cased, version stripped.
    package static func normalizedId(_ raw: String) -> String {
        var id = raw.trimmingCharacters(in: .whitespaces)
        if let colon = id.firstIndex(of: ":"), id[..<colon].lowercased() == "ensembl" { id = String(id[id.index(after: colon)...]) }
        if id.lowercased().hasPrefix("ens") { id = "ENS" + id.dropFirst(3) }
        if let dot = id.firstIndex(of: ".") { id = String(id[..<dot]) }
        return id
    }

    /// The elements of a one-dimensional array literal (`{a,"b c",NULL}`), nil for NULL.
    package static func arrayElements(_ literal: String) -> [String?] {
        var elements: [String?] = []
        var characters = Array(literal.dropFirst().dropLast())
        guard !characters.isEmpty else { return [] }
        characters.append(",")
        var current = ""
        var quoted = false
        var wasQuoted = false
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if quoted {
                if character == "\\" {
                    index += 1
                    current.append(characters[index])
                } else if character == "\"" {
                    quoted = false
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                quoted = true
                wasQuoted = true
            } else if character == "," {
                elements.append(!wasQuoted && current == "NULL" ? nil : current)
                current = ""
                wasQuoted = false
            } else {
                current.append(character)
            }
            index += 1
        }
        return elements
    }

    /// A JSON value of a jsonb field.
    package static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }
}

/// Keeps every row of every table as raw bytes, with its line.
package final class RawRowSink: DumpSink {
    package struct Table {
        package var columns: [String]
        package var rows: [[Data?]] = []
        package var lines: [Int] = []
    }

    package var tables: [String: Table] = [:]
    private var current = ""

    package func beginTable(_ table: TableSchema) throws {
        current = table.name
        tables[current] = Table(columns: table.columns.map(\.name))
    }

    package func row(_ row: RowBuffer) throws {
        tables[current]!.rows.append((0..<row.count).map { index -> Data? in
            guard let bytes = row.bytes(index) else { return nil }
            return Data(Array(bytes))
        })
        tables[current]!.lines.append(row.line)
    }

    package func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws {}

    /// Reads `path` (any format `DumpReader` detects) and returns the sink.
    package static func read(_ path: URL) throws -> RawRowSink {
        let sink = RawRowSink()
        try DumpReader.open(path: path.path).read(into: sink)
        return sink
    }

    /// Reads a delimited patient file with `CSVReader`.
    package static func readDelimited(_ path: URL, delimiter: UInt8) throws -> RawRowSink {
        let sink = RawRowSink()
        try CSVReader(stream: FileByteStream(path: path.path), file: path.path, delimiter: delimiter, tableName: "patient").read(into: sink)
        return sink
    }
}
