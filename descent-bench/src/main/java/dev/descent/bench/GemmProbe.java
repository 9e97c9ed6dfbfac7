package dev.descent.bench;

import dev.descent.tensor.kernel.GemmF32;
import dev.descent.tensor.kernel.GemmF64;
import dev.descent.tensor.kernel.Parallel;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Quick GEMM throughput probe for tuning loops (not a JMH benchmark: no forks, no blackholes).
 * Prints min, median and max GFLOP/s (flops = 2·m·n·k) over repeated timed batches.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp descent-benchmarks.jar
 * dev.descent.bench.GemmProbe [f32|f64|both] [NN|NT|TN|TT] SIZE...} where SIZE is {@code N}
 * (square) or {@code MxNxK}. Run with {@code -XX:ActiveProcessorCount=1} for one thread.
 */
public final class GemmProbe {
    private GemmProbe() {}

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
        System.out.printf(Locale.ROOT, "threads=%d trans=%s%n", Parallel.threads(), trans);
        for (String size : sizes) {
            int[] mnk = parse(size);
            if (!dtype.equals("f64")) {
                report("f32", mnk, measureF32(trans, mnk, seconds));
            }
            if (!dtype.equals("f32")) {
                report("f64", mnk, measureF64(trans, mnk, seconds));
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

    private static void report(String dtype, int[] mnk, double[] gflops) {
        Arrays.sort(gflops);
        System.out.printf(Locale.ROOT, "%s %5d x %5d x %5d  GFLOP/s min %7.1f  median %7.1f  max %7.1f%n",
                dtype, mnk[0], mnk[1], mnk[2], gflops[0], gflops[gflops.length / 2],
                gflops[gflops.length - 1]);
    }

    private static double[] measureF32(String trans, int[] mnk, double seconds) {
        int m = mnk[0], n = mnk[1], k = mnk[2];
        boolean ta = trans.charAt(0) == 'T', tb = trans.charAt(1) == 'T';
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        Random r = new Random(42);
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - 0.5f;
        int lda = ta ? m : k, ldb = tb ? k : n;
        Runnable call = () -> GemmF32.gemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, false);
        return time(call, 2.0 * m * n * k, seconds);
    }

    private static double[] measureF64(String trans, int[] mnk, double seconds) {
        int m = mnk[0], n = mnk[1], k = mnk[2];
        boolean ta = trans.charAt(0) == 'T', tb = trans.charAt(1) == 'T';
        double[] a = new double[m * k], b = new double[k * n], c = new double[m * n];
        Random r = new Random(42);
        for (int i = 0; i < a.length; i++) a[i] = r.nextDouble() - 0.5;
        for (int i = 0; i < b.length; i++) b[i] = r.nextDouble() - 0.5;
        int lda = ta ? m : k, ldb = tb ? k : n;
        Runnable call = () -> GemmF64.gemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, false);
        return time(call, 2.0 * m * n * k, seconds);
    }

    /** Warms up for a third of the budget, then times 15 batches of about 50 ms each. */
    private static double[] time(Runnable call, double flops, double seconds) {
        long warmEnd = System.nanoTime() + (long) (seconds / 3 * 1e9);
        while (System.nanoTime() < warmEnd) {
            call.run();
        }
        long t0 = System.nanoTime();
        int calls = 0;
        while (System.nanoTime() - t0 < 20_000_000L) {
            call.run();
            calls++;
        }
        long batch = Math.max(1, calls * 50_000_000L / (System.nanoTime() - t0));
        double[] gflops = new double[15];
        for (int s = 0; s < gflops.length; s++) {
            long t = System.nanoTime();
            for (long i = 0; i < batch; i++) {
                call.run();
            }
            gflops[s] = flops * batch / (System.nanoTime() - t);
        }
        return gflops;
    }
}
