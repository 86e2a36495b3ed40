import XCTest
@testable import MediabaseLegacy
@testable import MediabaseGenerate
import MediabaseTestSupport

/// ``LinkKeyText/digest(_:)`` must agree with `String` equality (canonical equivalence): the link
/// keys of a row merge exactly as they did with the standard library's hash.
final class LinkKeyTextTests: XCTestCase {
    /// The singleton list is complete: no other scalar, alone, equals a text of one or two ASCII
    /// characters (a canonical decomposition into ASCII only is a singleton: longer ones hold a
    /// combining mark). Candidates are found by the standard library's hash, which agrees with its
    /// equality, and confirmed by `==`.
    func testEveryScalarEqualToASCIIIsASingleton() {
        var asciiTexts: [Int: [String]] = [:]
        let characters = (0..<128).map { String(Unicode.Scalar(UInt8($0))) }
        for first in characters {
            asciiTexts[first.hashValue, default: []].append(first)
            for second in characters {
                let text = first + second
                asciiTexts[text.hashValue, default: []].append(text)
            }
        }
        var found: [String] = []
        for value in UInt32(0x80)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(scalar)
            if let equal = asciiTexts[text.hashValue]?.first(where: { $0 == text }) {
                found.append("U+\(String(value, radix: 16, uppercase: true)) = \(equal)")
            }
        }
        let listed = LinkKeyText.asciiSingletons.map {
            "U+\(String($0.scalar.value, radix: 16, uppercase: true)) = \(String(Unicode.Scalar($0.ascii)))"
        }
        XCTAssertEqual(found, listed)
    }

    func testEqualTextsHaveEqualDigests() {
        let pairs: [(String, String)] = [
            ("K1", "\u{212A}1"), ("a;b", "a\u{037E}b"), ("`", "\u{1FEF}"), ("é", "e\u{301}"), ("Å", "\u{212B}"),
            ("q\u{307}\u{323}", "q\u{323}\u{307}"), ("\u{1E0B}\u{323}", "\u{1E0D}\u{307}"), ("", ""), ("a\u{0}b", "a\u{0}b"),
            ("β-catenin binding", "β-catenin binding"), ("\u{212A}\u{301}", "K\u{301}"),
        ]
        for (left, right) in pairs {
            XCTAssertEqual(left, right)
            XCTAssertEqual(LinkKeyText.digest(left), LinkKeyText.digest(right), "\(left.unicodeScalars.map(\.value)) \(right.unicodeScalars.map(\.value))")
        }
        XCTAssertNotEqual(LinkKeyText.digest("K"), LinkKeyText.digest("k"))
    }

    /// Texts put together from pieces that compose, decompose and reorder: whenever two are equal
    /// as `String`s, their digests are equal.
    func testAgreesWithStringEqualityOnGeneratedTexts() {
        let pieces = ["a", "e", "K", ";", "`", "\u{212A}", "\u{037E}", "\u{1FEF}", "\u{301}", "\u{323}", "\u{307}", "é", "\u{1E0D}",
                      "\u{1E0B}", "Å", "\u{212B}", "\u{30A}", "A", "β", " ", "\u{0}"]
        var generator = SplitMix64(seed: 29)
        var texts: [String] = []
        for _ in 0..<3000 {
            texts.append((0..<Int.random(in: 0...4, using: &generator)).map { _ in generator.pick(pieces) }.joined())
        }
        var byHash: [Int: [String]] = [:]
        for text in texts { byHash[text.hashValue, default: []].append(text) }
        var equalPairs = 0
        for group in byHash.values {
            for left in group {
                for right in group where left == right {
                    equalPairs += 1
                    XCTAssertEqual(LinkKeyText.digest(left), LinkKeyText.digest(right),
                                   "\(left.unicodeScalars.map(\.value)) \(right.unicodeScalars.map(\.value))")
                }
            }
        }
        XCTAssertGreaterThan(equalPairs, texts.count, "too few equal pairs to compare")
    }
}
