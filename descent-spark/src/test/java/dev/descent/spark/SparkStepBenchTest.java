package dev.descent.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.bench.Peer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The spark-step measurement's harness at a tiny size: one JSON result line for the single JVM,
 * local[1] and local[2], and a summary with each overhead. Times are never asserted. With
 * {@code -Ddescent.spark.bench=T,H,STEPS} it runs that size instead and prints its lines
 * (how the measurement is taken; see descent-bench/README.md).
 */
class SparkStepBenchTest {
    @Test
    void eachConfigurationIsMeasuredAndTheOverheadSummarised() {
        String asked = System.getProperty("descent.spark.bench");
        if (asked != null && !asked.isBlank()) {
            String[] a = asked.split(",");
            SparkStepBench.run(Integer.parseInt(a[0].strip()), Integer.parseInt(a[1].strip()), 10, Integer.parseInt(a[2].strip()), 0,
                    System.out);
            return;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Map<String, Double> medians = SparkStepBench.run(6, 4, 1, 2, 0, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(List.of("single-jvm", "local[1]", "local[2]"), List.copyOf(medians.keySet()));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("{")).toList();
        assertEquals(4, lines.size(), String.join("\n", lines));
        for (int i = 0; i < 3; i++) {
            assertEquals("spark-step", Peer.string(lines.get(i), "workload"), lines.get(i));
            assertEquals(2, Peer.numbers(lines.get(i), "times_s").length, lines.get(i));
        }
        assertEquals("local[2]", Peer.string(lines.get(2), "impl"));
        assertTrue(lines.get(3).contains("\"local[1]_minus_single_jvm_s\"") && lines.get(3).contains("\"local[2]_over_single_jvm\""),
                lines.get(3));
    }

    /**
     * The measured table of issue 15 ({@link SparkScalingBench}) at a tiny size: one line per
     * configuration of each work, the first-order MLP at exactly one job per step, HF at several,
     * and a summary per work. With {@code -Ddescent.spark.table=full} it runs the real sizes and
     * prints the lines (how the table is measured; see docs/performance.md). Times never asserted.
     */
    @Test
    void theScalingTable() {
        String asked = System.getProperty("descent.spark.table");
        if (asked != null && !asked.isBlank()) {
            SparkScalingBench.run(SparkScalingBench.Size.of(asked), System.out);
            return;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<dev.descent.bench.Measure.Result> results = SparkScalingBench.run(SparkScalingBench.Size.TINY,
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        int configs = 1 + SparkScalingBench.CONFIGS.size();
        assertEquals(2 * configs, results.size());
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("{")).toList();
        assertEquals(2 * configs + 2, lines.size(), String.join("\n", lines));
        for (String work : List.of("mlp", "hf")) {
            List<String> mine = lines.stream().filter(l -> work.equals(Peer.string(l, "work"))).toList();
            assertEquals(configs + 1, mine.size(), work + ": " + mine);
            assertEquals(1, mine.stream().filter(l -> "single-jvm".equals(Peer.string(l, "impl"))).count(), work);
            assertEquals(1, mine.stream().filter(l -> "spark-table".equals(Peer.string(l, "summary"))).count(), work);
            for (String line : mine) {
                if (!"spark-table".equals(Peer.string(line, "workload")) || "single-jvm".equals(Peer.string(line, "impl"))) continue;
                double jobs = Peer.number(line, "jobs_per_step");
                if (work.equals("mlp")) assertEquals(1.0, jobs, 0.0, line); // one job per first-order step
                else assertTrue(jobs >= 2, line);
                assertEquals(SparkScalingBench.Size.TINY.mlpTimed(), Peer.numbers(line, "times_s").length, line);
                assertTrue(Peer.number(line, "partitions") >= 1, line);
            }
        }
    }
}
