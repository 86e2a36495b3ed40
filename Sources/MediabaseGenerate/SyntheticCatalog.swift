/// The fixed reference data genes draw from: drugs, pathways and GO terms with stable ids and
/// names, and the free-text vocabularies of the annotation arrays.
///
/// A catalog entry is identified by its index, so the generator counts distinct drugs or
/// pathways with bit sets instead of sets of strings. An id always carries the same name and
/// attributes wherever it appears, as in the real database, so deduplication by id is exact.
/// Entries near index 0 are drawn most often (see ``SeededRandom/skewed(_:power:)``).
final class SyntheticCatalog {
    /// A drug of DrugCentral (numeric id) or ChEMBL (`CHEMBL…` id).
    struct Drug {
        let id: [UInt8]
        let name: [UInt8]
        let mechanism: [UInt8]
        let actionType: [UInt8]
        let maxPhase: Int
        let indication: [UInt8]
    }

    /// A PharmGKB pathway (`PA…`).
    struct PharmGKBPathway {
        let id: [UInt8]
        let name: [UInt8]
        let type: [UInt8]
    }

    /// A GO term.
    struct GOTerm {
        let id: [UInt8]
        let term: [UInt8]
        let aspect: [UInt8]
    }

    let drugCentral: [Drug]
    let chembl: [Drug]
    /// PharmGKB drug names, lower case and distinct after case folding.
    let pharmgkbDrugs: [[UInt8]]
    let pharmgkbPathways: [PharmGKBPathway]
    /// Elements of the `pathways` array: `Apoptosis [Reactome:R-HSA-109581]`.
    let reactome: [[UInt8]]
    let kegg: [[UInt8]]
    let wikiPathways: [[UInt8]]
    /// Pathway strings without a `[Source:ID]` suffix (source `unknown`).
    let unnamedPathways: [[UInt8]]
    let goTerms: [GOTerm]

    init(seed: UInt64) {
        var random = SeededRandom(seed: seed, stream: .catalog)
        var names = Set<String>()
        var drugNames: [String] = Self.wellKnownDrugs
        names.formUnion(drugNames)
        while drugNames.count < 6_000 {
            let name = Self.inventDrugName(&random)
            if names.insert(name).inserted { drugNames.append(name) }
        }
        drugCentral = (0..<4_800).map { index in
            Self.makeDrug(id: Array(String(index + 1).utf8), name: drugNames[Self.nameSlot(index, of: drugNames.count, &random)], &random)
        }
        var chemblNumber = 25
        chembl = (0..<14_000).map { index in
            chemblNumber += 1 + random.below(240)
            return Self.makeDrug(id: Array("CHEMBL\(chemblNumber)".utf8), name: drugNames[Self.nameSlot(index, of: drugNames.count, &random)], &random)
        }
        pharmgkbDrugs = drugNames.prefix(700).map { Array($0.utf8) }

        var pathwayNumber = 145_010_900
        pharmgkbPathways = (0..<160).map { index in
            pathwayNumber += 1 + random.below(400)
            let drug = drugNames[index % 120]
            let kind = random.pick(["Pharmacokinetics", "Pharmacodynamics", "Pharmacokinetics/Pharmacodynamics", "Signaling"])
            let name = "\(drug.prefix(1).uppercased())\(drug.dropFirst()) Pathway, \(kind)"
            return PharmGKBPathway(id: Array("PA\(pathwayNumber)".utf8), name: Array(name.utf8), type: Array(kind.utf8))
        }

        var pathwayNames = Set<String>()
        func inventPathway(_ random: inout SeededRandom) -> String {
            while true {
                let verb = random.pick(Self.pathwayVerbs)
                let subject = random.pick(Self.pathwaySubjects)
                let name = verb + subject + (random.chance(0.35) ? random.pick(Self.pathwayQualifiers) : "")
                if pathwayNames.insert(name).inserted { return name }
            }
        }
        var reactomeNumber = 68_800
        reactome = (0..<2_500).map { _ in
            reactomeNumber += 1 + random.below(700)
            return Self.makePathway(name: inventPathway(&random), source: "Reactome", id: "R-HSA-\(reactomeNumber)")
        }
        var keggNumber = 4_000
        kegg = (0..<330).map { _ in
            keggNumber += 1 + random.below(4)
            let digits = String(keggNumber)
            return Self.makePathway(name: inventPathway(&random), source: "KEGG", id: "hsa" + String(repeating: "0", count: 5 - digits.count) + digits)
        }
        var wikiNumber = 100
        wikiPathways = (0..<650).map { _ in
            wikiNumber += 1 + random.below(8)
            return Self.makePathway(name: inventPathway(&random), source: "WikiPathways", id: "WP\(wikiNumber)")
        }
        unnamedPathways = (0..<220).map { _ in Array(inventPathway(&random).utf8) }

        var goNumber = 1_000
        goTerms = (0..<12_000).map { _ in
            goNumber += 1 + random.below(300)
            let digits = String(goNumber)
            let id = "GO:" + String(repeating: "0", count: 7 - digits.count) + digits
            let roll = random.below(100)
            let aspect: String
            let term: String
            if roll < 60 {
                aspect = "biological_process"
                term = random.pick(Self.goRegulation) + random.pick(Self.goProcesses)
            } else if roll < 85 {
                aspect = "molecular_function"
                term = random.pick(Self.functionTerms)
            } else {
                aspect = "cellular_component"
                term = random.pick(Self.componentTerms)
            }
            return GOTerm(id: Array(id.utf8), term: Array(term.utf8), aspect: Array(aspect.utf8))
        }
    }

    /// Catalog index `index` takes a name from the first slots most of the time, so DrugCentral
    /// and ChEMBL share the common drug names, as they do in reality.
    private static func nameSlot(_ index: Int, of count: Int, _ random: inout SeededRandom) -> Int {
        index < wellKnownDrugs.count ? index : random.below(count)
    }

    private static func makeDrug(id: [UInt8], name: String, _ random: inout SeededRandom) -> Drug {
        let action = random.pick(actionTypes)
        let target = random.pick(drugTargets)
        let mechanism = "\(target) \(action.lowercased())"
        return Drug(id: id, name: Array(name.utf8), mechanism: Array(mechanism.utf8), actionType: Array(action.utf8),
                    maxPhase: random.pick([1, 2, 3, 4, 4, 4]), indication: Array(random.pick(cancerTypes).utf8))
    }

    private static func makePathway(name: String, source: String, id: String) -> [UInt8] {
        Array("\(name) [\(source):\(id)]".utf8)
    }

    private static func inventDrugName(_ random: inout SeededRandom) -> String {
        random.pick(drugHeads) + (random.chance(0.5) ? random.pick(drugMiddles) : "") + random.pick(drugTails)
    }

    static let wellKnownDrugs = [
        "tamoxifen", "imatinib", "trastuzumab", "erlotinib", "gefitinib", "cisplatin", "paclitaxel", "doxorubicin",
        "letrozole", "bevacizumab", "cetuximab", "olaparib", "palbociclib", "osimertinib", "lapatinib", "vemurafenib",
        "dabrafenib", "crizotinib", "sorafenib", "sunitinib", "everolimus", "rituximab", "pembrolizumab", "nivolumab",
        "warfarin", "clopidogrel", "fluorouracil", "capecitabine", "irinotecan", "methotrexate", "carboplatin",
        "docetaxel", "gemcitabine", "anastrozole", "fulvestrant", "abemaciclib", "alpelisib", "venetoclax", "ibrutinib",
        "nilotinib", "dasatinib", "bortezomib", "lenalidomide", "azacitidine", "temozolomide", "topotecan", "etoposide",
        "vincristine", "cyclophosphamide", "ondansetron",
    ]
    private static let drugHeads = [
        "ab", "ala", "ami", "bel", "bev", "bor", "cab", "car", "ce", "da", "de", "do", "ela", "en", "era", "eve", "fo",
        "ga", "ge", "ib", "ido", "ima", "ipi", "la", "le", "len", "lo", "ma", "mi", "mo", "na", "ne", "nilo", "ola", "os",
        "pa", "pe", "pem", "po", "ra", "re", "ri", "ru", "sa", "se", "so", "ta", "te", "ti", "to", "tra", "tu", "va", "ve",
        "vi", "vo", "za", "ze", "qui", "xa",
    ]
    private static let drugMiddles = ["ci", "li", "ra", "to", "va", "xa", "mi", "ne", "so", "fe", "ru", "de"]
    private static let drugTails = [
        "tinib", "ciclib", "parib", "zumab", "ximab", "mumab", "lisib", "rafenib", "statin", "platin", "taxel", "mycin",
        "rubicin", "fen", "olol", "pril", "sartan", "azole", "vir", "degib", "tecan", "trexate", "semide", "profen",
        "dronate", "afil", "prazole", "lukast", "tide", "stat",
    ]
    static let actionTypes = [
        "INHIBITOR", "INHIBITOR", "INHIBITOR", "ANTAGONIST", "AGONIST", "BLOCKER", "MODULATOR", "ANTIBODY",
        "ALLOSTERIC ANTAGONIST", "PARTIAL AGONIST", "OPENER", "CROSS-LINKING AGENT", "NEGATIVE ALLOSTERIC MODULATOR",
    ]
    private static let drugTargets = [
        "Tyrosine-protein kinase ABL1", "Epidermal growth factor receptor", "Receptor tyrosine-protein kinase erbB-2",
        "Estrogen receptor", "Poly [ADP-ribose] polymerase 1", "Cyclin-dependent kinase 4/6", "Tubulin beta chain",
        "DNA topoisomerase II", "Vascular endothelial growth factor A", "Serine/threonine-protein kinase B-raf",
        "Serine/threonine-protein kinase mTOR", "Proteasome subunit beta type-5", "Androgen receptor",
        "Thymidylate synthase", "Dihydrofolate reductase", "Bcl-2 (apoptosis regulator)", "Programmed cell death protein 1",
        "B-lymphocyte antigen CD20", "Aromatase", "Cytochrome P450 2C9", "P2Y purinoceptor 12", "5-HT3 receptor",
        "Phosphatidylinositol 4,5-bisphosphate 3-kinase catalytic subunit alpha", "Hepatocyte growth factor receptor",
        "Bruton's tyrosine kinase", "ALK tyrosine kinase receptor", "DNA", "Vitamin K epoxide reductase",
    ]
    static let pathwayVerbs = [
        "Signaling by ", "Regulation of ", "Activation of ", "Degradation of ", "Transport of ", "Metabolism of ",
        "Biosynthesis of ", "Processing of ", "Interaction between ", "Loss of function of ", "Constitutive signaling by ",
        "Downstream signaling of ", "Formation of ", "Negative regulation of ", "Defective ",
    ]
    static let pathwaySubjects = [
        "ERBB2", "NOTCH1", "WNT", "TGF-beta receptor complex", "β-catenin", "p53-dependent G1 DNA damage response",
        "PI3K/AKT", "Rho GTPases", "FGFR1 mutants", "the APC/C", "MAPK family", "nuclear receptors", "Hedgehog",
        "EGFR in cancer", "KIT", "MET", "the TCA cycle", "fatty acids", "cholesterol", "amino acids and derivatives",
        "mitochondrial proteins", "the pre-replicative complex", "mRNA", "rRNA", "tRNA", "tight junctions",
        "extracellular matrix", "collagen", "Interleukin-6", "Interleukin-1 family", "TNF receptor", "apoptosis",
        "DNA double-strand break repair", "mismatch repair", "homologous recombination", "nucleotide excision repair",
        "glycolysis", "gluconeogenesis", "heme", "insulin receptor", "VEGF", "PDGF", "NGF", "BMP", "Toll-like receptors",
        "the {SMAD2/3:SMAD4} heterotrimer", "\"atypical\" NF-kB", "Ca²⁺ pathway", "cell cycle checkpoints",
        "mitotic spindle checkpoint", "telomere maintenance", "senescence-associated secretory phenotype (SASP)",
        "RUNX1", "RUNX2", "TP53 regulates transcription of DNA repair genes", "ESR-mediated signaling", "xenobiotics",
        "cytochrome P450", "phase II conjugation", "SUMOylation", "ubiquitination", "neddylation", "autophagy",
    ]
    static let pathwayQualifiers = [
        " in cancer", ", PEST domain mutants", " (late endosome)", " – β-arrestin dependent", " by the proteasome",
        " in the nucleus", ", EGF-stimulated", " and its ligands", " via \"noncanonical\" routes", " (mitochondrial)",
    ]
    static let goRegulation = [
        "", "", "regulation of ", "positive regulation of ", "negative regulation of ", "response to ", "cellular response to ",
    ]
    static let goProcesses = [
        "apoptotic process", "cell cycle", "DNA repair", "transcription by RNA polymerase II", "cell population proliferation",
        "signal transduction", "protein phosphorylation", "angiogenesis", "cell migration", "immune response",
        "inflammatory response", "DNA damage response", "G1/S transition of mitotic cell cycle", "autophagy",
        "epithelial to mesenchymal transition", "Wnt signaling pathway", "canonical Wnt signaling pathway",
        "ERK1 and ERK2 cascade", "protein ubiquitination", "chromatin remodeling", "lipid metabolic process",
        "mRNA splicing, via spliceosome", "translation", "cell adhesion", "hypoxia", "oxidative stress",
        "T cell activation", "B cell differentiation", "osteoblast differentiation", "neuron projection development",
        "xenobiotic metabolic process", "drug metabolic process", "3'-UTR-mediated mRNA stabilization",
    ]
    /// Terms of `molecular_functions`, with the characters that need quoting in array literals
    /// (commas, quotes, braces, backslashes, spaces), non-ASCII text and the string `NULL`.
    static let molecularFunctions = [
        "protein binding", "DNA binding", "ATP binding", "metal ion binding", "zinc ion binding",
        "DNA-binding transcription factor activity, RNA polymerase II-specific", "protein kinase activity",
        "β-catenin binding", "identical protein binding", "enzyme binding", "calcium ion binding", "GTPase activity",
        "chromatin binding", "ubiquitin protein ligase binding", "protein homodimerization activity",
        "5'-3' exonuclease activity", "receptor tyrosine kinase binding", "\"de novo\" protein folding",
        "phosphatidylinositol-4,5-bisphosphate 3-kinase activity", "histone H3K4 methyltransferase activity",
        "NAD(P)H oxidase activity", "{unknown}", "Ca²⁺-dependent phospholipid binding", "NULL", "kinase",
        "transcription coactivator activity", "RNA binding", "actin binding", "microtubule binding",
        "signaling receptor binding", "transmembrane transporter activity", "heme binding", "oxidoreductase activity",
        "structural constituent of ribosome", "α-actinin binding", "protein binding \\ bridging", "SH3 domain binding",
        "cadherin binding", "nuclear receptor activity", "growth factor activity", "cytokine activity", "hormone activity",
    ]
    /// Molecular functions usable as GO term names (no placeholders).
    private static let functionTerms = molecularFunctions.filter { $0 != "NULL" && $0 != "{unknown}" && $0 != "kinase" }
    /// Cellular locations usable as GO term names.
    private static let componentTerms = cellularLocations.filter { $0 != "NULL" }
    static let cellularLocations = [
        "nucleus", "cytoplasm", "cytosol", "plasma membrane", "mitochondrion", "endoplasmic reticulum", "Golgi apparatus",
        "extracellular exosome", "nucleoplasm", "cell junction", "focal adhesion", "centrosome",
        "perinuclear region of cytoplasm", "membrane raft", "Golgi apparatus – cis cisterna", "nuclear speck",
        "extracellular region", "lysosome", "early endosome", "late endosome, membrane", "axon", "dendrite", "synapse",
        "cell surface", "intracellular membrane-bounded organelle", "chromosome, telomeric region", "PML body",
        "\"outer\" mitochondrial membrane", "NULL",
    ]
    static let cancerTypes = [
        "Breast Cancer", "Lung Adenocarcinoma", "Colorectal Cancer", "Glioblastoma", "Prostate Cancer", "Melanoma",
        "Ovarian Cancer", "Pancreatic Cancer", "Acute Myeloid Leukemia", "Hepatocellular Carcinoma",
        "Renal Cell Carcinoma", "Bladder Cancer", "Gastric Cancer", "Head and Neck Squamous Cell Carcinoma",
        "Thyroid Cancer", "Sjögren's syndrome-associated lymphoma", "Non-Small Cell Lung Cancer", "Endometrial Cancer",
    ]
    /// Products of protein-coding transcripts (`product_type`).
    static let proteinProducts = [
        "protein", "enzyme", "receptor", "transcription factor", "kinase", "phosphatase", "transporter", "ion channel",
        "structural protein", "signaling molecule", "transcription regulator, nuclear", "G-protein coupled receptor",
        "protease", "chaperone", "adaptor protein", "cytokine",
    ]
    /// Products of the non-coding isoforms of protein-coding genes.
    static let isoformProducts = ["retained intron", "nonsense-mediated decay", "processed transcript"]
    /// Products of other transcripts.
    static let otherProducts = [
        "non-coding RNA", "long non-coding RNA", "small nuclear RNA", "small nucleolar RNA", "microRNA",
        "pseudogene product", "ribosomal RNA", "miscellaneous RNA",
    ]
    /// Genes that control PharmGKB reactions (the enzymes and transporters of drug metabolism).
    static let controllerGenes = [
        "CYP2D6", "CYP3A4", "CYP3A5", "CYP2C9", "CYP2C19", "CYP1A2", "UGT1A1", "ABCB1", "ABCG2", "SLC22A1", "SLCO1B1",
        "NAT2", "TPMT", "DPYD", "GSTP1", "SULT1A1", "FMO3", "ESR1", "ERBB2", "EGFR",
    ]
}
