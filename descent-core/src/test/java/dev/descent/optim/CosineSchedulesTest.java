package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The cosine schedules: floor after the horizon, η_min as a rate, and PyTorch's periodic annealing. */
class CosineSchedulesTest {
    static final double ULP_SLACK = 4 * Math.ulp(1.0);

    @Test
    void cosineDecayStaysAtItsFloorAfterTheHorizon() {
        Schedule s = Schedules.cosineDecay(0.5, 100, 0.2);
        assertEquals(0.5, s.valueAt(0), 0);
        assertEquals(0.1, s.valueAt(100), 0.5 * ULP_SLACK);
        for (long t : new long[] {101, 150, 200, 1_000_000}) assertEquals(s.valueAt(100), s.valueAt(t), 0, "t = " + t);
    }

    @Test
    void finalRateIsARateAndAgreesWithTheFraction() {
        Schedule rate = Schedules.cosineDecayTo(0.5, 100, 0.02);
        Schedule fraction = Schedules.cosineDecay(0.5, 100, 0.02 / 0.5);
        for (long t = 0; t <= 130; t++) assertEquals(fraction.valueAt(t), rate.valueAt(t), ULP_SLACK, "t = " + t);
        assertEquals(0.02, rate.valueAt(100), ULP_SLACK);
        assertEquals(0.02, rate.valueAt(500), ULP_SLACK);
        assertEquals(0.26, rate.valueAt(50), ULP_SLACK, "midpoint is the mean of the two rates");
        // η₀ = 0 has no fraction, and a rate above η₀ rises: both are PyTorch-legal.
        assertEquals(0.01, Schedules.cosineDecayTo(0, 10, 0.01).valueAt(10), 0);
        assertTrue(Schedules.cosineDecayTo(0.1, 10, 0.3).valueAt(5) > 0.1);
        assertThrows(IllegalArgumentException.class, () -> Schedules.cosineDecayTo(0.1, 10, -0.01));
    }

    @Test
    void cosineAnnealingKeepsFollowingTheCosineLikePytorch() {
        double lr = 0.1, etaMin = 0.001;
        int tMax = 20;
        Schedule s = Schedules.cosineAnnealing(lr, tMax, etaMin);
        for (long t = 0; t <= 5 * tMax; t++) {
            double expected = etaMin + (lr - etaMin) * (1 + Math.cos(Math.PI * t / tMax)) / 2;
            assertEquals(expected, s.valueAt(t), 1e-15, "t = " + t);
        }
        assertEquals(etaMin, s.valueAt(tMax), 1e-15);
        assertEquals(lr, s.valueAt(2 * tMax), 1e-15, "back at η₀ after 2 T_max");
        assertTrue(s.valueAt(tMax + 5) > s.valueAt(tMax), "rises after T_max, unlike cosineDecay");
        assertEquals(Schedules.cosineDecayTo(lr, tMax, etaMin).valueAt(7), s.valueAt(7), ULP_SLACK);
        assertThrows(IllegalArgumentException.class, () -> Schedules.cosineAnnealing(lr, 0, etaMin));
    }
}
