package dev.descent.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.data.Dataset;
import dev.descent.nn.ActivationLayer;
import dev.descent.nn.Activation;
import dev.descent.nn.Linear;
import dev.descent.nn.Sequential;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** Shared fixtures: the test Spark context, small models and data sets, comparisons. */
final class SparkTestSupport {
    private SparkTestSupport() {}

    /**
     * One local context per test class: two task threads, and up to 3 attempts per task so that
     * injected failures are retried (Spark's {@code local[N,F]}).
     */
    static JavaSparkContext context() {
        SparkConf conf = new SparkConf().setMaster("local[2,3]").setAppName("descent-spark-test")
                .set("spark.ui.enabled", "false").set("spark.driver.bindAddress", "127.0.0.1").set("spark.driver.host", "127.0.0.1")
                .set("spark.sql.shuffle.partitions", "2");
        JavaSparkContext sc = new JavaSparkContext(conf);
        sc.setLogLevel("ERROR");
        return sc;
    }

    /** A tanh MLP in → hidden → out, float64, drawn from {@code seed}. */
    static Sequential mlp(int in, int hidden, int out, long seed) {
        Rng rng = new Rng(seed);
        return new Sequential(new Linear(in, hidden, rng, DType.F64), new ActivationLayer(Activation.TANH), new Linear(hidden, out, rng, DType.F64));
    }

    /** Three Gaussian blobs in 4 dims, labels 0..2, float64. */
    static Dataset blobs(int n, long seed) {
        Rng rng = new Rng(seed);
        double[] x = new double[4 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int j = 0; j < 4; j++) x[4 * i + j] = (j == labels[i] ? 1.0 : 0.0) + 0.6 * rng.nextGaussian();
        }
        return Dataset.classification(Tensor.wrap(x, n, 4), labels, 3);
    }

    /** y = sin(x₀) + x₁²/2 on [−1, 1]², float64. */
    static Dataset wave(int n, long seed) {
        Rng rng = new Rng(seed);
        double[] x = new double[2 * n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = 2 * rng.nextDouble() - 1;
            x[2 * i + 1] = 2 * rng.nextDouble() - 1;
            y[i] = Math.sin(x[2 * i]) + 0.5 * x[2 * i + 1] * x[2 * i + 1];
        }
        return Dataset.regression(Tensor.wrap(x, n, 2), Tensor.wrap(y, n, 1));
    }

    /** max over tensors of ‖a − b‖∞ / ‖a‖∞. */
    static double relativeDifference(Params a, Params b) {
        double worst = 0;
        for (String name : a.names()) {
            double[] x = a.get(name).toDoubleArray(), y = b.get(name).toDoubleArray();
            double diff = 0, scale = 0;
            for (int i = 0; i < x.length; i++) {
                diff = Math.max(diff, Math.abs(x[i] - y[i]));
                scale = Math.max(scale, Math.abs(x[i]));
            }
            worst = Math.max(worst, diff / scale);
        }
        return worst;
    }

    static void assertBitIdentical(String what, Params a, Params b) {
        assertEquals(a.names(), b.names(), what);
        for (String name : a.names()) assertArrayEquals(a.get(name).toDoubleArray(), b.get(name).toDoubleArray(), 0.0, what + ": " + name);
    }

    static void assertClose(String what, Params reference, Params distributed, double tolerance) {
        double r = relativeDifference(reference, distributed);
        assertTrue(r <= tolerance, what + ": relative difference " + r + " > " + tolerance);
    }
}
