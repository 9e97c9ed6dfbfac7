package dev.descent.bench;

import dev.descent.tensor.kernel.GemmF32;
import dev.descent.tensor.kernel.GemmF64;
import dev.descent.tensor.kernel.Parallel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 */
public final class GemmProbe {
    private GemmProbe() {}

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean CPU_CLOCK = System.getProperty("probe.clock", "wall").equals("cpu");

    /** Nanoseconds on the chosen clock. */
    private static long now() {
        return CPU_CLOCK ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /**
     * Entry point.
     *
     * @param args dtype, transposition and sizes as described in the class documentation
     */
    public static void main(String[] args) {
        String dtype = args.length > 0 ? args[0] : "both";
        String trans = args.length > 1 ? args[1] : "NN";
        String[] sizes = args.length > 2 ? Arrays.copyOfRange(args, 2, args.length)
                : new String[] {"32x128x128", "128", "512", "1024", "2048"};
        double seconds = Double.parseDouble(System.getProperty("probe.seconds", "1.5"));
        double warmup = Double.parseDouble(System.getProperty("probe.warmup", "3"));
        System.out.printf(Locale.ROOT, "threads=%d trans=%s clock=%s%n", Parallel.threads(), trans,
                CPU_CLOCK ? "cpu" : "wall");
        warmUp((long) (warmup * 1e9));
        for (String size : sizes) {
            int[] mnk = parse(size);
            for (String dt : new String[] {"f32", "f64"}) {
                if (dtype.equals("both") || dtype.equals(dt)) {
                    double[] gflops = time(product(dt, trans, mnk), 2.0 * mnk[0] * mnk[1] * mnk[2], seconds);
                    Arrays.sort(gflops);
                    System.out.printf(Locale.ROOT,
                            "%s %5d x %5d x %5d  GFLOP/s min %7.1f  median %7.1f  max %7.1f%n",
                            dt, mnk[0], mnk[1], mnk[2], gflops[0], gflops[gflops.length / 2],
                            gflops[gflops.length - 1]);
                }
            }
        }
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
     * batches of about {@code seconds / 20} each; returns GFLOP/s per batch.
     */
    private static double[] time(Runnable call, double flops, double seconds) {
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
        for (int s = 0; s < gflops.length; s++) {
            long t = now();
            for (long i = 0; i < batch; i++) {
                call.run();
            }
            gflops[s] = flops * batch / (now() - t);
        }
        return gflops;
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
