import Foundation
import MediabaseBytes

/// Writes row- and field-level rejects as JSON lines and counts them by reason.
///
/// Each line: `{"reason": …, "detail": …, "table": …, "line": …, "byte_offset": …, "field": …,
/// "raw": …}`; `raw` is the row as it appeared in the input (`raw_base64` instead when it is not
/// valid UTF-8). Members given as `context` (say the patient and file) come first on every line.
/// With `--max-rejects N` the N+1st reject stops the run.
package final class RejectLog {
    private let handle: FileHandle?
    /// Where the rejects go, nil for a dry run.
    package let path: String?
    private let maxRejects: Int?
    private let input: String
    /// `"key":"value",` for each context member, ready to follow the opening brace.
    private let contextMembers: [UInt8]
    private var buffer: [UInt8] = []
    /// Rejects so far, by reason.
    package private(set) var countsByReason: [String: Int] = [:]
    package private(set) var total = 0

    /// - Parameters:
    ///   - path: the rejects file (created or truncated); nil to only count.
    ///   - maxRejects: stop after this many rejects (0: the first reject is fatal); nil: no limit.
    ///   - input: the file the rejects come from, named when too many rejects stop the run.
    ///   - context: members written at the start of every line, in this order.
    package init(path: String?, maxRejects: Int?, input: String, context: KeyValuePairs<String, String> = [:]) throws {
        self.path = path
        self.input = input
        self.maxRejects = maxRejects
        var members: [UInt8] = []
        for (key, value) in context {
            JSON.appendString(key.utf8.span, to: &members)
            members.append(UInt8(ascii: ":"))
            JSON.appendString(value.utf8.span, to: &members)
            members.append(UInt8(ascii: ","))
        }
        contextMembers = members
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                let folder = (path as NSString).deletingLastPathComponent
                let reason = FileKind.whyNotWritable(folder.isEmpty ? "." : folder).map { ": \($0)" } ?? ""
                throw MediabaseError.io(path: path, message: "cannot create the rejects file\(reason)")
            }
            self.handle = handle
        } else {
            handle = nil
        }
    }

    /// Records one reject.
    package func reject(
        reason: String, detail: String, table: String, line: Int?, byteOffset: Int64?, field: String? = nil,
        raw: Span<UInt8>?
    ) throws {
        total += 1
        countsByReason[reason, default: 0] += 1
        if handle != nil {
            var out: [UInt8] = [UInt8(ascii: "{")]
            out.append(contentsOf: contextMembers)
            out.append(contentsOf: "\"reason\":".utf8)
            appendJSONString(reason, to: &out)
            out.append(contentsOf: ",\"detail\":".utf8)
            appendJSONString(detail, to: &out)
            out.append(contentsOf: ",\"table\":".utf8)
            appendJSONString(table, to: &out)
            if let line { out.append(contentsOf: ",\"line\":\(line)".utf8) }
            if let byteOffset { out.append(contentsOf: ",\"byte_offset\":\(byteOffset)".utf8) }
            if let field {
                out.append(contentsOf: ",\"field\":".utf8)
                appendJSONString(field, to: &out)
            }
            if let raw {
                if UTF8Validation.firstInvalidOffset(raw) == nil {
                    out.append(contentsOf: ",\"raw\":".utf8)
                    JSON.appendString(raw, to: &out)
                } else {
                    out.append(contentsOf: ",\"raw_base64\":\"".utf8)
                    out.append(contentsOf: Data([UInt8](raw)).base64EncodedString().utf8)
                    out.append(0x22)
                }
            }
            out.append(contentsOf: "}\n".utf8)
            buffer.append(contentsOf: out)
            if buffer.count > 1 << 20 { try flush() }
        }
        if let maxRejects, total > maxRejects {
            try flush()
            throw MediabaseError.tooManyRejects(SourceLocation(file: input, table: table, line: line, byteOffset: byteOffset),
                                                count: total, limit: maxRejects, last: "\(reason): \(detail)")
        }
    }

    private func appendJSONString(_ text: String, to out: inout [UInt8]) {
        JSON.appendString(text.utf8.span, to: &out)
    }

    /// Writes buffered lines to the file.
    package func flush() throws {
        guard let handle, !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    package func close() throws {
        try flush()
        try handle?.close()
    }
}
