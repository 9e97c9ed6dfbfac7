/**
 * Descent on Apache Spark: synchronous data-parallel training, first- and second-order.
 * {@link dev.descent.spark.SparkTrainer} runs the single-JVM trainer's loop with every batch
 * quantity (loss, gradient, Hessian- and Gauss-Newton-vector products) summed over the
 * partitions of a step's global batch in a fixed order, on {@link dev.descent.spark.SparkData}
 * (a local dataset, a {@code JavaRDD} of {@link dev.descent.spark.Example}s, a table, or a
 * synthetic task); executors build the model from a {@link dev.descent.spark.ModelSource}.
 *
 * <p>Depends on {@code dev.descent.tensor}, {@code dev.descent.autodiff} (through the oracles),
 * {@code dev.descent.nn}, {@code dev.descent.data}, {@code dev.descent.optim} (and
 * {@code .second}), {@code dev.descent.train}, and Spark ({@code spark-core}, {@code spark-sql}, and Scala's {@code Tuple2} for its pairs),
 * which the module declares as provided: a cluster supplies it.
 */
package dev.descent.spark;
