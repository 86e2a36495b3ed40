import Foundation

/// Peak resident memory of this process, from getrusage.
package enum ProcessMemory {
    package static var peakBytes: Int64 {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int64(usage.ru_maxrss) * 1024
    }

    /// Gives the pages malloc holds free back to the system (glibc's `malloc_trim`), after a
    /// stage freed many small blocks: otherwise they stay resident, and what the next stage
    /// allocates in larger blocks comes on top of them in the peak.
    package static func releaseFreePages() {
        _ = mallocTrim?(0)
    }

    /// glibc's `malloc_trim`, which its Swift module does not declare (nil elsewhere).
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if os(Linux)
        // A null handle is RTLD_DEFAULT: the symbol wherever the process has it.
        guard let symbol = dlsym(nil, "malloc_trim") else { return nil }
        return unsafe unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()
}

/// CPU time of the calling thread: unlike wall time, it does not count waiting for a core that
/// other processes hold, so a step's cost can be compared across runs on a shared machine.
package enum ThreadClock {
    package static var cpuSeconds: Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
