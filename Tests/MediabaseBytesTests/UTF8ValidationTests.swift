import XCTest
@testable import MediabaseBytes
@testable import MediabaseGenerate
import MediabaseTestSupport

final class UTF8ValidationTests: XCTestCase {
    private func firstInvalid(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer(UTF8Validation.firstInvalidOffset)
    }

    func testAcceptsEmptyAndASCII() {
        XCTAssertNil(firstInvalid([]))
        XCTAssertNil(firstInvalid(Array("ENST00000269305\tTP53 chr17 {\"start\": 7661779}".utf8)))
        XCTAssertNil(firstInvalid([0x7F, 0x01, 0x20]))
    }

    func testAcceptsEveryEncodingLengthAtItsBoundaries() {
        let boundaries: [[UInt8]] = [
            [0xC2, 0x80], [0xDF, 0xBF],  // U+0080, U+07FF
            [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF],  // U+0800, U+D7FF
            [0xEE, 0x80, 0x80], [0xEF, 0xBF, 0xBF],  // U+E000, U+FFFF
            [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],  // U+10000, U+10FFFF
        ]
        for sequence in boundaries {
            XCTAssertNil(firstInvalid(sequence), "\(sequence)")
            XCTAssertNil(firstInvalid(Array("abcdefghij".utf8) + sequence + Array("klmnopqrst".utf8)), "\(sequence)")
        }
        XCTAssertNil(firstInvalid(Array("Größe 日本 😀 ñ".utf8)))
    }

    func testRefusesNULWhereverItIs() {
        XCTAssertEqual(firstInvalid([0]), 0)
        XCTAssertEqual(firstInvalid(Array("abc".utf8) + [0]), 3)
        // Inside the second 8-byte word, so the word-at-a-time path must notice it.
        XCTAssertEqual(firstInvalid(Array("0123456789a".utf8) + [0] + Array("bcdefgh".utf8)), 11)
        XCTAssertEqual(firstInvalid([0xC3, 0xA9, 0]), 2)
    }

    func testReportsWhereTheBadSequenceStarts() {
        let cases: [(bytes: [UInt8], offset: Int, why: String)] = [
            ([0x80], 0, "stray continuation byte"),
            ([0x61, 0xBF, 0x61], 1, "stray continuation byte"),
            ([0xC0, 0x80], 0, "overlong NUL"),
            ([0xC1, 0xBF], 0, "overlong 2-byte"),
            ([0xE0, 0x80, 0x80], 0, "overlong 3-byte"),
            ([0xE0, 0x9F, 0xBF], 0, "overlong 3-byte"),
            ([0xF0, 0x80, 0x80, 0x80], 0, "overlong 4-byte"),
            ([0xF0, 0x8F, 0xBF, 0xBF], 0, "overlong 4-byte"),
            ([0xED, 0xA0, 0x80], 0, "surrogate U+D800"),
            ([0x61, 0xED, 0xBF, 0xBF], 1, "surrogate U+DFFF"),
            ([0xF4, 0x90, 0x80, 0x80], 0, "above U+10FFFF"),
            ([0xF5, 0x80, 0x80, 0x80], 0, "lead byte F5"),
            ([0xFE], 0, "byte FE"),
            ([0xFF], 0, "byte FF"),
            ([0x61, 0xC2], 1, "truncated 2-byte at end"),
            ([0x61, 0x62, 0xE2, 0x82], 2, "truncated 3-byte at end"),
            ([0xF0, 0x9F, 0x98], 0, "truncated 4-byte at end"),
            ([0xE2, 0x41, 0x41], 0, "bad second byte"),
            ([0xE2, 0x82, 0x41], 0, "bad third byte"),
            ([0xF0, 0x9F, 0x98, 0x41], 0, "bad fourth byte"),
            ([0xC3, 0xA9, 0xC3], 2, "truncated after a valid character"),
        ]
        for (bytes, offset, why) in cases {
            XCTAssertEqual(firstInvalid(bytes), offset, why)
            let padded = Array("padding!".utf8) + bytes
            XCTAssertEqual(firstInvalid(padded), offset + 8, "\(why), after an ASCII word")
        }
    }

    func testValidateTextThrowsAtTheOffset() {
        XCTAssertNoThrow(try withBytes("TP53", UTF8Validation.validateText))
        assertDecodeError([0x61, 0x62, 0xFF], at: 2, expected: "valid UTF-8 text without NUL bytes", UTF8Validation.validateText)
        assertDecodeError([0x61, 0x00], at: 1, expected: "without NUL", UTF8Validation.validateText)
    }

    /// A bad byte at every position of ASCII text of every length up to 80: found by the 32-byte
    /// loop, the 8-byte loop or the byte loop, whichever reaches it.
    func testFindsABadByteAtEveryPositionOfLongASCII() {
        for length in 1...80 {
            for position in 0..<length {
                for bad: UInt8 in [0x00, 0x80, 0xFF, 0xC3] {
                    var bytes = Array(repeating: UInt8(ascii: "a"), count: length)
                    bytes[position] = bad
                    XCTAssertEqual(firstInvalid(bytes), position, "length \(length), \(bad) at \(position)")
                }
                var accented = Array(repeating: UInt8(ascii: "\u{7F}"), count: length)
                accented.insert(contentsOf: [0xC3, 0xA9], at: position)
                XCTAssertNil(firstInvalid(accented), "length \(length), é at \(position)")
            }
        }
    }

    /// The ASCII checks (before the validator, and in ``ByteHash/asciiHash(_:)``): true exactly
    /// when every byte is in 1...0x7F, whatever the length and wherever the other byte is.
    func testASCIICheckFindsEveryOtherByteAtEveryPosition() {
        // ByteHash.asciiHash makes the same check while it hashes.
        func isASCII(_ bytes: [UInt8]) -> Bool {
            let checked = bytes.withUnsafeBufferPointer(UTF8Validation.isASCIIWithoutNUL)
            XCTAssertEqual(ByteHash.asciiHash(bytes.span) != nil, checked, "\(bytes)")
            XCTAssertEqual(ByteHash.asciiHash(bytes.span), ByteHash.asciiHash(Array(bytes).span))
            return checked
        }
        XCTAssertTrue(isASCII([]))
        for length in 1...40 {
            XCTAssertTrue(isASCII(Array(repeating: 0x7F, count: length)), "\(length)")
            XCTAssertTrue(isASCII(Array(repeating: 0x01, count: length)), "\(length)")
            for position in 0..<length {
                for other: UInt8 in [0x00, 0x80, 0xC3, 0xFF] {
                    var bytes = Array(repeating: UInt8(ascii: "a"), count: length)
                    bytes[position] = other
                    XCTAssertFalse(isASCII(bytes), "length \(length), \(other) at \(position)")
                }
            }
        }
    }

    func testOnePassOverARowCountsNonEmptyFieldsAndFindsTheFirstBadOne() {
        let row = RowBuffer()
        let long = Array(repeating: UInt8(ascii: "x"), count: 70)
        let fields: [[UInt8]?] = [Array("ENST1".utf8), [], nil, long, long + [0xFF], [0x61, 0x00], Array("é".utf8)]
        for field in fields {
            if let field { field.withUnsafeBufferPointer { row.appendField($0) } } else { row.appendNull() }
        }
        var counts = [0, 0, 0, 0, 0, 0, 0]
        XCTAssertTrue(row.countNonEmptyFields(into: &counts)! == (4, 70))
        XCTAssertTrue(row.countNonEmptyFields(into: &counts)! == (4, 70))
        XCTAssertEqual(counts, [2, 0, 0, 2, 2, 2, 2], "every non-empty field counted, also after the bad one")

        let clean = RowBuffer()
        for field in [Array("a".utf8), long, []] { field.withUnsafeBufferPointer { clean.appendField($0) } }
        var cleanCounts = [0, 0, 0]
        XCTAssertNil(clean.countNonEmptyFields(into: &cleanCounts))
        XCTAssertEqual(cleanCounts, [1, 1, 0])
    }

    /// The answer must equal the length of the longest valid prefix, as judged by the standard
    /// library's validating decoder (SE-0405), cut at the first NUL.
    func testAgreesWithTheStandardLibraryOnRandomBytes() {
        var random = SplitMix64(seed: 0x5EED_0001)
        let pieces: [[UInt8]] = [
            Array("a".utf8), Array("abcdefgh".utf8), Array("é".utf8), Array("日".utf8), Array("😀".utf8),
            [0], [0x80], [0xBF], [0xC0], [0xC2], [0xE0], [0xED], [0xED, 0xA0], [0xF0], [0xF4], [0xF4, 0x90], [0xFF],
        ]
        for _ in 0..<3000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &random) {
                bytes += random.oneIn(4) ? random.bytes(count: 1) : random.pick(pieces)
            }
            XCTAssertEqual(firstInvalid(bytes), referenceFirstInvalid(bytes), "\(bytes)")
        }
    }

    private func referenceFirstInvalid(_ bytes: [UInt8]) -> Int? {
        let validPrefix = (0...bytes.count).last { String(validating: bytes[..<$0], as: UTF8.self) != nil }!
        let firstNUL = bytes.firstIndex(of: 0)
        let offset = min(validPrefix, firstNUL ?? validPrefix)
        return offset == bytes.count ? nil : offset
    }
}
