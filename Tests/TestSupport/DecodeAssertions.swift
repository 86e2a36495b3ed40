import Foundation
import XCTest
import MediabaseBytes

/// The marker placed in test inputs where a decoder must report its error (swift-format style).
package let errorMarker = "1️⃣"

/// Runs `body` over the UTF-8 bytes of `text`.
package func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    try Array(text.utf8).withUnsafeBufferPointer(body)
}

/// Asserts that `decode` throws a ``DecodeError`` at the marker in `marked`, which is removed from
/// the input first, and that its `expected` contains `expected` when given.
package func assertDecodeError(
    _ marked: String,
    expected: String? = nil,
    file: StaticString = #filePath,
    line: UInt = #line,
    _ decode: (UnsafeBufferPointer<UInt8>) throws -> Void
) {
    guard let range = marked.range(of: errorMarker) else {
        return XCTFail("no \(errorMarker) marker in \(marked.debugDescription)", file: file, line: line)
    }
    let offset = marked.utf8.distance(from: marked.startIndex, to: range.lowerBound)
    let input = marked.replacingCharacters(in: range, with: "")
    assertDecodeError(Array(input.utf8), at: offset, expected: expected, file: file, line: line, decode)
}

/// Asserts that `decode` throws a ``DecodeError`` at `offset` of `bytes`.
package func assertDecodeError(
    _ bytes: [UInt8],
    at offset: Int,
    expected: String? = nil,
    file: StaticString = #filePath,
    line: UInt = #line,
    _ decode: (UnsafeBufferPointer<UInt8>) throws -> Void
) {
    let description = String(decoding: bytes, as: UTF8.self).debugDescription
    do {
        try bytes.withUnsafeBufferPointer(decode)
        XCTFail("no error for \(description)", file: file, line: line)
    } catch let error as DecodeError {
        XCTAssertEqual(error.offset, offset, "offset for \(description): \(error)", file: file, line: line)
        if let expected {
            XCTAssertTrue(error.expected.contains(expected), "\(error) should mention \(expected)", file: file, line: line)
        }
    } catch {
        XCTFail("unexpected error \(error) for \(description)", file: file, line: line)
    }
}

/// The `DecodeError` `body` throws, or nil when it succeeds; fails the test on any other error.
package func decodeError(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> DecodeError? {
    do {
        try body()
        return nil
    } catch let error as DecodeError {
        return error
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
        return nil
    }
}
