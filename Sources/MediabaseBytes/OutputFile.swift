import Foundation

/// A file opened for writing through its descriptor, written from spans: the `open`, `write` and
/// `close` calls that take pointers stay in this layer (docs/architecture.md, "Unsafe code").
package final class OutputFile {
    /// The path, as errors name it.
    package let path: String
    private var descriptor: Int32

    /// Creates (truncating) the file at `path` with mode 0644.
    package init(creatingAt path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileDescriptorIO.error(path) }
    }

    deinit { if descriptor >= 0 { Foundation.close(descriptor) } }

    /// Writes all of `bytes`, retrying short writes and interrupted calls.
    package func write(_ bytes: Span<UInt8>) throws {
        try FileDescriptorIO.writeAll(descriptor, bytes, path: path)
    }

    /// Closes the file; a failure (such as a delayed write error) throws.
    package func close() throws {
        let status = Foundation.close(descriptor)
        descriptor = -1
        guard status == 0 else { throw FileDescriptorIO.error(path) }
    }

    /// Gives the file at `path` the permission bits `mode` (`chmod`).
    package static func setPermissions(_ mode: mode_t, at path: String) throws {
        guard chmod(path, mode) == 0 else { throw FileDescriptorIO.error(path) }
    }

    /// Removes the file at `path` if there is one (`unlink`); a missing file is not an error.
    package static func remove(_ path: String) {
        unlink(path)
    }
}
