package dev.descent.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The side-by-side harness: the child JVM's command line, parsing of the peer's JSON lines, a
 * whole (tiny) rnn-adding measurement through a child JVM with the peer skipped, and the
 * workload's own JSON output.
 */
class HarnessTest {
    @Test
    void theChildJvmKeepsOurFlagsAndTakesItsOwnHeapAndCollector() {
        ChildJvm child = new ChildJvm("-Xmx100m -XX:+UseSerialGC", System.err);
        List<String> cmd = child.command(List.of("rnn-adding", "--steps", "1"));
        assertTrue(cmd.get(0).endsWith("java"), cmd.get(0));
        assertTrue(cmd.contains("-Xmx100m"));
        assertEquals(1, cmd.stream().filter(a -> a.startsWith("-Xmx")).count(), "exactly one heap limit: " + cmd);
        assertTrue(cmd.stream().anyMatch(a -> a.contains("jdk.incubator.vector")), "the Vector API module travels: " + cmd);
        assertEquals(WorkloadMain.class.getName(), cmd.get(cmd.indexOf("-cp") + 2));
        assertEquals(List.of("rnn-adding", "--steps", "1"), cmd.subList(cmd.size() - 3, cmd.size()));
        assertFalse(child.jvmOptions().contains("-cp"));
        assertThrows(IllegalArgumentException.class, () -> new ChildJvm("-Xmx100m rm", System.err));
    }

    @Test
    void peerLinesAreParsed() {
        String line = "{\"record\": \"result\", \"workload\": \"mlp\", \"variant\": \"norm=none\", \"median_s\": 1.39, "
                + "\"times_s\": [1.4, 1.38], \"test_accuracy\": 0.8558, \"train_loss_per_epoch\": [0.527788, 0.367343]}";
        assertEquals("mlp", Peer.string(line, "workload"));
        assertEquals(0.8558, Peer.number(line, "test_accuracy"));
        assertArrayEquals(new double[] {1.4, 1.38}, Peer.numbers(line, "times_s"));
        assertTrue(Double.isNaN(Peer.number(line, "absent")));
        assertEquals(0, Peer.numbers(line, "absent").length);
    }

    @Test
    void aMissingPeerIsSkippedWithAMessage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        new SideBySide(new SideBySide.Options(true, Path.of("/nonexistent/peer"), 1, 0, null, 0, ChildJvm.DEFAULT_HEAP_OPTIONS,
                System.out, new PrintStream(err, true, StandardCharsets.UTF_8)));
        String msg = err.toString(StandardCharsets.UTF_8);
        assertTrue(msg.startsWith("descent bench: skipping the peer: peer suite not found at /nonexistent/peer/peer_torch.py"), msg);
    }

    /** One rnn-adding step, measured in a child JVM (no JIT warm-up, no peer): the JSON lines and summary. */
    @Test
    void anRnnAddingMeasurementRunsInAChildJvm() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        SideBySide harness = new SideBySide(new SideBySide.Options(false, Path.of("."), 1, 0, null, 0, "-Xmx128m -XX:+UseSerialGC",
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        Map<String, Object> summary = harness.rnnAdding(0, 1);
        String text = out.toString(StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        assertTrue(lines.get(0).startsWith("{\"record\": \"measurement\", \"workload\": \"rnn-adding\", \"impl\": \"descent\""), text);
        assertTrue(lines.get(1).startsWith("impl "), text);
        assertTrue(lines.get(lines.size() - 1).startsWith("{\"summary\": \"rnn-adding\""), text);
        assertEquals(false, summary.get("peer"));
        @SuppressWarnings("unchecked")
        Map<String, Object> descent = (Map<String, Object>) summary.get("descent");
        assertEquals(1, descent.get("repeats"));
        // The peer's init_probe_mse for seed 0 (see WorkloadsTest), and a real peak RSS from /proc.
        assertEquals(1.6662984, (double) descent.get("init_probe_mse"), 1e-5 * 1.67);
        double rss = (double) descent.get("peak_rss_mib");
        assertTrue(rss > 20 && rss < 1024, "peak RSS " + rss);
        assertTrue(summary.get("descent_jvm_options").toString().contains("-Xmx128m"));
        assertEquals(Map.of(), summary.get("ratios"));
    }

    @Test
    void invalidOptionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new SideBySide.Options(false, Path.of("."), 0, 0, null, 0, "", System.out, System.err));
        assertThrows(IllegalArgumentException.class, () -> new SideBySide.Options(false, Path.of("."), 1, 0, null, -1, "", System.out, System.err));
        SideBySide h = new SideBySide(new SideBySide.Options(false, Path.of("."), 1, 0, null, 0, "", System.out, System.err));
        assertThrows(IllegalArgumentException.class, () -> h.rnnAdding(0, 0));
        assertThrows(IllegalArgumentException.class, () -> h.mlp(MlpWorkload.Norm.NONE, 0));
        assertThrows(IllegalArgumentException.class, () -> WorkloadMain.options(new String[] {"mlp", "--bogus", "1"}, List.of("norm")));
    }

    @Test
    void theJitWarmupRunsAtLeastItsMinimumAndReportsSettling() {
        int[] calls = {0};
        JitWarmup.Result r = JitWarmup.run(() -> calls[0]++, 0.2);
        assertTrue(r.seconds() >= 0.2 && r.steps() == calls[0] && r.steps() > 0, r.toString());
        assertEquals(new JitWarmup.Result(0, 0, false), JitWarmup.run(() -> calls[0]++, 0));
    }
}
