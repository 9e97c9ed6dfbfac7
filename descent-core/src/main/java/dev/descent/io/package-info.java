/**
 * Files: {@link dev.descent.io.SafeTensors} (the safetensors layout, atomic writes, reads that
 * validate every length, offset, dtype and shape before allocating; every dtype of the format's
 * core set, half precision decoded exactly, integers and booleans as exact
 * {@link dev.descent.io.SafeTensors.IntegerTensor}s),
 * {@link dev.descent.io.Checkpoint} (parameters, buffers, optimiser state and run metadata in one
 * such file) and {@link dev.descent.io.Json}, the project's one JSON parser and writer (strict, no
 * dependency), used by the CLI and the benchmarks too.
 *
 * <p>Depends on {@code dev.descent.tensor} only: it knows tensors, not modules (loading a
 * checkpoint into a model is {@code dev.descent.train.TrainingCheckpoints}' job). No Java
 * serialisation.
 */
package dev.descent.io;
