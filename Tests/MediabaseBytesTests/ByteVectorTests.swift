import XCTest
@testable import MediabaseBytes
@testable import MediabaseGenerate
import MediabaseTestSupport

/// The 16-bytes-at-a-time scans (``ByteVector``) against their scalar references: the word tests
/// they stand beside (``JSONScanner/skipPlainWords(_:from:end:)``, the SWAR attention bits),
/// ``UTF8Validation/sequenceLength(_:_:_:)`` byte by byte, and ``JSON/validate(_:)``: the same
/// results and the same offsets, for every length around the vector width and every position of
/// every byte the scans stop at.
final class ByteVectorTests: XCTestCase {
    /// Bytes a scan stops at or must pass over: structural and escape bytes, control bytes, the
    /// ends of ASCII and bytes ≥ 0x80.
    private static let specialBytes: [UInt8] = [
        0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x21, 0x22, 0x2C, 0x3A, 0x5B, 0x5C, 0x5D, 0x7B, 0x7D, 0x7E, 0x7F, 0x80, 0xA9, 0xBF,
        0xC2, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF,
    ]

    private func withBuffer<Result>(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>) -> Result) -> Result {
        // A buffer of at least one byte, so that an empty input has an address.
        let padded = bytes + [0]
        return padded.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    func testMasksAndFirstLaneMatchTheLanes() {
        var random = SplitMix64(seed: 0xB17E_0001)
        for _ in 0..<5_000 {
            var lanes = [UInt8](repeating: 0x61, count: 16)
            for _ in 0..<Int.random(in: 0...4, using: &random) { lanes[Int.random(in: 0..<16, using: &random)] = random.pick(Self.specialBytes) }
            withBuffer(lanes) { base in
                let vector = ByteVector.load(base, 0)
                for byte in Self.specialBytes + [0x61] {
                    let expected = (0..<16).reduce(UInt32(0)) { lanes[$1] == byte ? $0 | 1 << UInt32($1) : $0 }
                    let mask = ByteVector.equal(vector, byte)
                    XCTAssertEqual(ByteVector.isEmpty(mask), expected == 0)
                    if expected != 0 { XCTAssertEqual(ByteVector.firstLane(mask), expected.trailingZeroBitCount) }
                }
            }
        }
    }

    /// Each class test against the scalar word test it replaces, for every byte value in every lane.
    func testByteClassesMatchTheWordTests() {
        for lane in 0..<16 {
            for value in 0...255 {
                var lanes = [UInt8](repeating: 0x61, count: 16)
                lanes[lane] = UInt8(value)
                let word = UInt64(UInt8(value)) << UInt64((lane & 7) * 8) | Self.fill(except: lane & 7)
                withBuffer(lanes) { base in
                    let vector = ByteVector.load(base, 0)
                    let byte = UInt8(value)
                    XCTAssertEqual(!ByteVector.isEmpty(ByteVector.stringAttention(vector)), JSONScanner.attentionBits(word) != 0, "\(byte)")
                    XCTAssertEqual(!ByteVector.isEmpty(ByteVector.nonASCIIOrZero(vector)), UTF8Validation.nonASCIIOrZero(word) != 0, "\(byte)")
                    if !ByteVector.isEmpty(ByteVector.stringAttention(vector)) {
                        XCTAssertEqual(ByteVector.firstLane(ByteVector.stringAttention(vector)), lane)
                    }
                }
            }
        }
    }

    /// A word of `a` (0x61) bytes but for byte `index`, which is 0.
    private static func fill(except index: Int) -> UInt64 {
        0x6161_6161_6161_6161 & ~(0xFF << UInt64(index * 8))
    }

    func testSkipPlainAgreesWithTheWordSkipAtEveryPositionOfEveryLength() {
        for length in 0...200 {
            for start in [0, 1, 7] where start <= length {
                let plain = (0..<length).map { UInt8(0x41 + $0 % 26) }
                withBuffer(plain) { base in
                    // Without a byte to stop at: where the last whole word from `start` ends.
                    let expected = start + (length - start) / 8 * 8
                    XCTAssertEqual(JSONScanner.skipPlain(base, from: start, end: length), expected)
                    XCTAssertEqual(JSONScanner.skipPlainWords(base, from: start, end: length), expected)
                }
                for position in start..<length {
                    for byte: UInt8 in [0x22, 0x5C, 0x00, 0x0A, 0x1F, 0x80, 0xC3, 0xFF, 0x20, 0x7F] {
                        var bytes = plain
                        bytes[position] = byte
                        withBuffer(bytes) { base in
                            let stops = byte < 0x20 || byte >= 0x80 || byte == 0x22 || byte == 0x5C
                            let wholeWords = start + (length - start) / 8 * 8
                            let expected = stops && position < wholeWords ? position : wholeWords
                            XCTAssertEqual(JSONScanner.skipPlain(base, from: start, end: length), expected, "\(length) \(start) \(position) \(byte)")
                            XCTAssertEqual(JSONScanner.skipPlainWords(base, from: start, end: length), expected)
                        }
                    }
                }
            }
        }
    }

    /// ``UTF8Validation/firstInvalidOffset(_:)`` byte by byte: the scalar rule it applies after its
    /// ASCII fast paths.
    private func referenceInvalidOffset(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            var i = 0
            while i < buffer.count {
                let byte = buffer[i]
                if byte == 0 { return i }
                if byte < 0x80 {
                    i += 1
                    continue
                }
                let length = UTF8Validation.sequenceLength(buffer.baseAddress!, i, buffer.count)
                if length == 0 { return i }
                i += length
            }
            return nil
        }
    }

    func testUTF8CheckFindsEveryKindOfBadSequenceAtEveryPosition() {
        let sequences: [[UInt8]] = [
            [0x00], [0x80], [0xBF], [0xC0, 0xAF], [0xC1, 0xBF], [0xC3], [0xC3, 0x41], [0xE2, 0x82], [0xE0, 0x9F, 0x80], [0xED, 0xA0, 0x80],
            [0xF0, 0x8F, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xF0, 0x9F, 0x98],
            // Valid sequences the check must pass over.
            [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xED, 0x9F, 0xBF], [0xF0, 0x9F, 0x98, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0x7F], [0x01],
        ]
        for length in 0...200 {
            let plain = (0..<length).map { UInt8(0x30 + $0 % 40) }
            XCTAssertNil(UTF8Validation.firstInvalidOffset(plain.span))
            for position in 0..<length {
                for sequence in sequences {
                    var bytes = plain
                    bytes.replaceSubrange(position..<min(length, position + sequence.count), with: sequence)
                    XCTAssertEqual(UTF8Validation.firstInvalidOffset(bytes.span), referenceInvalidOffset(bytes), "\(length) \(position) \(sequence)")
                }
            }
        }
    }

    /// Long JSON strings with one byte changed at every position: the quick check against the full
    /// validator, and the validator's error offsets where the byte must be refused.
    func testJSONStringsWithASpecialByteAtEveryPosition() {
        for length in 0...120 {
            let text = (0..<length).map { UInt8(0x61 + $0 % 26) }
            let prefix = Array(#"{"key": ["#.utf8) + [ASCII.quote]
            let document = prefix + text + Array("\"], \"n\": 1}".utf8)
            XCTAssertEqual(JSON.quickType(document.span), .object)
            for position in 0..<length {
                for replacement: [UInt8] in [[0x01], [0x1F], [0x0A], [0x80], [0xC3], [0xFF], [0xC3, 0xA9], [0x5C, 0x6E], [0x5C, 0x78], [0x22]] {
                    var bytes = text
                    bytes.replaceSubrange(position..<min(length, position + replacement.count), with: replacement)
                    let candidate = prefix + bytes + Array("\"], \"n\": 1}".utf8)
                    let quick = JSON.quickType(candidate.span)
                    let offset = prefix.count + position
                    do {
                        let type = try JSON.validate(candidate.span)
                        XCTAssertEqual(quick, type, "\(length) \(position) \(replacement)")
                    } catch let error as DecodeError {
                        XCTAssertNil(quick, "\(length) \(position) \(replacement)")
                        if replacement.count == 1, replacement[0] != 0x22 {
                            XCTAssertEqual(error.offset, offset, "\(length) \(position) \(replacement)")
                        }
                        if replacement == [0x5C, 0x78] { XCTAssertEqual(error.offset, offset + 1) }
                    } catch {
                        XCTFail("\(error)")
                    }
                }
            }
        }
    }
}
