/// The identity of one synthetic gene: ids, symbol, type, location and transcript count.
///
/// A header is a pure function of (seed, gene index) drawn from its own random stream, so the
/// planting plan, the `opentargets_known_drugs` table and the patients can look genes up
/// without generating their annotations.
struct GeneHeader {
    /// Where the symbol comes from; the report flags the shared and contig-like ones.
    enum SymbolKind: Equatable {
        /// A real cancer gene placed at a fixed index (TP53, BRCA1, ...).
        case known
        /// A synthetic symbol unique in the whole dataset, even ignoring case.
        case unique
        /// A contig or clone name used as a symbol (`AC004556.1`).
        case contig
        /// A symbol that many genes carry (`Metazoa_SRP`, `Y_RNA`).
        case shared
        /// No symbol (NULL).
        case none
    }

    let index: Int
    /// The Ensembl gene number: the id is `ENSG` and these digits padded to 11.
    let number: Int
    /// The id as the dump writes it (maybe versioned, padded with a space, lower-case prefix).
    let rawGeneId: String
    /// Whether the written id has a space or a lower-case prefix (besides any version).
    let hasIdQuirk: Bool
    let symbol: String?
    let symbolKind: SymbolKind
    let geneType: String
    /// As the dump writes it: `chr17`, `17`, `chrKI270728.1`, or nil.
    let chromosome: String?
    let strand: Int
    let start: Int
    let end: Int
    /// Distinct transcripts of the gene, not counting planted extra rows.
    let transcriptCount: Int
    /// Whether the gene carries very large JSONB annotations (the long tail of row sizes).
    let isHeavy: Bool

    /// The normalized gene id (`ENSG00000141510`).
    var geneId: String { Self.ensemblId("ENSG", number) }
    var isProteinCoding: Bool { geneType == "protein_coding" }

    static func ensemblId(_ prefix: String, _ number: Int) -> String {
        let digits = String(number)
        return prefix + String(repeating: "0", count: max(0, 11 - digits.count)) + digits
    }

    /// Ensembl numbers of synthetic genes start here, above every real gene placed at a fixed
    /// index, so ids never collide.
    static let syntheticGeneBase = 300_000
    /// Real genes sit at every `knownStride`-th index, so small runs contain a few of them.
    static let knownStride = 7
    static let maxTranscripts = 120

    init(seed: UInt64, index: Int) {
        var random = SeededRandom(seed: seed, stream: .geneHeader, index: index)
        self.index = index
        let withChrPrefix = random.chance(0.7)
        if index % Self.knownStride == 0, index / Self.knownStride < KnownGene.all.count {
            let known = KnownGene.all[index / Self.knownStride]
            number = known.number
            symbol = known.symbol
            symbolKind = .known
            geneType = "protein_coding"
            chromosome = withChrPrefix ? "chr" + known.chromosome : known.chromosome
            strand = known.strand
            start = known.start
            end = known.end
            transcriptCount = 2 + random.geometric(0.15, cap: 30)
            isHeavy = false
        } else {
            number = Self.syntheticGeneBase + index * 3 + random.below(3)
            let roll = random.unit()
            var type: String
            var kind = SymbolKind.unique
            var name: String?
            if let shared = Self.sharedSymbol(roll) {
                (name, type) = shared
                kind = .shared
            } else {
                type = Self.geneType(random.unit())
                (name, kind) = Self.symbol(type: type, index: index, &random)
            }
            if random.chance(0.004) {
                name = nil
                kind = .none
            }
            symbol = name
            symbolKind = kind
            geneType = type
            let onScaffold = random.chance(0.012)
            if onScaffold {
                let scaffold = random.pick(Self.scaffolds)
                chromosome = withChrPrefix ? "chr" + scaffold : scaffold
            } else if random.chance(0.002) {
                chromosome = nil
            } else {
                let chromosomeName = Self.chromosomeNames[Self.chromosomeIndex(random.unit())]
                chromosome = withChrPrefix ? "chr" + chromosomeName : chromosomeName
            }
            strand = random.chance(0.5) ? 1 : -1
            let length: Int
            switch type {
            case "protein_coding": length = 2_000 + random.below(180_000)
            case "lncRNA": length = 800 + random.below(60_000)
            case "processed_pseudogene", "unprocessed_pseudogene", "transcribed_unprocessed_pseudogene":
                length = 300 + random.below(3_000)
            default: length = 60 + random.below(340)
            }
            start = 10_000 + random.below(onScaffold ? 150_000 : 240_000_000)
            end = start + length
            switch type {
            case "protein_coding": transcriptCount = 1 + random.geometric(0.0836, cap: Self.maxTranscripts - 1)
            case "lncRNA": transcriptCount = 1 + random.geometric(0.28, cap: 40)
            case "transcribed_unprocessed_pseudogene": transcriptCount = 1 + random.geometric(0.6, cap: 8)
            default: transcriptCount = 1 + random.geometric(0.93, cap: 3)
            }
            isHeavy = type == "protein_coding" && random.chance(0.033)
        }
        (rawGeneId, hasIdQuirk) = Self.rawId(prefix: "ENSG", number: number, &random)
    }

    /// How the dump writes an Ensembl gene id: mostly clean, sometimes versioned, rarely with
    /// the quirks the id rules of docs/spec.md §4.1 undo.
    private static func rawId(prefix: String, number: Int, _ random: inout SeededRandom) -> (String, Bool) {
        var id = ensemblId(prefix, number)
        if random.chance(0.12) { id += ".\(1 + random.below(25))" }
        switch random.below(2_000) {
        case 0: return (" " + id, true)
        case 1: return (id + " ", true)
        case 2: return ("ens" + id.dropFirst(3), true)
        default: return (id, false)
        }
    }

    /// The shared symbols and their frequencies among all genes (Ensembl: `Metazoa_SRP` on 170
    /// of 77,114 genes, `Y_RNA` and `U6` on hundreds).
    private static func sharedSymbol(_ roll: Double) -> (String, String)? {
        var bound = 0.0
        for (symbol, type, share) in sharedSymbols {
            bound += share
            if roll < bound { return (symbol, type) }
        }
        return nil
    }

    static let sharedSymbols: [(String, String, Double)] = [
        ("Metazoa_SRP", "misc_RNA", 0.0022), ("Y_RNA", "misc_RNA", 0.0097), ("U6", "snRNA", 0.012),
        ("7SK", "misc_RNA", 0.004), ("5S_rRNA", "rRNA", 0.0007), ("U3", "snRNA", 0.0006), ("SNORA70", "snoRNA", 0.0004),
    ]

    private static func geneType(_ roll: Double) -> String {
        var bound = 0.0
        for (type, share) in geneTypes {
            bound += share
            if roll < bound { return type }
        }
        return "lncRNA"
    }

    private static let geneTypes: [(String, Double)] = [
        ("protein_coding", 0.30), ("lncRNA", 0.30), ("processed_pseudogene", 0.15), ("unprocessed_pseudogene", 0.04),
        ("transcribed_unprocessed_pseudogene", 0.02), ("miRNA", 0.05), ("snRNA", 0.03), ("snoRNA", 0.03),
        ("misc_RNA", 0.04), ("TEC", 0.01), ("IG_V_gene", 0.01), ("TR_V_gene", 0.005), ("rRNA_pseudogene", 0.005),
    ]

    /// A synthetic symbol: the gene index is part of it, so symbols are unique ignoring case.
    private static func symbol(type: String, index: Int, _ random: inout SeededRandom) -> (String, SymbolKind) {
        switch type {
        case "protein_coding":
            switch random.below(10) {
            case 0: return ("C\(random.pick(chromosomeNames.prefix(22)))orf\(index + 1_000)", .unique)
            case 1: return ("ZNF\(index)", .unique)
            case 2: return ("SLC\(index)A\(1 + random.below(12))", .unique)
            case 3: return ("TMEM\(index)", .unique)
            case 4: return ("CCDC\(index)", .unique)
            case 5: return ("FAM\(index)\(random.pick(["A", "B", "C"]))", .unique)
            case 6: return ("KIAA\(index)", .unique)
            case 7: return ("LRRC\(index)", .unique)
            case 8: return ("OR\(index)\(random.pick(["A", "C", "D", "K", "L"]))\(1 + random.below(20))", .unique)
            default: return ("ANKRD\(index)", .unique)
            }
        case "lncRNA", "TEC":
            if random.chance(0.55) { return (contigName(index, &random), .contig) }
            return ("LINC\(String(repeating: "0", count: max(0, 5 - String(index).count)))\(index)", .unique)
        case "processed_pseudogene", "unprocessed_pseudogene", "transcribed_unprocessed_pseudogene", "rRNA_pseudogene":
            if random.chance(0.4) { return (contigName(index, &random), .contig) }
            return ("\(random.pick(["RPL", "RPS", "HMGB", "EEF"]))\(index)P\(1 + random.below(30))", .unique)
        case "miRNA": return ("MIR\(index)", .unique)
        case "snRNA": return ("RNU\(index)-\(1 + random.below(9))P", .unique)
        case "snoRNA": return ("SNORD\(index)", .unique)
        case "IG_V_gene": return ("IGHV\(index)-\(1 + random.below(70))", .unique)
        case "TR_V_gene": return ("TRBV\(index)", .unique)
        default: return ("RNA5SP\(index)", .unique)
        }
    }

    /// A clone-based name (`AC004556.1`): real Ensembl symbols of many non-coding genes.
    private static func contigName(_ index: Int, _ random: inout SeededRandom) -> String {
        let digits = String(index)
        return random.pick(["AC", "AL", "AP", "BX", "CR"]) + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
            + ".\(1 + random.below(9))"
    }

    static let chromosomeNames = (1...22).map(String.init) + ["X", "Y", "MT"]
    /// Relative gene density per chromosome (1–22, X, Y, MT).
    private static let chromosomeWeights: [Double] = [
        10.5, 6.4, 5.5, 3.9, 4.5, 5.3, 5.0, 3.6, 4.0, 3.7, 5.3, 5.2, 1.7, 3.2, 3.2, 4.2, 6.0, 1.6, 7.2, 2.8, 1.2, 2.3, 4.0, 0.6, 0.1,
    ]
    private static let chromosomeWeightTotal = chromosomeWeights.reduce(0, +)

    private static func chromosomeIndex(_ roll: Double) -> Int {
        var bound = 0.0
        let target = roll * chromosomeWeightTotal
        for (index, weight) in chromosomeWeights.enumerated() {
            bound += weight
            if target < bound { return index }
        }
        return 0
    }

    static let scaffolds = [
        "KI270728.1", "KI270727.1", "GL000220.1", "KI270442.1", "GL000009.2", "KI270734.1", "GL000194.1", "KI270721.1",
        "GL000218.1", "KI270711.1", "Un_KI270742v1", "GL000195.1",
    ]
}

/// Real cancer genes with their Ensembl ids and GRCh38 locations, placed at fixed indices so
/// demos and spot checks find familiar names.
struct KnownGene {
    let symbol: String
    let number: Int
    let chromosome: String
    let start: Int
    let end: Int
    let strand: Int

    static let all: [KnownGene] = [
        KnownGene(symbol: "TP53", number: 141_510, chromosome: "17", start: 7_661_779, end: 7_687_538, strand: -1),
        KnownGene(symbol: "BRCA1", number: 12_048, chromosome: "17", start: 43_044_295, end: 43_125_483, strand: -1),
        KnownGene(symbol: "EGFR", number: 146_648, chromosome: "7", start: 55_019_017, end: 55_211_628, strand: 1),
        KnownGene(symbol: "ERBB2", number: 141_736, chromosome: "17", start: 39_687_914, end: 39_730_426, strand: 1),
        KnownGene(symbol: "C1orf112", number: 460, chromosome: "1", start: 169_662_007, end: 169_854_080, strand: 1),
        KnownGene(symbol: "PTEN", number: 171_862, chromosome: "10", start: 87_863_113, end: 87_971_930, strand: 1),
        KnownGene(symbol: "KRAS", number: 133_703, chromosome: "12", start: 25_205_246, end: 25_250_936, strand: -1),
        KnownGene(symbol: "MYC", number: 136_997, chromosome: "8", start: 127_735_434, end: 127_742_951, strand: 1),
        KnownGene(symbol: "PIK3CA", number: 121_879, chromosome: "3", start: 179_148_114, end: 179_240_093, strand: 1),
        KnownGene(symbol: "BRCA2", number: 139_618, chromosome: "13", start: 32_315_474, end: 32_400_266, strand: 1),
        KnownGene(symbol: "RB1", number: 139_687, chromosome: "13", start: 48_303_747, end: 48_599_436, strand: 1),
        KnownGene(symbol: "CDKN2A", number: 147_889, chromosome: "9", start: 21_967_752, end: 21_995_301, strand: -1),
        KnownGene(symbol: "APC", number: 134_982, chromosome: "5", start: 112_707_498, end: 112_846_239, strand: 1),
        KnownGene(symbol: "BRAF", number: 157_764, chromosome: "7", start: 140_719_327, end: 140_924_929, strand: -1),
        KnownGene(symbol: "ESR1", number: 91_831, chromosome: "6", start: 151_656_691, end: 152_129_619, strand: 1),
        KnownGene(symbol: "AR", number: 169_083, chromosome: "X", start: 67_544_021, end: 67_730_619, strand: 1),
        KnownGene(symbol: "ALK", number: 171_094, chromosome: "2", start: 29_192_774, end: 29_921_586, strand: -1),
        KnownGene(symbol: "CTNNB1", number: 168_036, chromosome: "3", start: 41_199_422, end: 41_240_443, strand: 1),
        KnownGene(symbol: "MTOR", number: 198_793, chromosome: "1", start: 11_106_535, end: 11_262_551, strand: -1),
        KnownGene(symbol: "NRAS", number: 213_281, chromosome: "1", start: 114_704_469, end: 114_716_894, strand: -1),
        KnownGene(symbol: "VHL", number: 134_086, chromosome: "3", start: 10_141_778, end: 10_153_667, strand: 1),
        KnownGene(symbol: "CDK4", number: 135_446, chromosome: "12", start: 57_747_727, end: 57_752_310, strand: -1),
        KnownGene(symbol: "MET", number: 105_976, chromosome: "7", start: 116_672_196, end: 116_798_377, strand: 1),
        KnownGene(symbol: "KIT", number: 157_404, chromosome: "4", start: 54_657_918, end: 54_740_715, strand: 1),
        KnownGene(symbol: "ABL1", number: 97_007, chromosome: "9", start: 130_713_946, end: 130_887_675, strand: 1),
        KnownGene(symbol: "FLT3", number: 122_025, chromosome: "13", start: 28_003_274, end: 28_100_592, strand: -1),
        KnownGene(symbol: "IDH1", number: 138_413, chromosome: "2", start: 208_236_227, end: 208_255_071, strand: -1),
        KnownGene(symbol: "JAK2", number: 96_968, chromosome: "9", start: 4_984_390, end: 5_129_948, strand: 1),
        KnownGene(symbol: "NOTCH1", number: 148_400, chromosome: "9", start: 136_494_433, end: 136_546_048, strand: -1),
        KnownGene(symbol: "SMAD4", number: 141_646, chromosome: "18", start: 51_030_213, end: 51_085_042, strand: 1),
        KnownGene(symbol: "CDH1", number: 39_068, chromosome: "16", start: 68_737_292, end: 68_835_537, strand: 1),
        KnownGene(symbol: "ATM", number: 149_311, chromosome: "11", start: 108_222_484, end: 108_369_102, strand: 1),
        KnownGene(symbol: "MDM2", number: 135_679, chromosome: "12", start: 68_808_177, end: 68_850_686, strand: 1),
        KnownGene(symbol: "FGFR1", number: 77_782, chromosome: "8", start: 38_411_138, end: 38_468_635, strand: -1),
        KnownGene(symbol: "BCL2", number: 171_791, chromosome: "18", start: 63_123_346, end: 63_320_128, strand: -1),
    ]
}
