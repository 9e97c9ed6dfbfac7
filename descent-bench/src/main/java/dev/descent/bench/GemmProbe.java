package dev.descent.bench;

import dev.descent.tensor.kernel.GemmF32;
import dev.descent.tensor.kernel.GemmF64;
import dev.descent.tensor.kernel.Parallel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Quick GEMM throughput probe for tuning loops (not a JMH benchmark: one JVM, no blackholes).
 * Prints min, median and max GFLOP/s (flops = 2·m·n·k) over 15 timed batches per shape.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp descent-benchmarks.jar
 * dev.descent.bench.GemmProbe [f32|f64|both] [NN|NT|TN|TT] SIZE...} where SIZE is {@code N}
 * (square) or {@code MxNxK}. Run with {@code -XX:ActiveProcessorCount=1} for one thread.
 * System properties: {@code probe.warmup} (seconds of warm-up over all paths before the first
 * measurement, default 3), {@code probe.seconds} (rough time per shape, default 1.5) and
 * {@code probe.clock}: {@code wall} (default) or {@code cpu}, the calling thread's CPU time,
 * which is robust to other processes sharing the cores but meaningful only on one thread.
 *
 * <p>{@code probe.rounds} (default 1) repeats all shapes. When it is above 1, each round first
 * waits until the machine is idle, and holds the file lock {@code probe.lock} (if given) while
 * it warms up, waits and measures, so that two probes, or a probe and a peer benchmark that takes the
 * same lock, take turns instead of disturbing each other.
 *
 * <p>Each line also reports the median over the <em>uncontended</em> batches only: those during
 * which the process used at least 90% of {@code cores × wall time} in CPU time, where cores is
 * the number of threads the product runs on; that is, no other process took one of its cores.
 * The development machine is shared, and numbers taken while another build runs say more about
 * the build than about the kernel.
 */
public final class GemmProbe {
    private GemmProbe() {}

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean CPU_CLOCK = System.getProperty("probe.clock", "wall").equals("cpu");
    private static final OperatingSystemMXBean OS = ManagementFactory.getOperatingSystemMXBean();

    /** CPU time of the whole process in nanoseconds, or -1 where the JVM cannot tell. */
    private static long processCpu() {
        return OS instanceof com.sun.management.OperatingSystemMXBean
                ? ((com.sun.management.OperatingSystemMXBean) OS).getProcessCpuTime() : -1;
    }

    /** Nanoseconds on the chosen clock. */
    private static long now() {
        return CPU_CLOCK ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /**
     * Entry point.
     *
     * @param args dtype, transposition and sizes as described in the class documentation
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        String dtype = args.length > 0 ? args[0] : "both";
        String trans = args.length > 1 ? args[1] : "NN";
        String[] sizes = args.length > 2 ? Arrays.copyOfRange(args, 2, args.length)
                : new String[] {"32x128x128", "128", "512", "1024", "2048"};
        double seconds = Double.parseDouble(System.getProperty("probe.seconds", "1.5"));
        double warmup = Double.parseDouble(System.getProperty("probe.warmup", "3"));
        System.out.printf(Locale.ROOT, "threads=%d trans=%s clock=%s%n", Parallel.threads(), trans,
                CPU_CLOCK ? "cpu" : "wall");
        int rounds = Integer.getInteger("probe.rounds", 1);
        String lock = System.getProperty("probe.lock");
        for (int round = 0; round < rounds; round++) {
            if (rounds > 1) {
                System.out.printf(Locale.ROOT, "round %d%n", round + 1);
            }
            try (FileChannel channel = lock == null ? null : FileChannel.open(Path.of(lock),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock held = channel == null ? null : channel.lock()) {
                if (round == 0) {
                    warmUp((long) (warmup * 1e9));
                }
                if (rounds > 1) {
                    waitUntilIdle();
                }
                for (String size : sizes) {
                    int[] mnk = parse(size);
                    for (String dt : new String[] {"f32", "f64"}) {
                        if (dtype.equals("both") || dtype.equals(dt)) {
                            measure(dt, trans, mnk, seconds);
                        }
                    }
                }
            }
            if (rounds > 1) {
                Thread.sleep(500); // let a process waiting on the same lock take its turn
            }
        }
    }

    /** Times one shape and prints one line. */
    private static void measure(String dt, String trans, int[] mnk, double seconds) {
        double[][] t = time(product(dt, trans, mnk), 2.0 * mnk[0] * mnk[1] * mnk[2], seconds);
        // Cores the product should keep busy: one below the kernels' parallel threshold.
        boolean parallel = (long) mnk[0] * mnk[1] * mnk[2] >= GemmF64.PARALLEL_MIN_MNK;
        double cores = parallel ? Parallel.threads() : 1;
        double[] gflops = t[0].clone();
        Arrays.sort(gflops);
        double[] calm = new double[gflops.length];
        int calmCount = 0;
        for (int i = 0; i < gflops.length; i++) {
            if (t[1][i] >= 0.9 * cores) {
                calm[calmCount++] = t[0][i];
            }
        }
        Arrays.sort(calm, 0, calmCount);
        System.out.printf(Locale.ROOT,
                "%s %5d x %5d x %5d  GFLOP/s min %7.1f  median %7.1f  max %7.1f"
                        + "  | uncontended %2d/%d median %7.1f%n",
                dt, mnk[0], mnk[1], mnk[2], gflops[0], gflops[gflops.length / 2],
                gflops[gflops.length - 1], calmCount, gflops.length,
                calmCount == 0 ? Double.NaN : calm[calmCount / 2]);
    }

    /**
     * Waits (at most two minutes) until all cores were at least 90% idle over half a second,
     * judged from /proc/stat; returns at once where that file does not exist.
     */
    private static void waitUntilIdle() throws IOException, InterruptedException {
        Path stat = Path.of("/proc/stat");
        if (!Files.isReadable(stat)) {
            return;
        }
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            long[] before = cpuTicks(stat);
            Thread.sleep(500);
            long[] after = cpuTicks(stat);
            if (after[0] - before[0] >= 0.9 * (after[1] - before[1])) {
                return;
            }
        }
    }

    /** {idle + iowait, total} jiffies from the first line of /proc/stat. */
    private static long[] cpuTicks(Path stat) throws IOException {
        String[] f = Files.readAllLines(stat).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[] {Long.parseLong(f[4]) + Long.parseLong(f[5]), total};
    }

    /**
     * Runs every dtype and transposition on a few shapes for {@code nanos}, so that the JIT's
     * last tier has compiled all paths of the kernels before the first measurement (it can take
     * seconds to arrive on a loaded machine).
     */
    private static void warmUp(long nanos) {
        Runnable[] calls = new Runnable[2 * 4 * 3];
        int q = 0;
        for (String dt : new String[] {"f32", "f64"}) {
            for (String trans : new String[] {"NN", "NT", "TN", "TT"}) {
                for (String shape : new String[] {"32x128x128", "72x200x300", "300x64x140"}) {
                    calls[q++] = product(dt, trans, parse(shape));
                }
            }
        }
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            for (Runnable call : calls) {
                call.run();
            }
        }
    }

    private static int[] parse(String size) {
        String[] p = size.split("x");
        if (p.length == 1) {
            int n = Integer.parseInt(p[0]);
            return new int[] {n, n, n};
        }
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
    }

    /** One product C = op(A)·op(B) on fresh random operands, as a call to repeat. */
    private static Runnable product(String dtype, String trans, int[] mnk) {
        int m = mnk[0], n = mnk[1], k = mnk[2];
        boolean ta = trans.charAt(0) == 'T', tb = trans.charAt(1) == 'T';
        int lda = ta ? m : k, ldb = tb ? k : n;
        Random r = new Random(42);
        if (dtype.equals("f32")) {
            float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
            for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - 0.5f;
            for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - 0.5f;
            return () -> GemmF32.gemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, false);
        }
        double[] a = new double[m * k], b = new double[k * n], c = new double[m * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextDouble() - 0.5;
        for (int i = 0; i < b.length; i++) b[i] = r.nextDouble() - 0.5;
        return () -> GemmF64.gemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, false);
    }

    /**
     * Warms up this shape until the rate stops improving (at least 4 windows), then times 15
     * batches of about {@code seconds / 20} each; returns GFLOP/s per batch and, per batch, the
     * process CPU time over wall time (the number of cores kept busy).
     */
    private static double[][] time(Runnable call, double flops, double seconds) {
        long window = (long) (seconds / 20 * 1e9);
        double best = 0;
        for (int w = 0; w < 200; w++) {
            double rate = rate(call, window);
            if (w >= 4 && rate < 1.05 * best) {
                break;
            }
            best = Math.max(best, rate);
        }
        long batch = Math.max(1, (long) (best * window));
        double[] gflops = new double[15];
        double[] busy = new double[15];
        for (int s = 0; s < gflops.length; s++) {
            long cpu = processCpu();
            long wall = System.nanoTime();
            long t = now();
            for (long i = 0; i < batch; i++) {
                call.run();
            }
            gflops[s] = flops * batch / (now() - t);
            busy[s] = (processCpu() - cpu) / (double) (System.nanoTime() - wall);
        }
        return new double[][] {gflops, busy};
    }

    /** Calls per nanosecond over a window of about {@code nanos}. */
    private static double rate(Runnable call, long nanos) {
        long t0 = now();
        long calls = 0;
        long t;
        do {
            call.run();
            calls++;
            t = now() - t0;
        } while (t < nanos);
        return calls / (double) t;
    }
}
