import MediabaseBytes
/// One drug as a row of `drug_interactions` will hold it.
struct DrugRecord {
    var name: String?
    var source: String
    var sourceId: String?
    var mechanism: String?
    var actionType: String?
    var targetType: String?
    var indication: String?
    var maxPhase: Double?
    var attributesJSON: String?
}

/// A gene-to-drug link found in a `drugs` value.
struct DrugLink {
    var drug: DrugRecord
    /// The key of the drug in `drugs` and `drug_scores`, when it came from a keyed record.
    var key: String?
    var interactionType: String
    var evidenceType: String?
    var evidenceScore: Double?
    var pathwayId: String?
    var pmids: [String]
}

/// A PharmGKB pathway found in `pharmgkb_data.pathway_data` or the `pharmgkb_pathways` column.
struct PharmGKBPathway {
    var id: String
    var name: String?
    var type: String?
}

/// The drug/pathway split of docs/spec.md §4.1 applied to one `drugs` (or `pharmgkb_pathways`) value.
struct DrugSplit {
    var links: [DrugLink] = []
    var pathways: [PharmGKBPathway] = []
    /// `pharmgkb_data` keys other than `pathway_data`, as (field, JSON text), for `gene_extras`.
    var extras: [(field: String, json: String)] = []
    /// Why part of the value could not be used (a field-level reject), if so.
    var problems: [String] = []
}

/// Splits the corrupted `drugs` field into real drug records and PharmGKB pathway data.
enum DrugFieldSplitter {
    /// Splits a parsed `drugs` value of any JSON type.
    ///
    /// - An object: every key except `pharmgkb_data` is a drug record keyed by its id; the key's
    ///   shape gives the source (digits: DrugCentral, `CHEMBL…`: ChEMBL, `DB…`: DrugBank, anything
    ///   else: `unknown`). `pharmgkb_data` is split by ``splitPharmGKB(_:into:)``.
    /// - An array: drug names (strings), or records (objects with a `name`).
    /// - A string: a JSON document encoded twice is decoded once more; otherwise the string is
    ///   one drug name.
    /// - A number or boolean: nothing usable; reported as a problem (a field-level reject).
    static func split(_ value: JSONValue, decodedTwice: Bool = false) -> DrugSplit {
        var result = DrugSplit()
        switch value {
        case let .object(members):
            for (key, record) in members {
                if key == "pharmgkb_data" {
                    splitPharmGKB(record, into: &result)
                } else {
                    result.links.append(keyedRecord(key: key, record))
                }
            }
        case let .array(elements):
            for element in elements {
                switch element {
                case let .string(name) where !name.trimmingWhitespace.isEmpty:
                    result.links.append(namedDrug(name.trimmingWhitespace, source: "unknown"))
                case .object:
                    var link = keyedRecord(key: nil, element)
                    link.drug.source = "unknown"
                    if link.drug.name != nil { result.links.append(link) } else { result.problems.append("an array element of drugs is an object without a name") }
                case .null:
                    continue
                default:
                    result.problems.append("an array element of drugs is a JSON \(element.type.rawValue), not a drug name")
                }
            }
        case let .string(text):
            if !decodedTwice, let inner = try? JSON.parse(text), inner.type == .object || inner.type == .array {
                return split(inner, decodedTwice: true)
            }
            let name = text.trimmingWhitespace
            if !name.isEmpty { result.links.append(namedDrug(name, source: "unknown")) }
        case .null:
            break
        case .number, .bool:
            result.problems.append("drugs is a JSON \(value.type.rawValue), not an object, array or string")
        }
        return result
    }

    /// The source database a drug key's shape names.
    static func source(forKey key: String) -> String {
        if !key.isEmpty, key.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return "DrugCentral" }
        let upper = key.uppercased()
        if upper.hasPrefix("CHEMBL") { return "ChEMBL" }
        if upper.hasPrefix("DB"), upper.dropFirst(2).allSatisfy(\.isNumber), upper.count > 2 { return "DrugBank" }
        return "unknown"
    }

    private static func namedDrug(_ name: String, source: String) -> DrugLink {
        DrugLink(drug: DrugRecord(name: name, source: source), key: nil, interactionType: "drug_target", pmids: [])
    }

    private static func keyedRecord(key: String?, _ record: JSONValue) -> DrugLink {
        let trimmedKey = key?.trimmingWhitespace
        var drug = DrugRecord(source: trimmedKey.map(source(forKey:)) ?? "unknown", sourceId: trimmedKey)
        var link = DrugLink(drug: drug, key: trimmedKey, interactionType: "drug_target", pmids: [])
        switch record {
        case let .string(name):
            drug.name = name.trimmingWhitespace.isEmpty ? nil : name.trimmingWhitespace
        case .object:
            drug.name = text(record, "name", "drug_name", "pref_name")
            drug.mechanism = text(record, "mechanism", "mechanism_of_action")
            drug.actionType = text(record, "action_type")
            drug.targetType = text(record, "target_type")
            drug.indication = text(record, "indication")
            drug.maxPhase = record["max_phase"]?.doubleValue
            drug.attributesJSON = record.serialized()
            if let evidence = record["evidence"] {
                if case .object = evidence {
                    link.evidenceType = text(evidence, "type")
                    link.evidenceScore = evidence["score"]?.doubleValue
                } else {
                    link.evidenceType = text(record, "evidence")
                }
            }
            link.pmids = identifiers(record["pmids"])
        default:
            drug.attributesJSON = record.serialized()
        }
        link.drug = drug
        return link
    }

    /// Splits `pharmgkb_data`: `pathway_data` gives pathways and PharmGKB drug links; every other
    /// key goes to `gene_extras` verbatim as `pharmgkb_data.<key>`.
    static func splitPharmGKB(_ data: JSONValue, into result: inout DrugSplit) {
        guard case let .object(members) = data else {
            result.extras.append(("pharmgkb_data", data.serialized()))
            return
        }
        for (key, value) in members {
            if key == "pathway_data" {
                splitPathways(value, into: &result)
            } else {
                result.extras.append(("pharmgkb_data.\(key)", value.serialized()))
            }
        }
    }

    /// PharmGKB pathway objects keyed by pathway id (`PA145011113`), as in `pathway_data` and the
    /// `pharmgkb_pathways` column; also accepts an array of objects carrying their id, or an
    /// object wrapping them in `pathway_data`.
    static func splitPathways(_ value: JSONValue, into result: inout DrugSplit) {
        switch value {
        case let .object(members):
            if let inner = value["pathway_data"] {
                splitPathways(inner, into: &result)
                for (key, other) in members where key != "pathway_data" {
                    result.extras.append(("pharmgkb_pathways.\(key)", other.serialized()))
                }
                return
            }
            for (id, pathway) in members {
                addPathway(id: id, pathway, into: &result)
            }
        case let .array(elements):
            for element in elements {
                if let id = text(element, "pathway_id", "id", "pharmgkb_id") {
                    addPathway(id: id, element, into: &result)
                } else {
                    result.problems.append("a PharmGKB pathway without an id")
                }
            }
        case .null:
            break
        default:
            result.problems.append("PharmGKB pathway data is a JSON \(value.type.rawValue), not an object")
        }
    }

    private static func addPathway(id rawId: String, _ pathway: JSONValue, into result: inout DrugSplit) {
        let id = rawId.trimmingWhitespace
        guard !id.isEmpty else { return }
        result.pathways.append(PharmGKBPathway(id: id, name: text(pathway, "pathway_name", "name"), type: text(pathway, "pathway_type", "type")))
        // One link per (drug, pathway), with the pmids of every reaction that names the drug.
        var order: [String] = []
        var links: [String: DrugLink] = [:]
        for reaction in pathway["reactions"]?.arrayValue ?? [] {
            let pmids = identifiers(reaction["pmids"])
            for drug in reaction["drugs"]?.arrayValue ?? [] {
                guard let name = drug.stringValue?.trimmingWhitespace, !name.isEmpty else { continue }
                let folded = name.lowercased()
                if links[folded] == nil {
                    order.append(folded)
                    links[folded] = DrugLink(
                        drug: DrugRecord(name: name, source: "PharmGKB"), key: nil,
                        interactionType: "pharmgkb_pathway", pathwayId: id, pmids: [])
                }
                for pmid in pmids where !links[folded]!.pmids.contains(pmid) { links[folded]!.pmids.append(pmid) }
            }
        }
        result.links.append(contentsOf: order.map { links[$0]! })
    }

    /// A member's value as trimmed text: strings as they are, numbers as written; nil otherwise.
    static func text(_ value: JSONValue, _ key: String) -> String? {
        switch value[key] {
        case let .string(text)?:
            let trimmed = text.trimmingWhitespace
            return trimmed.isEmpty ? nil : trimmed
        case let .number(number)?:
            return number
        default:
            return nil
        }
    }

    /// The first of the keys with text (no variadic list: it cost an array per call, and the
    /// publications ask five times per item).
    static func text(_ value: JSONValue, _ first: String, _ second: String) -> String? {
        text(value, first) ?? text(value, second)
    }

    static func text(_ value: JSONValue, _ first: String, _ second: String, _ third: String) -> String? {
        text(value, first) ?? text(value, second) ?? text(value, third)
    }

    /// A list of identifiers (pmids): strings and numbers from an array, or a single one.
    static func identifiers(_ value: JSONValue?) -> [String] {
        switch value {
        case let .array(elements)?:
            return elements.compactMap { element in
                switch element {
                case let .string(text): return text.trimmingWhitespace.isEmpty ? nil : text.trimmingWhitespace
                case let .number(number): return number
                default: return nil
                }
            }
        case let .string(text)?: return text.trimmingWhitespace.isEmpty ? [] : [text.trimmingWhitespace]
        case let .number(number)?: return [number]
        default: return []
        }
    }
}

/// The split of ``DrugFieldSplitter`` read from a ``JSONTape`` instead of a ``JSONValue`` tree:
/// the same rules step by step (TapeAndTreeTests holds both to the same results), without the
/// tree's strings and arrays for the parts that are only passed over.
extension DrugFieldSplitter {
    /// ``split(_:decodedTwice:)`` of the tape's document, or nil for a string document (it may
    /// hold JSON encoded twice), which the tree reads.
    static func split(_ tape: JSONTape, _ bytes: Span<UInt8>) -> DrugSplit? {
        var result = DrugSplit()
        let root = tape.nodes[0]
        switch root.type {
        case .object:
            var child = 1
            while child < root.next {
                let value = child + 1
                if tape.keyEquals(child, "pharmgkb_data", in: bytes) {
                    splitPharmGKB(tape, value, bytes, into: &result)
                } else {
                    result.links.append(keyedRecord(tape, key: tape.string(child, in: bytes), value, bytes))
                }
                child = tape.nodes[value].next
            }
        case .array:
            var element = 1
            while element < root.next {
                let node = tape.nodes[element]
                switch node.type {
                case .string:
                    let name = tape.string(element, in: bytes).trimmingWhitespace
                    if !name.isEmpty { result.links.append(namedDrug(name, source: "unknown")) } else {
                        result.problems.append("an array element of drugs is a JSON string, not a drug name")
                    }
                case .object:
                    var link = keyedRecord(tape, key: nil, element, bytes)
                    link.drug.source = "unknown"
                    if link.drug.name != nil { result.links.append(link) } else { result.problems.append("an array element of drugs is an object without a name") }
                case .null:
                    break
                default:
                    result.problems.append("an array element of drugs is a JSON \(node.type.rawValue), not a drug name")
                }
                element = node.next
            }
        case .string:
            return nil
        case .null:
            break
        case .number, .bool:
            result.problems.append("drugs is a JSON \(root.type.rawValue), not an object, array or string")
        }
        return result
    }

    private static func keyedRecord(_ tape: JSONTape, key: String?, _ record: Int, _ bytes: Span<UInt8>) -> DrugLink {
        let trimmedKey = key?.trimmingWhitespace
        var drug = DrugRecord(source: trimmedKey.map(source(forKey:)) ?? "unknown", sourceId: trimmedKey)
        var link = DrugLink(drug: drug, key: trimmedKey, interactionType: "drug_target", pmids: [])
        switch tape.nodes[record].type {
        case .string:
            let name = tape.string(record, in: bytes).trimmingWhitespace
            drug.name = name.isEmpty ? nil : name
        case .object:
            drug.name = text(tape, record, "name", bytes) ?? text(tape, record, "drug_name", bytes) ?? text(tape, record, "pref_name", bytes)
            drug.mechanism = text(tape, record, "mechanism", bytes) ?? text(tape, record, "mechanism_of_action", bytes)
            drug.actionType = text(tape, record, "action_type", bytes)
            drug.targetType = text(tape, record, "target_type", bytes)
            drug.indication = text(tape, record, "indication", bytes)
            drug.maxPhase = tape.member(record, "max_phase", in: bytes).flatMap { doubleValue(tape, $0, bytes) }
            drug.attributesJSON = tape.serialized(record, in: bytes)
            if let evidence = tape.member(record, "evidence", in: bytes) {
                if tape.nodes[evidence].type == .object {
                    link.evidenceType = text(tape, evidence, "type", bytes)
                    link.evidenceScore = tape.member(evidence, "score", in: bytes).flatMap { doubleValue(tape, $0, bytes) }
                } else {
                    link.evidenceType = text(tape, record, "evidence", bytes)
                }
            }
            link.pmids = identifiers(tape, tape.member(record, "pmids", in: bytes), bytes)
        default:
            drug.attributesJSON = tape.serialized(record, in: bytes)
        }
        link.drug = drug
        return link
    }

    /// ``splitPharmGKB(_:into:)`` of the value `data` of the tape.
    private static func splitPharmGKB(_ tape: JSONTape, _ data: Int, _ bytes: Span<UInt8>, into result: inout DrugSplit) {
        guard tape.nodes[data].type == .object else {
            result.extras.append(("pharmgkb_data", tape.serialized(data, in: bytes)))
            return
        }
        var child = data + 1
        while child < tape.nodes[data].next {
            let value = child + 1
            if tape.keyEquals(child, "pathway_data", in: bytes) {
                splitPathways(tape, value, bytes, into: &result)
            } else {
                result.extras.append(("pharmgkb_data.\(tape.string(child, in: bytes))", tape.serialized(value, in: bytes)))
            }
            child = tape.nodes[value].next
        }
    }

    /// ``splitPathways(_:into:)`` of the value `index` of the tape.
    static func splitPathways(_ tape: JSONTape, _ index: Int, _ bytes: Span<UInt8>, into result: inout DrugSplit) {
        let node = tape.nodes[index]
        switch node.type {
        case .object:
            if let inner = tape.member(index, "pathway_data", in: bytes) {
                splitPathways(tape, inner, bytes, into: &result)
                var child = index + 1
                while child < node.next {
                    let value = child + 1
                    if !tape.keyEquals(child, "pathway_data", in: bytes) {
                        result.extras.append(("pharmgkb_pathways.\(tape.string(child, in: bytes))", tape.serialized(value, in: bytes)))
                    }
                    child = tape.nodes[value].next
                }
                return
            }
            var child = index + 1
            while child < node.next {
                let value = child + 1
                addPathway(tape, id: tape.string(child, in: bytes), value, bytes, into: &result)
                child = tape.nodes[value].next
            }
        case .array:
            var element = index + 1
            while element < node.next {
                let id = text(tape, element, "pathway_id", bytes) ?? text(tape, element, "id", bytes) ?? text(tape, element, "pharmgkb_id", bytes)
                if let id {
                    addPathway(tape, id: id, element, bytes, into: &result)
                } else {
                    result.problems.append("a PharmGKB pathway without an id")
                }
                element = tape.nodes[element].next
            }
        case .null:
            break
        default:
            result.problems.append("PharmGKB pathway data is a JSON \(node.type.rawValue), not an object")
        }
    }

    private static func addPathway(_ tape: JSONTape, id rawId: String, _ pathway: Int, _ bytes: Span<UInt8>, into result: inout DrugSplit) {
        let id = rawId.trimmingWhitespace
        guard !id.isEmpty else { return }
        result.pathways.append(PharmGKBPathway(
            id: id, name: text(tape, pathway, "pathway_name", bytes) ?? text(tape, pathway, "name", bytes),
            type: text(tape, pathway, "pathway_type", bytes) ?? text(tape, pathway, "type", bytes)))
        // One link per (drug, pathway), with the pmids of every reaction that names the drug: the
        // links go straight to the result, in order of first mention, found again by folded name.
        guard let reactions = tape.member(pathway, "reactions", in: bytes), tape.nodes[reactions].type == .array else { return }
        var linkIndex: [String: Int] = [:]
        var reaction = reactions + 1
        while reaction < tape.nodes[reactions].next {
            defer { reaction = tape.nodes[reaction].next }
            guard let drugs = tape.member(reaction, "drugs", in: bytes), tape.nodes[drugs].type == .array, drugs + 1 < tape.nodes[drugs].next else { continue }
            let pmids = identifiers(tape, tape.member(reaction, "pmids", in: bytes), bytes)
            var drug = drugs + 1
            while drug < tape.nodes[drugs].next {
                defer { drug = tape.nodes[drug].next }
                guard tape.nodes[drug].type == .string else { continue }
                let name = tape.string(drug, in: bytes).trimmingWhitespace
                guard !name.isEmpty else { continue }
                let folded = name.lowercased()
                let index: Int
                if let known = linkIndex[folded] {
                    index = known
                } else {
                    index = result.links.count
                    linkIndex[folded] = index
                    result.links.append(DrugLink(
                        drug: DrugRecord(name: name, source: "PharmGKB"), key: nil,
                        interactionType: "pharmgkb_pathway", pathwayId: id, pmids: []))
                }
                for pmid in pmids where !result.links[index].pmids.contains(pmid) { result.links[index].pmids.append(pmid) }
            }
        }
    }

    /// ``text(_:_:)`` of the member `key` of the value `index` of the tape.
    static func text(_ tape: JSONTape, _ index: Int, _ key: StaticString, _ bytes: Span<UInt8>) -> String? {
        guard let member = tape.member(index, key, in: bytes) else { return nil }
        switch tape.nodes[member].type {
        case .string:
            let trimmed = tape.string(member, in: bytes).trimmingWhitespace
            return trimmed.isEmpty ? nil : trimmed
        case .number:
            return tape.string(member, in: bytes)
        default:
            return nil
        }
    }

    /// ``JSONValue/doubleValue`` of the value `index` of the tape.
    static func doubleValue(_ tape: JSONTape, _ index: Int, _ bytes: Span<UInt8>) -> Double? {
        switch tape.nodes[index].type {
        case .number: return Double(tape.string(index, in: bytes))
        case .string: return JSONValue.string(tape.string(index, in: bytes)).doubleValue
        default: return nil
        }
    }

    /// ``identifiers(_:)`` of the value `index` of the tape.
    static func identifiers(_ tape: JSONTape, _ index: Int?, _ bytes: Span<UInt8>) -> [String] {
        guard let index else { return [] }
        let node = tape.nodes[index]
        switch node.type {
        case .array:
            var result: [String] = []
            var element = index + 1
            while element < node.next {
                switch tape.nodes[element].type {
                case .string:
                    let trimmed = tape.string(element, in: bytes).trimmingWhitespace
                    if !trimmed.isEmpty { result.append(trimmed) }
                case .number:
                    result.append(tape.string(element, in: bytes))
                default:
                    break
                }
                element = tape.nodes[element].next
            }
            return result
        case .string:
            let trimmed = tape.string(index, in: bytes).trimmingWhitespace
            return trimmed.isEmpty ? [] : [trimmed]
        case .number:
            return [tape.string(index, in: bytes)]
        default:
            return []
        }
    }
}
