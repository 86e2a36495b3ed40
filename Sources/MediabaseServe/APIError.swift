/// A client error the API answers with `{"detail": ...}` (docs/spec.md §10): 400 for a bad parameter,
/// 404 for an unknown patient, transcript or path, 405, 413 for a body over the limit, 503 for
/// a query stopped at the time limit.
///
/// Everything a request can get wrong is one of these; nothing a client sends reaches the
/// generic 500 of the HTTP layer.
struct APIError: Error, Sendable {
    let status: Int
    let detail: String

    static func badRequest(_ detail: String) -> APIError { APIError(status: 400, detail: detail) }
    static func notFound(_ detail: String) -> APIError { APIError(status: 404, detail: detail) }

    /// 503: the request's queries ran past `--time-limit-ms` and were stopped.
    static func timedOut(_ limit: Duration) -> APIError {
        let (seconds, attoseconds) = limit.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        let shown = milliseconds == milliseconds.rounded() ? String(Int64(milliseconds)) : String(milliseconds)
        return APIError(status: 503, detail: "the query ran longer than the time limit of \(shown) ms (--time-limit-ms) and was stopped; ask for less (a smaller limit, narrower bounds, fewer patients)")
    }

    /// The error as the JSON body of its response.
    var body: [UInt8] {
        var json = JSONWriter()
        json.object { $0.field("detail", detail) }
        return json.bytes
    }

    /// A client-supplied value for a message: at most 80 characters, so a hostile megabyte is
    /// not echoed back whole (the JSON writer escapes what is kept).
    static func shown(_ text: String) -> String {
        text.count <= 80 ? "\"\(text)\"" : "\"\(text.prefix(80))\"… (\(text.utf8.count) bytes)"
    }
}
