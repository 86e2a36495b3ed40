import Foundation
import MediabaseBytes
import MediabaseModel
/// Results of checks already made, by content: the legacy table repeats each gene's values in
/// every transcript row, and values recur across genes. Each map is cleared when large, to keep
/// memory bounded whatever the input.
final class CheckedValueCache {
    /// JSON type of each valid JSON value (``types`` index + 1).
    private var json = FlatHashTable()
    /// Valid array literals.
    private var arrays = FlatHashTable()
    /// For each valid `drugs` object, whether it holds `pharmgkb_data` (2) or not (1).
    private var drugsWithPharmgkb = FlatHashTable()

    static let limit = 200_000
    /// Values shorter than this are validated again rather than hashed and looked up.
    static let minimumLength = 128
    private static let types: [JSONValueType] = [.object, .array, .string, .number, .bool, .null]

    func jsonType(_ key: ContentHash) -> JSONValueType? {
        json[key].map { Self.types[Int($0) - 1] }
    }

    func remember(_ type: JSONValueType, key: ContentHash) {
        if json.count >= Self.limit { json.removeAll() }
        json.insert(key, value: UInt8(Self.types.firstIndex(of: type)! + 1))
    }

    func isValidArray(_ key: ContentHash) -> Bool { arrays[key] != nil }

    func rememberValidArray(_ key: ContentHash) {
        if arrays.count >= Self.limit { arrays.removeAll() }
        arrays.insert(key)
    }

    func holdsPharmgkb(_ key: ContentHash) -> Bool? { drugsWithPharmgkb[key].map { $0 == 2 } }

    func remember(pharmgkb: Bool, key: ContentHash) {
        if drugsWithPharmgkb.count >= Self.limit { drugsWithPharmgkb.removeAll() }
        drugsWithPharmgkb.insert(key, value: pharmgkb ? 2 : 1)
    }
}

/// The results of checking long values, shared by the threads that read one table: a long value
/// (the fat rows' GO terms, hundreds of KB, repeated in each transcript row of a gene scattered
/// over the table) is then validated once, not once per thread. Shorter values use each thread's
/// own ``CheckedValueCache``, looked up too often to take a lock each time.
final class SharedCheckedValueCache: @unchecked Sendable {
    /// Values this long or longer are looked up here.
    static let minimumLength = 4096

    private let lock = NSLock()
    private let cache = CheckedValueCache()

    /// Runs `body` on the cache, holding the lock.
    func locked<Result>(_ body: (CheckedValueCache) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(cache)
    }
}

/// What checking a valid value found that counts toward the report. Kept with the value, so the
/// same bytes in the next row count the same without being checked again.
struct ValueFacts: Equatable {
    /// The JSON type, when it is not the one the legacy column should hold.
    var unexpectedType: JSONValueType?
    /// A `drugs` value that is a JSON string whose content is itself JSON.
    var twiceEncoded = false
    /// A `drugs` object that holds the misplaced `pharmgkb_data` key (docs/spec.md §3.2).
    var pharmgkb = false

    var isEmpty: Bool { unexpectedType == nil && !pharmgkb }
}

/// The outcome of checking one decoded value against its column's type.
enum ValueVerdict {
    case valid(ValueFacts)
    /// Not valid: `offset` is the byte of the value where it went wrong.
    case invalid(offset: Int, expected: String)
}

/// Checks decoded values against the types of one table's columns: UTF-8 without NUL for every
/// value, then JSON or array-literal syntax where the column says so.
struct ValueChecker {
    private enum ColumnCheck {
        case text
        case json(expected: JSONValueType?)
        case array
    }

    private let checks: [ColumnCheck]
    private let drugsIndex: Int?
    /// Columns named `drugs` (the first is ``drugsIndex``).
    private let isDrugs: [Bool]
    private let cache: CheckedValueCache
    private let shared: SharedCheckedValueCache

    /// `cache` is this thread's own; `shared` is common to the threads reading the table.
    init(table: TableSchema, cache: CheckedValueCache, shared: SharedCheckedValueCache) {
        let isLegacy = LegacyColumns.isLegacy(table)
        checks = table.columns.map { column in
            let type = column.type?.lowercased() ?? ""
            if type.hasSuffix("]") { return .array }
            if type == "jsonb" || type == "json" {
                return .json(expected: isLegacy ? LegacyColumns.all.first { $0.name == column.name }?.json : nil)
            }
            if type.isEmpty, isLegacy, let known = LegacyColumns.all.first(where: { $0.name == column.name }), known.json != nil {
                return .json(expected: known.json)
            }
            return .text
        }
        drugsIndex = isLegacy ? table.columnIndex("drugs") : nil
        isDrugs = table.columns.map { $0.name == "drugs" }
        self.cache = cache
        self.shared = shared
    }

    /// Checks `field`, the decoded value of column `column`. Without `threadCache`, only values
    /// long enough for the shared cache are looked up (a caller that remembers the column's values
    /// in its own way).
    func check(_ field: Span<UInt8>, column: Int, threadCache: Bool = true) throws -> ValueVerdict {
        let cachedLength = threadCache ? CheckedValueCache.minimumLength : SharedCheckedValueCache.minimumLength
        switch checks[column] {
        case .text:
            if let offset = UTF8Validation.firstInvalidOffset(field) { return Self.invalidText(offset) }
            return .valid(ValueFacts())
        case let .json(expected):
            // Valid JSON is valid UTF-8 without NUL (strings refuse raw control bytes and are
            // checked as UTF-8; nothing else may be non-ASCII), so text is checked only to tell
            // which error an invalid value has.
            let key = field.count >= cachedLength ? ContentHash(field) : nil
            let type: JSONValueType
            var pharmgkb: Bool?
            if let key, let known = cached({ $0.jsonType(key) }, length: field.count) {
                type = known
            } else {
                if column == drugsIndex, let found = Self.objectHoldsPharmgkb(field) {
                    // Reading the members validates the object: one pass instead of two.
                    type = .object
                    pharmgkb = found
                } else if let quick = JSON.quickType(field) {
                    type = quick
                } else {
                    // Invalid, or left to the full validator: it gives the type or the error.
                    do {
                        type = try JSON.validate(field)
                    } catch let error as DecodeError {
                        if let offset = UTF8Validation.firstInvalidOffset(field) { return Self.invalidText(offset) }
                        return .invalid(offset: error.offset, expected: "JSON: \(error.expected)")
                    }
                }
                if let key {
                    let known = type
                    cached({ $0.remember(known, key: key) }, length: field.count)
                    if let pharmgkb { remember(pharmgkb, key: key, length: field.count) }
                }
            }
            var facts = ValueFacts()
            if let expected, type != expected {
                facts.unexpectedType = type
                if isDrugs[column], type == .string { facts.twiceEncoded = Self.isTwiceEncoded(field) }
            }
            if column == drugsIndex, type == .object { facts.pharmgkb = pharmgkb ?? holdsPharmgkb(field, key: key) }
            return .valid(facts)
        case .array:
            // Most arrays are short lists of plain text, checked in one pass.
            if ArrayLiteral.isPlainText(field) { return .valid(ValueFacts()) }
            if let offset = UTF8Validation.firstInvalidOffset(field) { return Self.invalidText(offset) }
            let key = field.count >= cachedLength ? ContentHash(field) : nil
            if let key, cached({ $0.isValidArray(key) }, length: field.count) { return .valid(ValueFacts()) }
            do {
                try ArrayLiteral.forEachElement(field) { _ in }
            } catch let error as DecodeError {
                return .invalid(offset: error.offset, expected: "an array literal: \(error.expected)")
            }
            if let key {
                cached({ $0.rememberValidArray(key) }, length: field.count)
            }
            return .valid(ValueFacts())
        }
    }

    /// Checks the raw COPY text field that starts at `start` of `line` in one pass when it is in
    /// the common form, without searching for its end first: no backslash (so the raw bytes are
    /// the value, not escaped nor NULL), and ASCII text, a plain array literal, or JSON shorter
    /// than ``CheckedValueCache/minimumLength`` (longer JSON is looked up in the caches before it
    /// is validated: in a column that `mayBeLong`, the field's end is searched for first, within
    /// that length). Gives where the value ends, which the caller must find to be a TAB or the
    /// line's end for the value to be the whole field, and what it found; nil when the field is
    /// not in that form. For a field that is, ``check(_:column:)`` gives the same verdict (valid)
    /// and facts.
    @inline(__always)
    func quickCheck(_ line: Span<UInt8>, from start: Int, column: Int, mayBeLong: Bool) -> (end: Int, facts: ValueFacts)? {
        switch checks[column] {
        case .text:
            return UTF8Validation.plainRawTextFieldEnd(line, from: start).map { ($0, ValueFacts()) }
        case .array:
            return ArrayLiteral.plainRawFieldEnd(line, from: start).map { ($0, ValueFacts()) }
        case let .json(expected):
            var limit = CheckedValueCache.minimumLength - 1
            if mayBeLong {
                let window = min(line.count, start + CheckedValueCache.minimumLength)
                if let tab = line.firstIndex(of: ASCII.tab, from: start, to: window) {
                    limit = tab - start
                } else if window < line.count {
                    return nil
                }
            }
            let isDrugsObject = column == drugsIndex
            guard let value = JSON.quickRawField(line, from: start, limit: limit, member: isDrugsObject ? "pharmgkb_data" : nil) else { return nil }
            var facts = ValueFacts()
            if let expected, value.type != expected {
                // Whether the string holds JSON is for the full check.
                if isDrugs[column], value.type == .string { return nil }
                facts.unexpectedType = value.type
            }
            if isDrugsObject, value.type == .object { facts.pharmgkb = value.holdsMember }
            return (value.end, facts)
        }
    }

    private static func invalidText(_ offset: Int) -> ValueVerdict {
        .invalid(offset: offset, expected: "valid UTF-8 text without NUL bytes")
    }

    /// Runs `body` on the cache for values of `length` bytes: the shared one for long values.
    @inline(__always) private func cached<Result>(_ body: (CheckedValueCache) -> Result, length: Int) -> Result {
        length >= SharedCheckedValueCache.minimumLength ? shared.locked(body) : body(cache)
    }

    /// Whether a valid `drugs` object holds `pharmgkb_data`.
    private func holdsPharmgkb(_ drugs: Span<UInt8>, key: ContentHash?) -> Bool {
        if let key, let known = cached({ $0.holdsPharmgkb(key) }, length: drugs.count) { return known }
        let found = Self.objectHoldsPharmgkb(drugs) ?? false
        if let key { remember(found, key: key, length: drugs.count) }
        return found
    }

    private func remember(_ pharmgkb: Bool, key: ContentHash, length: Int) {
        cached({ $0.remember(pharmgkb: pharmgkb, key: key) }, length: length)
    }

    /// Whether `value` is a JSON object holding `pharmgkb_data`; nil when it is not a valid object.
    private static func objectHoldsPharmgkb(_ value: Span<UInt8>) -> Bool? {
        if let found = JSON.quickObjectHoldsMember(value, named: "pharmgkb_data") { return found }
        var found = false
        do {
            try JSON.forEachMember(value) { name, _ in
                if name.equals("pharmgkb_data") { found = true }
            }
        } catch {
            return nil
        }
        return found
    }

    /// Whether a JSON string value holds, once decoded, valid JSON.
    private static func isTwiceEncoded(_ field: Span<UInt8>) -> Bool {
        var decoded: [UInt8] = []
        guard (try? JSON.decodeString(field, into: &decoded)) != nil else { return false }
        return (try? JSON.validate(decoded.span)) != nil
    }
}
