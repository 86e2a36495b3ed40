import MediabaseBytes
/// Reads the primitives of a pg_dump archive — bytes, Int, Str, Offset — from a ``ByteStream``,
/// checking every read against the end of the input.
///
/// The encodings follow `ReadInt`, `ReadStr` and `ReadOffset` in PostgreSQL's
/// `src/bin/pg_dump/pg_backup_archiver.c`:
/// * Int: one sign byte (0 positive, 1 negative), then `intSize` magnitude bytes, little-endian.
/// * Str: an Int length, then that many bytes without a terminator; length −1 is NULL.
/// * Offset: one flag byte (`K_OFFSET_POS_NOT_SET` 1, `K_OFFSET_POS_SET` 2, `K_OFFSET_NO_DATA`
///   3), then `offSize` bytes, little-endian.
///
/// A corrupt length never causes a large allocation: strings are limited to what is left of the
/// file when its size is known, and to ``unknownSizeLimit`` otherwise. Running out of input is
/// reported as ``MediabaseError/malformedInput(_:expected:)`` with the offset of the primitive
/// that could not be read.
final class ArchiveInput: ByteStream {
    /// Longest string or chunk accepted when the input size is unknown (a pipe).
    static let unknownSizeLimit: Int64 = 1 << 30

    /// How errors name the input.
    let file: String
    /// Bytes per Int magnitude, from the header (`intSize`).
    var intSize = 4
    /// Bytes per file offset, from the header (`offSize`).
    var offSize = 8
    /// The table whose data is being read, named in errors.
    var table: String?

    private let reader: BufferedByteReader
    private let size: Int64?

    /// - Parameter size: total input size when known (a regular file), to bound lengths.
    init(stream: ByteStream, file: String, size: Int64?) {
        reader = BufferedByteReader(stream: stream)
        self.file = file
        self.size = size
    }

    /// Offset in the input of the next byte to be read.
    var offset: Int64 { reader.offset }

    /// The largest length a string or chunk starting here can have.
    var lengthLimit: Int64 {
        guard let size else { return Self.unknownSizeLimit }
        return max(0, size - offset)
    }

    /// Checks that a length just read at `at`, for something of `shape` (`a string`, `a chunk`),
    /// fits in the rest of the input.
    func checkLength(_ length: Int, at: Int64, _ what: () -> String, _ shape: String) throws {
        guard Int64(length) > lengthLimit else { return }
        if let size { throw truncated(at: at, what(), "\(shape) of \(length) bytes", endingAt: size) }
        throw malformed(at: at, "\(what()): \(shape) of at most \(Self.unknownSizeLimit) bytes, not \(length)")
    }

    /// An error at `offset` saying what should have been there.
    func malformed(at offset: Int64, _ expected: String) -> MediabaseError {
        .malformedInput(SourceLocation(file: file, table: table, byteOffset: offset), expected: expected)
    }

    /// Whether the input has no bytes left.
    func isAtEnd() throws -> Bool { try reader.isAtEnd() }

    /// The error for input that ends inside the primitive starting at `offset`.
    private func truncated(at offset: Int64, _ what: String, _ shape: String, endingAt end: Int64? = nil) -> MediabaseError {
        malformed(at: offset, "\(what) (\(shape)), but the input ends at byte \(end ?? self.offset)")
    }

    @inline(__always) private func nextByte() throws -> UInt8? { try reader.readByte() }

    /// Reads one byte; `what` names the field for the error if the input has ended.
    func readByte(_ what: @autoclosure () -> String) throws -> UInt8 {
        guard let byte = try nextByte() else { throw truncated(at: offset, what(), "1 byte") }
        return byte
    }

    /// Reads `count` little-endian bytes into a 64-bit value; bytes beyond the eighth must be 0.
    private func readLittleEndian(
        count: Int, at: Int64, _ what: () -> String, _ shape: () -> String
    ) throws -> UInt64? {
        var value: UInt64 = 0
        var fits = true
        for index in 0..<count {
            guard let byte = try nextByte() else { throw truncated(at: at, what(), shape()) }
            if index < 8 {
                value |= UInt64(byte) << (8 * UInt64(index))
            } else if byte != 0 {
                fits = false
            }
        }
        return fits ? value : nil
    }

    /// Reads an Int (sign byte and `intSize` magnitude bytes).
    func readInt(_ what: @autoclosure () -> String) throws -> Int {
        let at = offset
        let shape = { "an integer of \(1 + self.intSize) bytes" }
        guard let sign = try nextByte() else { throw truncated(at: at, what(), shape()) }
        guard sign <= 1 else { throw malformed(at: at, "\(what()): an integer whose sign byte is 0 or 1, not \(sign)") }
        guard let magnitude = try readLittleEndian(count: intSize, at: at, what, shape),
              magnitude <= UInt64(Int64.max)
        else { throw malformed(at: at, "\(what()): an integer that fits in 64 bits") }
        return sign == 0 ? Int(magnitude) : -Int(magnitude)
    }

    /// Reads a Str: nil for the NULL string (length −1), otherwise its bytes decoded as UTF-8
    /// (invalid sequences repaired; names and SQL in a non-UTF-8 dump are nearly always ASCII).
    func readString(_ what: @autoclosure () -> String) throws -> String? {
        let at = offset
        let length = try readInt(what())
        if length == -1 { return nil }
        guard length >= 0 else { throw malformed(at: at, "\(what()): a string length of -1 (NULL) or more, not \(length)") }
        try checkLength(length, at: at, what, "a string")
        var bytes = [UInt8]()
        bytes.reserveCapacity(length)
        while bytes.count < length {
            guard try reader.append(upTo: length - bytes.count, to: &bytes) > 0 else {
                throw truncated(at: at, what(), "a string of \(length) bytes")
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads an Offset (flag byte and `offSize` bytes).
    func readOffset(_ what: @autoclosure () -> String) throws -> ArchiveDataOffset {
        let at = offset
        let shape = { "a data offset of \(1 + self.offSize) bytes" }
        guard let flag = try nextByte() else { throw truncated(at: at, what(), shape()) }
        guard let position = try readLittleEndian(count: offSize, at: at, what, shape),
              position <= UInt64(Int64.max)
        else { throw malformed(at: at, "\(what()): a file offset that fits in 64 bits") }
        switch flag {
        case 1: return .notSet
        case 2: return .at(Int64(position))
        case 3: return .noData
        default:
            throw malformed(at: at, "\(what()): a data offset flag of 1 (not set), 2 (set) or 3 (no data), not \(flag)")
        }
    }

    /// Copies up to `destination.count` bytes, fewer at the end of input; 0 only at the end.
    func read(into destination: inout MutableSpan<UInt8>) throws -> Int { try reader.read(into: &destination) }

    /// Skips `count` bytes; `what` names them for the error if the input ends first.
    func skip(_ count: Int, _ what: @autoclosure () -> String) throws {
        let at = offset
        var remaining = count
        while remaining > 0 {
            let step = try reader.skip(upTo: remaining)
            guard step > 0 else { throw truncated(at: at, what(), "\(count) bytes") }
            remaining -= step
        }
    }
}
