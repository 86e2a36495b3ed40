import MediabaseModel
/// The bytes one block of genes adds to every output file, and what they contain.
final class DatasetBlock {
    /// Bytes per output slot (see ``BlockBuilder``).
    var outputs: [[UInt8]]
    /// Lines the block adds to each legacy format's data, in `formats` order.
    var lines: [Int]
    /// Legacy rows in the block (the same in every format).
    var rowCount = 0
    /// Per legacy format, where each row starts in `outputs` and its first line (0-based).
    var rowStarts: [[Int]] = []
    var rowLines: [[Int]] = []
    /// Planted rows with their line offsets inside the block (0-based), per legacy format.
    var events: [PendingEvent] = []
    var tally: GenerationTally
    var patientTallies: [PatientTally]

    init(slots: Int, formats: Int, patients: Int, tally: GenerationTally) {
        outputs = [[UInt8]](repeating: [], count: slots)
        lines = [Int](repeating: 0, count: formats)
        self.tally = tally
        patientTallies = [PatientTally](repeating: PatientTally(), count: patients)
    }

    /// A planted row or pair of rows, before its lines are made absolute.
    struct PendingEvent {
        enum Kind {
            case rowReject, fieldReject, duplicate
        }

        let kind: Kind
        let reason: String
        let column: String
        let geneId: String
        let transcriptId: String
        var rawTranscriptIds: [String]
        /// Per legacy format, the 0-based line of each row inside the block.
        var lines: [[Int]]
        /// The position of each row among the block's rows.
        var rows: [Int]
    }
}

/// Builds ``DatasetBlock``s. Genes are generated in blocks of ``genesPerBlock``; inside a
/// block about one transcript row in twelve is moved to the end of the block, so the rows of
/// a gene are not always adjacent (in the real dump, UPDATEs scattered them over the heap).
/// The block size is part of the output format, never derived from the thread count.
struct BlockBuilder {
    static let genesPerBlock = 32

    let synthesizer: GeneSynthesizer
    let genes: Int
    let formats: [LegacyDumpFormat]
    let patients: [SyntheticPatient]
    /// Data rows of each fold-change table (`--patient-rows`), spread evenly over the blocks;
    /// nil: each gene draws its own rows.
    let patientRows: Int?
    /// Gene indices whose values go into `spotChecks`.
    let spotGenes: Set<Int>

    /// Output slots: the legacy formats in order, then one file per patient.
    var slotCount: Int { formats.count + patients.count }

    var blockCount: Int { (genes + Self.genesPerBlock - 1) / Self.genesPerBlock }

    private static let coreFold = FieldValue.bytes([0x31])
    private static let emptyObject = Array("{}".utf8)

    func build(block index: Int) -> DatasetBlock {
        let range = index * Self.genesPerBlock ..< min(genes, (index + 1) * Self.genesPerBlock)
        let block = DatasetBlock(slots: slotCount, formats: formats.count, patients: patients.count,
                                 tally: GenerationTally(catalog: synthesizer.catalog))
        let blockGenes = range.map { synthesizer.make(index: $0) }
        for gene in blockGenes { block.tally.add(gene, isSpot: spotGenes.contains(gene.header.index)) }

        // Row order: gene by gene, with some transcript rows moved to the end of the block.
        // Planted rows stay in place and draw nothing, so --clean does not reorder the others.
        var order: [(gene: Int, row: Int)] = []
        var moved: [(gene: Int, row: Int)] = []
        for (geneOffset, gene) in blockGenes.enumerated() {
            var random = SeededRandom(seed: synthesizer.seed, stream: .blockOrder, index: gene.header.index)
            for (rowOffset, row) in gene.rows.enumerated() {
                if row.role == .transcript, random.chance(0.08) {
                    moved.append((geneOffset, rowOffset))
                } else {
                    order.append((geneOffset, rowOffset))
                }
            }
        }
        order += moved

        var rowLines: [[Int]] = []
        for (slot, format) in formats.enumerated() {
            let (lines, starts) = appendLegacyRows(blockGenes, order: order, format: format, slot: slot, block: block)
            rowLines.append(lines)
            block.rowStarts.append(starts)
        }
        block.rowCount = order.count
        block.rowLines = rowLines
        block.events = plantedEvents(blockGenes, order: order, rowLines: rowLines)
        for (position, patient) in patients.enumerated() {
            let slot = formats.count + position
            if patient.dialect == .legacyDump {
                appendPatientDumpRows(blockGenes, order: order, patient: patient, slot: slot, block: block, tally: &block.patientTallies[position])
            } else if let rows = patientRows {
                let first = rows * index / blockCount
                PatientRowWriter(seed: synthesizer.seed, patient: patient)
                    .appendRows(count: rows * (index + 1) / blockCount - first, for: blockGenes, block: index, firstRow: first,
                                to: &block.outputs[slot], tally: &block.patientTallies[position])
            } else {
                let writer = PatientRowWriter(seed: synthesizer.seed, patient: patient)
                for gene in blockGenes { writer.appendRows(for: gene, to: &block.outputs[slot], tally: &block.patientTallies[position]) }
            }
        }
        return block
    }

    /// The gene-level fields of a gene encoded once for `format`, with their line feeds.
    private struct EncodedGene {
        var fields: [[UInt8]]
        var lineFeeds: [Int]

        init(_ gene: SyntheticGene, format: LegacyDumpFormat) {
            fields = [[UInt8]](repeating: [], count: LegacyColumn.allCases.count)
            lineFeeds = [Int](repeating: 0, count: LegacyColumn.allCases.count)
            for column in LegacyColumn.allCases where !column.isTranscriptLevel {
                format.appendField(gene.fields[column.rawValue], kind: column.kind, to: &fields[column.rawValue])
                // COPY escapes line feeds; INSERT and CSV keep them raw inside quotes.
                if format != .plain { lineFeeds[column.rawValue] = fields[column.rawValue].lineFeeds() }
            }
        }
    }

    /// Appends one legacy row in `format`; returns the number of lines it takes.
    private func appendRow(_ gene: SyntheticGene, _ encoded: EncodedGene, _ row: SyntheticRow, fold: FieldValue,
                           format: LegacyDumpFormat, replacingDrugs: Bool = false, to out: inout [UInt8]) -> Int {
        var lines = 1
        if format == .inserts { out.append(contentsOf: DumpScript.insertPrefix) }
        for column in LegacyColumn.allCases {
            if column.rawValue > 0 {
                switch format {
                case .plain: out.append(0x09)
                case .inserts: out.append(contentsOf: [0x2C, 0x20])
                case .csv: out.append(0x2C)
                }
            }
            let value: FieldValue
            switch column {
            case .transcriptId: value = .bytes(Array(row.rawId.utf8))
            case .coordinates: value = row.coordinates
            case .productType: value = row.productType
            case .expressionFoldChange: value = fold
            case .altTranscriptIds: value = row.altTranscriptIds
            case .drugs where replacingDrugs:
                value = .bytes(Self.emptyObject)
            default:
                if let override = row.override, override.column == column {
                    value = override.value
                } else {
                    out.append(contentsOf: encoded.fields[column.rawValue])
                    lines += encoded.lineFeeds[column.rawValue]
                    continue
                }
            }
            let start = out.count
            format.appendField(value, kind: column.kind, to: &out)
            if format != .plain { lines += out.lineFeeds(from: start) }
        }
        if format == .inserts { out.append(contentsOf: [0x29, 0x3B]) }
        out.append(0x0A)
        return lines
    }

    /// Appends the block's legacy rows in `format`; returns the 0-based line and the byte
    /// offset of each row in `order` inside the block.
    private func appendLegacyRows(_ genes: [SyntheticGene], order: [(gene: Int, row: Int)], format: LegacyDumpFormat,
                                  slot: Int, block: DatasetBlock) -> (lines: [Int], starts: [Int]) {
        let encoded = genes.map { EncodedGene($0, format: format) }
        var out: [UInt8] = []
        out.reserveCapacity(zip(genes, encoded).reduce(0) { total, pair in
            total + pair.0.rows.count * (pair.1.fields.reduce(0) { $0 + $1.count } + 400)
        })
        var rowLines: [Int] = []
        rowLines.reserveCapacity(order.count)
        var rowStarts: [Int] = []
        rowStarts.reserveCapacity(order.count)
        var line = 0
        for (geneOffset, rowOffset) in order {
            rowLines.append(line)
            rowStarts.append(out.count)
            line += appendRow(genes[geneOffset], encoded[geneOffset], genes[geneOffset].rows[rowOffset], fold: Self.coreFold,
                              format: format, to: &out)
        }
        block.outputs[slot] = out
        block.lines[slot] = line
        return (rowLines, rowStarts)
    }

    /// The planted rows of the block with their lines in every format.
    private func plantedEvents(_ genes: [SyntheticGene], order: [(gene: Int, row: Int)], rowLines: [[Int]]) -> [DatasetBlock.PendingEvent] {
        var events: [DatasetBlock.PendingEvent] = []
        var duplicateEvents: [Int: Int] = [:]
        for (position, (geneOffset, rowOffset)) in order.enumerated() {
            let gene = genes[geneOffset]
            let row = gene.rows[rowOffset]
            let lines = rowLines.map { [$0[position]] }
            func event(_ kind: DatasetBlock.PendingEvent.Kind, _ reason: String, _ column: String) -> DatasetBlock.PendingEvent {
                DatasetBlock.PendingEvent(kind: kind, reason: reason, column: column, geneId: gene.header.geneId,
                                          transcriptId: row.transcriptId, rawTranscriptIds: [row.rawId], lines: lines,
                                          rows: [position])
            }
            if row.role == .invalidUTF8 {
                events.append(event(.rowReject, "invalid UTF-8 (byte 0xE9) in product_type", "product_type"))
                continue
            }
            if gene.facts.drugShape == .number { events.append(event(.fieldReject, "drugs is a JSON number", "drugs")) }
            guard gene.rows.contains(where: { $0.role == .duplicate && $0.number == row.number }) else { continue }
            // The pair lists the original row first and the planted one second, whatever their order in the file.
            if let existing = duplicateEvents[row.number] {
                let slot = row.role == .duplicate ? 1 : 0
                events[existing].rawTranscriptIds.insert(row.rawId, at: slot)
                events[existing].rows.insert(position, at: slot)
                for format in lines.indices { events[existing].lines[format].insert(lines[format][0], at: slot) }
            } else {
                duplicateEvents[row.number] = events.count
                events.append(event(.duplicate, "transcript id repeated with another version suffix", "transcript_id"))
            }
        }
        return events
    }

    /// The rows of a v0.5 per-patient database: the clean core (no planted rows, `{}` for a
    /// `drugs` number) with the patient's fold change on every transcript.
    private func appendPatientDumpRows(_ genes: [SyntheticGene], order: [(gene: Int, row: Int)], patient: SyntheticPatient,
                                       slot: Int, block: DatasetBlock, tally: inout PatientTally) {
        let writer = PatientRowWriter(seed: synthesizer.seed, patient: patient)
        var folds: [[Int: ([UInt8], Bool)]] = []
        for gene in genes {
            var random = writer.random(for: gene.header.index)
            var values: [Int: ([UInt8], Bool)] = [:]
            for transcript in gene.acceptedTranscripts {
                values[transcript.number] = PatientRowWriter.linearValue(&random, decimals: 3, baselineShare: 0.7)
            }
            folds.append(values)
        }
        let encoded = genes.map { EncodedGene($0, format: .plain) }
        var out: [UInt8] = []
        for (geneOffset, rowOffset) in order {
            let gene = genes[geneOffset]
            let row = gene.rows[rowOffset]
            guard row.role == .transcript else { continue }
            let (fold, isBaseline) = folds[geneOffset][row.number]!
            _ = appendRow(gene, encoded[geneOffset], row, fold: .bytes(fold), format: .plain,
                          replacingDrugs: gene.facts.drugShape == .number, to: &out)
            tally.count(id: row.rawId, transcriptId: row.transcriptId, value: String(decoding: fold, as: UTF8.self), isBaseline: isBaseline)
        }
        block.outputs[slot] = out
    }
}
