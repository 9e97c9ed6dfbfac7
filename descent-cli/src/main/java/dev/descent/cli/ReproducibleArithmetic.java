package dev.descent.cli;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Whether this JVM computes the tensor kernels' vector arithmetic the same way in every JIT tier,
 * which bit-identical runs and resumptions need.
 *
 * <p>HotSpot intrinsifies the Vector API's lanewise exp/log/tanh (with SVML stubs) and
 * {@code reduceLanes(ADD)} (in another summation order) only in C2-compiled code; the interpreter
 * and C1 run the Java fallbacks. The kernels' results therefore change in their last bits when
 * the JIT compiles them, at a moment that varies from run to run, and two runs of the same
 * configuration drift apart (measured: the default run differed from step 12 on). Disabling those
 * intrinsics makes every tier run the fallbacks: runs are then reproducible, and a resumed run is
 * byte for byte the uninterrupted one, for about 10% of speed (measured on the default run).
 */
final class ReproducibleArithmetic {
    private ReproducibleArithmetic() {}

    /** The intrinsics to disable: JDK 24 moved the math functions to their own intrinsic. */
    static String intrinsics() {
        return Runtime.version().feature() >= 24 ? "_VectorUnaryOp,_VectorUnaryLibOp,_VectorReductionCoerced"
                : "_VectorUnaryOp,_VectorReductionCoerced";
    }

    /** The JVM flags that make vector arithmetic reproducible on this JDK. */
    static List<String> flags() {
        return List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:DisableIntrinsic=" + intrinsics());
    }

    /** The one-line note printed when a run resumes without those flags. */
    static final String ADVICE = "note: bit-identical continuation needs reproducible vector arithmetic: "
            + "DESCENT_JAVA_OPTS='" + String.join(" ", flags()) + "' (see 'descent train --help')";

    /** Whether this JVM was started with every intrinsic of {@link #intrinsics()} disabled. */
    static boolean enabled() {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String needed : intrinsics().split(",")) {
            boolean found = false;
            for (String a : args) {
                if (a.startsWith("-XX:DisableIntrinsic=") && List.of(a.substring("-XX:DisableIntrinsic=".length()).split(",")).contains(needed)) {
                    found = true;
                }
            }
            if (!found) return false;
        }
        return true;
    }
}
