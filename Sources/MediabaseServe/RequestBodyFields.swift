import Foundation

/// The JSON body of a GET, as the upstream server reads it: an object whose `gene_symbols` and
/// `transcript_ids` are a list of strings or one comma-separated string (docs/spec.md §10).
///
///     {"gene_symbols": ["ERBB2", "EGFR"], "transcript_ids": "ENST1,ENST2"}
///
/// An empty body is no fields. Anything else — not JSON, not an object, another field, a
/// number where names belong — is a 400 naming what was wrong, so a misspelt field is not
/// silently ignored.
struct RequestBodyFields {
    var geneSymbols: [String]?
    var transcriptIds: [String]?

    static let none = RequestBodyFields()

    private init() {}

    init(json bytes: [UInt8]) throws {
        guard bytes.contains(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }) else { return }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw APIError.badRequest("the request body is not valid JSON: \(Self.reason(error))")
        }
        guard let object = parsed as? [String: Any] else {
            throw APIError.badRequest("the request body must be a JSON object with gene_symbols and/or transcript_ids")
        }
        for (name, value) in object.sorted(by: { $0.key < $1.key }) {
            switch name {
            case "gene_symbols": geneSymbols = try Self.names(value, field: name)
            case "transcript_ids": transcriptIds = try Self.names(value, field: name)
            default:
                throw APIError.badRequest("unknown field \(APIError.shown(name)) in the JSON body: only gene_symbols and transcript_ids are read from it; other parameters go in the query string")
            }
        }
    }

    private static func names(_ value: Any, field: String) throws -> [String]? {
        if value is NSNull { return nil }
        if let text = value as? String { return QueryParameters.splitList(text) }
        if let items = value as? [Any] {
            return try items.flatMap { item -> [String] in
                guard let text = item as? String else {
                    throw APIError.badRequest("\(field) in the JSON body must hold strings only")
                }
                return QueryParameters.splitList(text)
            }
        }
        throw APIError.badRequest("\(field) in the JSON body must be a list of strings or a comma-separated string")
    }

    private static func reason(_ error: Error) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        return text ?? "cannot be parsed"
    }
}
