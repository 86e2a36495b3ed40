/// One check of the validation suite (docs/spec.md §7) and its outcome.
package struct ValidationCheck: Codable, Equatable, Sendable {
    package var name: String
    package var passed: Bool
    package var detail: String

    package init(name: String, passed: Bool, detail: String) {
        self.name = name
        self.passed = passed
        self.detail = detail
    }
}
