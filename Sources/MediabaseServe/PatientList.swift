import MediabaseBytes
import MediabaseModel

/// `GET /api/v1/patients`: the valid patient files of the folder, read when asked (docs/spec.md §10).
///
/// Per patient: `patient_id` (as its metadata holds it), `schema_name`, `expression_data_count`,
/// `created_at` (the metadata's `upload_date`: the `patients` command stamps every row with
/// it), then every `metadata` column but `metadata_json`. Ordered by patient id, lower-cased
/// (the file names' order). Invalid files are left out and named on stderr.
struct PatientList {
    let worker: Worker

    func write(to json: inout JSONWriter) throws {
        var entries: [(PatientConnection, String)] = []
        if let directory = worker.directory {
            for name in try directory.patientFileNames() {
                let fileId = PatientId.idText(ofSQLiteFileName: name) ?? ""
                if let problem = PatientId.problem(with: fileId) {
                    directory.reportInvalid(name, identity: FileIdentity.of(directory.filePath(name)), reason: "its name does not carry a valid patient id: \(problem)")
                    continue
                }
                if case .valid(let connection, let patientId) = try worker.open(name, in: directory) {
                    entries.append((connection, patientId))
                }
            }
        }
        try json.object { json in
            json.field("count", Int64(entries.count))
            json.key("patients")
            try json.array { json in
                for (connection, patientId) in entries {
                    let metadata = try connection.metadataRow() ?? []
                    let count = try connection.storedCount()
                    json.object { json in
                        json.field("patient_id", patientId)
                        json.field("schema_name", PatientId.schemaName(of: patientId))
                        json.field("expression_data_count", count)
                        let uploadDate = metadata.first { $0.name == "upload_date" }?.value
                        json.key("created_at")
                        Self.write(uploadDate ?? .null, to: &json)
                        for (name, value) in metadata where name != "patient_id" {
                            json.key(name)
                            Self.write(value, to: &json)
                        }
                    }
                }
            }
        }
    }

    private static func write(_ value: PatientConnection.MetadataValue, to json: inout JSONWriter) {
        switch value {
        case .integer(let number): json.integer(number)
        case .real(let number): json.number(number)
        case .text(let text): json.string(text)
        case .null: json.string(nil)
        }
    }
}
