package dev.descent.experiments;

import dev.descent.nn.Activation;

/**
 * Plain scalar float64 re-statements of the functions the experiments check, written from the
 * formulas with {@link Math} and loops, sharing no code with the library: they are the independent
 * second computation each measured figure is compared against.
 */
final class Reference {
    private Reference() {}

    /** σ(a) from its formula. */
    static double sigma(Activation act, double a) {
        switch (act) {
            case TANH: return Math.tanh(a);
            case SIGMOID: return 1 / (1 + Math.exp(-a));
            case RELU: return a > 0 ? a : 0;
            case IDENTITY: return a;
            default: throw new IllegalArgumentException("no reference for " + act);
        }
    }

    /** σ'(a) from its formula (relu: 0 at 0). */
    static double sigmaPrime(Activation act, double a) {
        switch (act) {
            case TANH: {
                double t = Math.tanh(a);
                return 1 - t * t;
            }
            case SIGMOID: {
                double s = 1 / (1 + Math.exp(-a));
                return s * (1 - s);
            }
            case RELU: return a > 0 ? 1 : 0;
            case IDENTITY: return 1;
            default: throw new IllegalArgumentException("no reference for " + act);
        }
    }

    /** y = M v for M [rows, cols] row-major. */
    static double[] multiply(double[] m, int rows, int cols, double[] v) {
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int j = 0; j < cols; j++) s += m[i * cols + j] * v[j];
            y[i] = s;
        }
        return y;
    }

    /** C = A B for A [n, k], B [k, m], row-major. */
    static double[] multiply(double[] a, double[] b, int n, int k, int m) {
        double[] c = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < k; p++) {
                double aip = a[i * k + p];
                for (int j = 0; j < m; j++) c[i * m + j] += aip * b[p * m + j];
            }
        }
        return c;
    }

    /**
     * The largest singular value of A [n, n]: the square root of the largest eigenvalue of AᵀA,
     * found by the cyclic Jacobi method (Golub &amp; Van Loan §8.5), which converges for every
     * symmetric matrix and gives its largest eigenvalue to a few n·2⁻⁵³ relative. An implementation
     * independent of the library's SVD.
     */
    static double spectralNorm(double[] a, int n) {
        double[] s = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double t = 0;
                for (int k = 0; k < n; k++) t += a[k * n + i] * a[k * n + j];
                s[i * n + j] = t;
            }
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++) {
                diag += s[i * n + i] * s[i * n + i];
                for (int j = 0; j < n; j++) if (i != j) off += s[i * n + j] * s[i * n + j];
            }
            if (off <= 1e-30 * diag) break;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = s[p * n + q];
                    if (apq == 0) continue;
                    double theta = (s[q * n + q] - s[p * n + p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1), sn = t * c;
                    for (int k = 0; k < n; k++) {
                        double skp = s[k * n + p], skq = s[k * n + q];
                        s[k * n + p] = c * skp - sn * skq;
                        s[k * n + q] = sn * skp + c * skq;
                    }
                    for (int k = 0; k < n; k++) {
                        double spk = s[p * n + k], sqk = s[q * n + k];
                        s[p * n + k] = c * spk - sn * sqk;
                        s[q * n + k] = sn * spk + c * sqk;
                    }
                }
            }
        }
        double max = 0;
        for (int i = 0; i < n; i++) max = Math.max(max, s[i * n + i]);
        return Math.sqrt(max);
    }
}
