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
}
