import XCTest
@testable import MediabaseBytes
@testable import MediabaseGenerate
import MediabaseTestSupport

/// ``StringProtocol/trimmingWhitespace`` against trimming Unicode scalars with the White_Space
/// property one by one, on strings and substrings.
final class TextTrimmingTests: XCTestCase {
    private func reference(_ text: Substring) -> String {
        var scalars = Array(text.unicodeScalars)
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    func testTrimsLikeTheWhiteSpaceProperty() {
        let examples = ["", " ", "\t\n\u{B}\u{C}\r ", "a", " a ", "\u{A0}a\u{3000}", " \u{85}a b\u{2028} ", "\u{1C}a\u{1F}", " é ",
                        " \u{301}x ", "x\u{301} ", "Apoptosis [Reactome:R-HSA-1]", "\u{2003}\u{2003}", " \u{1F600} "]
        for text in examples {
            XCTAssertEqual(text.trimmingWhitespace, reference(text[...]), "\(text.unicodeScalars.map(\.value))")
        }
    }

    func testAgreesWithTheReferenceOnGeneratedText() {
        let pieces = [" ", "\t", "\n", "\r", "\u{B}", "\u{C}", "\u{1C}", "\u{85}", "\u{A0}", "\u{2003}", "\u{3000}", "a", "é", "\u{301}",
                      "[", ":", "\u{1F600}", "x y"]
        var generator = SplitMix64(seed: 31)
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 0...6, using: &generator)).map { _ in generator.pick(pieces) }.joined()
            XCTAssertEqual(text.trimmingWhitespace, reference(text[...]), "\(text.unicodeScalars.map(\.value))")
            // A substring whose bounds are not the string's.
            let inner = ("<" + text + ">").dropFirst().dropLast()
            XCTAssertEqual(inner.trimmingWhitespace, reference(inner), "\(text.unicodeScalars.map(\.value))")
        }
    }
}
