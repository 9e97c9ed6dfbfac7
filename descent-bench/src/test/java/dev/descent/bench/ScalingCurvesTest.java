package dev.descent.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The scaling sweeps at tiny sizes: one point per size, one JSON result line per implementation
 * and point with the curve's parameters, the hvp curve's x being the parameter count; and, where
 * Debian's torch is installed, that scaling_torch.py starts from the very same function (same
 * initial loss). Times are never asserted.
 */
class ScalingCurvesTest {
    private static List<String> jsonLines(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("{")).toList();
    }

    private static ScalingCurves sweeper(Peer scalingPeer, ByteArrayOutputStream out) {
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        return new ScalingCurves(new ScalingCurves.Options(true, 0, null, scalingPeer, o, new PrintStream(new ByteArrayOutputStream())));
    }

    @Test
    void eachCurveGivesOnePointAndOneRecordPerSize() {
        for (ScalingCurves.Curve c : ScalingCurves.Curve.values()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<ScalingCurves.Point> points = sweeper(null, out).run(c, new int[] {4, 8});
            assertEquals(2, points.size(), c.toString());
            List<String> lines = jsonLines(out);
            int perPoint = c == ScalingCurves.Curve.HVP_PARAMS ? 2 : 1; // grad and hvp
            assertEquals(2 * perPoint, lines.size(), String.join("\n", lines));
            for (String l : lines) {
                assertEquals("scaling", Peer.string(l, "workload"), l);
                assertEquals(c.toString(), Peer.string(l, "curve"), l);
                assertEquals("descent", Peer.string(l, "impl"), l);
                // --quick: 3 timed repetitions; the hvp curve's are cheap and twice as many.
                assertEquals(perPoint * 3, Peer.numbers(l, "times_s").length, l);
            }
            for (ScalingCurves.Point p : points) {
                assertTrue(p.descentS() > 0, c + " " + p);
                assertTrue(Double.isNaN(p.peerS()), "no peer, no peer time: " + p);
            }
            assertEquals(4, points.get(0).size());
        }
    }

    @Test
    void theHvpCurveIsPlottedAgainstTheParameterCount() {
        List<ScalingCurves.Point> points = sweeper(null, new ByteArrayOutputStream()).run(ScalingCurves.Curve.HVP_PARAMS, new int[] {6});
        // 784-6-3-10: weights and biases of three layers.
        assertEquals(784 * 6 + 6 + 6 * 3 + 3 + 3 * 10 + 10, points.get(0).x());
        assertTrue(points.get(0).descentRatio() > 0);
    }

    @Test
    void theMlpStepFlopsAreThoseOfItsThreeGemmsTimesThree() {
        assertEquals(6.0 * 128 * (784 * 512 + 512 * 256 + 256 * 10), ScalingCurves.mlpStepFlops(512));
    }

    @Test
    void badSizesAndCurvesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> sweeper(null, new ByteArrayOutputStream()).run(ScalingCurves.Curve.MLP_WIDTH,
                new int[] {1}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScalingCurves.Curve.parse("lstm"));
        assertTrue(e.getMessage().contains("unknown curve 'lstm'"), e.getMessage());
        assertEquals(ScalingCurves.Curve.RNN_LENGTH, ScalingCurves.Curve.parse("rnn-length"));
        assertEquals(5, ScalingCurves.Curve.MLP_WIDTH.sizes(false).length);
    }

    @Test
    void aMissingScriptIsReportedNotRun() {
        String[] why = new String[1];
        assertEquals(null, Peer.locateScript(Path.of("/nonexistent/scaling_torch.py"), why));
        assertTrue(why[0].startsWith("peer script not found at /nonexistent/scaling_torch.py"), why[0]);
    }

    /** With torch present: the peer's MLP and batch are Descent's (same initial loss to float32 rounding). */
    @Test
    void theTorchSideStartsFromTheSameFunction() {
        String[] why = new String[1];
        Peer torch = Peer.locateScript(ScalingCurves.scalingPeerScript(Path.of("..")), why);
        Assumptions.assumeTrue(torch != null, () -> "torch not available: " + why[0]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<ScalingCurves.Point> points = sweeper(torch, out).run(ScalingCurves.Curve.MLP_WIDTH, new int[] {8});
        List<String> lines = jsonLines(out);
        assertEquals(2, lines.size(), String.join("\n", lines));
        double d = Peer.number(lines.get(0), "init_loss"), t = Peer.number(lines.get(1), "init_loss");
        assertEquals("torch", Peer.string(lines.get(1), "impl"));
        // A cross-entropy near ln 10 summed over 128 rows in float32: both agree to a few ulps of the mean.
        assertEquals(d, t, 1e-5 * Math.abs(d), "initial loss descent " + d + " torch " + t);
        assertNotNull(points.get(0));
        assertTrue(points.get(0).peerS() > 0);
    }
}
