package dev.descent.nn;

import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Shape;
import dev.descent.tensor.Tensor;
import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.decomposition.QRDecomposition;

/**
 * A parameter initialiser: a seeded rule that creates a tensor of a given shape.
 *
 * <p>Fans follow PyTorch's convention for a weight of shape [out, in, k…]: fan_in = in·Πk and
 * fan_out = out·Πk; a rank-1 shape [n] has fan_in = fan_out = n (PyTorch refuses rank 1). Values
 * are drawn in float64 from the {@link Rng} and then rounded to the requested dtype, so float32
 * and float64 models built from the same seed hold the same numbers up to rounding.
 */
@FunctionalInterface
public interface Init {
    /**
     * A new tensor of {@code shape} drawn with {@code rng} (which it advances).
     *
     * @throws IllegalArgumentException if the shape does not suit the rule (e.g. orthogonal of rank 1)
     */
    Tensor create(Rng rng, DType dtype, int... shape);

    /** fan_in of a weight shape (see the class comment). */
    static int fanIn(int... shape) {
        if (shape.length == 0) throw new IllegalArgumentException("init: fan_in of a scalar shape [] is undefined");
        if (shape.length == 1) return shape[0];
        return Shape.of(shape).sizeBetween(1, shape.length);
    }

    /** fan_out of a weight shape (see the class comment). */
    static int fanOut(int... shape) {
        if (shape.length == 0) throw new IllegalArgumentException("init: fan_out of a scalar shape [] is undefined");
        if (shape.length == 1) return shape[0];
        return shape[0] * Shape.of(shape).sizeBetween(2, shape.length);
    }

    /** All zeros. */
    static Init zeros() {
        return (rng, dtype, shape) -> Tensor.zeros(dtype, shape);
    }

    /** Every element equal to {@code value}. */
    static Init constant(double value) {
        requireFinite("constant", "value", value);
        return (rng, dtype, shape) -> Tensor.full(dtype, value, shape);
    }

    /** U(−bound, bound). */
    static Init uniform(double bound) {
        requireNonNegative("uniform", "bound", bound);
        return (rng, dtype, shape) -> rng.uniform(dtype, -bound, bound, shape);
    }

    /** N(0, std²). */
    static Init normal(double std) {
        requireNonNegative("normal", "std", std);
        return (rng, dtype, shape) -> rng.normal(dtype, 0, std, shape);
    }

    /**
     * PyTorch's default for Linear and RNN weights: U(−1/√fan_in, 1/√fan_in) (the result of
     * {@code kaiming_uniform_(a=√5)}; He et al. 2015 with that gain).
     */
    static Init pytorchDefault() {
        return (rng, dtype, shape) -> {
            double bound = 1 / Math.sqrt(fanIn(shape));
            return rng.uniform(dtype, -bound, bound, shape);
        };
    }

    /**
     * Glorot/Xavier uniform: U(−b, b) with b = gain·√(6/(fan_in + fan_out)), which keeps the
     * variance of activations and gradients roughly constant across layers (Glorot &amp; Bengio 2010).
     */
    static Init glorotUniform(double gain) {
        requirePositive("glorotUniform", "gain", gain);
        return (rng, dtype, shape) -> {
            double bound = gain * Math.sqrt(6.0 / (fanIn(shape) + fanOut(shape)));
            return rng.uniform(dtype, -bound, bound, shape);
        };
    }

    /** Glorot/Xavier normal: N(0, s²) with s = gain·√(2/(fan_in + fan_out)) (Glorot &amp; Bengio 2010). */
    static Init glorotNormal(double gain) {
        requirePositive("glorotNormal", "gain", gain);
        return (rng, dtype, shape) -> rng.normal(dtype, 0, gain * Math.sqrt(2.0 / (fanIn(shape) + fanOut(shape))), shape);
    }

    /**
     * He/Kaiming uniform (fan_in mode): U(−b, b) with b = gain·√(3/fan_in); gain √2 suits relu
     * (He et al. 2015). PyTorch's {@code kaiming_uniform_} with {@code nonlinearity='relu'} is
     * {@code heUniform(Math.sqrt(2))}.
     */
    static Init heUniform(double gain) {
        requirePositive("heUniform", "gain", gain);
        return (rng, dtype, shape) -> {
            double bound = gain * Math.sqrt(3.0 / fanIn(shape));
            return rng.uniform(dtype, -bound, bound, shape);
        };
    }

    /** He/Kaiming normal (fan_in mode): N(0, s²) with s = gain/√fan_in (He et al. 2015). */
    static Init heNormal(double gain) {
        requirePositive("heNormal", "gain", gain);
        return (rng, dtype, shape) -> rng.normal(dtype, 0, gain / Math.sqrt(fanIn(shape)), shape);
    }

    /**
     * Scaled normal: N(0, scale²/fan_in). For a square n×n matrix the spectral radius is then
     * close to {@code scale} for large n (the circular law), which is how recurrent experiments
     * set the regime of a recurrence (Sutskever et al. 2013).
     */
    static Init scaledNormal(double scale) {
        requireNonNegative("scaledNormal", "scale", scale);
        return (rng, dtype, shape) -> rng.normal(dtype, 0, scale / Math.sqrt(fanIn(shape)), shape);
    }

    /** {@code gain}·I for a matrix (ones on the main diagonal of a non-square one); Le et al. 2015 (IRNN). */
    static Init identity(double gain) {
        requireFinite("identity", "gain", gain);
        return (rng, dtype, shape) -> {
            if (shape.length != 2) {
                throw new IllegalArgumentException("init identity: needs a matrix shape, got " + Arrays.toString(shape));
            }
            Tensor t = Tensor.zeros(DType.F64, shape);
            double[] d = t.rawF64();
            for (int i = 0; i < Math.min(shape[0], shape[1]); i++) d[i * shape[1] + i] = gain;
            return t.to(dtype);
        };
    }

    /**
     * A (semi-)orthogonal matrix times {@code gain} (Saxe, McClelland &amp; Ganguli 2014), as
     * PyTorch's {@code orthogonal_}: the weight is viewed as [rows = shape[0], cols = the rest], a
     * Gaussian matrix of that shape (transposed when rows &lt; cols) is factored A = QR in float64,
     * and Q·diag(sign(diag R)) is taken, which makes Q Haar-distributed. Rows are orthonormal
     * when rows ≤ cols, columns otherwise.
     */
    static Init orthogonal(double gain) {
        requireFinite("orthogonal", "gain", gain);
        return (rng, dtype, shape) -> {
            if (shape.length < 2) {
                throw new IllegalArgumentException("init orthogonal: needs rank >= 2, got shape " + Arrays.toString(shape));
            }
            int rows = shape[0], cols = Shape.of(shape).sizeBetween(1, shape.length);
            if (rows == 0 || cols == 0) return Tensor.zeros(dtype, shape);
            int m = Math.max(rows, cols), n = Math.min(rows, cols);
            DMatrixRMaj a = new DMatrixRMaj(m, n);
            for (int i = 0; i < m * n; i++) a.data[i] = rng.nextGaussian();
            QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(m, n);
            if (!qr.decompose(a)) throw new IllegalStateException("init orthogonal: QR decomposition failed");
            DMatrixRMaj q = qr.getQ(null, true);
            DMatrixRMaj r = qr.getR(null, true);
            double[] out = new double[rows * cols];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double v = q.get(i, j) * (r.get(j, j) < 0 ? -gain : gain);
                    // Q is m×n; when rows < cols the weight is Qᵀ.
                    if (rows >= cols) out[i * cols + j] = v; else out[j * cols + i] = v;
                }
            }
            return Tensor.wrap(out, shape).to(dtype);
        };
    }

    /** Martens' (2010) number of non-zero incoming weights per unit of the sparse initialisation. */
    int SPARSE_CONNECTIONS = 15;

    /**
     * The sparse initialisation of Martens (2010, §5), as Martens &amp; Sutskever (2011) use it for
     * the recurrent weights of RNNs: every unit (row of the square matrix W) gets exactly
     * min(k, n) non-zero incoming weights, at distinct random columns, drawn from N(0, 1); then W
     * is scaled so that its spectral radius max|λᵢ(W)| (eigenvalues from EJML's dense
     * eigen-decomposition, float64) equals {@code spectralRadius}. Unlike a dense Gaussian init,
     * the scale of a unit's input does not shrink with the layer width, and units differ more
     * from each other.
     *
     * @param connections k ≥ 1 non-zero incoming weights per unit
     * @param spectralRadius ρ &gt; 0
     * @throws IllegalArgumentException for a non-square shape, or when ten draws all had
     *     spectral radius 0 (a nilpotent pattern, possible only for tiny k·n)
     */
    static Init sparse(int connections, double spectralRadius) {
        if (connections < 1) throw new IllegalArgumentException("init sparse: connections must be >= 1, got " + connections);
        requirePositive("sparse", "spectral radius", spectralRadius);
        return (rng, dtype, shape) -> {
            if (shape.length != 2 || shape[0] != shape[1]) {
                throw new IllegalArgumentException("init sparse: needs a square matrix (a spectral radius), got shape " + Arrays.toString(shape));
            }
            int n = shape[0], k = Math.min(connections, n);
            if (n == 0) return Tensor.zeros(dtype, shape);
            for (int attempt = 0; attempt < 10; attempt++) {
                double[] w = new double[n * n];
                for (int i = 0; i < n; i++) {
                    int[] columns = rng.permutation(n);
                    for (int c = 0; c < k; c++) w[i * n + columns[c]] = rng.nextGaussian();
                }
                double radius = spectralRadius(w, n);
                if (!(radius > 0)) continue;
                double scale = spectralRadius / radius;
                for (int i = 0; i < w.length; i++) w[i] *= scale;
                return Tensor.wrap(w, shape).to(dtype);
            }
            throw new IllegalArgumentException("init sparse: ten draws of " + k + " connections per unit in a " + n + " x " + n
                    + " matrix all had spectral radius 0; use more connections");
        };
    }

    /** max|λᵢ| of a row-major n×n matrix (EJML's general eigen-decomposition; values only). */
    static double spectralRadius(double[] rowMajor, int n) {
        DMatrixRMaj a = new DMatrixRMaj(n, n);
        System.arraycopy(rowMajor, 0, a.data, 0, n * n);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false);
        if (!eig.decompose(a)) throw new IllegalStateException("init sparse: eigen-decomposition of a " + n + " x " + n + " matrix failed");
        double max = 0;
        for (int i = 0; i < eig.getNumberOfEigenvalues(); i++) max = Math.max(max, eig.getEigenvalue(i).getMagnitude());
        return max;
    }

    private static void requireFinite(String init, String what, double v) {
        if (!Double.isFinite(v)) throw new IllegalArgumentException("init " + init + ": " + what + " must be finite, got " + v);
    }

    private static void requireNonNegative(String init, String what, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("init " + init + ": " + what + " must be finite and >= 0, got " + v);
        }
    }

    private static void requirePositive(String init, String what, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("init " + init + ": " + what + " must be finite and > 0, got " + v);
        }
    }
}
