import Foundation
import MediabaseBytes
import MediabaseConcurrency
import MediabaseModel

/// What `mediabase generate` makes.
package struct GenerateOptions: Sendable, Equatable {
    /// Everything generated is a function of the seed and the other options (never of the
    /// machine, the time or `threads`).
    package var seed: UInt64
    package var genes: Int
    package var patients: Int
    package var formats: [LegacyDumpFormat]
    /// Worker threads; the output is the same for any value.
    package var threads: Int
    /// Leave out the planted row-level problems.
    package var clean: Bool
    /// Data rows of every fold-change table; nil: each gene of the core gives its own share
    /// (about 0.9 rows per transcript or per gene). Per-patient dumps always hold every
    /// transcript.
    package var patientRows: Int?
    /// The dialects patients rotate through, in order.
    package var patientDialects: [PatientDialect]
    /// How much annotation the legacy rows carry.
    package var profile: DatasetProfile
    /// Where each gene's rows sit in the legacy table (per-patient dumps keep the generated order).
    package var rowOrder: RowOrder

    package init(seed: UInt64, genes: Int, patients: Int = 0, formats: [LegacyDumpFormat] = [.plain], threads: Int = 1,
                clean: Bool = false, patientRows: Int? = nil, patientDialects: [PatientDialect] = PatientDialect.allCases,
                profile: DatasetProfile = .standard, rowOrder: RowOrder = .generated) {
        self.seed = seed
        self.genes = genes
        self.patients = patients
        self.formats = formats
        self.threads = threads
        self.clean = clean
        self.patientRows = patientRows
        self.patientDialects = patientDialects
        self.profile = profile
        self.rowOrder = rowOrder
    }
}

/// Writes a deterministic synthetic MEDIABASE dataset: the legacy database in the requested
/// forms, patient files in every dialect, and `expected.json` with the facts a correct
/// conversion must reproduce.
///
/// Genes are generated in blocks on `threads` workers and written in order, so memory does not
/// grow with the gene count and the bytes never depend on the thread count:
///
/// ```swift
/// let facts = try DatasetGenerator(options: GenerateOptions(seed: 1, genes: 2_000, patients: 8))
///     .generate(into: "synthetic", replace: false)
/// print(facts.legacy.rows)
/// ```
package final class DatasetGenerator {
    package let options: GenerateOptions

    /// File name of the facts file inside the output folder.
    package static let factsFileName = "expected.json"
    /// Folder of the patient files and their manifest.
    package static let patientFolder = "patients"
    package static let manifestFileName = "patients.csv"
    /// See ``DatasetFacts/generatorVersion``.
    package static let generatorVersion = 1

    package init(options: GenerateOptions) {
        self.options = options
    }

    /// Generates into `directory` atomically: everything is written to a temporary folder
    /// beside it and renamed into place at the end, so a failed run leaves nothing behind.
    /// An existing non-empty `directory` is refused unless `replace` is set.
    @discardableResult
    package func generate(into directory: String, replace: Bool, log: (String) -> Void = { _ in }) throws -> DatasetFacts {
        let files = FileManager.default
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        let kind = FileKind(at: target.path)
        let exists = kind != nil
        if let kind {
            guard kind == .directory else { throw MediabaseError.usage("\(directory) exists and is not a folder") }
            let contents = try files.contentsOfDirectory(atPath: target.path)
            if !contents.isEmpty, !replace {
                throw MediabaseError.usage("\(directory) is not empty; use --force to replace it")
            }
        }
        let parent = target.deletingLastPathComponent()
        try files.createDirectory(at: parent, withIntermediateDirectories: true)
        TemporaryOutputs.removeStale(of: [target.path], log: log)
        let temporary = URL(fileURLWithPath: TemporaryOutputs.temporary(for: target.path))
        try? files.removeItem(at: temporary)
        try files.createDirectory(at: temporary, withIntermediateDirectories: false)
        TemporaryOutputs.register(temporary.path)
        defer { TemporaryOutputs.unregister(temporary.path) }
        do {
            let facts = try write(into: temporary.path)
            if exists {
                let old = URL(fileURLWithPath: TemporaryOutputs.aside(for: target.path))
                try files.moveItem(at: target, to: old)
                try files.moveItem(at: temporary, to: target)
                try files.removeItem(at: old)
            } else {
                try files.moveItem(at: temporary, to: target)
            }
            return facts
        } catch {
            try? files.removeItem(at: temporary)
            throw error
        }
    }

    /// Writes the dataset into `folder`, which exists and is empty.
    func write(into folder: String) throws -> DatasetFacts {
        let seed = options.seed
        let genes = max(0, options.genes)
        let catalog = SyntheticCatalog(seed: seed)
        let plan = PlantingPlan(seed: seed, genes: genes, clean: options.clean)
        let dialects = options.patientDialects.isEmpty ? PatientDialect.allCases : options.patientDialects
        let patients = (0..<max(0, options.patients)).map { SyntheticPatient(seed: seed, number: $0, dialects: dialects) }
        let formats = options.formats.reduce(into: [LegacyDumpFormat]()) { if !$0.contains($1) { $0.append($1) } }
        let builder = BlockBuilder(synthesizer: GeneSynthesizer(seed: seed, catalog: catalog, plan: plan, profile: options.profile), genes: genes,
                                   formats: formats, patients: patients, patientRows: options.patientRows, spotGenes: Self.spotGenes(seed: seed, genes: genes, plan: plan))
        let coreScript = DumpScript(seed: seed, includesOpenTargets: true)
        let patientScript = DumpScript(seed: seed, includesOpenTargets: false)

        var outputs: [OutputFile] = []
        defer { outputs.forEach { try? $0.close() } }
        let scatterer = options.rowOrder == .scattered && !formats.isEmpty
            ? try RowScatterer(seed: seed, genes: genes, profile: options.profile, formats: formats.count,
                               folder: (folder as NSString).appendingPathComponent(".scattered-rows"))
            : nil
        defer { scatterer?.discard() }
        var headerLines: [Int] = []
        for format in formats {
            let header: [UInt8] = format == .csv
                ? Array((LegacyColumn.allCases.map(\.name).joined(separator: ",") + "\n").utf8)
                : Array(coreScript.header(format).utf8)
            let file = try OutputFile(creatingAt: (folder as NSString).appendingPathComponent(format.fileName))
            try file.write(header.span)
            outputs.append(file)
            headerLines.append(header.lineFeeds())
        }
        if !patients.isEmpty {
            let patientFolder = (folder as NSString).appendingPathComponent(Self.patientFolder)
            try FileManager.default.createDirectory(atPath: patientFolder, withIntermediateDirectories: false)
            for patient in patients {
                let file = try OutputFile(creatingAt: (patientFolder as NSString).appendingPathComponent(patient.fileName))
                try file.write((patient.dialect == .legacyDump ? Array(patientScript.header(.plain).utf8) : patient.header).span)
                outputs.append(file)
            }
        }

        var tally = GenerationTally(catalog: catalog)
        var patientTallies = [PatientTally](repeating: PatientTally(), count: patients.count)
        var linesBefore = headerLines
        var rowRejects: [DatasetFacts.RowEvent] = []
        var fieldRejects: [DatasetFacts.RowEvent] = []
        var duplicates: [DatasetFacts.RowEvent] = []
        // Under --row-order scattered, each event's kind and position in its list, to set its lines after the merge.
        var scatteredEvents: [(kind: DatasetBlock.PendingEvent.Kind, index: Int)] = []
        try OrderedPipeline.run(count: builder.blockCount, threads: options.threads, window: 2 * options.threads + 2,
                                produce: { builder.build(block: $0) }) { block in
            for (slot, bytes) in block.outputs.enumerated() where scatterer == nil || slot >= formats.count {
                try outputs[slot].write(bytes.span)
            }
            if let scatterer {
                var rowEvents: [Int: (event: Int, slot: Int)] = [:]
                for (offset, event) in block.events.enumerated() {
                    for (slot, row) in event.rows.enumerated() { rowEvents[row] = (scatteredEvents.count + offset, slot) }
                }
                try scatterer.add(block, rowEvents: rowEvents)
            }
            for event in block.events {
                var lines: [String: [Int]] = [:]
                for (index, format) in formats.enumerated() {
                    lines[format.rawValue] = event.lines[index].map { linesBefore[index] + $0 + 1 }
                }
                let facts = DatasetFacts.RowEvent(reason: event.reason, column: event.column, geneId: event.geneId,
                                                  transcriptId: event.transcriptId, rawTranscriptIds: event.rawTranscriptIds,
                                                  lines: lines)
                switch event.kind {
                case .rowReject: rowRejects.append(facts)
                case .fieldReject: fieldRejects.append(facts)
                case .duplicate: duplicates.append(facts)
                }
                if scatterer != nil {
                    let count = event.kind == .rowReject ? rowRejects.count : event.kind == .fieldReject ? fieldRejects.count : duplicates.count
                    scatteredEvents.append((event.kind, count - 1))
                }
            }
            for index in formats.indices { linesBefore[index] += block.lines[index] }
            tally.absorb(block.tally)
            for index in patients.indices { patientTallies[index].absorb(block.patientTallies[index]) }
        }

        if let scatterer {
            let lines = try scatterer.merge(into: Array(outputs.prefix(formats.count)), linesBefore: headerLines,
                                            events: scatteredEvents.count)
            for (event, (kind, index)) in zip(lines, scatteredEvents) {
                var byFormat: [String: [Int]] = [:]
                for (position, format) in formats.enumerated() {
                    byFormat[format.rawValue] = event[position].keys.sorted().map { event[position][$0]! }
                }
                switch kind {
                case .rowReject: rowRejects[index].lines = byFormat
                case .fieldReject: fieldRejects[index].lines = byFormat
                case .duplicate: duplicates[index].lines = byFormat
                }
            }
            // Listed in file order, as they are when the rows keep the generated order.
            let first = formats[0].rawValue
            func byLine(_ a: DatasetFacts.RowEvent, _ b: DatasetFacts.RowEvent) -> Bool { a.lines[first]!.min()! < b.lines[first]!.min()! }
            rowRejects.sort(by: byLine)
            fieldRejects.sort(by: byLine)
            duplicates.sort(by: byLine)
        }

        let openTargets = OpenTargetsTable(seed: seed, genes: genes, catalog: catalog)
        for (index, format) in formats.enumerated() where format != .csv {
            try outputs[index].write(coreScript.footer(format, openTargets: openTargets).utf8.span)
        }
        for (position, patient) in patients.enumerated() where patient.dialect == .legacyDump {
            try outputs[formats.count + position].write(patientScript.footer(.plain, openTargets: nil).utf8.span)
        }
        for output in outputs { try output.close() }
        if !patients.isEmpty { try writeManifest(patients, folder: folder) }

        var files: [String: DatasetFacts.FileFacts] = [:]
        for format in formats {
            files[format.fileName] = DatasetFacts.FileFacts(bytes: try Self.size(folder, format.fileName), content: "legacy-\(format.rawValue)")
        }
        for patient in patients {
            let path = Self.patientFolder + "/" + patient.fileName
            files[path] = DatasetFacts.FileFacts(bytes: try Self.size(folder, path), content: patient.dialect.rawValue)
        }
        if !patients.isEmpty {
            let path = Self.patientFolder + "/" + Self.manifestFileName
            files[path] = DatasetFacts.FileFacts(bytes: try Self.size(folder, path), content: "manifest")
        }

        let facts = makeFacts(tally: tally, files: files, formats: formats, dialects: dialects, openTargets: openTargets,
                              planted: DatasetFacts.PlantedFacts(
                                  rowRejects: rowRejects, fieldRejects: fieldRejects, duplicateTranscripts: duplicates,
                                  conflicts: tally.conflicts,
                                  drugShapeGenes: Dictionary(uniqueKeysWithValues: tally.drugShapeGenes.map { ($0.key.rawValue, $0.value) })),
                              patients: zip(patients, patientTallies).map { patient, counts in
                                  DatasetFacts.PatientFacts(
                                      patientId: patient.id, file: Self.patientFolder + "/" + patient.fileName,
                                      dialect: patient.dialect.rawValue, valueScale: patient.dialect.valueScale,
                                      idKind: patient.dialect.idKind, cancerType: patient.cancerType, rows: counts.rows,
                                      skipped: counts.skipped, matched: counts.matched, unmatched: counts.unmatched,
                                      stored: counts.stored, spotValues: counts.spots)
                              })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var json = try encoder.encode(facts)
        json.append(0x0A)
        try json.write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(Self.factsFileName)))
        return facts
    }

    private func makeFacts(tally: GenerationTally, files: [String: DatasetFacts.FileFacts], formats: [LegacyDumpFormat],
                           dialects: [PatientDialect], openTargets: OpenTargetsTable, planted: DatasetFacts.PlantedFacts,
                           patients: [DatasetFacts.PatientFacts]) -> DatasetFacts {
        var nonNull: [String: Int] = [:]
        for column in LegacyColumn.allCases { nonNull[column.name] = tally.nonNull[column.rawValue] }
        var drugShapes: [String: Int] = [:]
        for shape in GeneFacts.DrugShape.allCases { drugShapes[shape.rawValue] = tally.drugShapes[shape] ?? 0 }
        var quirks: [String: Int] = [:]
        for quirk in [SyntheticRow.IdQuirk.whitespace, .lowerCasePrefix, .databasePrefix] {
            quirks[quirk.rawValue] = tally.transcriptIdQuirks[quirk] ?? 0
        }
        let ratio = tally.genes == 0 ? 0 : (Double(tally.rows) / Double(tally.genes) * 10_000).rounded() / 10_000
        return DatasetFacts(
            generator: "mediabase generate", generatorVersion: Self.generatorVersion, seed: options.seed, genesRequested: options.genes,
            clean: options.clean, patientRows: options.patientRows,
            patientDialects: dialects == PatientDialect.allCases ? nil : dialects.map(\.rawValue),
            profile: options.profile == .standard ? nil : options.profile.rawValue,
            rowOrder: options.rowOrder == .generated ? nil : options.rowOrder.rawValue,
            formats: formats.map(\.rawValue), files: files,
            legacy: DatasetFacts.LegacyTableFacts(
                rows: tally.rows, distinctRawGeneIds: tally.genes, distinctRawTranscriptIds: tally.rows, redundancyRatio: ratio,
                nonNullValues: nonNull, versionedTranscriptIds: tally.versionedTranscriptIds,
                versionedGeneIdRows: tally.versionedGeneIdRows, transcriptIdQuirks: quirks, geneIdQuirkRows: tally.geneIdQuirkRows,
                drugShapes: drugShapes, rowsWithPharmgkbInDrugs: tally.rowsWithPharmgkbInDrugs,
                genesWithPharmgkbInDrugs: tally.genesWithPharmgkbInDrugs, heavyGenes: tally.heavyGenes),
            normalized: DatasetFacts.NormalizedFacts(
                genes: tally.genes, transcripts: tally.transcripts,
                drugs: ["DrugCentral": tally.drugCentral.count, "ChEMBL": tally.chembl.count,
                        "PharmGKB": tally.pharmgkbDrugs.count, "names": tally.namedDrugs.count],
                geneDrugPairs: ["DrugCentral": tally.geneDrugPairs[0], "ChEMBL": tally.geneDrugPairs[1],
                                "PharmGKB": tally.geneDrugPairs[2], "names": tally.geneDrugPairs[3]],
                pathways: ["Reactome": tally.reactome.count, "KEGG": tally.kegg.count, "WikiPathways": tally.wikiPathways.count,
                           "PharmGKB": tally.pharmgkbPathways.count, "unknown": tally.unnamedPathways.count],
                genePathways: tally.genePathways, goTerms: tally.goTerms.count, transcriptGoTerms: tally.transcriptGoTerms,
                genePublications: tally.genePublications, geneCrossReferences: tally.geneCrossReferences,
                transcriptCrossReferences: tally.transcriptCrossReferences,
                geneAnnotations: ["molecular_function": tally.molecularFunctions, "cellular_location": tally.cellularLocations],
                transcriptProducts: tally.transcriptProducts, conflicts: tally.conflicts.count),
            planted: planted,
            symbols: DatasetFacts.SymbolFacts(shared: tally.sharedSymbols, contigLike: tally.contigLikeSymbols,
                                              mixedCase: tally.mixedCaseSymbols, missing: tally.missingSymbols),
            openTargets: DatasetFacts.OpenTargetsFacts(rows: openTargets.rows.count, approved: openTargets.approved,
                                                       distinctTargetGenes: openTargets.distinctTargetGenes),
            spotChecks: DatasetFacts.SpotChecks(genes: tally.spotGenes),
            patients: patients)
    }

    /// The genes whose values `spotChecks` lists: the first three, the middle and the last
    /// gene, and the first of each notable kind (planted conflict, shared symbol, contig name,
    /// heavy annotations).
    static func spotGenes(seed: UInt64, genes: Int, plan: PlantingPlan) -> Set<Int> {
        guard genes > 0 else { return [] }
        var spots: Set<Int> = [0, min(1, genes - 1), min(2, genes - 1), genes / 2, genes - 1]
        if let conflict = plan.conflictGenes.first { spots.insert(conflict) }
        var wanted: [(GeneHeader) -> Bool] = [{ $0.symbolKind == .shared }, { $0.symbolKind == .contig }, \.isHeavy]
        var index = 0
        while !wanted.isEmpty, index < genes {
            let header = GeneHeader(seed: seed, index: index)
            if let found = wanted.firstIndex(where: { $0(header) }) {
                spots.insert(index)
                wanted.remove(at: found)
            }
            index += 1
        }
        return spots
    }

    private func writeManifest(_ patients: [SyntheticPatient], folder: String) throws {
        let header = ["patient_id", "file", "cancer_type", "cancer_subtype", "tissue_type", "sample_type", "sequencing_platform",
                      "read_depth_millions", "file_format"]
        var out: [UInt8] = Array((header.joined(separator: ",") + "\n").utf8)
        for patient in patients {
            let fields = [patient.id, patient.fileName, patient.cancerType, patient.cancerSubtype, patient.tissueType,
                          patient.sampleType, patient.platform, patient.readDepthMillions, patient.dialect.rawValue]
            for (position, field) in fields.enumerated() {
                if position > 0 { out.append(0x2C) }
                LegacyDumpFormat.appendCSV(Array(field.utf8), to: &out)
            }
            out.append(0x0A)
        }
        let file = try OutputFile(creatingAt: ((folder as NSString).appendingPathComponent(Self.patientFolder) as NSString)
            .appendingPathComponent(Self.manifestFileName))
        try file.write(out.span)
        try file.close()
    }

    private static func size(_ folder: String, _ path: String) throws -> Int64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: (folder as NSString).appendingPathComponent(path))
        return (attributes[.size] as? NSNumber)?.int64Value ?? 0
    }
}
