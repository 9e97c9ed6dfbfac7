package dev.descent.cli;

import dev.descent.data.SequenceTask;
import dev.descent.diagnostics.Diagnostic;
import dev.descent.diagnostics.DiagnosticRecord;
import dev.descent.diagnostics.DiagnosticsMonitor;
import dev.descent.diagnostics.TrainingListener;
import dev.descent.nn.Module;
import dev.descent.nn.Rnn;
import dev.descent.nn.Sequential;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import dev.descent.train.Baselines;
import dev.descent.train.Evaluator;
import dev.descent.train.Objective;
import dev.descent.train.OptimizerFactory;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingOptimizer;
import dev.descent.train.TrainingSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds what a run needs (model, optimiser, trainer, diagnostics) from a resolved
 * {@link TrainingSpec} and loaded data; shared by {@code train} and {@code diagnose}.
 *
 * @param spec              the resolved specification
 * @param model             the model, its parameters drawn from the spec's seed
 * @param objective         the loss
 * @param optimizer         the optimiser
 * @param trainer           the training loop over the data
 * @param monitor           the diagnostics, or null
 * @param diagnosticRecords where the diagnostics put their records
 */
record RunSetup(TrainingSpec spec, Module model, Objective objective, TrainingOptimizer optimizer, Trainer trainer,
                DiagnosticsMonitor monitor, List<DiagnosticRecord> diagnosticRecords) {

    /** What {@link TrainingSpec#resolve} needs to know about {@code d}. */
    static TrainingSpec.DataFacts facts(TrainingData d) {
        return new TrainingSpec.DataFacts(d.description(), d.isSequential(), d.task() != null ? d.task().name() : null,
                d.train() != null ? d.train().size() : 0);
    }

    /**
     * Builds the run of a resolved {@code spec} on {@code d}.
     *
     * @throws IllegalArgumentException with a usage message (an unknown initialiser, a bad
     *     schedule combination, newton on too large a model, an inapplicable diagnostic)
     */
    static RunSetup of(TrainingSpec spec, TrainingData d) {
        Rng rng = new Rng(spec.run().seed());
        Module m = buildModel(spec, d, rng);
        TrainingOptimizer opt = OptimizerFactory.build(spec, m.trainable().elementCount());
        Evaluator evaluator = new Evaluator(d.test(), spec.model().dtype(), baseline(d), Evaluator.DEFAULT_CHUNK);
        List<DiagnosticRecord> records = new ArrayList<>();
        DiagnosticsMonitor monitor = null;
        List<String> names = spec.diagnostics().names();
        if (names != null) {
            Tensor probe = d.isSequential() ? evaluator.data().head(Math.min(8, evaluator.data().size())).all().features() : null;
            List<Diagnostic> list = DiagnosticsFactory.build(names, m, probe, spec.optimizer().clip() != null, spec.run().seed());
            DiagnosticsMonitor.Builder b = DiagnosticsMonitor.builder().sink(records::add);
            for (Diagnostic x : list) b.every((int) Math.min(Integer.MAX_VALUE, spec.diagnostics().every()), x);
            monitor = b.build();
        }
        Objective objective = d.isClassification() ? Objective.SOFTMAX_CROSS_ENTROPY : Objective.MEAN_SQUARED_ERROR;
        List<TrainingListener> listeners = monitor == null ? List.of() : List.of(monitor);
        Trainer trainer = new Trainer(m, objective, opt, d.trainBatches(spec.run().batchSize()), evaluator, listeners);
        TrainingSpec.OptimizerSpec o = spec.optimizer();
        if (o.flowRegularizer() != null && o.flowRegularizer() > 0) trainer = trainer.withFlowRegularizer(o.flowRegularizer());
        if (o.curvatureBatch() != null) trainer = trainer.withCurvatureBatch(o.curvatureBatch(), d.isSequential());
        return new RunSetup(spec, m, objective, opt, trainer, monitor, records);
    }

    /** The model of a resolved {@code spec} for data {@code d}, its parameters drawn from {@code rng}. */
    static Module buildModel(TrainingSpec spec, TrainingData d, Rng rng) {
        Module model = buildModel(spec, d.inputSize(), d.outputSize(), d.task() != null && d.task().perStepTargets(), rng);
        // Salimans & Kingma's data-dependent init on the first training batch (at least 2 samples); part of step 0's state.
        if (spec.model().kind() == TrainingSpec.ModelKind.MLP && spec.model().norm() == TrainingSpec.Norm.WEIGHT) {
            ModelFactory.initFromData((Sequential) model,
                    d.trainBatches(Math.max(2, spec.run().batchSize())).next().features().to(spec.model().dtype()));
        }
        return model;
    }

    /**
     * The model of a resolved {@code spec} on {@code in} inputs and {@code outputs} outputs, its
     * parameters drawn from {@code rng}, without any data-dependent initialisation (what a
     * distributed run's executors build: they take the trainable parameters from the driver).
     */
    static Module buildModel(TrainingSpec spec, int in, int outputs, boolean perStep, Rng rng) {
        TrainingSpec.ModelSpec m = spec.model();
        return switch (m.kind()) {
            case MLP -> ModelFactory.mlp(in, m.hidden(), outputs, m.activation(), m.norm(), rng, m.dtype());
            case RNN -> ModelFactory.rnn(in, m.hidden().get(0), outputs, perStep, m.activation(), m.form(),
                    ModelFactory.recurrentInit(m.init(), m.hidden().get(0)), rng, m.dtype());
            case LSTM -> SequenceModel.lstm(in, m.hidden().get(0), outputs, perStep, rng, m.dtype());
        };
    }

    /** The trivial baseline of the data: the task's own, or majority class / training mean. */
    static SequenceTask.Baseline baseline(TrainingData d) {
        return d.task() != null ? d.task().trivialBaseline() : Baselines.of(d.train(), d.test());
    }

    /** One line on the model of a resolved spec with {@code params} parameters. */
    static String describeModel(TrainingSpec spec, long params) {
        TrainingSpec.ModelSpec m = spec.model();
        String activation = m.activation() == null ? "" : m.activation().name().toLowerCase(Locale.ROOT);
        String shape = switch (m.kind()) {
            case MLP -> "mlp " + m.hidden() + ", " + activation + (m.norm() == TrainingSpec.Norm.NONE ? "" : ", " + m.norm() + " norm");
            case RNN -> "rnn (" + activation + ", " + (m.form() == Rnn.Form.ACTIVATION ? "activation" : "pre-activation") + " form, init "
                    + m.init() + "), hidden " + m.hidden().get(0);
            case LSTM -> "lstm, hidden " + m.hidden().get(0);
        };
        return shape + ", " + String.format(Locale.ROOT, "%,d", params) + " parameters, " + m.dtype();
    }

    /** One line on the optimiser and length of a resolved spec. */
    static String describeOptimizer(TrainingSpec spec) {
        TrainingSpec.OptimizerSpec o = spec.optimizer();
        StringBuilder sb = new StringBuilder(o.name());
        if (o.learningRate() != null) sb.append(", lr ").append(o.learningRate());
        String schedule = spec.schedule().name();
        if (schedule != null && !schedule.equals("constant")) sb.append(" (").append(schedule).append(')');
        if (o.clip() != null) sb.append(", clip ").append(o.clip());
        return sb.append("; ").append(spec.run().steps()).append(" steps of batch ").append(spec.run().batchSize()).toString();
    }
}
