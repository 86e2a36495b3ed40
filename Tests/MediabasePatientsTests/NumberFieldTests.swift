import XCTest
@testable import MediabasePatients

/// `strtod` semantics, R's and spreadsheets' missing-value markers, and decimal commas.
final class NumberFieldTests: XCTestCase {
    private func parse(_ text: String?, decimalComma: Bool = false) -> NumberField {
        guard var text else { return NumberField.parse(nil, decimalComma: decimalComma) }
        return text.withUTF8 { NumberField.parse($0.span, decimalComma: decimalComma) }
    }

    func testNumbersAsRAndPandasWriteThem() {
        XCTAssertEqual(parse("4.60255454054448"), .number(4.60255454054448))
        XCTAssertEqual(parse("4.602525676927583"), .number(4.602525676927583))
        XCTAssertEqual(parse("9.24585530679515e-105"), .number(9.24585530679515e-105))
        XCTAssertEqual(parse("1.4e-322"), .number(28 * .leastNonzeroMagnitude), "the nearest subnormal")
        XCTAssertEqual(parse("-0.191290684481327"), .number(-0.191290684481327))
        XCTAssertEqual(parse(" +2.5 "), .number(2.5))
        XCTAssertEqual(parse(".5"), .number(0.5))
        XCTAssertEqual(parse("0"), .number(0))
    }

    func testMissingValues() {
        for text in [nil, "", "  ", "NA", "na", "N/A", "#N/A", "NULL", "None"] {
            XCTAssertEqual(parse(text), .missing, "\(text ?? "nil")")
        }
    }

    func testNonNumericValues() {
        for text in ["NaN", "nan", "Inf", "-Inf", "Infinity", "1e400", "abc", "1.2.3", "2,5", "1 2", "#DIV/0!"] {
            XCTAssertEqual(parse(text), .nonNumeric, text)
        }
    }

    func testDecimalCommaInSemicolonFiles() {
        XCTAssertEqual(parse("2,5", decimalComma: true), .number(2.5))
        XCTAssertEqual(parse("-0,125", decimalComma: true), .number(-0.125))
        XCTAssertEqual(parse("2.5", decimalComma: true), .number(2.5))
        XCTAssertEqual(parse("1,234,5", decimalComma: true), .nonNumeric)
    }
}
