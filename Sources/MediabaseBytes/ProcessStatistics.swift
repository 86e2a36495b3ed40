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

    /// Makes malloc serve blocks of 1 MiB and more from their own mappings, which go back to the
    /// system when freed (glibc's `mallopt(M_MMAP_THRESHOLD)`). By default glibc raises that
    /// threshold to the largest block freed so far (up to 32 MiB), after which such blocks come
    /// from the heap and stay resident once freed: a lookup table built and given up (over its
    /// budget) then stayed in the peak beside the next step's.
    package static func returnLargeBlocksWhenFreed() {
        // M_MMAP_THRESHOLD is -3 in glibc's malloc.h.
        _ = mallopt?(-3, 1 << 20)
    }

    /// glibc's `mallopt` and `malloc_trim`, which its Swift module does not declare (nil elsewhere).
    private static let mallopt = glibcFunction("mallopt", as: (@convention(c) (Int32, Int32) -> Int32).self)
    private static let mallocTrim = glibcFunction("malloc_trim", as: (@convention(c) (Int) -> Int32).self)

    /// A C function of the process's libc by name, as `type`; nil when it has none (not glibc).
    private static func glibcFunction<Function>(_ name: String, as type: Function.Type) -> Function? {
        #if os(Linux)
        // A null handle is RTLD_DEFAULT: the symbol wherever the process has it.
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafe unsafeBitCast(symbol, to: type)
        #else
        return nil
        #endif
    }
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
