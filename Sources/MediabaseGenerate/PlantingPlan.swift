/// Which genes carry the planted problems and the rare `drugs` shapes.
///
/// Chosen before generation from the seed and the gene count alone, so every block knows its
/// plants without coordination and the counts are exact rather than left to chance (a 12-gene
/// fixture still has one of each). Row-level problems are on by default in a small number
/// (one per 20,000 genes, at least one). `--clean` keeps the plan, so every other value stays
/// the same, but leaves out the planted rows and gives the `drugs`-number gene `{}`.
struct PlantingPlan {
    enum Plant: Equatable {
        /// An extra row whose `product_type` decodes to invalid UTF-8 (a COPY octal escape):
        /// the converter must reject the whole row.
        case invalidUTF8Row
        /// An extra row repeating one of the gene's transcripts under another version suffix
        /// (`ENST….2` and `ENST….3`): the two rows merge into one transcript.
        case duplicateTranscript
        /// `drugs` is a JSON number on every row of the gene: a field-level reject per row.
        /// Under `--clean` the gene gets `{}` instead, so the other counts do not change.
        case drugsNumber
        /// `drugs` is a JSON array of drug names.
        case drugsArray
        /// `drugs` is a bare JSON string naming one drug.
        case drugsString
        /// `drugs` is a JSON string whose content is the drug object (encoded twice).
        case drugsTwiceEncoded
        /// One row of the gene disagrees with the others on a scalar gene attribute.
        case conflict(ConflictField)
    }

    /// The scalar gene attributes a planted conflict changes.
    enum ConflictField: String, Codable, CaseIterable {
        case geneSymbol = "gene_symbol"
        case geneType = "gene_type"
        case chromosome
    }

    /// Whether the row-level problems are left out (`--clean`).
    let clean: Bool
    private var plants: [Int: [Plant]] = [:]
    /// Genes with a planted conflict, in index order.
    private(set) var conflictGenes: [Int] = []

    init(seed: UInt64, genes: Int, clean: Bool) {
        self.clean = clean
        guard genes > 0 else { return }
        var random = SeededRandom(seed: seed, stream: .catalog, index: 1)
        let rowProblems = 1 + genes / 20_000
        let rareShapes = 1 + genes / 15_000
        place(count: rowProblems, genes: genes, seed: seed, &random) { _, _ in .invalidUTF8Row }
        place(count: rowProblems, genes: genes, seed: seed, &random) { _, _ in .duplicateTranscript }
        let shapes: [(Plant, Int)] = [(.drugsNumber, rowProblems), (.drugsArray, rareShapes), (.drugsString, rareShapes), (.drugsTwiceEncoded, rareShapes)]
        for (shape, count) in shapes {
            place(count: count, genes: genes, seed: seed, &random) { _, existing in
                existing.contains(where: Self.isDrugShape) ? nil : shape
            }
        }
        for number in 0..<(1 + genes / 200) {
            let preferred = ConflictField.allCases[number % ConflictField.allCases.count]
            place(count: 1, genes: genes, seed: seed, &random) { header, existing in
                guard header.transcriptCount >= 2, !existing.contains(where: Self.isConflict) else { return nil }
                return Self.conflictField(preferred, applicableTo: header).map { .conflict($0) }
            }
        }
        conflictGenes = plants.keys.filter { plants[$0]!.contains(where: Self.isConflict) }.sorted()
    }

    /// The plants of gene `index`, in the order they were placed.
    func plants(for index: Int) -> [Plant] { plants[index] ?? [] }

    private static func isDrugShape(_ plant: Plant) -> Bool {
        switch plant {
        case .drugsNumber, .drugsArray, .drugsString, .drugsTwiceEncoded: return true
        default: return false
        }
    }

    /// `field`, or another field when the gene has no value to disagree on (a gene without a
    /// symbol cannot have a symbol conflict).
    private static func conflictField(_ field: ConflictField, applicableTo header: GeneHeader) -> ConflictField? {
        let order = [field] + ConflictField.allCases.filter { $0 != field }
        return order.first { candidate in
            switch candidate {
            case .geneSymbol: return header.symbol != nil && header.symbolKind != .shared
            case .geneType: return true
            case .chromosome: return header.chromosome != nil
            }
        }
    }

    private static func isConflict(_ plant: Plant) -> Bool {
        if case .conflict = plant { return true }
        return false
    }

    /// Places `count` plants on genes chosen at random: from each drawn index, moves on to the
    /// first gene for which `choose` returns a plant (deterministic: headers depend only on
    /// the seed and the index).
    private mutating func place(count: Int, genes: Int, seed: UInt64, _ random: inout SeededRandom,
                                choose: (GeneHeader, [Plant]) -> Plant?) {
        for _ in 0..<count {
            let start = random.below(genes)
            for step in 0..<genes {
                let index = (start + step) % genes
                let existing = plants[index] ?? []
                guard let plant = choose(GeneHeader(seed: seed, index: index), existing), !existing.contains(plant) else { continue }
                plants[index, default: []].append(plant)
                break
            }
        }
    }
}
