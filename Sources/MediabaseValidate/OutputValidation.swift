import Foundation
import MediabaseBytes
import MediabaseSQLite
import MediabaseModel
import MediabaseOutput
import MediabasePatients

/// What a SQLite file made by mediabase holds, told from its tables.
package enum SQLiteOutputKind: String, Sendable, Codable {
    /// A normalized core made by `convert` (`genes`, `transcripts`, ...).
    case core
    /// One patient made by `patients` (`expression_data`, `metadata`).
    case patient
    /// Not SQLite: a bundle folder made by `convert --to bundle`, told from its `manifest.json`.
    case bundle
    /// Neither.
    case unknown

    /// Looks at the tables of `database`.
    package static func detect(_ database: SQLiteDatabase) throws -> SQLiteOutputKind {
        let tables = Set(try database.rows("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0[0] })
        if tables.contains("expression_data") || (tables.contains("metadata") && !tables.contains("genes")) { return .patient }
        if tables.contains("genes") || tables.contains("transcripts") { return .core }
        return .unknown
    }
}

/// `mediabase validate`: runs the suite that fits each SQLite file, a core or a patient, alone
/// or a folder of them (docs/spec.md §7).
package enum OutputValidation {
    /// The checks of one file.
    package struct FileResult: Codable, Sendable {
        package var path: String
        package var kind: SQLiteOutputKind
        package var checks: [ValidationCheck]

        package var passed: Bool { checks.allSatisfy(\.passed) }
    }

    /// Validates `path`: a file, a bundle folder, or every `*.sqlite` file in a folder (in name
    /// order).
    /// - Parameter corePath: the core patient files are checked against for orphan transcript
    ///   ids; nil: the one core in the folder being validated, when there is exactly one.
    package static func run(path: String, corePath: String?) throws -> [FileResult] {
        let fileManager = FileManager.default
        guard let kind = FileKind(at: path) else {
            throw MediabaseError.io(path: path, message: "no such file or directory")
        }
        let files: [String]
        if kind == .directory, fileManager.fileExists(atPath: (path as NSString).appendingPathComponent(BundleManifest.fileName)) {
            return [FileResult(path: path, kind: .bundle, checks: try BundleValidator.validate(folder: path))]
        } else if kind == .directory {
            files = try fileManager.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".sqlite") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
            guard !files.isEmpty else { throw MediabaseError.io(path: path, message: "no .sqlite files to validate in this folder") }
        } else {
            files = [path]
        }
        let opened = try files.map { file -> (String, SQLiteDatabase, SQLiteOutputKind) in
            let database = try SQLiteDatabase(path: file, readOnly: true)
            return (file, database, try SQLiteOutputKind.detect(database))
        }
        var coreIndex: CoreTranscriptIndex?
        if opened.contains(where: { $0.2 == .patient }) {
            let cores = opened.filter { $0.2 == .core }.map(\.0)
            if let core = corePath ?? (cores.count == 1 ? cores[0] : nil) { coreIndex = try CoreTranscriptIndex.load(path: core) }
        }
        return try opened.map { file, database, kind in
            switch kind {
            case .core:
                return FileResult(path: file, kind: kind, checks: try CoreValidator.validate(database))
            case .patient:
                return FileResult(path: file, kind: kind, checks: try PatientValidator.validate(database, core: coreIndex.map { .memory($0) }))
            case .unknown, .bundle: // detect(_:) never says bundle: bundles are folders, found above.
                return FileResult(path: file, kind: .unknown, checks: [ValidationCheck(
                    name: "known_output", passed: false, detail: "neither a mediabase core (genes, transcripts) nor a patient file (expression_data, metadata)")])
            }
        }
    }
}
