package dev.descent.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A training progress line: step, a bar, loss, steps per second and the estimated time left,
 * e.g. {@code step 1200/5000 [#####...............]  24%  loss 0.1631  85.3 steps/s  ETA 0:45}.
 *
 * <p>On a terminal ({@code interactive}) the line is redrawn in place with {@code \r} at most
 * every 0.2 s; otherwise (logs, pipes, CI) a full line is printed at most every 10 s, so log files
 * stay short. The rate counts steps from the first reported one, so a resumed run reports its own
 * speed and the first step (class loading, JIT compilation, first allocations: often as long as
 * hundreds of later steps) does not inflate the estimate; until {@link #MIN_TIMED_STEPS} steps
 * have been timed the rate and ETA print as "?". The clock is injectable for tests.
 */
public final class ProgressBar {
    private static final long INTERACTIVE_NANOS = 200_000_000L, LOG_NANOS = 10_000_000_000L;
    /** Steps timed after the first reported one before a rate and ETA are shown. */
    static final int MIN_TIMED_STEPS = 5;
    private final PrintWriter out;
    private final long total;
    private final boolean interactive;
    private final LongSupplier clock;
    private long firstStep = -1, firstNanos;
    private long lastPrint = Long.MIN_VALUE;
    private int lastWidth;

    /** A bar for {@code total} steps printing to {@code out}. */
    public ProgressBar(PrintWriter out, long total, boolean interactive, LongSupplier nanoClock) {
        if (total < 1) throw new IllegalArgumentException("ProgressBar: total steps must be >= 1, got " + total);
        this.out = out;
        this.total = total;
        this.interactive = interactive;
        this.clock = nanoClock;
    }

    /** A bar on the process's terminal when there is one, else log lines; wall clock. */
    public static ProgressBar onStderr(PrintWriter err, long total) {
        return new ProgressBar(err, total, isTerminal(), System::nanoTime);
    }

    /**
     * Whether the process talks to a terminal. JDK 17 returns no console when a stream is
     * redirected; from JDK 22 a console always exists and {@code Console.isTerminal()} (looked up
     * reflectively, since this code targets 17) tells.
     */
    static boolean isTerminal() {
        java.io.Console c = System.console();
        if (c == null) return false;
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (NoSuchMethodException e) {
            return true; // JDK < 22: a console exists only for a terminal
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    /** Reports that {@code step} (1-based, ≤ total) finished with training loss {@code loss}. */
    public void update(long step, double loss) {
        long now = clock.getAsLong();
        if (firstStep < 0) {
            firstStep = step;
            firstNanos = now;
        }
        boolean end = step >= total;
        if (!end && lastPrint != Long.MIN_VALUE && now - lastPrint < (interactive ? INTERACTIVE_NANOS : LOG_NANOS)) return;
        lastPrint = now;
        double seconds = (now - firstNanos) * 1e-9;
        double rate = step - firstStep >= MIN_TIMED_STEPS && seconds > 0 ? (step - firstStep) / seconds : Double.NaN;
        String line = render(step, total, loss, rate, rate > 0 ? (total - step) / rate : Double.NaN);
        if (interactive) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
            lastWidth = line.length();
            if (end) out.println();
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** The progress line for the given figures (NaN rate or ETA prints as "?"). */
    public static String render(long step, long total, double loss, double stepsPerSecond, double etaSeconds) {
        int width = 20, filled = (int) Math.min(width, width * step / total);
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        return String.format(Locale.ROOT, "step %d/%d [%s] %3d%%  loss %.4g  %s steps/s  ETA %s", step, total, bar,
                100 * step / total, loss, Double.isFinite(stepsPerSecond) ? String.format(Locale.ROOT, "%.1f", stepsPerSecond) : "?",
                duration(etaSeconds));
    }

    /** h:mm:ss or m:ss; "?" when unknown. */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) return "?";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
