import dev.descent.nn.Init;
import dev.descent.nn.Linear;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;

/**
 * Run with the source launcher on the plain classpath the README gives (the core jar and its
 * runtime dependencies only): builds a Linear and an orthogonally initialised one (QR in EJML)
 * and prints a number that depends on both.
 */
public class EmbeddingCheck {
    public static void main(String[] args) {
        Rng rng = new Rng(1);
        Linear plain = new Linear(3, 2, rng, DType.F64);
        Linear orthogonal = new Linear(4, 4, false, Init.orthogonal(1), rng, DType.F64);
        Tensor w = orthogonal.parameters().get("weight");
        double gram = w.matmul(w, false, true).sub(Tensor.eye(DType.F64, 4)).maxAbs();
        Tensor y = plain.forward(Tensor.ones(DType.F64, 1, 3));
        System.out.println("ok " + y.dim(1) + " " + (gram < 1e-12));
    }
}
