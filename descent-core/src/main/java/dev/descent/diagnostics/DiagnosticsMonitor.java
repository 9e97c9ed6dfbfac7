package dev.descent.diagnostics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A {@link TrainingListener} that runs chosen {@link Diagnostic}s on a schedule and hands their
 * values, as {@link DiagnosticRecord}s, to a sink (a metrics-file writer, a plot buffer, a list).
 *
 * <pre>{@code
 * DiagnosticsMonitor monitor = DiagnosticsMonitor.builder()
 *         .every(1, Diagnostic.nonFinite())
 *         .every(10, Diagnostic.gradientNorms())
 *         .every(500, Diagnostic.hessianEigenvalues(3, 40, seed))
 *         .sink(record -> metrics.println(Json.writeObject(record.asMap())))
 *         .build();
 * // in the loop, after each update:
 * monitor.onStep(StepContext.of(step, loss, before, grads, updates, after).withLossFunction(batchLoss));
 * }</pre>
 *
 * <p>A diagnostic scheduled every k steps runs at the steps with {@code step % k == 0} (step 0
 * included); every diagnostic {@link Diagnostic#observe observes} every step. Diagnostics run in
 * the order they were added, on the caller's thread; an exception from one propagates (a broken
 * diagnostic is a bug, not something to hide). {@link #timings()} reports the time each one
 * took, so the overhead relative to a training step can be read off a real run. Not
 * thread-safe: one monitor per training loop.
 */
public final class DiagnosticsMonitor implements TrainingListener {
    private record Scheduled(int every, Diagnostic diagnostic) {}

    /** The time a diagnostic took so far. */
    public record Timing(String diagnostic, int every, long calls, long totalNanos) {
        /** Mean nanoseconds per call (0 before the first call). */
        public double meanNanos() {
            return calls == 0 ? 0 : (double) totalNanos / calls;
        }
    }

    private final List<Scheduled> scheduled;
    private final Consumer<DiagnosticRecord> sink;
    private final long[] calls, nanos;

    private DiagnosticsMonitor(List<Scheduled> scheduled, Consumer<DiagnosticRecord> sink) {
        this.scheduled = List.copyOf(scheduled);
        this.sink = sink;
        this.calls = new long[scheduled.size()];
        this.nanos = new long[scheduled.size()];
    }

    /** A builder with no diagnostics and no sink. */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects the schedule and the sink; {@link #build()} validates them. */
    public static final class Builder {
        private final List<Scheduled> scheduled = new ArrayList<>();
        private final Set<String> names = new HashSet<>();
        private Consumer<DiagnosticRecord> sink;

        private Builder() {}

        /** Runs {@code diagnostic} at every step divisible by {@code steps} (≥ 1); names must be unique. */
        public Builder every(int steps, Diagnostic diagnostic) {
            Objects.requireNonNull(diagnostic, "diagnostic");
            if (steps < 1) throw new IllegalArgumentException("monitor: '" + diagnostic.name() + "' every " + steps + " steps: need >= 1");
            if (!names.add(diagnostic.name())) {
                throw new IllegalArgumentException("monitor: a diagnostic named '" + diagnostic.name() + "' is already scheduled");
            }
            scheduled.add(new Scheduled(steps, diagnostic));
            return this;
        }

        /** Where records go. */
        public Builder sink(Consumer<DiagnosticRecord> sink) {
            this.sink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** The monitor; needs a sink. */
        public DiagnosticsMonitor build() {
            if (sink == null) throw new IllegalStateException("monitor: no sink; call sink(...) before build()");
            return new DiagnosticsMonitor(scheduled, sink);
        }
    }

    @Override
    public void onStep(StepContext context) {
        Objects.requireNonNull(context, "context");
        for (Scheduled s : scheduled) s.diagnostic().observe(context);
        for (int i = 0; i < scheduled.size(); i++) {
            Scheduled s = scheduled.get(i);
            if (context.step() % s.every() != 0) continue;
            long t0 = System.nanoTime();
            Map<String, Object> values = s.diagnostic().compute(context);
            long dt = System.nanoTime() - t0;
            calls[i]++;
            nanos[i] += dt;
            if (!values.isEmpty()) sink.accept(new DiagnosticRecord(context.step(), s.diagnostic().name(), values, dt));
        }
    }

    /** Time spent per diagnostic so far, in schedule order. */
    public List<Timing> timings() {
        List<Timing> out = new ArrayList<>();
        for (int i = 0; i < scheduled.size(); i++) {
            out.add(new Timing(scheduled.get(i).diagnostic().name(), scheduled.get(i).every(), calls[i], nanos[i]));
        }
        return out;
    }
}
