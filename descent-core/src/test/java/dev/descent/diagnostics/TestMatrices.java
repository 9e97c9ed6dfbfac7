package dev.descent.diagnostics;

import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.decomposition.QRDecomposition;

/** Random matrices with prescribed spectra and EJML reference eigenvalues, for the tests. */
final class TestMatrices {
    private TestMatrices() {}

    /** A Gaussian [n, n] matrix rescaled so that its spectral norm is exactly {@code norm} (to rounding). */
    static Tensor withSpectralNorm(Rng rng, int n, double norm) {
        Tensor w = rng.normal(DType.F64, 0, 1, n, n);
        return w.mul(norm / MatrixSpectra.spectralNorm(w));
    }

    /** A random orthogonal [n, n] matrix: the Q factor of a Gaussian matrix. */
    static Tensor orthogonal(Rng rng, int n) {
        DMatrixRMaj a = new DMatrixRMaj(n, n, true, rng.normal(DType.F64, 0, 1, n, n).toDoubleArray());
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(n, n);
        if (!qr.decompose(a)) throw new IllegalStateException("QR failed");
        DMatrixRMaj q = qr.getQ(null, false);
        return Tensor.of(q.getData(), n, n);
    }

    /** All eigenvalues of a symmetric matrix, ascending, by EJML's dense symmetric solver. */
    static double[] symmetricEigenvalues(double[][] m) {
        int n = m.length;
        DMatrixRMaj a = new DMatrixRMaj(m);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false, true);
        if (!eig.decompose(a)) throw new IllegalStateException("eigendecomposition failed");
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = eig.getEigenvalue(i).getReal();
        java.util.Arrays.sort(values);
        return values;
    }
}
