import Foundation
import MediabaseBytes
import MediabaseModel

/// A numeric field of a patient file, read with `strtod` semantics (Swift's `Double(_:)` is
/// `strtod` in the C locale): `9.2e-105`, subnormals such as `1.4e-322`, a leading `+`, `.5`.
package enum NumberField: Equatable, Sendable {
    /// Empty, or a missing-value marker R, Excel or pandas write: `NA`, `N/A`, `#N/A`, `NULL`,
    /// `None` (any case). Skipped without a reject.
    case missing
    /// Anything else that is not a finite number: text, `NaN`, `Inf`, a magnitude beyond
    /// `Double` (`1e400`). Skipped and logged as a reject.
    case nonNumeric
    case number(Double)

    private static let missingMarkers: Set<String> = ["na", "n/a", "#n/a", "null", "none"]

    /// Whether trimmed `text` is a missing-value marker (`NA`, `N/A`, `#N/A`, `NULL`, `None`, any
    /// case): what R writes for a missing symbol as much as for a missing number.
    package static func isMissingMarker(_ text: Span<UInt8>) -> Bool {
        guard text.count <= 4 else { return false }
        return missingMarkers.contains(String(utf8: text).lowercased())
    }

    /// Reads `bytes` (nil is a NULL field: missing). Surrounding white space is ignored.
    /// - Parameter decimalComma: whether a comma is the decimal mark (`2,5` in `;`-separated files).
    package static func parse(_ bytes: Span<UInt8>?, decimalComma: Bool) -> NumberField {
        guard let bytes else { return .missing }
        let text = Identifiers.trimmed(bytes)
        guard !text.isEmpty else { return .missing }
        var string = String(utf8: text)
        // Every number starts with a digit, a sign or a dot; only then is the text parsed.
        let first = text[0]
        guard (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) || first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".") else {
            return isMissingMarker(text) ? .missing : .nonNumeric
        }
        if decimalComma, text.firstIndex(of: UInt8(ascii: ".")) == nil, let comma = text.firstIndex(of: UInt8(ascii: ",")),
           text.firstIndex(of: UInt8(ascii: ","), from: comma + 1) == nil {
            string = string.replacingOccurrences(of: ",", with: ".")
        }
        guard let value = Double(string), value.isFinite else { return .nonNumeric }
        return .number(value)
    }
}
