package dev.descent.train;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.data.Batch;
import dev.descent.data.BatchStream;
import dev.descent.diagnostics.ClipInfo;
import dev.descent.diagnostics.StepContext;
import dev.descent.diagnostics.TrainingListener;
import dev.descent.nn.Module;
import dev.descent.optim.ClipStats;
import dev.descent.optim.OptimizerStates;
import dev.descent.optim.Step;
import dev.descent.optim.Update;
import dev.descent.optim.Updates;
import dev.descent.nn.FlowRegularizer;
import dev.descent.nn.RecurrentModel;
import dev.descent.optim.second.GaussNewtonOracle;
import dev.descent.optim.second.HessianFree;
import dev.descent.optim.second.LossAndGradient;
import dev.descent.optim.second.ModelOracle;
import dev.descent.optim.second.Oracles;
import dev.descent.optim.second.SecondOrderStep;
import dev.descent.optim.second.StepReport;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The training loop: minibatches from a {@link BatchStream}, the {@link Objective}'s loss of a
 * {@link Module}, one step of a {@link TrainingOptimizer} per batch, with evaluation,
 * diagnostics ({@link TrainingListener}s) and checkpoints on a schedule.
 *
 * <p>One step, first-order: the batch is read once; loss and gradient come from one forward and
 * one backward pass ({@link Autodiff#valueAndGrad}), during which the model updates its buffers;
 * the optimiser's fused step ({@link Updates#step}) computes the new parameters and state in as
 * few passes as the optimiser allows (one for Adam). With listeners attached, which need the
 * updates themselves, the updates are formed and added ({@link Updates#apply}) instead: the same
 * numbers, bit for bit. Second-order: the method gets a {@link ModelOracle}
 * for the batch (loss, gradient, Hessian- and Gauss-Newton-vector products by autodiff); the
 * gradient the loop reports is computed once and handed to the method from a cache, so it is
 * not computed twice; buffers are updated by one extra forward pass, only for models that have
 * any.
 *
 * <p>What is trained is the model's {@link Module#trainable() trainable} parameters (all of them
 * unless some are frozen); the model is handed the current ones (with {@link Module#setTrainable})
 * before every evaluation, checkpoint and at the end, not after every step. Buffers are updated
 * by the model itself, once per step, in the training forward pass
 * ({@link Module#applyUpdatingBuffers}); the loss functions given to listeners and to
 * second-order methods use the pure {@link Module#apply(VarParams, Var)}.
 *
 * <p>Determinism: given the same {@link TrainingState}, the same batches follow (the stream is
 * positioned at the state's cursor) and the same arithmetic is done, so {@link #run} from a saved
 * state reproduces the uninterrupted run bit for bit.
 *
 * <p>Steps are numbered from 1: after step k the parameters have taken k updates. The
 * {@link StepContext}s given to listeners carry the same number. Not thread-safe; one trainer per
 * run.
 */
public final class Trainer {
    private final Module model;
    private final Objective objective;
    private final TrainingOptimizer optimizer;
    private final BatchStream batches;
    private final Evaluator evaluator;
    private final List<TrainingListener> listeners;
    private final DType dtype;
    /** Weight of the vanishing-gradient regulariser Ω in first-order steps (0 = off). */
    private final double flowWeight;
    /** Samples of the Hessian-free curvature minibatch (0 = the whole batch), and the batches' layout. */
    private final int curvatureBatch;
    private final boolean timeMajor;

    /**
     * A trainer of {@code model}.
     *
     * @param model the model; its current parameters are the starting point of {@link #initialState()}
     * @param objective the loss
     * @param optimizer the optimiser
     * @param batches the training batches
     * @param evaluator the held-out evaluation
     * @param listeners diagnostics and other per-step listeners (may be empty)
     */
    public Trainer(Module model, Objective objective, TrainingOptimizer optimizer, BatchStream batches, Evaluator evaluator,
                   List<TrainingListener> listeners) {
        this(model, objective, optimizer, batches, evaluator, listeners, 0, 0, false);
    }

    private Trainer(Module model, Objective objective, TrainingOptimizer optimizer, BatchStream batches, Evaluator evaluator,
                    List<TrainingListener> listeners, double flowWeight, int curvatureBatch, boolean timeMajor) {
        this.flowWeight = flowWeight;
        this.curvatureBatch = curvatureBatch;
        this.timeMajor = timeMajor;
        this.model = Objects.requireNonNull(model, "model");
        this.objective = Objects.requireNonNull(objective, "objective");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.batches = Objects.requireNonNull(batches, "batches");
        this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
        this.listeners = List.copyOf(listeners);
        Params p = model.trainable();
        if (p.count() == 0) throw new IllegalArgumentException("trainer: the model has no trainable parameters");
        this.dtype = p.asMap().values().iterator().next().dtype();
    }

    /**
     * This trainer with the vanishing-gradient regulariser Ω of Pascanu et al. (2013) added to
     * the objective of first-order steps with weight {@code weight} ({@link FlowRegularizer}: its
     * gradient joins W's in the recurrence's own backward pass); each step's Ω is reported in
     * the step metrics' details as {@code omega}.
     *
     * @throws IllegalArgumentException for a negative weight, a second-order optimiser, or a
     *     model without an Elman recurrence (found on the first step)
     */
    public Trainer withFlowRegularizer(double weight) {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("trainer: flow regularizer weight must be finite and >= 0, got " + weight);
        }
        if (weight > 0 && !(optimizer instanceof TrainingOptimizer.FirstOrder)) {
            throw new IllegalArgumentException("trainer: the flow regularizer applies to first-order optimisers, not " + optimizer.name());
        }
        return new Trainer(model, objective, optimizer, batches, evaluator, listeners, weight, curvatureBatch, timeMajor);
    }

    /**
     * This trainer with Hessian-free's curvature products taken on the first {@code samples}
     * samples of each batch (Martens 2010, §4.3: the gradient on the large batch, the Gauss-Newton
     * products, much more costly per sample and needed many times per step, on a smaller one).
     * With structural damping ({@link HessianFree#withStructuralDampingWeight}) the model must be
     * a {@link RecurrentModel}; S is then taken on the same curvature batch.
     *
     * @param samples samples per curvature batch (0 = the whole batch)
     * @param timeMajor whether batches are time-major [T, B, C]
     * @throws IllegalArgumentException for a negative size or a method other than Hessian-free
     */
    public Trainer withCurvatureBatch(int samples, boolean timeMajor) {
        if (samples < 0) throw new IllegalArgumentException("trainer: curvature batch must be >= 0, got " + samples);
        if (samples > 0 && !(optimizer instanceof TrainingOptimizer.SecondOrder so && so.method() instanceof HessianFree)) {
            throw new IllegalArgumentException("trainer: a curvature batch applies to hessian-free only, not " + optimizer.name());
        }
        return new Trainer(model, objective, optimizer, batches, evaluator, listeners, flowWeight, samples, timeMajor);
    }

    /**
     * The state before the first step: the model's current trainable parameters and buffers, a
     * fresh optimiser, the stream's position.
     */
    public TrainingState initialState() {
        Params p = model.trainable();
        return new TrainingState(0, p, model.buffers(), optimizer.init(p), batches.cursor());
    }

    /** The evaluator. */
    public Evaluator evaluator() {
        return evaluator;
    }

    /**
     * Trains from {@code from} up to {@code config.steps()} steps, reporting to {@code observer};
     * returns the final state, whose parameters and buffers are also left in the model. A state
     * already at or beyond the step count is returned unchanged.
     *
     * @throws TrainingDivergedException if a loss is not finite
     */
    public TrainingState run(TrainingState from, TrainingConfig config, TrainingObserver observer) {
        Objects.requireNonNull(observer, "observer");
        model.setTrainable(from.parameters());
        model.setBuffers(from.buffers());
        model.train();
        if (from.step() >= config.steps()) return from;
        batches.seek(from.cursor());
        Params params = from.parameters();
        Object state = from.optimizerState();
        for (long step = from.step() + 1; step <= config.steps(); step++) {
            Batch batch = inModelDtype(batches.next());
            Outcome o = optimizer instanceof TrainingOptimizer.FirstOrder fo
                    ? firstOrderStep(fo, batch, params, state, step, config.logs(step))
                    : secondOrderStep((TrainingOptimizer.SecondOrder) optimizer, batch, params, state, step);
            if (!Double.isFinite(o.loss)) {
                throw new TrainingDivergedException(step, "training diverged at step " + step + ": the loss is " + o.loss
                        + (optimizer instanceof TrainingOptimizer.FirstOrder ? " (try a smaller learning rate or gradient clipping)" : ""));
            }
            if (!listeners.isEmpty()) notifyListeners(o, batch, params, step);
            params = o.params;
            state = o.state;
            if (config.logs(step)) observer.onStep(o.metrics);
            if (config.evaluates(step) || config.checkpoints(step)) model.setTrainable(params);
            if (config.evaluates(step)) observer.onEvaluation(evaluator.evaluate(model, step));
            if (config.checkpoints(step)) observer.onCheckpoint(new TrainingState(step, params, model.buffers(), state, batches.cursor()));
        }
        model.setTrainable(params);
        return new TrainingState(config.steps(), params, model.buffers(), state, batches.cursor());
    }

    /** One step's result. */
    private record Outcome(double loss, Params params, Object state, Params gradients, Params updates, StepMetrics metrics,
                           Optional<ClipInfo> clip) {}

    private Batch inModelDtype(Batch b) {
        Tensor x = b.features().dtype() == dtype ? b.features() : b.features().to(dtype);
        Tensor y = b.targets() == null || b.targets().dtype() == dtype ? b.targets() : b.targets().to(dtype);
        return x == b.features() && y == b.targets() ? b : new Batch(x, y, b.labels(), b.labelShape(), b.indices());
    }

    private Outcome firstOrderStep(TrainingOptimizer.FirstOrder fo, Batch batch, Params params, Object state, long step, boolean logs) {
        Var x = Var.constant(batch.features());
        Autodiff.ValueAndGrad vg;
        double omega = Double.NaN;
        if (flowWeight > 0) {
            try (FlowRegularizer flow = FlowRegularizer.open(flowWeight)) {
                vg = Autodiff.valueAndGrad(vp -> objective.loss(model.applyUpdatingBuffers(vp, x), batch), params);
                if (flow.recurrences() == 0) {
                    throw new IllegalArgumentException("trainer: the flow regularizer needs a model with an Elman recurrence (Rnn)");
                }
                omega = flow.value();
            }
        } else {
            vg = Autodiff.valueAndGrad(vp -> objective.loss(model.applyUpdatingBuffers(vp, x), batch), params);
        }
        double loss = vg.value().item();
        if (!Double.isFinite(loss)) return new Outcome(loss, params, state, vg.grad(), null, null, Optional.empty());
        Params next, updates = null;
        Object nextState;
        if (listeners.isEmpty()) {
            // The fused path: e.g. Adam reads θ, g, m, v once and writes θ', m', v' (no update tree).
            Step<Object> s = Updates.step(fo.erased(), vg.grad(), state, params);
            next = s.params();
            nextState = s.state();
        } else {
            // Listeners see the updates themselves; the same numbers, bit for bit (Updates#step).
            Update<Object> u = fo.erased().update(vg.grad(), state, params);
            updates = u.updates();
            next = Updates.apply(params, updates);
            nextState = u.state();
        }
        Optional<ClipStats> clip = OptimizerStates.find(nextState, ClipStats.class);
        Optional<ClipInfo> clipInfo = clip.isPresent() && fo.clipNorm().isPresent()
                ? Optional.of(new ClipInfo(clip.get().lastPreClipNorm(), fo.clipNorm().getAsDouble())) : Optional.empty();
        StepMetrics metrics = null;
        if (logs) {
            double gradNorm = clip.isPresent() ? clip.get().lastPreClipNorm() : vg.grad().norm();
            metrics = new StepMetrics(step, loss, gradNorm, fo.learningRate().valueAt(step - 1),
                    clip.isPresent() ? clip.get().lastScale() : Double.NaN, Double.isNaN(omega) ? Map.of() : Map.of("omega", omega));
        }
        return new Outcome(loss, next, nextState, vg.grad(), updates, metrics, clipInfo);
    }

    private Outcome secondOrderStep(TrainingOptimizer.SecondOrder so, Batch batch, Params params, Object state, long step) {
        Var x = Var.constant(batch.features());
        RememberingOracle oracle = new RememberingOracle(Oracles.fromModel(vp -> model.apply(vp, x), out -> objective.loss(out, batch)));
        LossAndGradient lg = oracle.lossAndGradient(params);
        if (!Double.isFinite(lg.loss())) return new Outcome(lg.loss(), params, state, lg.gradient(), null, null, Optional.empty());
        SecondOrderStep<Object, ? extends StepReport> s;
        if (so.method() instanceof HessianFree hf && (curvatureBatch > 0 || hf.structuralDampingWeight() > 0)) {
            s = hessianFreeStep(hf, batch, params, (HessianFree.State) state, oracle);
        } else {
            s = so.step(params, state, oracle);
        }
        if (model.buffers().count() > 0) {
            try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
                model.applyUpdatingBuffers(VarParams.constants(params), x);
            }
        }
        StepMetrics metrics = new StepMetrics(step, lg.loss(), lg.gradient().norm(), Double.NaN, Double.NaN, describe(s.report()));
        Params updates = listeners.isEmpty() ? null : s.params().sub(params);
        return new Outcome(lg.loss(), s.params(), s.state(), lg.gradient(), updates, metrics, Optional.empty());
    }

    /**
     * Hessian-free with the gradient (and the losses of backtracking and the line search) on the
     * whole batch and the curvature products on the curvature batch, with structural damping's S
     * from the model's hidden states on that batch: D(h) = ½‖h − h(θ)‖²/m, whose Gauss-Newton
     * matrix is J_hᵀJ_h/m (the squared-error form Martens &amp; Sutskever 2011 use for non-logistic
     * units), scaled per sample as the loss is.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private SecondOrderStep<Object, ? extends StepReport> hessianFreeStep(HessianFree hf, Batch batch, Params params, HessianFree.State state,
                                                                        RememberingOracle full) {
        Batch cb = curvatureBatch > 0 && curvatureBatch < batch.size() ? batch.head(curvatureBatch, timeMajor) : batch;
        Var cx = Var.constant(cb.features());
        GaussNewtonOracle curvature;
        if (hf.structuralDampingWeight() > 0) {
            if (!(model instanceof RecurrentModel rm)) {
                throw new IllegalArgumentException("trainer: structural damping needs a model with hidden states (an RNN), got "
                        + model.getClass().getSimpleName());
            }
            int m = cb.size();
            curvature = Oracles.withSquaredHiddenPenalty(vp -> rm.outputAndHiddenStates(vp, cx), out -> objective.loss(out, cb), 1.0 / m);
        } else {
            curvature = cb == batch ? full : Oracles.fromModel(vp -> model.apply(vp, cx), out -> objective.loss(out, cb));
        }
        return (SecondOrderStep) hf.step(params, state, full, curvature);
    }

    private void notifyListeners(Outcome o, Batch batch, Params before, long step) {
        Var x = Var.constant(batch.features());
        Function<VarParams, Var> pureLoss = vp -> objective.loss(model.apply(vp, x), batch);
        StepContext ctx = StepContext.of(step, o.loss, before, o.gradients, o.updates, o.params).withLossFunction(pureLoss);
        if (optimizer instanceof TrainingOptimizer.FirstOrder fo) {
            double eta = fo.learningRate().valueAt(step - 1);
            if (eta > 0 && Double.isFinite(eta)) ctx = ctx.withLearningRate(eta);
        }
        if (o.clip.isPresent()) ctx = ctx.withClip(o.clip.get());
        for (TrainingListener l : listeners) l.onStep(ctx);
    }

    /**
     * The components of a second-order report that are numbers, booleans or enums, by name: the
     * {@code details} of a step's {@link StepMetrics}, shared by every trainer (single JVM, Spark).
     */
    public static Map<String, Object> describe(StepReport report) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!(report instanceof Record)) return m;
        for (RecordComponent c : report.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(report);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.getName() + " of " + report.getClass().getSimpleName(), e);
            }
            if (v instanceof Number || v instanceof Boolean) m.put(c.getName(), v);
            else if (v instanceof Enum<?> e) m.put(c.getName(), e.name());
        }
        return m;
    }

    /**
     * An oracle that remembers the loss and gradient at the parameters the loop evaluated first,
     * so the method's own first call at the same point (the same object) costs nothing.
     */
    private static final class RememberingOracle implements ModelOracle {
        private final ModelOracle inner;
        private Params at;
        private LossAndGradient remembered;

        RememberingOracle(ModelOracle inner) {
            this.inner = inner;
        }

        @Override
        public double loss(Params p) {
            return p == at ? remembered.loss() : inner.loss(p);
        }

        @Override
        public LossAndGradient lossAndGradient(Params p) {
            if (p == at) return remembered;
            LossAndGradient lg = inner.lossAndGradient(p);
            if (at == null) {
                at = p;
                remembered = lg;
            }
            return lg;
        }

        @Override
        public Params hessianVectorProduct(Params p, Params v) {
            return inner.hessianVectorProduct(p, v);
        }

        @Override
        public Params gaussNewtonVectorProduct(Params p, Params v) {
            return inner.gaussNewtonVectorProduct(p, v);
        }
    }
}
