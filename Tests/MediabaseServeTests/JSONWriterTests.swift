import Foundation
@testable import MediabaseServe
import XCTest

final class JSONWriterTests: XCTestCase {
    private func text(_ json: JSONWriter) -> String { String(decoding: json.bytes, as: UTF8.self) }

    func testEscapesWhatRFC8259Requires() throws {
        var json = JSONWriter()
        json.array { json in
            json.string("plain")
            json.string("quote \" backslash \\ tab \t newline \n cr \r bell \u{07} delete \u{7F} é")
            json.string(bytes: Array("ascii".utf8).span)
            json.string(bytes: Array("tab\there".utf8).span)
            json.string(bytes: [0x61, 0xFF, 0x62].span)
            json.string(bytes: nil)
        }
        let expected = #"["plain","quote \" backslash \\ tab \t newline \n cr \r bell \u0007 delete \u007f é","ascii","tab\there","a\#u{FFFD}b",null]"#
        XCTAssertEqual(text(json), expected)
        // What a JSON parser reads back is what was written.
        let parsed = try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [Any]
        XCTAssertEqual(parsed?[1] as? String, "quote \" backslash \\ tab \t newline \n cr \r bell \u{07} delete \u{7F} é")
    }

    func testARenderedObjectEqualsTheObjectWrittenWhole() throws {
        var whole = JSONWriter()
        whole.array { json in
            for value in [2.5, 1.0, .infinity] {
                json.object { json in
                    json.field("id", "T1")
                    json.field("value", value)
                    json.field("tags", "x")
                    json.key("more")
                    json.array { json in json.integer(1) }
                }
            }
        }
        var head = JSONWriter.openObject()
        head.field("id", "T1")
        head.key("value")
        var tail = JSONWriter.continuingObject()
        tail.field("tags", "x")
        var more = JSONWriter.continuingObject()
        more.key("more")
        more.array { json in json.integer(1) }
        var rendered = JSONWriter()
        rendered.array { json in
            for value in [2.5, 1.0, .infinity] { json.renderedObject(head.bytes, number: value, tail.bytes, more.bytes) }
        }
        XCTAssertEqual(text(rendered), text(whole))
        XCTAssertEqual(text(whole), #"[{"id":"T1","value":2.5,"tags":"x","more":[1]},{"id":"T1","value":1.0,"tags":"x","more":[1]},{"id":"T1","value":null,"tags":"x","more":[1]}]"#)
    }

    func testPrecedesInBytesOrdersAsSQLiteBinaryCollation() throws {
        let ids = ["b", "a", "ab", "", "B", "é", "e", "a\u{0}"]
        let sorted = ids.sorted { $0.precedesInBytes($1) }
        XCTAssertEqual(sorted, ids.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }
}
