import Foundation
import MediabaseKit
import Yams

/// `--config FILE`: YAML or JSON (JSON is YAML) with the flags' names as keys, with or without
/// the leading dashes and with `-` or `_` (`max-rejects`, `max_rejects`).
struct ConfigFile {
    var values: [String: Any]

    static func load(_ path: String) throws -> ConfigFile {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw MediabaseError.io(path: path, message: "cannot read the config file")
        }
        let parsed: Any?
        do {
            parsed = try Yams.load(yaml: text)
        } catch {
            throw MediabaseError.malformedInput(SourceLocation(file: path), expected: "YAML or JSON: \(error)")
        }
        guard let dictionary = parsed as? [String: Any] else {
            if parsed == nil { return ConfigFile(values: [:]) }
            throw MediabaseError.malformedInput(SourceLocation(file: path), expected: "a mapping of option names to values")
        }
        var values: [String: Any] = [:]
        for (key, value) in dictionary {
            let name = key.drop { $0 == "-" }.replacingOccurrences(of: "_", with: "-")
            values[name] = value
        }
        return ConfigFile(values: values)
    }

    func string(_ key: String) -> String? { values[key].map { "\($0)" } }
    func int(_ key: String) -> Int? { values[key] as? Int ?? string(key).flatMap { Int($0) } }
    func bool(_ key: String) -> Bool? { values[key] as? Bool }
}
