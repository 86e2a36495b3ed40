import Foundation
import MediabaseBytes
import MediabaseModel

/// `manifest.json`, the table of contents of a bundle: what made it, from what, the rows each
/// table receives, and every file with its size and SHA-256, so that `mediabase validate DIR`
/// can check a bundle without a server. `report.json` and the manifest itself are not listed.
///
/// ```json
/// {"format_version": 1, "tool": "mediabase", "tool_version": "0.1.0",
///  "files": [{"name": "01_schema.sql.gz", "bytes": 1234, "sha256": "…"}, …],
///  "rows_per_table": {"genes": 77114, …}, …}
/// ```
package struct BundleManifest: Codable, Equatable, Sendable {
    /// The layout version of bundles this tool writes and reads.
    package static let currentFormatVersion = 1
    /// The manifest's file name inside a bundle.
    package static let fileName = "manifest.json"

    /// An input of the conversion.
    package struct Input: Codable, Equatable, Sendable {
        /// The file (or folder) name, without the path, so the manifest does not depend on where
        /// the input was.
        package var name: String
        package var format: String
        package var bytes: Int64?
        package var sha256: String

        package init(name: String, format: String, bytes: Int64?, sha256: String) {
            self.name = name
            self.format = format
            self.bytes = bytes
            self.sha256 = sha256
        }
    }

    /// A file of the bundle.
    package struct File: Codable, Equatable, Sendable {
        /// Path relative to the bundle folder (`02_data.sql.gz`, `patients/patient_p1.sql.gz`).
        package var name: String
        package var bytes: Int64
        package var sha256: String

        package init(name: String, bytes: Int64, sha256: String) {
            self.name = name
            self.bytes = bytes
            self.sha256 = sha256
        }
    }

    package var formatVersion = BundleManifest.currentFormatVersion
    package var tool = "mediabase"
    package var toolVersion = MediabaseVersion.current
    /// The core's `schema_versions` row.
    package var schemaVersion = SQLiteCoreWriter.schemaVersion
    /// The oldest PostgreSQL release the SQL is written for.
    package var minimumPostgresVersion = 12
    package var inputs: [Input] = []
    /// Rows each table's COPY block holds, by table name: bare for schema `public`,
    /// `patient_<id>.expression_data` and `patient_<id>.metadata` for the patient parts.
    package var rowsPerTable: [String: Int] = [:]
    /// The parts in load order, then `load.sh`, then the patient parts (`patients/...`).
    package var files: [File] = []
    /// True for a bundle of patient parts only, made by `patients --to bundle` into a new
    /// folder and loaded after a core bundle; absent for a core bundle.
    package var patientsOnly: Bool?

    package init() {}

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case tool
        case toolVersion = "tool_version"
        case schemaVersion = "schema_version"
        case minimumPostgresVersion = "minimum_postgres_version"
        case inputs
        case rowsPerTable = "rows_per_table"
        case files
        case patientsOnly = "patients_only"
    }

    /// Pretty JSON with sorted keys and a final newline: the same manifest gives the same bytes.
    package func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Reads the manifest of the bundle in `folder`.
    package static func read(folder: String) throws -> BundleManifest {
        let path = (folder as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MediabaseError.io(path: path, message: "no manifest: not a mediabase bundle")
        }
        do {
            return try JSONDecoder().decode(BundleManifest.self, from: data)
        } catch {
            throw MediabaseError.malformedInput(SourceLocation(file: path), expected: "a bundle manifest (\(error))")
        }
    }
}
