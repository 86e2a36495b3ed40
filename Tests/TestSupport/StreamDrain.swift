import MediabaseBytes

/// Reads `stream` to its end with reads of at most `chunk` bytes each, checking that no read
/// returns more than it was asked for.
package func drain(_ stream: ByteStream, chunk: Int) throws -> [UInt8] {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: chunk)
    while true {
        var span = buffer.mutableSpan
        let count = try stream.read(into: &span)
        precondition(count <= chunk, "a read returned more than the buffer holds")
        if count == 0 { return out }
        out += buffer[0..<count]
    }
}
