package dev.descent.bench;

import dev.descent.io.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Timing and reporting helpers for the side-by-side harness: warm-up then repeated timing with
 * {@link System#nanoTime()}, median and min, and one flat JSON object per measurement.
 */
public final class Measure {
    private Measure() {}

    /** A timed measurement of one workload variant. */
    public record Result(String workload, String impl, Map<String, Object> params, double[] timesS,
                         double throughput, String throughputUnit, Map<String, Object> extra) {
        /** Median of the timed repetitions, in seconds. */
        public double medianS() {
            double[] t = timesS.clone();
            Arrays.sort(t);
            int n = t.length;
            return n % 2 == 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
        }

        /** Fastest repetition, in seconds. */
        public double minS() {
            return Arrays.stream(timesS).min().orElse(Double.NaN);
        }

        /** The measurement as one JSON line. */
        public String toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("record", "result");
            m.put("workload", workload);
            m.put("impl", impl);
            m.put("params", params);
            m.put("median_s", medianS());
            m.put("min_s", minS());
            m.put("repeats", timesS.length);
            m.put("times_s", timesS);
            m.put("throughput", throughput);
            m.put("throughput_unit", throughputUnit);
            m.putAll(extra);
            return json(m);
        }
    }

    /** Work to time; returns something so the JIT cannot drop it. */
    public interface Work {
        Object run() throws Exception;
    }

    /** Calls {@code work} for at least {@code warmupS} seconds and {@code minWarmup} times, then times {@code repeats} calls. */
    public static double[] time(Work work, double warmupS, int minWarmup, int repeats) {
        try {
            long start = System.nanoTime();
            int calls = 0;
            Object sink = null;
            while (calls < minWarmup || (System.nanoTime() - start) < warmupS * 1e9) {
                sink = work.run();
                calls++;
            }
            double[] t = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                sink = work.run();
                t[i] = (System.nanoTime() - t0) * 1e-9;
            }
            if (sink == Measure.class) System.out.print("");
            return t;
        } catch (Exception e) {
            throw new IllegalStateException("benchmark work failed: " + e.getMessage(), e);
        }
    }

    /** Peak resident set size of this process in MiB (VmHWM), or NaN where /proc is unavailable. */
    public static double peakRssMib() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /**
     * One JSON line of maps, lists, arrays, strings, numbers, booleans and null, written by
     * {@link Json#writeLine}; doubles keep six significant digits ({@code %.6g}, e.g.
     * {@code 1.23457e-05}), enough for timings and what the harness's readers expect, and
     * non-finite ones are null. Other objects are written as their string.
     */
    public static String json(Object o) {
        return Json.writeLine(rounded(o));
    }

    private static Object rounded(Object o) {
        if (o == null || o instanceof String || o instanceof Boolean || o instanceof Json.Value) return o;
        if (o instanceof Double || o instanceof Float) {
            double d = ((Number) o).doubleValue();
            return Double.isFinite(d) ? new Json.Num(String.format(Locale.ROOT, "%.6g", d)) : null;
        }
        if (o instanceof Number) return o;
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) out.put(String.valueOf(e.getKey()), rounded(e.getValue()));
            return out;
        }
        if (o instanceof Iterable<?> it) {
            List<Object> out = new ArrayList<>();
            for (Object x : it) out.add(rounded(x));
            return out;
        }
        if (o instanceof double[] a) {
            List<Object> out = new ArrayList<>(a.length);
            for (double d : a) out.add(rounded(d));
            return out;
        }
        return o.toString();
    }
}
