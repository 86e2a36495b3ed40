/// Why a query could not be rewritten: one or more problems, each at a place in the input.
///
/// Parse errors stop at the first problem; refusals (a legacy column without a scalar v0.6
/// home, a write to the legacy table, syntax SQLite lacks) are collected over the whole input
/// so that one run lists them all.
package struct QueryRewriteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// One problem: where it is and what it is.
    package struct Problem: Equatable, Sendable {
        package let position: SourcePosition
        package let message: String
    }

    package let problems: [Problem]

    init(_ problems: [Problem]) {
        self.problems = problems
    }

    init(at position: SourcePosition, _ message: String) {
        problems = [Problem(position: position, message: message)]
    }

    /// Each problem on a line of its own, prefixed by `name:line:column: ` (the compiler's
    /// convention, which editors turn into links).
    package func lines(source name: String) -> [String] {
        problems.map { "\(name):\($0.position.line):\($0.position.column): \($0.message)" }
    }

    package var description: String {
        problems.map { "\($0.position): \($0.message)" }.joined(separator: "\n")
    }
}
