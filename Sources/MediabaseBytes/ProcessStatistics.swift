import Foundation

/// Peak resident memory of this process, from getrusage.
package enum ProcessMemory {
    package static var peakBytes: Int64 {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int64(usage.ru_maxrss) * 1024
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
