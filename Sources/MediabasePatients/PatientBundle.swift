import Foundation
import MediabaseBytes
import MediabaseModel
import MediabaseOutput

/// The folder `patients --to bundle DIR` adds patient parts to.
///
/// DIR is either a core bundle made by `convert --to bundle` — the parts go into its
/// `patients/` folder, which its `load.sh` already loads after the core parts — or a folder that
/// does not exist yet, which becomes a patients-only bundle (`patients/`, `load.sh`, and a
/// manifest with `patients_only`) to load into a database that already holds the core. Any other
/// existing path is refused: adding files to a folder that is not a bundle would give neither a
/// bundle nor what was there before.
///
/// Each part is renamed into place when validated; the manifest is rewritten once, at the end,
/// from the manifest read at the start plus the parts written (replacing entries of the same
/// name), through a temporary file and a rename.
package struct PatientBundle {
    /// `report.json` of `patients`, inside the bundle but not in its manifest (the core's
    /// `report.json` stays as it was).
    package static let reportName = "patients/report.json"
    /// The rejects of `patients`, inside the bundle but not in its manifest.
    package static let rejectsName = "patients/rejects.jsonl"

    let folder: String
    /// The manifest found at the start; nil when the folder does not exist yet.
    let manifest: BundleManifest?

    /// Checks that `folder` is a bundle this tool reads, or does not exist yet.
    package static func open(_ folder: String) throws -> PatientBundle {
        guard let kind = FileKind(at: folder) else { return PatientBundle(folder: folder, manifest: nil) }
        let hasManifest = FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(BundleManifest.fileName))
        guard kind == .directory, hasManifest else {
            throw MediabaseError.notMediabaseOutput("\(folder) exists and is not a mediabase bundle (no \(BundleManifest.fileName)); patients --to bundle adds the patients to a bundle made by convert --to bundle, or makes a patients-only bundle in a folder that does not exist yet")
        }
        let manifest = try BundleManifest.read(folder: folder)
        guard manifest.formatVersion == BundleManifest.currentFormatVersion else {
            throw MediabaseError.notMediabaseOutput("\(folder) is a bundle of format version \(manifest.formatVersion); this tool writes \(BundleManifest.currentFormatVersion)")
        }
        return PatientBundle(folder: folder, manifest: manifest)
    }

    /// Where the part of `id` goes.
    package func partPath(_ id: PatientId) -> String { path(PatientBundleWriter.partName(id)) }

    package func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    /// Creates the folder (for a new bundle) and its `patients/` folder.
    package func createFolders() throws {
        do {
            try FileManager.default.createDirectory(atPath: path("patients"), withIntermediateDirectories: true)
        } catch {
            throw MediabaseError.io(path: path("patients"), message: "cannot create the patients folder: \(error.localizedDescription)")
        }
    }

    /// Rewrites `manifest.json` with `parts` (a new bundle also gets `load.sh`): the existing
    /// files but those replaced, then every patient part in name order; the rows of each part's
    /// two tables under `patient_<id>.expression_data` and `patient_<id>.metadata`. The same
    /// parts give the same manifest whatever order the patients finished in.
    package func updateManifest(adding parts: [(file: BundleManifest.File, schema: String, expressionRows: Int)]) throws {
        var manifest = manifest ?? {
            var new = BundleManifest()
            new.patientsOnly = true
            return new
        }()
        if self.manifest == nil {
            let script = SchemaFiles.loadScript
            let scriptPath = path(BundleWriter.loadScript)
            try write(Data(script.utf8), to: scriptPath)
            try OutputFile.setPermissions(0o755, at: scriptPath)
            manifest.files.append(BundleManifest.File(name: BundleWriter.loadScript, bytes: Int64(script.utf8.count), sha256: FileDigest.sha256(bytes: Data(script.utf8))))
        }
        let replaced = Set(parts.map(\.file.name))
        manifest.files.removeAll { replaced.contains($0.name) }
        let patientFiles = manifest.files.filter { $0.name.hasPrefix("patients/") } + parts.map(\.file)
        manifest.files = manifest.files.filter { !$0.name.hasPrefix("patients/") } + patientFiles.sorted { $0.name < $1.name }
        for part in parts {
            manifest.rowsPerTable["\(part.schema).expression_data"] = part.expressionRows
            manifest.rowsPerTable["\(part.schema).metadata"] = 1
        }
        let target = path(BundleManifest.fileName)
        let temporary = TemporaryOutputs.temporary(for: target)
        TemporaryOutputs.register(temporary)
        defer {
            try? FileManager.default.removeItem(atPath: temporary)
            TemporaryOutputs.unregister(temporary)
        }
        try write(try manifest.encoded(), to: temporary)
        do {
            try FileMove.rename(temporary, to: target)
        } catch {
            throw MediabaseError.io(path: target, message: "cannot move the manifest into place: \(error.message)")
        }
    }

    private func write(_ data: Data, to path: String) throws {
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw MediabaseError.io(path: path, message: error.localizedDescription)
        }
    }
}
