package dev.descent.train;

import dev.descent.optim.GradientTransformation;
import dev.descent.optim.Schedule;
import dev.descent.optim.second.ModelOracle;
import dev.descent.optim.second.SecondOrderOptimizer;
import dev.descent.optim.second.SecondOrderStep;
import dev.descent.optim.second.StepReport;
import dev.descent.tensor.Params;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The optimiser a {@link Trainer} runs: either a first-order {@link GradientTransformation}
 * (gradients in, updates out) or a second-order method that asks a curvature oracle for the
 * current batch (see {@code dev.descent.optim.second}).
 */
public sealed interface TrainingOptimizer permits TrainingOptimizer.FirstOrder, TrainingOptimizer.SecondOrder {
    /** A short name for logs and metrics, e.g. {@code adam}. */
    String name();

    /** The optimiser's state before the first step. */
    Object init(Params params);

    /**
     * A first-order optimiser.
     *
     * @param name its name
     * @param transformation the composed transformation (clipping included, if any)
     * @param learningRate the learning rate η(t) it applies at update count t (t = 0 first), for
     *     reports and for the effective learning rate of weight-normalised layers
     * @param clipNorm the global-norm clipping threshold inside {@code transformation}, if any
     */
    record FirstOrder(String name, GradientTransformation<?> transformation, Schedule learningRate, OptionalDouble clipNorm)
            implements TrainingOptimizer {
        /** Rejects nulls. */
        public FirstOrder {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(transformation, "transformation");
            Objects.requireNonNull(learningRate, "learningRate");
            Objects.requireNonNull(clipNorm, "clipNorm");
        }

        @Override
        public Object init(Params params) {
            return transformation.init(params);
        }

        /** The transformation with its state type erased (the state is threaded as an Object). */
        @SuppressWarnings("unchecked")
        GradientTransformation<Object> erased() {
            // Safe: the only states ever passed back are ones this transformation returned.
            return (GradientTransformation<Object>) transformation;
        }
    }

    /**
     * A second-order optimiser. Each step gets a {@link ModelOracle} for the step's batch, which
     * offers losses, gradients, Hessian- and Gauss-Newton-vector products, so any method of
     * {@code dev.descent.optim.second} fits.
     *
     * @param name its name
     * @param method the method
     */
    record SecondOrder(String name, SecondOrderOptimizer<? super ModelOracle, ?, ? extends StepReport> method)
            implements TrainingOptimizer {
        /** Rejects nulls. */
        public SecondOrder {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(method, "method");
        }

        @Override
        public Object init(Params params) {
            return method.init(params);
        }

        /** One step of the method with its state threaded as an Object. */
        @SuppressWarnings("unchecked")
        SecondOrderStep<Object, ? extends StepReport> step(Params params, Object state, ModelOracle oracle) {
            // Safe: the only states ever passed back are ones this method returned.
            return ((SecondOrderOptimizer<ModelOracle, Object, ? extends StepReport>) method).step(params, state, oracle);
        }
    }
}
