import MediabaseModel
/// A fixed-size set of catalog indices.
struct IndexSet64 {
    private var words: [UInt64]

    init(capacity: Int) { words = [UInt64](repeating: 0, count: (capacity + 63) / 64) }

    mutating func insert(_ index: Int) { words[index >> 6] |= 1 << UInt64(index & 63) }

    mutating func formUnion(_ other: IndexSet64) {
        for index in words.indices { words[index] |= other.words[index] }
    }

    var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }
}

/// What the generator counts while it writes: merged block by block in gene order, so lists
/// come out in gene order and the totals never depend on the number of threads.
struct GenerationTally {
    var genes = 0
    var rows = 0
    var transcripts = 0
    var nonNull = [Int](repeating: 0, count: LegacyColumn.allCases.count)
    var versionedTranscriptIds = 0
    var versionedGeneIdRows = 0
    var geneIdQuirkRows = 0
    var transcriptIdQuirks: [SyntheticRow.IdQuirk: Int] = [:]
    var drugShapes: [GeneFacts.DrugShape: Int] = [:]
    var drugShapeGenes: [GeneFacts.DrugShape: [String]] = [:]
    var rowsWithPharmgkbInDrugs = 0
    var genesWithPharmgkbInDrugs = 0
    var heavyGenes = 0

    var drugCentral: IndexSet64
    var chembl: IndexSet64
    var pharmgkbDrugs: IndexSet64
    var namedDrugs: IndexSet64
    var geneDrugPairs = [Int](repeating: 0, count: 4)
    var reactome: IndexSet64
    var kegg: IndexSet64
    var wikiPathways: IndexSet64
    var unnamedPathways: IndexSet64
    var pharmgkbPathways: IndexSet64
    var genePathways = 0
    var goTerms: IndexSet64
    var transcriptGoTerms = 0
    var genePublications = 0
    var geneCrossReferences = 0
    var transcriptCrossReferences = 0
    var molecularFunctions = 0
    var cellularLocations = 0
    var transcriptProducts = 0

    var conflicts: [DatasetFacts.ConflictFacts] = []
    var sharedSymbols: [String: Int] = [:]
    var contigLikeSymbols = 0
    var mixedCaseSymbols = 0
    var missingSymbols = 0
    var spotGenes: [DatasetFacts.GeneSpot] = []

    init(catalog: SyntheticCatalog) {
        drugCentral = IndexSet64(capacity: catalog.drugCentral.count)
        chembl = IndexSet64(capacity: catalog.chembl.count)
        pharmgkbDrugs = IndexSet64(capacity: catalog.pharmgkbDrugs.count)
        namedDrugs = IndexSet64(capacity: catalog.pharmgkbDrugs.count)
        reactome = IndexSet64(capacity: catalog.reactome.count)
        kegg = IndexSet64(capacity: catalog.kegg.count)
        wikiPathways = IndexSet64(capacity: catalog.wikiPathways.count)
        unnamedPathways = IndexSet64(capacity: catalog.unnamedPathways.count)
        pharmgkbPathways = IndexSet64(capacity: catalog.pharmgkbPathways.count)
        goTerms = IndexSet64(capacity: catalog.goTerms.count)
    }

    /// Counts one gene as written (planted rows included, `--clean` already applied).
    mutating func add(_ gene: SyntheticGene, isSpot: Bool) {
        let header = gene.header
        let facts = gene.facts
        genes += 1
        rows += gene.rows.count
        let accepted = gene.acceptedTranscripts
        transcripts += accepted.count
        for row in gene.rows {
            for column in LegacyColumn.allCases {
                let value: FieldValue
                switch column {
                case .transcriptId, .expressionFoldChange: value = .bytes([])
                case .coordinates: value = row.coordinates
                case .productType: value = row.productType
                case .altTranscriptIds: value = row.altTranscriptIds
                default: value = gene.value(column, on: row)
                }
                if !value.isNull { nonNull[column.rawValue] += 1 }
            }
            if row.version != nil { versionedTranscriptIds += 1 }
            if let quirk = row.quirk { transcriptIdQuirks[quirk, default: 0] += 1 }
        }
        if header.rawGeneId.contains(".") { versionedGeneIdRows += gene.rows.count }
        if header.hasIdQuirk { geneIdQuirkRows += gene.rows.count }
        drugShapes[facts.drugShape, default: 0] += 1
        switch facts.drugShape {
        case .nameArray, .nameString, .twiceEncoded, .number: drugShapeGenes[facts.drugShape, default: []].append(header.geneId)
        default: break
        }
        if facts.drugShape == .recordsWithPharmgkbData {
            genesWithPharmgkbInDrugs += 1
            rowsWithPharmgkbInDrugs += gene.rows.count
        }
        if facts.heavy { heavyGenes += 1 }

        facts.drugCentral.forEach { drugCentral.insert($0) }
        facts.chembl.forEach { chembl.insert($0) }
        facts.pharmgkbDrugs.forEach { pharmgkbDrugs.insert($0) }
        facts.namedDrugs.forEach { namedDrugs.insert($0) }
        geneDrugPairs[0] += facts.drugCentral.count
        geneDrugPairs[1] += facts.chembl.count
        geneDrugPairs[2] += facts.pharmgkbDrugs.count
        geneDrugPairs[3] += facts.namedDrugs.count
        facts.reactome.forEach { reactome.insert($0) }
        facts.kegg.forEach { kegg.insert($0) }
        facts.wikiPathways.forEach { wikiPathways.insert($0) }
        facts.unnamedPathways.forEach { unnamedPathways.insert($0) }
        facts.pharmgkbPathways.forEach { pharmgkbPathways.insert($0) }
        genePathways += facts.pathwayCount
        facts.goTerms.forEach { goTerms.insert($0) }
        transcriptGoTerms += facts.goTerms.count * accepted.count
        genePublications += facts.publications
        geneCrossReferences += facts.geneCrossReferences
        molecularFunctions += facts.molecularFunctions
        cellularLocations += facts.cellularLocations
        for transcript in accepted {
            transcriptCrossReferences += transcript.crossReferenceCount
            transcriptProducts += transcript.productCount
        }

        if let conflict = facts.conflict {
            conflicts.append(DatasetFacts.ConflictFacts(geneId: header.geneId, field: conflict.field.rawValue,
                                                        geneValue: conflict.geneValue, rowValue: conflict.rowValue,
                                                        resolved: conflict.resolved))
        }
        let symbol = Self.resolvedSymbol(gene)
        switch header.symbolKind {
        case .shared: sharedSymbols[symbol ?? "", default: 0] += 1
        case .contig: contigLikeSymbols += 1
        case .none: missingSymbols += 1
        case .known, .unique: break
        }
        if let symbol, symbol.contains(where: \.isLowercase), symbol.contains(where: \.isUppercase) { mixedCaseSymbols += 1 }
        if isSpot { spotGenes.append(Self.spot(gene)) }
    }

    /// The symbol the dedup rule keeps.
    static func resolvedSymbol(_ gene: SyntheticGene) -> String? {
        if let conflict = gene.facts.conflict, conflict.field == .geneSymbol { return conflict.resolved }
        return gene.header.symbol
    }

    private static func spot(_ gene: SyntheticGene) -> DatasetFacts.GeneSpot {
        let header = gene.header
        let accepted = gene.acceptedTranscripts
        var chromosome = header.chromosome
        var geneType = header.geneType
        if let conflict = gene.facts.conflict {
            switch conflict.field {
            case .chromosome: chromosome = conflict.resolved
            case .geneType: geneType = conflict.resolved
            case .geneSymbol: break
            }
        }
        return DatasetFacts.GeneSpot(
            geneId: header.geneId, geneSymbol: resolvedSymbol(gene), geneType: geneType, chromosome: chromosome,
            startPosition: accepted.map(\.start).min() ?? header.start, endPosition: accepted.map(\.end).max() ?? header.end,
            strand: header.strand, transcripts: accepted.count, canonicalTranscript: accepted.first?.transcriptId ?? "",
            goTerms: gene.facts.goTerms.count, pathways: gene.facts.pathwayCount, publications: gene.facts.publications,
            drugShape: gene.facts.drugShape.rawValue)
    }

    /// Adds the counts of a later block.
    mutating func absorb(_ other: GenerationTally) {
        genes += other.genes
        rows += other.rows
        transcripts += other.transcripts
        for index in nonNull.indices { nonNull[index] += other.nonNull[index] }
        versionedTranscriptIds += other.versionedTranscriptIds
        versionedGeneIdRows += other.versionedGeneIdRows
        geneIdQuirkRows += other.geneIdQuirkRows
        transcriptIdQuirks.merge(other.transcriptIdQuirks, uniquingKeysWith: +)
        drugShapes.merge(other.drugShapes, uniquingKeysWith: +)
        drugShapeGenes.merge(other.drugShapeGenes, uniquingKeysWith: +)
        rowsWithPharmgkbInDrugs += other.rowsWithPharmgkbInDrugs
        genesWithPharmgkbInDrugs += other.genesWithPharmgkbInDrugs
        heavyGenes += other.heavyGenes
        drugCentral.formUnion(other.drugCentral)
        chembl.formUnion(other.chembl)
        pharmgkbDrugs.formUnion(other.pharmgkbDrugs)
        namedDrugs.formUnion(other.namedDrugs)
        for index in geneDrugPairs.indices { geneDrugPairs[index] += other.geneDrugPairs[index] }
        reactome.formUnion(other.reactome)
        kegg.formUnion(other.kegg)
        wikiPathways.formUnion(other.wikiPathways)
        unnamedPathways.formUnion(other.unnamedPathways)
        pharmgkbPathways.formUnion(other.pharmgkbPathways)
        genePathways += other.genePathways
        goTerms.formUnion(other.goTerms)
        transcriptGoTerms += other.transcriptGoTerms
        genePublications += other.genePublications
        geneCrossReferences += other.geneCrossReferences
        transcriptCrossReferences += other.transcriptCrossReferences
        molecularFunctions += other.molecularFunctions
        cellularLocations += other.cellularLocations
        transcriptProducts += other.transcriptProducts
        conflicts += other.conflicts
        sharedSymbols.merge(other.sharedSymbols, uniquingKeysWith: +)
        contigLikeSymbols += other.contigLikeSymbols
        mixedCaseSymbols += other.mixedCaseSymbols
        missingSymbols += other.missingSymbols
        spotGenes += other.spotGenes
    }
}
