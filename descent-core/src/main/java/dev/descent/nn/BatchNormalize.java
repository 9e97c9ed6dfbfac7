package dev.descent.nn;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Primitive;
import dev.descent.autodiff.Var;
import dev.descent.nn.kernel.BatchNormKernels;
import dev.descent.tensor.DType;
import dev.descent.tensor.Shape;
import dev.descent.tensor.Tensor;
import dev.descent.tensor.kernel.Storage;

/**
 * Training-mode batch normalisation as one primitive (Ioffe &amp; Szegedy 2015): inputs x [.., F]
 * (its leading axes are the n = size/F rows) and, when affine, γ [F] and β [F]; per feature f,
 * with μ the batch mean, σ² the biased batch variance and s = √(σ² + ε),
 * <pre>
 *   y = (x − μ)/s · γ + β        (x̂ = (x − μ)/s)
 * </pre>
 * JVP: with ċ = ẋ − mean(ẋ), ẏ = γ̇ x̂ + β̇ + γ (ċ − x̂ · mean(x̂ ċ))/s.
 * VJP (ȳ the cotangent): β̄ = Σ_rows ȳ, γ̄ = Σ_rows ȳ x̂, x̄ = (γ/s)(ȳ − β̄/n − x̂ γ̄/n).
 *
 * <p>The forward pass performs the same operations in the same order as the composition in
 * {@link BatchNorm} did (column sums, the centred squares, the division by s, then γ and β), so
 * outputs are unchanged bit for bit; it keeps μ and σ² for the running statistics. The backward
 * pass is the closed form above in two passes over x and ȳ instead of the dozen broadcasting
 * operations of the composition. When the backward pass must itself be differentiated
 * (Hessian-vector products, double backward) the same closed form is written with
 * {@link Var} operations, recomputing μ, s and x̂ from x, as in {@link RnnScan}.
 */
final class BatchNormalize extends Primitive {
    private final double eps;
    private Tensor mean, variance, std;

    BatchNormalize(double eps) {
        this.eps = eps;
    }

    @Override
    public String name() {
        return "batchNorm";
    }

    /** μ of the last forward pass, [F]. */
    Tensor mean() {
        return mean;
    }

    /** The biased variance σ² of the last forward pass, [F]. */
    Tensor variance() {
        return variance;
    }

    @Override
    public Tensor forward(Tensor[] in) {
        Tensor x = in[0];
        int features = x.dim(-1), rows = x.size() / features;
        DType dtype = x.dtype();
        Storage xa = x.storage();
        mean = Tensor.zeros(dtype, features);
        variance = Tensor.zeros(dtype, features);
        Storage ma = mean.storage(), va = variance.storage();
        Loops.columnSums(xa, 0, rows, features, ma);
        divideBy(ma, rows, features);
        Tensor y = Tensor.zeros(dtype, x.dims());
        Storage ya = y.storage();
        // The centred squares go through y's array first, so that the variance is the same
        // blocked column sum as Tensor.mean would take of them.
        BatchNormKernels.of(ya).centredSquares(xa, ma, ya, rows, features);
        Loops.columnSums(ya, 0, rows, features, va);
        divideBy(va, rows, features);
        std = variance.add(eps).sqrt();
        boolean affine = in.length == 3;
        BatchNormKernels.of(ya).normalizedAffine(xa, ma, std.storage(), affine ? in[1].storage() : null, affine ? in[2].storage() : null, ya, rows, features);
        return y;
    }

    private static void divideBy(Storage a, int count, int n) {
        for (int i = 0; i < n; i++) a.set(i, a.get(i) / a.round(count));
    }

    /** x̂ = (x − μ)/s as a tensor. */
    private Tensor normalised(Tensor x) {
        return x.sub(mean).div(std);
    }

    private static int[] leadingAxes(Tensor x) {
        int[] axes = new int[x.rank() - 1];
        for (int i = 0; i < axes.length; i++) axes[i] = i;
        return axes;
    }

    @Override
    public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
        Tensor x = in[0];
        boolean affine = in.length == 3;
        Tensor dx = t[0], dgamma = affine ? t[1] : null, dbeta = affine ? t[2] : null;
        if (dx == null && dgamma == null && dbeta == null) return null;
        int[] axes = leadingAxes(x);
        Tensor xhat = normalised(x);
        Tensor r = null;
        if (dx != null) {
            Tensor c = dx.sub(dx.mean(axes, true));
            Tensor dxhat = c.sub(xhat.mul(xhat.mul(c).mean(axes, true))).div(std);
            r = affine ? dxhat.mul(in[1]) : dxhat;
        }
        if (dgamma != null) r = r == null ? xhat.mul(dgamma) : r.add(xhat.mul(dgamma));
        if (dbeta != null) r = r == null ? dbeta.broadcastTo(x.shape()) : r.add(dbeta);
        return r;
    }

    @Override
    public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
        boolean plain = !Autodiff.isRecording() && ct.tangent() == null;
        for (Var v : in) plain &= v.tangent() == null;
        return plain ? fusedVjp(in, ct, need) : differentiableVjp(in, ct, need);
    }

    private Var[] fusedVjp(Var[] in, Var ctVar, boolean[] need) {
        Tensor x = in[0].value(), ct = ctVar.value();
        boolean affine = in.length == 3;
        int features = x.dim(-1), rows = x.size() / features;
        DType dtype = x.dtype();
        Storage xa = x.storage(), ca = ct.storage(), ma = mean.storage(), sa = std.storage();
        Tensor dbeta = Tensor.zeros(dtype, features), dgamma = Tensor.zeros(dtype, features);
        Storage dba = dbeta.storage(), dga = dgamma.storage();
        Loops.columnSums(ca, 0, rows, features, dba);
        // γ̄ = Σ ȳ x̂, through a [rows, F] buffer that later receives x̄.
        Tensor dx = Tensor.zeros(dtype, x.dims());
        Storage dxa = dx.storage();
        BatchNormKernels.of(dxa).normalizedTimes(xa, ma, sa, ca, dxa, rows, features); // x̂ ȳ, one pass
        Loops.columnSums(dxa, 0, rows, features, dga);
        if (need[0]) {
            // x̄ = (γ/s)(ȳ − β̄/n − x̂ γ̄/n): per feature, scale = γ/s, b = β̄/n, k = γ̄/n.
            Storage scale = dtype.allocate(features), b = dtype.allocate(features), k = dtype.allocate(features);
            for (int f = 0; f < features; f++) {
                double g = affine ? ((in[1].value()).storage()).get(f) : 1;
                scale.set(f, g / sa.get(f));
                b.set(f, dba.get(f) / rows);
                k.set(f, dga.get(f) / rows);
            }
            // One pass instead of six calls per row: the per-row calls dominated the MLP's batch-norm backward.
            BatchNormKernels.of(dxa).normalizedInputGradient(xa, ma, sa, ca, b, k, scale, dxa, rows, features);
        }
        Var[] r = new Var[in.length];
        r[0] = need[0] ? Var.constant(dx) : null;
        if (affine) {
            r[1] = need[1] ? Var.constant(dgamma) : null;
            r[2] = need[2] ? Var.constant(dbeta) : null;
        }
        return r;
    }

    /** The closed form with Var operations, μ, s and x̂ recomputed from x. */
    private Var[] differentiableVjp(Var[] in, Var ct, boolean[] need) {
        Var x = in[0];
        boolean affine = in.length == 3;
        int[] axes = leadingAxes(x.value());
        int features = x.dim(-1), rows = x.value().size() / features;
        int[] kept = Shape.of(x.value().dims()).dims();
        for (int a : axes) kept[a] = 1;
        Var mu = x.mean(axes, true);
        Var c = x.sub(mu);
        Var s = c.square().mean(axes, true).add(eps).sqrt();
        Var xhat = c.div(s);
        Var dbeta = ct.sum(axes, false);
        Var dgamma = ct.mul(xhat).sum(axes, false);
        Var[] r = new Var[in.length];
        if (need[0]) {
            Var scale = affine ? in[1].reshape(kept).div(s) : s.pow(-1);
            r[0] = scale.mul(ct.sub(dbeta.reshape(kept).div(rows)).sub(xhat.mul(dgamma.reshape(kept).div(rows))));
        }
        if (affine) {
            r[1] = need[1] ? dgamma : null;
            r[2] = need[2] ? dbeta : null;
        }
        return r;
    }
}
