package dev.descent.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
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

    /** Minimal JSON rendering of maps, lists, strings, numbers, booleans and null. */
    public static String json(Object o) {
        StringBuilder sb = new StringBuilder();
        write(sb, o);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object o) {
        if (o == null) {
            sb.append("null");
        } else if (o instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) sb.append(", ");
                first = false;
                write(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (o instanceof Iterable<?> it) {
            sb.append('[');
            boolean first = true;
            for (Object x : it) {
                if (!first) sb.append(", ");
                first = false;
                write(sb, x);
            }
            sb.append(']');
        } else if (o instanceof double[] arr) {
            sb.append('[');
            for (int i = 0; i < arr.length; i++) {
                if (i > 0) sb.append(", ");
                write(sb, arr[i]);
            }
            sb.append(']');
        } else if (o instanceof Double || o instanceof Float) {
            double d = ((Number) o).doubleValue();
            sb.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%.6g", d) : "null");
        } else if (o instanceof Number || o instanceof Boolean) {
            sb.append(o);
        } else {
            String s = o.toString();
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"': sb.append("\\\""); break;
                    case '\\': sb.append("\\\\"); break;
                    case '\n': sb.append("\\n"); break;
                    case '\t': sb.append("\\t"); break;
                    default:
                        if (c < 0x20) sb.append(String.format("\\u%04x", (int) c)); else sb.append(c);
                }
            }
            sb.append('"');
        }
    }
}
