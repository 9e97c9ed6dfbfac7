package dev.descent.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Runs a workload's step on a throwaway model until the JIT has settled: at least a minimum time,
 * and then until a whole window of {@value #WINDOW_S} s passes with no compilation (the JVM's
 * total compilation time unchanged), or a maximum time. The Vector API's kernels only become
 * fast once C2 has compiled them (before that they run as interpreted Java lambdas, 10–100×
 * slower), and on a busy machine that can take much longer than on an idle one, so a fixed
 * warm-up either wastes time or lets compilation leak into the measured run.
 */
public final class JitWarmup {
    private JitWarmup() {}

    /** Seconds without compilation that count as settled. */
    static final double WINDOW_S = 0.5;

    /** What the warm-up did. */
    public record Result(double seconds, int steps, boolean settled) {}

    /** Repeats {@code step} for at least {@code minSeconds} and at most {@code 4·minSeconds + 10} seconds (none if {@code minSeconds} is 0). */
    static Result run(Runnable step, double minSeconds) {
        if (minSeconds <= 0) return new Result(0, 0, false);
        double maxSeconds = 4 * minSeconds + 10;
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean monitored = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime(), windowStart = start;
        long compiled = monitored ? jit.getTotalCompilationTime() : 0;
        int steps = 0;
        while (true) {
            step.run();
            steps++;
            long now = System.nanoTime();
            double elapsed = (now - start) * 1e-9;
            if (elapsed >= maxSeconds) return new Result(elapsed, steps, false);
            if ((now - windowStart) * 1e-9 >= WINDOW_S) {
                long c = monitored ? jit.getTotalCompilationTime() : compiled;
                if (elapsed >= minSeconds && c == compiled) return new Result(elapsed, steps, monitored);
                compiled = c;
                windowStart = now;
            }
        }
    }
}
