import MediabaseModel
/// Builds a ``SyntheticGene`` from the seed and the gene index alone, so any thread can build
/// any gene and the result never depends on which one did.
///
/// Sizes follow three tiers: most protein-coding genes carry a few KB of annotation per row;
/// about 3% of them (1% of all genes) are "heavy", with tens to hundreds of KB of JSONB per
/// row; the non-coding majority carries little. PharmGKB pathway data sits inside `drugs` on
/// about 60% of protein-coding and 15% of other genes (some 30% of all genes, docs/spec.md §3.2).
struct GeneSynthesizer {
    let seed: UInt64
    let catalog: SyntheticCatalog
    let plan: PlantingPlan
    /// How much annotation a row carries (`--profile`).
    var profile: DatasetProfile = .standard

    /// First Ensembl transcript number of synthetic transcripts; gene `i` uses the numbers
    /// `base + i * slotsPerGene ..< base + (i + 1) * slotsPerGene`.
    static let transcriptBase = 1_000_000
    static let slotsPerGene = 128

    func make(index: Int) -> SyntheticGene {
        let header = GeneHeader(seed: seed, index: index)
        var annotator = GeneAnnotator(header: header, catalog: catalog, profile: profile,
                                      random: SeededRandom(seed: seed, stream: .geneContent, index: index))
        let plants = plan.plants(for: index)
        var rows = annotator.transcriptRows(plants: plants, clean: plan.clean)
        var fields = [FieldValue](repeating: .null, count: LegacyColumn.allCases.count)
        fields[LegacyColumn.geneSymbol.rawValue] = header.symbol.map { .bytes(Array($0.utf8)) } ?? .null
        fields[LegacyColumn.geneId.rawValue] = .bytes(Array(header.rawGeneId.utf8))
        fields[LegacyColumn.geneType.rawValue] = .bytes(Array(header.geneType.utf8))
        fields[LegacyColumn.chromosome.rawValue] = header.chromosome.map { .bytes(Array($0.utf8)) } ?? .null
        annotator.fillGeneFields(&fields, plants: plants, clean: plan.clean)
        var facts = annotator.facts
        for plant in plants {
            if case let .conflict(field) = plant {
                facts.conflict = annotator.plantConflict(field, rows: &rows)
            }
        }
        facts.normalize()
        return SyntheticGene(header: header, fields: fields, rows: rows, facts: facts)
    }
}

/// The random choices of one gene's content, drawn in a fixed order.
private struct GeneAnnotator {
    enum Tier {
        case heavy, coding, other
    }

    let header: GeneHeader
    let catalog: SyntheticCatalog
    var random: SeededRandom
    var facts = GeneFacts()
    let tier: Tier
    /// `--profile lean`: every gene annotated like a non-coding one, with a few GO terms and
    /// annotations more (the shape of a sparsely annotated legacy database).
    let lean: Bool
    /// Columns added in a later MEDIABASE version are NULL on some genes never updated since.
    let predatesNewColumns: Bool
    /// The transcript that the planted duplicate row repeats.
    private var duplicatedNumber: Int?

    init(header: GeneHeader, catalog: SyntheticCatalog, profile: DatasetProfile, random: SeededRandom) {
        self.header = header
        self.catalog = catalog
        self.random = random
        lean = profile == .lean
        switch profile {
        case .standard: tier = header.isHeavy ? .heavy : header.isProteinCoding ? .coding : .other
        case .lean: tier = .other
        // A quarter heavy (about 200 KB per row), the rest annotated like protein-coding genes:
        // about 50 KB per row on average, as the real database's 18 GB for 385,659 rows.
        case .fat: tier = self.random.chance(0.25) ? .heavy : .coding
        }
        facts.heavy = tier == .heavy
        predatesNewColumns = self.random.chance(0.04)
    }

    // MARK: Transcripts

    mutating func transcriptRows(plants: [PlantingPlan.Plant], clean: Bool) -> [SyntheticRow] {
        let count = header.transcriptCount
        let extraSlots = plants.contains(.invalidUTF8Row) ? 1 : 0
        var slots = random.distinctIndices(count + extraSlots, bound: GeneSynthesizer.slotsPerGene) {
            $0.below(GeneSynthesizer.slotsPerGene)
        }
        random.shuffle(&slots)
        let firstNumber = GeneSynthesizer.transcriptBase + header.index * GeneSynthesizer.slotsPerGene
        let versioned = random.chance(0.3)
        let length = header.end - header.start
        var rows: [SyntheticRow] = []
        for position in 0..<count {
            // The first transcript spans the whole gene; the others lie inside it.
            let start = position == 0 || length < 10 ? header.start : header.start + random.below(max(1, length / 3))
            let end = position == 0 || length < 10 ? header.end : header.end - random.below(max(1, length / 3))
            let version = versioned || random.chance(0.02) ? 1 + random.below(15) : nil
            rows.append(makeRow(number: firstNumber + slots[position], role: .transcript, start: start, end: end, version: version))
        }
        // Draws happen under --clean too, so leaving the planted rows out changes nothing else.
        if plants.contains(.duplicateTranscript) {
            let original = rows[random.below(rows.count)]
            duplicatedNumber = original.number
            let duplicate = SyntheticRow(number: original.number, rawId: GeneHeader.ensemblId("ENST", original.number) + ".\((original.version ?? 1) + 1)",
                                         role: .duplicate, start: original.start, end: original.end,
                                         coordinates: original.coordinates, productType: original.productType,
                                         altTranscriptIds: original.altTranscriptIds, override: nil,
                                         productCount: original.productCount, crossReferenceCount: original.crossReferenceCount,
                                         version: (original.version ?? 1) + 1, quirk: nil)
            let position = random.below(rows.count + 1)
            if !clean { rows.insert(duplicate, at: position) }
        }
        if extraSlots == 1 {
            // Latin-1 "protéine" in a UTF-8 dump: the byte 0xE9 with no continuation byte.
            let number = firstNumber + slots[count]
            let row = SyntheticRow(number: number, rawId: GeneHeader.ensemblId("ENST", number), role: .invalidUTF8,
                                   start: header.start, end: header.end, coordinates: coordinates(header.start, header.end),
                                   productType: .invalidUTF8(prefix: Array("{prot".utf8), byte: 0xE9, suffix: Array("ine}".utf8)),
                                   altTranscriptIds: .bytes(Array("{}".utf8)), override: nil, productCount: 0,
                                   crossReferenceCount: 0, version: nil, quirk: nil)
            let position = random.below(rows.count + 1)
            if !clean { rows.insert(row, at: position) }
        }
        return rows
    }

    private mutating func makeRow(number: Int, role: SyntheticRow.Role, start: Int, end: Int, version: Int?) -> SyntheticRow {
        var rawId = GeneHeader.ensemblId("ENST", number)
        if let version { rawId += ".\(version)" }
        var quirk: SyntheticRow.IdQuirk?
        switch random.below(1_000) {
        case 0: rawId = " " + rawId; quirk = .whitespace
        case 1: rawId += " "; quirk = .whitespace
        case 2: rawId = "ensT" + rawId.dropFirst(4); quirk = .lowerCasePrefix
        case 3: rawId = "ensembl:" + rawId; quirk = .databasePrefix
        default: break
        }
        let (products, productCount) = productType()
        let (alternatives, crossReferences) = altTranscriptIds(number: number)
        return SyntheticRow(number: number, rawId: rawId, role: role, start: start, end: end,
                            coordinates: coordinates(start, end), productType: products, altTranscriptIds: alternatives,
                            override: nil, productCount: productCount, crossReferenceCount: crossReferences,
                            version: version, quirk: quirk)
    }

    private func coordinates(_ start: Int, _ end: Int) -> FieldValue {
        var json = JSONBWriter(capacity: 48)
        json.beginObject()
        json.key("end")
        json.int(end)
        json.key("start")
        json.int(start)
        json.key("strand")
        json.int(header.strand)
        json.endObject()
        return .bytes(json.bytes)
    }

    private mutating func productType() -> (FieldValue, Int) {
        if random.chance(0.03) { return (.null, 0) }
        var elements: [String?] = []
        if !header.isProteinCoding {
            elements.append(random.pick(SyntheticCatalog.otherProducts))
        } else if random.chance(0.8) {
            elements.append(random.pick(SyntheticCatalog.proteinProducts))
            if random.chance(0.35) { elements.append(random.pick(SyntheticCatalog.proteinProducts)) }
        } else {
            elements.append(random.pick(SyntheticCatalog.isoformProducts))
        }
        if random.chance(0.02) { elements.insert(nil, at: random.below(elements.count + 1)) }
        return (.bytes(TextArrayLiteral.make(elements)), Self.distinctCount(elements))
    }

    private mutating func altTranscriptIds(number: Int) -> (FieldValue, Int) {
        if predatesNewColumns { return (.null, 0) }
        var json = JSONBWriter(capacity: 128)
        var count = 0
        json.beginObject()
        if header.isProteinCoding {
            if random.chance(0.6) {
                json.key("CCDS")
                json.string("CCDS\(1_000 + random.below(60_000)).\(1 + random.below(3))")
                count += 1
            }
            if random.chance(0.7) {
                json.key("UCSC")
                let letters = String((0..<3).map { _ in Character(Unicode.Scalar(UInt8(97 + random.below(26)))) })
                json.string("uc\(String(100 + random.below(900)))\(letters).\(1 + random.below(5))")
                count += 1
            }
        }
        if random.chance(header.isProteinCoding ? 0.8 : 0.4) {
            json.key("HAVANA")
            json.string(GeneHeader.ensemblId("OTTHUMT", number + 500_000))
            count += 1
        }
        if header.isProteinCoding, random.chance(0.5) {
            json.key("RefSeq")
            json.beginArray()
            let first = 100_000 + random.below(900_000)
            let refseqCount = 1 + random.below(2)
            for offset in 0..<refseqCount { json.string("NM_\(first + offset * 7).\(1 + random.below(9))") }
            json.endArray()
            count += refseqCount
        }
        json.endObject()
        return (.bytes(json.bytes), count)
    }

    /// Changes one row's value of `field` and says which value the dedup rule keeps. The row
    /// changed is never one with a duplicate, so each transcript stays self-consistent.
    mutating func plantConflict(_ field: PlantingPlan.ConflictField, rows: inout [SyntheticRow]) -> GeneFacts.Conflict? {
        let candidates = rows.indices.filter { rows[$0].role == .transcript && rows[$0].number != duplicatedNumber }
        guard !candidates.isEmpty else { return nil }
        let target = candidates[random.below(candidates.count)]
        let column: LegacyColumn
        let geneValue: String
        let rowValue: String
        switch field {
        case .geneSymbol:
            column = .geneSymbol
            geneValue = header.symbol ?? ""
            rowValue = geneValue.uppercased() == geneValue ? geneValue.lowercased() : geneValue.uppercased()
        case .geneType:
            column = .geneType
            geneValue = header.geneType
            rowValue = Self.conflictingTypes[geneValue] ?? "TEC"
        case .chromosome:
            column = .chromosome
            geneValue = header.chromosome ?? ""
            rowValue = geneValue.hasPrefix("chr") ? String(geneValue.dropFirst(3)) : "chr" + geneValue
        }
        rows[target].override = (column, .bytes(Array(rowValue.utf8)))
        let smallest = rows.filter { $0.role != .invalidUTF8 }.min { $0.number < $1.number }!
        return GeneFacts.Conflict(field: field, geneValue: geneValue, rowValue: rowValue,
                                  resolved: smallest.number == rows[target].number ? rowValue : geneValue)
    }

    private static let conflictingTypes = [
        "protein_coding": "polymorphic_pseudogene", "lncRNA": "lincRNA", "processed_pseudogene": "pseudogene",
        "unprocessed_pseudogene": "pseudogene", "misc_RNA": "ncRNA", "snRNA": "ncRNA", "snoRNA": "ncRNA", "miRNA": "ncRNA",
    ]

    // MARK: Gene-level fields

    mutating func fillGeneFields(_ fields: inout [FieldValue], plants: [PlantingPlan.Plant], clean: Bool) {
        fields[LegacyColumn.goTerms.rawValue] = goTerms()
        fields[LegacyColumn.pathways.rawValue] = pathways()
        let (drugs, scores) = self.drugs(plants: plants, clean: clean)
        fields[LegacyColumn.drugs.rawValue] = drugs
        fields[LegacyColumn.drugScores.rawValue] = scores
        fields[LegacyColumn.expressionFreq.rawValue] = expressionFrequency()
        fields[LegacyColumn.cancerTypes.rawValue] = cancerTypes()
        fields[LegacyColumn.features.rawValue] = features()
        let (functions, functionCount) = freeTextArray(SyntheticCatalog.molecularFunctions, extra: "binds DNA\nand RNA")
        fields[LegacyColumn.molecularFunctions.rawValue] = functions
        facts.molecularFunctions = functionCount
        let (locations, locationCount) = freeTextArray(SyntheticCatalog.cellularLocations, extra: "cell\tcortex")
        fields[LegacyColumn.cellularLocation.rawValue] = locations
        facts.cellularLocations = locationCount
        crossReferenceArrays(&fields)
        fields[LegacyColumn.altGeneIds.rawValue] = altGeneIds()
        fields[LegacyColumn.sourceReferences.rawValue] = sourceReferences()
        fields[LegacyColumn.pharmgkbPathways.rawValue] = pharmgkbPathwaysColumn()
        fields[LegacyColumn.pharmgkbVariants.rawValue] = pharmgkbVariants()
        fields[LegacyColumn.evidenceQualityMetrics.rawValue] = evidenceQualityMetrics()
    }

    private mutating func goTerms() -> FieldValue {
        let count: Int
        switch tier {
        case .heavy: count = 150 + random.below(250)
        case .coding: count = 3 + random.geometric(0.09, cap: 60)
        case .other: count = lean ? 1 + random.below(4) : random.chance(0.3) ? 1 + random.below(3) : 0
        }
        if random.chance(0.01) { return .null }
        let bound = catalog.goTerms.count
        let indices = random.distinctIndices(count, bound: bound) { $0.skewed(bound, power: 2) }
        facts.goTerms = indices
        var json = JSONBWriter(capacity: 2 + count * 110)
        json.beginObject()
        // GO ids have a fixed width and grow with the index, so index order is jsonb order.
        for index in indices {
            let term = catalog.goTerms[index]
            json.key(term.id)
            json.beginObject()
            json.key("term")
            json.string(term.term)
            json.key("aspect")
            json.string(term.aspect)
            json.key("evidence")
            json.string(random.pick(Self.evidenceCodes))
            json.endObject()
        }
        json.endObject()
        return .bytes(json.bytes)
    }

    private static let evidenceCodes = ["IDA", "IEA", "TAS", "IMP", "IPI", "ISS", "HDA", "NAS", "IBA", "EXP"]

    private mutating func pathways() -> FieldValue {
        let count: Int
        switch tier {
        case .heavy: count = 60 + random.below(100)
        case .coding: count = random.geometric(0.2, cap: 30)
        case .other: count = random.chance(0.1) ? 1 : 0
        }
        if count == 0 { return random.chance(0.15) ? .null : .bytes(Array("{}".utf8)) }
        var elements: [[UInt8]?] = []
        for _ in 0..<count {
            let roll = random.below(100)
            if roll < 80 {
                let index = random.skewed(catalog.reactome.count, power: 2)
                facts.reactome.append(index)
                elements.append(catalog.reactome[index])
            } else if roll < 86 {
                let index = random.skewed(catalog.kegg.count, power: 2)
                facts.kegg.append(index)
                elements.append(catalog.kegg[index])
            } else if roll < 92 {
                let index = random.skewed(catalog.wikiPathways.count, power: 2)
                facts.wikiPathways.append(index)
                elements.append(catalog.wikiPathways[index])
            } else {
                let index = random.skewed(catalog.unnamedPathways.count, power: 2)
                facts.unnamedPathways.append(index)
                elements.append(catalog.unnamedPathways[index])
            }
        }
        if random.chance(0.03) { elements.append(elements[random.below(elements.count)]) }
        return .bytes(TextArrayLiteral.make(bytes: elements))
    }

    // MARK: drugs, drug_scores and the PharmGKB corruption

    private mutating func drugs(plants: [PlantingPlan.Plant], clean: Bool) -> (FieldValue, FieldValue) {
        let empty = FieldValue.bytes(Array("{}".utf8))
        var shape: GeneFacts.DrugShape
        let number = 1 + random.below(999)
        if plants.contains(.drugsNumber) {
            shape = clean ? .emptyObject : .number
        } else if plants.contains(.drugsArray) {
            shape = .nameArray
        } else if plants.contains(.drugsString) {
            shape = .nameString
        } else if plants.contains(.drugsTwiceEncoded) {
            shape = .twiceEncoded
        } else {
            let roll = random.unit()
            switch tier {
            case .heavy: shape = .recordsWithPharmgkbData
            case .coding: shape = roll < 0.6 ? .recordsWithPharmgkbData : roll < 0.8 ? .records : roll < 0.95 ? .emptyObject : .null
            case .other: shape = roll < 0.15 ? .recordsWithPharmgkbData : roll < 0.18 ? .records : roll < 0.9 ? .emptyObject : .null
            }
        }
        facts.drugShape = shape
        switch shape {
        case .null:
            return (.null, .null)
        case .emptyObject:
            return (empty, empty)
        case .number:
            return (.bytes(Array(String(number).utf8)), empty)
        case .nameArray:
            var json = JSONBWriter()
            json.beginArray()
            for _ in 0..<(1 + random.below(3)) { json.string(namedDrug()) }
            json.endArray()
            return (.bytes(json.bytes), empty)
        case .nameString:
            var json = JSONBWriter()
            json.string(namedDrug())
            return (.bytes(json.bytes), empty)
        case .twiceEncoded:
            var (members, _) = drugRecords(count: 1 + random.below(3))
            members.sort { JSONBWriter.keyPrecedes($0.0, $1.0) }
            var inner = JSONBWriter()
            inner.beginObject()
            for (key, value) in members {
                inner.key(key)
                inner.raw(value)
            }
            inner.endObject()
            var json = JSONBWriter()
            json.string(inner.bytes)
            return (.bytes(json.bytes), empty)
        case .records, .recordsWithPharmgkbData:
            let recordCount: Int
            switch tier {
            case .heavy: recordCount = 20 + random.below(40)
            case .coding: recordCount = shape == .records || random.chance(0.7) ? 1 + random.geometric(0.3, cap: 12) : 0
            case .other: recordCount = shape == .records || random.chance(0.3) ? 1 + random.below(2) : 0
            }
            var (members, scores) = drugRecords(count: recordCount)
            if shape == .recordsWithPharmgkbData { members.append((Array("pharmgkb_data".utf8), pharmgkbData())) }
            members.sort { JSONBWriter.keyPrecedes($0.0, $1.0) }
            var json = JSONBWriter(capacity: members.reduce(2) { $0 + $1.1.count + 24 })
            json.beginObject()
            for (key, value) in members {
                json.key(key)
                json.raw(value)
            }
            json.endObject()
            var scoreJSON = JSONBWriter()
            scoreJSON.beginObject()
            for (key, score) in scores.sorted(by: { JSONBWriter.keyPrecedes($0.0, $1.0) }) {
                scoreJSON.key(key)
                scoreJSON.decimal(score, scale: 3)
            }
            scoreJSON.endObject()
            return (.bytes(json.bytes), .bytes(scoreJSON.bytes))
        }
    }

    /// A drug name as a loose list writes it: a PharmGKB name in lower, title or upper case.
    private mutating func namedDrug() -> [UInt8] {
        let index = random.skewed(catalog.pharmgkbDrugs.count, power: 2)
        facts.namedDrugs.append(index)
        return displayCase(catalog.pharmgkbDrugs[index])
    }

    private mutating func displayCase(_ name: [UInt8]) -> [UInt8] {
        let roll = random.below(100)
        if roll < 75 { return name }
        if roll < 95 { return [name[0] & ~0x20] + name.dropFirst() }
        return name.map { $0 >= 0x61 && $0 <= 0x7A ? $0 & ~0x20 : $0 }
    }

    /// Drug records keyed by id (DrugCentral or ChEMBL), unsorted, and their scores.
    private mutating func drugRecords(count: Int) -> ([([UInt8], [UInt8])], [([UInt8], Int)]) {
        var members: [([UInt8], [UInt8])] = []
        var scores: [([UInt8], Int)] = []
        var usedCentral: [Int] = []
        var usedChembl: [Int] = []
        for _ in 0..<count {
            let fromChembl = random.chance(0.55)
            let source = fromChembl ? catalog.chembl : catalog.drugCentral
            let index = random.skewed(source.count)
            if fromChembl ? usedChembl.contains(index) : usedCentral.contains(index) { continue }
            if fromChembl { usedChembl.append(index) } else { usedCentral.append(index) }
            let drug = source[index]
            var json = JSONBWriter(capacity: 220)
            json.beginObject()
            json.key("name")
            json.string(drug.name)
            json.key("evidence")
            json.beginObject()
            json.key("type")
            json.string(random.pick(Self.evidenceTypes))
            json.key("score")
            json.decimal(random.below(1_000), scale: 3)
            json.endObject()
            if fromChembl {
                json.key("max_phase")
                json.int(drug.maxPhase)
            }
            json.key("mechanism")
            json.string(drug.mechanism)
            if fromChembl {
                json.key("indication")
                json.string(drug.indication)
            }
            json.key("action_type")
            json.string(drug.actionType)
            json.endObject()
            members.append((drug.id, json.bytes))
            scores.append((drug.id, random.below(1_000)))
        }
        facts.drugCentral.append(contentsOf: usedCentral)
        facts.chembl.append(contentsOf: usedChembl)
        return (members, scores)
    }

    private static let evidenceTypes = ["clinical_trial", "approved", "literature", "experimental", "computational"]

    /// The misplaced PharmGKB object of docs/spec.md §3.2.
    private mutating func pharmgkbData() -> [UInt8] {
        let pathwayCount: Int
        switch tier {
        case .heavy: pathwayCount = 8 + random.below(13)
        case .coding: pathwayCount = 1 + random.geometric(0.55, cap: 5)
        case .other: pathwayCount = 1
        }
        var json = JSONBWriter(capacity: 512 + pathwayCount * 1_200)
        json.beginObject()
        json.key("source")
        json.string("PharmGKB")
        json.key("vip_info")
        if random.chance(0.4) {
            json.beginObject()
            json.key("vip")
            json.bool(true)
            json.key("level")
            json.string(random.pick(Self.evidenceLevels))
            json.key("summary")
            let drug = String(decoding: catalog.pharmgkbDrugs[random.skewed(catalog.pharmgkbDrugs.count)], as: UTF8.self)
            json.string("\(header.symbol ?? header.geneId) is a Very Important Pharmacogene: variants alter response to \(drug).")
            json.endObject()
        } else {
            json.null()
        }
        json.key("pathway_data")
        pathwayObjects(count: pathwayCount, into: &json)
        json.key("variant_summary")
        json.beginObject()
        let variants = random.below(6)
        json.key("count")
        json.int(variants)
        json.key("top_variants")
        json.beginArray()
        for _ in 0..<variants { json.string("rs\(1_000 + random.below(80_000_000))") }
        json.endArray()
        json.endObject()
        json.key("clinical_annotations")
        json.beginArray()
        for _ in 0..<(tier == .heavy ? 20 + random.below(60) : random.below(4)) {
            json.beginObject()
            json.key("id")
            json.string(String(1_183_000_000 + random.below(500_000_000)))
            json.key("drugs")
            json.beginArray()
            json.string(displayCase(catalog.pharmgkbDrugs[random.skewed(catalog.pharmgkbDrugs.count)]))
            json.endArray()
            json.key("level")
            json.string(random.pick(Self.evidenceLevels))
            json.key("phenotype")
            json.string(random.pick(["Efficacy", "Toxicity", "Dosage", "Metabolism/PK", "Other"]))
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }

    private static let evidenceLevels = ["1A", "1B", "2A", "2B", "3", "4"]

    /// `{"PA…": {"reactions": [...], "pathway_name": ..., "pathway_type": ...}, ...}` for
    /// `count` distinct PharmGKB pathways, recording pathways and reaction drugs in the facts.
    private mutating func pathwayObjects(count: Int, into json: inout JSONBWriter) {
        let bound = catalog.pharmgkbPathways.count
        let indices = random.distinctIndices(count, bound: bound) { $0.skewed(bound, power: 2) }
        facts.pharmgkbPathways.append(contentsOf: indices)
        json.beginObject()
        // PA ids have a fixed width and grow with the index, so index order is jsonb order.
        for index in indices {
            let pathway = catalog.pharmgkbPathways[index]
            json.key(pathway.id)
            json.beginObject()
            json.key("reactions")
            json.beginArray()
            for _ in 0..<(tier == .heavy ? 10 + random.below(30) : 1 + random.geometric(0.3, cap: 9)) { reaction(into: &json) }
            json.endArray()
            json.key("pathway_name")
            json.string(pathway.name)
            json.key("pathway_type")
            json.string(pathway.type)
            json.endObject()
        }
        json.endObject()
    }

    private mutating func reaction(into json: inout JSONBWriter) {
        let substrate = catalog.pharmgkbDrugs[random.skewed(catalog.pharmgkbDrugs.count)]
        let substrateName = String(decoding: substrate, as: UTF8.self)
        json.beginObject()
        json.key("to")
        json.string(random.pick(["4-hydroxy", "N-desmethyl", "O-desmethyl", "nor", "dihydro"]) + substrateName)
        json.key("from")
        json.string(substrateName)
        json.key("drugs")
        json.beginArray()
        if random.chance(0.8) {
            for _ in 0..<(1 + random.below(3)) {
                let index = random.skewed(catalog.pharmgkbDrugs.count, power: 2)
                facts.pharmgkbDrugs.append(index)
                json.string(displayCase(catalog.pharmgkbDrugs[index]))
            }
        }
        json.endArray()
        json.key("pmids")
        json.beginArray()
        for _ in 0..<random.below(4) { json.string(pmid()) }
        json.endArray()
        json.key("reaction_type")
        json.string(random.pick(["Biotransformation", "Transport", "Inhibition", "Activation", "Binding", "Metabolism"]))
        json.key("controller_genes")
        json.beginArray()
        for _ in 0..<(1 + random.below(3)) { json.string(random.pick(SyntheticCatalog.controllerGenes)) }
        json.endArray()
        json.endObject()
    }

    private mutating func pmid() -> String { String(10_000_000 + random.below(28_000_000)) }

    private mutating func pharmgkbPathwaysColumn() -> FieldValue {
        if predatesNewColumns { return .null }
        let present = facts.drugShape == .recordsWithPharmgkbData ? random.chance(0.7) : tier != .other && random.chance(0.05)
        guard present else { return .bytes(Array("{}".utf8)) }
        var json = JSONBWriter(capacity: 2_048)
        pathwayObjects(count: tier == .heavy ? 4 + random.below(6) : 1 + random.below(2), into: &json)
        return .bytes(json.bytes)
    }

    private mutating func pharmgkbVariants() -> FieldValue {
        if predatesNewColumns { return .null }
        guard facts.drugShape == .recordsWithPharmgkbData, random.chance(0.5) else { return .bytes(Array("{}".utf8)) }
        var variants: [([UInt8], [UInt8])] = []
        for _ in 0..<(tier == .heavy ? 30 + random.below(120) : 1 + random.below(5)) {
            let id = Array("rs\(1_000 + random.below(80_000_000))".utf8)
            if variants.contains(where: { $0.0 == id }) { continue }
            var json = JSONBWriter(capacity: 96)
            json.beginObject()
            json.key("drugs")
            json.beginArray()
            json.string(catalog.pharmgkbDrugs[random.skewed(catalog.pharmgkbDrugs.count)])
            json.endArray()
            json.key("level")
            json.string(random.pick(Self.evidenceLevels))
            json.key("phenotype")
            json.string(random.pick(["Efficacy", "Toxicity", "Dosage", "Metabolism/PK"]))
            json.endObject()
            variants.append((id, json.bytes))
        }
        variants.sort { JSONBWriter.keyPrecedes($0.0, $1.0) }
        var json = JSONBWriter(capacity: variants.reduce(2) { $0 + $1.1.count + 16 })
        json.beginObject()
        for (id, value) in variants {
            json.key(id)
            json.raw(value)
        }
        json.endObject()
        return .bytes(json.bytes)
    }

    // MARK: Other annotations

    private mutating func expressionFrequency() -> FieldValue {
        var json = JSONBWriter(capacity: 160)
        let filled = tier != .other && random.chance(0.5)
        json.beginObject()
        json.key("low")
        json.beginArray()
        if filled { for _ in 0..<random.below(4) { json.string(random.pick(SyntheticCatalog.cancerTypes)) } }
        json.endArray()
        json.key("high")
        json.beginArray()
        if filled { for _ in 0..<random.below(4) { json.string(random.pick(SyntheticCatalog.cancerTypes)) } }
        json.endArray()
        json.endObject()
        return .bytes(json.bytes)
    }

    private mutating func cancerTypes() -> FieldValue {
        guard tier != .other, random.chance(0.3) else { return .bytes(Array("{}".utf8)) }
        var names: [String?] = []
        for _ in 0..<(1 + random.below(4)) {
            let name = random.pick(SyntheticCatalog.cancerTypes)
            if !names.contains(name) { names.append(name) }
        }
        return .bytes(TextArrayLiteral.make(names))
    }

    private mutating func features() -> FieldValue {
        let count: Int
        switch tier {
        case .heavy: count = 80 + random.below(220)
        case .coding: count = 1 + random.below(5)
        case .other: count = 0
        }
        var numbers = random.distinctIndices(count, bound: 19_000) { $0.below(19_000) }
        numbers = numbers.map { $0 + 1_000 }
        var json = JSONBWriter(capacity: 2 + count * 100)
        json.beginObject()
        // `PF` plus five digits: fixed width, so numeric order is jsonb order.
        for number in numbers {
            let start = 1 + random.below(900)
            json.key("PF" + String(repeating: "0", count: 5 - String(number).count) + String(number))
            json.beginObject()
            json.key("end")
            json.int(start + 20 + random.below(300))
            json.key("name")
            json.string(random.pick(Self.featureNames))
            json.key("type")
            json.string(random.pick(["domain", "region", "repeat", "motif", "zinc finger", "transmembrane"]))
            json.key("start")
            json.int(start)
            json.endObject()
        }
        json.endObject()
        return .bytes(json.bytes)
    }

    /// Protein feature names, including the characters JSON must escape (quotes, a backslash,
    /// a tab and a newline) and non-ASCII text up to four-byte UTF-8.
    private static let featureNames = [
        "P53 DNA-binding domain", "Protein kinase domain", "SH2 domain", "SH3 domain", "PDZ domain", "Zinc finger, C2H2",
        "Leucine-rich repeat", "Ankyrin repeat", "WD40 repeat", "Immunoglobulin-like domain", "EGF-like domain",
        "Helix-loop-helix \"bHLH\" motif", "Ca²⁺-binding EF-hand", "β-propeller", "𝛼-helical bundle",
        "Nuclear localization signal\tNLS", "Coiled coil\nregion", "Transmembrane helix \\ TM1", "Disordered region",
        "Signal peptide", "Pleckstrin homology (PH) domain", "BRCT domain", "RING-type zinc finger",
    ]

    /// A free-text array (`molecular_functions`, `cellular_location`) with the element
    /// shapes that need care: duplicates, NULL elements, the string `NULL`, and rarely
    /// `extra`, which holds a newline or a tab. Returns the value and its distinct non-NULL count.
    private mutating func freeTextArray(_ vocabulary: [String], extra: String) -> (FieldValue, Int) {
        let count: Int
        switch tier {
        case .heavy: count = 15 + random.below(25)
        case .coding: count = 1 + random.below(8)
        case .other: count = lean ? 1 + random.below(3) : random.chance(0.3) ? 1 + random.below(2) : 0
        }
        if count == 0 { return (random.chance(0.2) ? .null : .bytes(Array("{}".utf8)), 0) }
        var elements: [String?] = (0..<count).map { _ in random.pick(vocabulary) }
        if random.chance(0.03) { elements.insert(nil, at: random.below(elements.count + 1)) }
        if random.chance(0.03) { elements.append(elements[0]) }
        if random.chance(0.003) { elements.append(extra) }
        return (.bytes(TextArrayLiteral.make(elements)), Self.distinctCount(elements))
    }

    private mutating func crossReferenceArrays(_ fields: inout [FieldValue]) {
        var uniprot: [String?] = []
        var refseq: [String?] = []
        var pdb: [String?] = []
        if header.isProteinCoding {
            for _ in 0..<(1 + random.below(3)) {
                let accession = uniprotAccession()
                if !uniprot.contains(accession) { uniprot.append(accession) }
            }
            let first = 100_000 + random.below(800_000)
            for offset in 0..<(1 + random.below(3)) { refseq.append("NM_\(first + offset * 3).\(1 + random.below(9))") }
            refseq.append("NP_\(first + 500).\(1 + random.below(5))")
            if random.chance(0.4) {
                for _ in 0..<(tier == .heavy ? 40 + random.below(80) : 1 + random.below(8)) {
                    let id = String(1 + random.below(9)) + String((0..<3).map { _ in Self.alphanumerics.randomElement(&random) })
                    if !pdb.contains(id) { pdb.append(id) }
                }
            }
        } else if random.chance(0.5) {
            refseq.append("NR_\(100_000 + random.below(800_000)).\(1 + random.below(4))")
        }
        let ncbi: [String?] = random.chance(header.isProteinCoding ? 0.97 : 0.6) ? [String(100 + header.index * 5 + random.below(5))] : []
        fields[LegacyColumn.uniprotIds.rawValue] = .bytes(TextArrayLiteral.make(uniprot))
        fields[LegacyColumn.ncbiIds.rawValue] = .bytes(TextArrayLiteral.make(ncbi))
        fields[LegacyColumn.refseqIds.rawValue] = .bytes(TextArrayLiteral.make(refseq))
        fields[LegacyColumn.pdbIds.rawValue] = .bytes(TextArrayLiteral.make(pdb))
        facts.geneCrossReferences += uniprot.count + refseq.count + pdb.count + ncbi.count
    }

    private static let alphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    private mutating func uniprotAccession() -> String {
        var text = String(random.pick(["O", "P", "Q"])) + String(random.below(10))
        for _ in 0..<3 { text.append(Self.alphanumerics.randomElement(&random)) }
        return text + String(random.below(10))
    }

    private mutating func altGeneIds() -> FieldValue {
        if predatesNewColumns { return .null }
        guard random.chance(0.9) else { return .bytes(Array("{}".utf8)) }
        var json = JSONBWriter(capacity: 96)
        json.beginObject()
        json.key("HGNC")
        json.string("HGNC:\(1 + random.below(60_000))")
        facts.geneCrossReferences += 1
        if header.isProteinCoding, random.chance(0.6) {
            json.key("OMIM")
            json.beginArray()
            let first = 100_000 + random.below(600_000)
            let count = 1 + random.below(2)
            for offset in 0..<count { json.string(String(first + offset * 11)) }
            json.endArray()
            facts.geneCrossReferences += count
        }
        json.key("HAVANA")
        json.string(GeneHeader.ensemblId("OTTHUMG", 100_000 + header.index))
        facts.geneCrossReferences += 1
        json.endObject()
        return .bytes(json.bytes)
    }

    private mutating func sourceReferences() -> FieldValue {
        if predatesNewColumns { return .null }
        let categories: [StaticString] = ["drugs", "uniprot", "go_terms", "pathways", "publications"]
        var json = JSONBWriter(capacity: tier == .heavy ? 120_000 : 1_024)
        json.beginObject()
        for category in categories {
            let count: Int
            switch tier {
            case .heavy: count = 30 + random.below(170)
            case .coding: count = category.description == "publications" ? 1 + random.below(8) : random.below(4)
            case .other: count = category.description == "publications" ? random.below(3) : 0
            }
            json.key(category)
            json.beginArray()
            var pmids: [String] = []
            for _ in 0..<count {
                let id = !pmids.isEmpty && random.chance(0.05) ? pmids[random.below(pmids.count)] : pmid()
                if !pmids.contains(id) { pmids.append(id) }
                json.beginObject()
                json.key("pmid")
                json.string(id)
                json.key("year")
                json.int(1990 + random.below(35))
                json.key("source_db")
                json.string(random.pick(["PubMed", "Europe PMC", "PharmGKB", "UniProt", "GO", "Reactome", "ChEMBL"]))
                json.key("evidence_type")
                json.string(random.pick(["experimental", "computational", "curated", "literature", "clinical_trial", "review"]))
                json.key("citation_count")
                json.int(random.skewed(2_000))
                json.endObject()
            }
            json.endArray()
            facts.publications += pmids.count
        }
        json.endObject()
        return .bytes(json.bytes)
    }

    private mutating func evidenceQualityMetrics() -> FieldValue {
        if predatesNewColumns { return .null }
        guard random.chance(tier == .other ? 0.2 : 0.7) else { return .bytes(Array("{}".utf8)) }
        var json = JSONBWriter(capacity: 64)
        json.beginObject()
        json.key("score")
        json.decimal(random.below(100), scale: 2)
        json.key("sources")
        json.int(1 + random.below(9))
        json.key("confidence")
        json.string(random.pick(["high", "medium", "low"]))
        json.endObject()
        return .bytes(json.bytes)
    }

    /// Distinct non-NULL elements: what the normalizer's union keeps.
    static func distinctCount(_ elements: [String?]) -> Int {
        var seen: [String] = []
        for case let element? in elements where !seen.contains(element) { seen.append(element) }
        return seen.count
    }
}

extension Array {
    /// A uniformly chosen element, drawn with the generator's own random stream.
    fileprivate func randomElement(_ random: inout SeededRandom) -> Element { self[random.below(count)] }
}
