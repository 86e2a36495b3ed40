import Foundation

/// A system call that failed: the system's message for its `errno`.
package struct SystemCallError: Error, Equatable {
    package let message: String
}

/// Moves files without pointers in the caller: the call that takes C strings stays in this layer
/// (docs/architecture.md, "Unsafe code").
package enum FileMove {
    /// Renames `source` to `target` in one step, replacing a file at `target` (rename(2)).
    package static func rename(_ source: String, to target: String) throws(SystemCallError) {
        guard Foundation.rename(source, target) == 0 else { throw SystemCallError(message: String(cString: strerror(errno))) }
    }
}
