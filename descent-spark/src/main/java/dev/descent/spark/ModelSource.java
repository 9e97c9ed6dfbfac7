package dev.descent.spark;

import dev.descent.nn.Module;
import java.io.Serializable;

/**
 * How every JVM of a Spark run builds the model: the driver once, each executor once per run and
 * task thread. Spark ships this object to executors with Java serialisation, so it should capture
 * only small values (sizes, a seed, a spec string); the parameters themselves travel as plain
 * arrays in broadcasts, never inside it.
 *
 * <p>Contract: {@link #build()} is deterministic. The trainable parameters it starts with matter
 * only on the driver (they are the initial state); parameters the model freezes are read on the
 * executors from their own build, so they must be the same in every JVM.
 */
@FunctionalInterface
public interface ModelSource extends Serializable {
    /** A fresh model, in the structure (and frozen parameters) of every other build. */
    Module build();
}
