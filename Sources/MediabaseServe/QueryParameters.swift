import Foundation
import MediabaseModel

/// The decoded query string of a request: `application/x-www-form-urlencoded` rules, as
/// Python's `requests` and `urllib.parse.urlencode` write them (`+` is a space, `%2C` a comma).
///
///     let query = try QueryParameters("gene_symbols=ERBB2%2CEGFR&fold_change_min=4.0")
///     query.last("fold_change_min")    // "4.0"
struct QueryParameters {
    /// Every value of each name, in the order given.
    private var values: [String: [String]] = [:]

    init(_ query: String?) throws {
        guard let query, !query.isEmpty else { return }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.decode(parts[0])
            let value = parts.count > 1 ? try Self.decode(parts[1]) : ""
            values[name, default: []].append(value)
        }
    }

    /// The last value given for `name` (a repeated scalar parameter: the last one wins, as in
    /// FastAPI).
    func last(_ name: String) -> String? { values[name]?.last }

    /// Every item of a comma-separated list parameter, over all its repetitions; items are
    /// trimmed and empty items dropped. Nil when the parameter is absent.
    func list(_ name: String) -> [String]? {
        guard let given = values[name] else { return nil }
        return given.flatMap { Self.splitList($0) }
    }

    static func splitList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Percent-decoding with `+` as space; a malformed escape or bytes that are not UTF-8 are
    /// a 400, not a guess.
    private static func decode(_ text: Substring) throws -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw APIError.badRequest("malformed percent-escape in the query string near \(APIError.shown(String(text)))")
                }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw APIError.badRequest("the query string is not UTF-8 once percent-decoded")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// The validated parameters of `/api/v1/transcripts` and `/api/v1/patients/compare` (docs/spec.md §10).
struct TranscriptFilter {
    var geneSymbols: [String]?
    var transcriptIds: [String]?
    /// Inclusive bounds; absent bounds are infinite (the core's own values, answered without a
    /// patient, are not checked to be positive).
    var minimum: Double = -.infinity
    var maximum: Double = .infinity
    var hasDrugs: Bool?
    var hasPathways: Bool?
    var limit = 100
    var offset = 0

    static let maximumLimit = 10_000

    /// Whether `/transcripts` lists named transcripts only (so the candidates are few).
    var namesTranscripts: Bool { geneSymbols != nil || transcriptIds != nil }

    func admits(_ value: Double) -> Bool { value >= minimum && value <= maximum }

    /// Reads the filter parameters; `body` holds the list fields of a JSON body, merged with
    /// the query's (a name given in either place counts).
    init(query: QueryParameters, body: RequestBodyFields) throws {
        geneSymbols = Self.merged(query.list("gene_symbols"), body.geneSymbols)
        transcriptIds = Self.merged(query.list("transcript_ids"), body.transcriptIds)
        if let text = query.last("fold_change_min") { minimum = try Self.foldChange(text, name: "fold_change_min") }
        if let text = query.last("fold_change_max") { maximum = try Self.foldChange(text, name: "fold_change_max") }
        if let text = query.last("has_drugs") { hasDrugs = try Self.boolean(text, name: "has_drugs") }
        if let text = query.last("has_pathways") { hasPathways = try Self.boolean(text, name: "has_pathways") }
        if let text = query.last("limit") {
            guard let value = Self.integer(text), (1...Self.maximumLimit).contains(value) else {
                throw APIError.badRequest("limit must be an integer from 1 to \(Self.maximumLimit), not \(APIError.shown(text))")
            }
            limit = value
        }
        if let text = query.last("offset") {
            guard let value = Self.integer(text), value >= 0 else {
                throw APIError.badRequest("offset must be an integer ≥ 0, not \(APIError.shown(text))")
            }
            offset = value
        }
    }

    /// Lists from the query and the body together; empty means not given (an empty
    /// `gene_symbols=` does not filter).
    private static func merged(_ first: [String]?, _ second: [String]?) -> [String]? {
        let all = (first ?? []) + (second ?? [])
        return all.isEmpty ? nil : all
    }

    /// Decimal digits only: Swift's `Int("+5")` and `Double("0x10")` accept forms a client
    /// would not mean.
    private static func integer(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(text)
    }

    private static func foldChange(_ text: String, name: String) throws -> Double {
        let allowed = Set("0123456789.eE+-".utf8)
        guard !text.isEmpty, text.utf8.allSatisfy({ allowed.contains($0) }), let value = Double(text), value.isFinite, value >= 0 else {
            throw APIError.badRequest("\(name) must be a finite number ≥ 0, not \(APIError.shown(text))")
        }
        return value
    }

    /// The spellings FastAPI (pydantic) accepts for a boolean query parameter.
    private static func boolean(_ text: String, name: String) throws -> Bool {
        switch text.lowercased() {
        case "true", "1", "yes", "on", "t", "y": return true
        case "false", "0", "no", "off", "f", "n": return false
        default: throw APIError.badRequest("\(name) must be true or false, not \(APIError.shown(text))")
        }
    }
}

/// The patient ids a request names, checked by docs/spec.md §5.1's rule before any file is opened.
enum PatientIdParameter {
    static func parse(_ text: String, name: String) throws -> PatientId {
        if let problem = PatientId.problem(with: text) {
            throw APIError.badRequest("\(name) \(APIError.shown(text)) is not a patient id: \(problem) (a patient id matches ^[A-Za-z][A-Za-z0-9_]{0,62}$)")
        }
        return try PatientId(text, origin: name)
    }
}
