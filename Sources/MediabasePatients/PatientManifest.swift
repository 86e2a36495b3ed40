import Foundation
import MediabaseBytes
import MediabaseModel
import MediabaseInput

/// What a manifest says about a patient besides the file: the `metadata` columns of docs/spec.md §5.1.
package struct ClinicalMetadata: Sendable, Equatable {
    package var cancerType: String?
    package var cancerSubtype: String?
    package var tissueType: String?
    package var sampleType: String?
    package var sequencingPlatform: String?
    package var readDepthMillions: Double?
    package var clinicalNotes: String?
    /// Manifest columns with no `metadata` column of their own, kept in `metadata_json`.
    package var extra: [String: String] = [:]

    package init() {}
}

/// One patient of a batch: its id, its input file and what the manifest says about it.
package struct PatientSpec: Sendable, Equatable {
    package var id: PatientId
    /// The input path, resolved against the manifest's folder when given there.
    package var file: String
    package var clinical: ClinicalMetadata
    /// Where the patient was named (`manifest m.csv line 3`, `file name of P1.csv`), for errors.
    package var origin: String

    package init(id: PatientId, file: String, clinical: ClinicalMetadata = ClinicalMetadata(), origin: String) {
        self.id = id
        self.file = file
        self.clinical = clinical
        self.origin = origin
    }
}

/// A patient a batch names, that the batch either processes or refuses before reading its file.
package enum PatientRequest: Sendable, Equatable {
    case accepted(PatientSpec)
    /// The manifest entry or file name cannot make a patient (a bad or missing id, no file, an
    /// unreadable field, an id another patient of the batch shares): that patient's failure,
    /// not the batch's (docs/spec.md §5.2).
    case refused(PatientRefusal)
}

/// Why a patient of a batch was refused, and what little is known about it.
package struct PatientRefusal: Sendable, Equatable {
    /// The id as given (empty when none was).
    package var givenId: String
    /// The input path, when one was given.
    package var file: String?
    /// Where the patient was named (`manifest m.csv line 3`).
    package var origin: String
    /// The message: what was wrong, where, and what was expected.
    package var reason: String

    package init(givenId: String, file: String?, origin: String, reason: String) {
        self.givenId = givenId
        self.file = file
        self.origin = origin
        self.reason = reason
    }
}

/// Reads a batch manifest (docs/spec.md §5.2): CSV with a header row (`patient_id,file,cancer_type,...`,
/// comma, tab or semicolon separated) or JSON `{"patients": [{"patient_id": ..., "file": ...}]}`
/// (a bare array of such objects is accepted too). Column and key names are case-insensitive.
/// Relative file paths are relative to the manifest's folder. Every id is checked against the
/// rule of ``PatientId``. A manifest that cannot be read at all fails the batch; an entry that
/// cannot make a patient (a bad id, no file) is refused alone, so that one bad patient does not
/// stop the others.
package enum PatientManifest {
    /// The `metadata` columns a manifest may fill, by manifest column name.
    private static let knownFields: Set<String> = [
        "patient_id", "file", "cancer_type", "cancer_subtype", "tissue_type", "sample_type",
        "sequencing_platform", "read_depth_millions", "clinical_notes",
    ]

    /// Reads the manifest at `path`: one request per entry, in the manifest's order.
    package static func load(path: String) throws -> [PatientRequest] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MediabaseError.io(path: path, message: "cannot read the manifest")
        }
        let bytes = [UInt8](data)
        let first = bytes.first { !Identifiers.isSpace($0) && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
        let records = first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? try jsonRecords(bytes, path: path) : try csvRecords(bytes, path: path)
        let folder = path.contains("/") ? Paths.split(path).folder : ""
        return records.map { record in
            let origin = "manifest \(path) \(record.position)"
            do {
                return .accepted(try spec(record, path: path, folder: folder, origin: origin))
            } catch {
                return .refused(PatientRefusal(givenId: record.fields["patient_id"] ?? "", file: record.fields["file"].map { resolve($0, folder) }, origin: origin,
                                               reason: error.localizedDescription))
            }
        }
    }

    /// The patient of one entry; throws what is wrong with it.
    private static func spec(_ record: Record, path: String, folder: String, origin: String) throws -> PatientSpec {
        guard let id = record.fields["patient_id"] else {
            throw MediabaseError.malformedInput(SourceLocation(file: path, line: record.line), expected: "a patient_id for the patient at \(record.position)")
        }
        guard let file = record.fields["file"], !file.isEmpty else {
            throw MediabaseError.malformedInput(SourceLocation(file: path, line: record.line), expected: "a file for patient \(PatientId.quoted(id)) at \(record.position)")
        }
        var clinical = ClinicalMetadata()
        clinical.cancerType = record.fields["cancer_type"]
        clinical.cancerSubtype = record.fields["cancer_subtype"]
        clinical.tissueType = record.fields["tissue_type"]
        clinical.sampleType = record.fields["sample_type"]
        clinical.sequencingPlatform = record.fields["sequencing_platform"]
        clinical.clinicalNotes = record.fields["clinical_notes"]
        if let depth = record.fields["read_depth_millions"] {
            guard let value = Double(depth), value.isFinite else {
                throw MediabaseError.malformedInput(SourceLocation(file: path, line: record.line),
                                                    expected: "a number for read_depth_millions at \(record.position), found \(PatientId.quoted(depth))")
            }
            clinical.readDepthMillions = value
        }
        clinical.extra = record.fields.filter { !knownFields.contains($0.key) }
        return PatientSpec(id: try PatientId(id, origin: origin), file: resolve(file, folder), clinical: clinical, origin: origin)
    }

    /// A manifest's file path: relative ones are relative to the manifest's folder.
    private static func resolve(_ file: String, _ folder: String) -> String {
        file.hasPrefix("/") || folder.isEmpty ? file : (folder as NSString).appendingPathComponent(file)
    }

    /// One patient's entries: lower-cased names → values (CSV cells trimmed); empty values left out.
    private struct Record {
        var fields: [String: String] = [:]
        var line: Int?
        /// `line 3` or `patients[2]`.
        var position: String
    }

    private static func csvRecords(_ bytes: [UInt8], path: String) throws -> [Record] {
        let headLine = Array(bytes.prefix { $0 != 0x0A })
        let delimiter = PatientFileDialect.detectDelimiter(headerLine: headLine, nextLine: nil) ?? UInt8(ascii: ",")
        let collector = ManifestCollector()
        try CSVReader(stream: MemoryByteStream(bytes), file: path, delimiter: delimiter, tableName: "manifest").read(into: collector)
        return collector.records
    }

    private final class ManifestCollector: DumpSink {
        var names: [String] = []
        var records: [Record] = []

        func beginTable(_ table: TableSchema) throws { names = table.columns.map { $0.name.lowercased() } }

        func row(_ row: RowBuffer) throws {
            var record = Record(line: row.line, position: "line \(row.line)")
            for (index, name) in names.enumerated() {
                guard let value = row.string(index)?.trimmingWhitespace, !value.isEmpty else { continue }
                record.fields[name] = value
            }
            records.append(record)
        }

        func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws {}
    }

    private static func jsonRecords(_ bytes: [UInt8], path: String) throws -> [Record] {
        let document: JSONValue
        do {
            document = try JSON.parse(bytes.span)
        } catch let error as DecodeError {
            throw MediabaseError.malformedInput(SourceLocation(file: path, byteOffset: Int64(error.offset)), expected: "a JSON manifest: \(error.expected)")
        }
        guard let patients = document["patients"]?.arrayValue ?? document.arrayValue else {
            throw MediabaseError.malformedInput(SourceLocation(file: path), expected: "{\"patients\": [...]} or an array of patient objects")
        }
        return try patients.enumerated().map { index, patient in
            let position = "patients[\(index)]"
            guard let members = patient.objectMembers else {
                throw MediabaseError.malformedInput(SourceLocation(file: path), expected: "an object at \(position)")
            }
            var record = Record(position: position)
            for (key, value) in members {
                let text: String
                switch value {
                // A JSON string is taken as written: `" P1"` is not `P1`.
                case let .string(string): text = string
                case let .number(number): text = number
                case let .bool(flag): text = flag ? "true" : "false"
                case .null: continue
                case .object, .array: text = value.serialized()
                }
                if !text.isEmpty { record.fields[key.lowercased()] = text }
            }
            return record
        }
    }
}
