import Foundation

/// Draws a one-line progress display on stderr: percentage, bytes and throughput.
///
/// Readers call ``tick()`` per row; the clock is looked at every 4096 ticks and the line
/// redrawn at most five times a second, so the cost per row is an increment and a compare.
///
/// After reading, ``beginStage(_:steps:)`` and ``stepDone()`` show what the run is doing
/// until ``end()`` (indexes, view tables, checks: seconds on a large input), one line per
/// stage redrawn as its steps complete:
///
/// ```
/// convert [##############################] 100% 281.0 MB 80.1 MB/s
/// convert: building indexes 12/12, 2.1 s
/// convert: filling view tables 8/8, 3.0 s
/// convert: validating, 0.4 s
/// convert: done in 14.2 s
/// ```
package final class ProgressReporter {
    /// When progress is shown (`--progress`).
    package enum Mode: String, CaseIterable, Sendable {
        /// Only when stderr is a terminal.
        case auto
        case always
        case never
    }

    private let label: String
    private let position: () -> Int64
    private let total: Int64?
    private let start = Date()
    private var ticks = 0
    private var lastDraw = Date.distantPast

    /// Returns nil when `mode` says not to show progress.
    package init?(mode: Mode, label: String, total: Int64?, position: @escaping () -> Int64) {
        switch mode {
        case .never: return nil
        case .auto: guard isatty(STDERR_FILENO) != 0 else { return nil }
        case .always: break
        }
        self.label = label
        self.total = total
        self.position = position
    }

    @inline(__always) package func tick() {
        ticks &+= 1
        if ticks & 4095 == 0 { draw(final: false) }
    }

    /// Redraws if enough time has passed (or always when `final`).
    package func draw(final: Bool) {
        let now = Date()
        guard final || now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        let done = position()
        let seconds = max(now.timeIntervalSince(start), 0.001)
        var line = "\r\(label) "
        if let total, total > 0 {
            let fraction = min(Double(done) / Double(total), 1)
            let width = 30
            let filled = Int(fraction * Double(width))
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            line += "\(Int(fraction * 100))% "
        }
        line += "\(ByteFormat.string(done)) \(ByteFormat.string(Int64(Double(done) / seconds)))/s"
        FileHandle.standardError.write(Data((line + "   ").utf8))
    }

    /// Ends the progress line.
    package func finish() {
        draw(final: true)
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private var stage: (name: String, steps: Int?, done: Int, started: Date)?

    /// Starts a stage after reading (ending the previous one's line); `steps` when it is known
    /// how many steps the stage has.
    package func beginStage(_ name: String, steps: Int? = nil) {
        endStageLine()
        stage = (name, steps, 0, Date())
        drawStage()
    }

    /// One more step of the current stage is done.
    package func stepDone() {
        guard stage != nil else { return }
        stage!.done += 1
        drawStage()
    }

    /// Ends the display after the last stage: its line, then how long the run took.
    package func end() {
        endStageLine()
        let seconds = (Date().timeIntervalSince(start) * 10).rounded() / 10
        FileHandle.standardError.write(Data("\(label): done in \(seconds) s\n".utf8))
    }

    /// Ends the current stage's line, so that what follows (an error) starts on a line of its own.
    package func endStageLine() {
        guard stage != nil else { return }
        drawStage()
        FileHandle.standardError.write(Data("\n".utf8))
        stage = nil
    }

    private func drawStage() {
        guard let stage else { return }
        var line = "\r\(label): \(stage.name)"
        if let steps = stage.steps { line += " \(stage.done)/\(steps)" }
        line += ", \((Date().timeIntervalSince(stage.started) * 10).rounded() / 10) s"
        FileHandle.standardError.write(Data((line + "   ").utf8))
    }
}

/// Human-readable byte counts (`1.5 GB`), decimal units as `ls -h --si` and disk vendors use.
package enum ByteFormat {
    package static func string(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
