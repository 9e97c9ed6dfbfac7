package dev.descent.spark;

import dev.descent.data.CsvReader;
import dev.descent.data.Dataset;
import dev.descent.tensor.DType;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;

/**
 * Tables ({@code Dataset<Row>}, e.g. from Spark's Parquet or CSV readers) as training data: every
 * numeric column but the label is a feature; the label is an integer class ≥ 0 (classes: the
 * largest label + 1, as {@link CsvReader}) or a regression target. A seeded
 * {@code randomSplit} holds out the test rows, which are collected to the driver; the training
 * rows stay on the cluster ({@link SparkData#fromExamples}).
 *
 * <p>Bad tables fail with one line naming the source: a label column that is not there, a column
 * that is not numeric, a null cell, a label that is not a class, too few rows.
 */
public final class SparkTables {
    private SparkTables() {}

    /** Training rows the driver keeps as a sample (for the baseline and the model's set-up). */
    public static final int SAMPLE_ROWS = 10_000;

    /**
     * A table read for training.
     *
     * @param train the training rows on the cluster
     * @param trainRows how many there are
     * @param sample up to {@link #SAMPLE_ROWS} of them, on the driver
     * @param test the held-out rows, on the driver
     * @param featureColumns the feature columns, in order
     * @param labelColumn the label column
     */
    public record Table(SparkData train, int trainRows, Dataset sample, Dataset test, List<String> featureColumns, String labelColumn) {}

    /**
     * Reads {@code rows} for training.
     *
     * @param source names the table in errors (e.g. {@code parquet:PATH})
     * @param label the label column's name, or its 0-based index (negative counts from the end),
     *     or null for the last column
     * @param regression whether the label is a regression target
     * @param testFraction the held-out fraction, in (0, 1)
     * @param seed the split's seed
     * @param dtype the precision the rows are stored in
     * @param partitions the training rows' partitions, or null to keep the table's
     * @throws IllegalArgumentException with a one-line message for a bad table
     */
    public static Table read(org.apache.spark.sql.Dataset<Row> rows, String source, String label, boolean regression, double testFraction,
                             long seed, DType dtype, Integer partitions) {
        StructField[] fields = rows.schema().fields();
        List<String> names = new ArrayList<>();
        for (StructField f : fields) names.add(f.name());
        int labelIndex = labelIndex(source, label, names);
        for (StructField f : fields) {
            if (!(f.dataType() instanceof NumericType)) {
                throw new IllegalArgumentException(source + ": column '" + f.name() + "' is " + f.dataType().simpleString()
                        + ", not numeric");
            }
        }
        if (fields.length < 2) throw new IllegalArgumentException(source + ": only the label column; need at least one feature column");
        List<String> features = new ArrayList<>(names);
        features.remove(labelIndex);
        String labelName = names.get(labelIndex);
        org.apache.spark.sql.Dataset<Row> parts = partitions == null ? rows : rows.repartition(partitions);
        org.apache.spark.sql.Dataset<Row>[] split = parts.randomSplit(new double[] {1 - testFraction, testFraction}, seed);
        int li = labelIndex, width = fields.length - 1;
        JavaRDD<Example> train = split[0].javaRDD().map(r -> example(r, li, width, regression, source, names));
        List<Example> test = split[1].javaRDD().map(r -> example(r, li, width, regression, source, names)).collect();
        int classes = 0;
        if (!regression) {
            int maxLabel = train.map(Example::label).fold(-1, Math::max);
            for (Example e : test) maxLabel = Math.max(maxLabel, e.label());
            classes = maxLabel + 1;
        }
        if (test.isEmpty()) {
            throw new IllegalArgumentException(source + ": the held-out fraction " + testFraction + " left no test row; the table is too small");
        }
        SparkData data;
        try {
            data = SparkData.fromExamples(train, new int[] {width}, classes, dtype);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage().replaceFirst("^spark: ", ""), e);
        }
        List<Example> sample = train.take(SAMPLE_ROWS);
        return new Table(data, data.size(), toDataset(sample, width, classes, dtype), toDataset(test, width, classes, dtype), features,
                labelName);
    }

    private static int labelIndex(String source, String label, List<String> names) {
        int n = names.size();
        if (label == null) return n - 1;
        int at = names.indexOf(label);
        if (at >= 0) return at;
        try {
            int i = Integer.parseInt(label.strip());
            int k = i < 0 ? n + i : i;
            if (k < 0 || k >= n) throw new IllegalArgumentException(source + ": label column " + i + " out of range: the table has " + n + " columns");
            return k;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": no column '" + label + "' (columns: " + String.join(", ", names) + ")");
        }
    }

    private static Example example(Row r, int labelIndex, int width, boolean regression, String source, List<String> names) {
        double[] x = new double[width];
        for (int c = 0, k = 0; c < r.length(); c++) {
            if (r.isNullAt(c)) throw new IllegalArgumentException(source + ": a row has no value in column '" + names.get(c) + "'");
            if (c == labelIndex) continue;
            x[k++] = ((Number) r.get(c)).doubleValue();
        }
        double y = ((Number) r.get(labelIndex)).doubleValue();
        if (regression) return Example.regression(x, new double[] {y});
        if (!(y >= 0 && y <= CsvReader.MAX_LABEL && y == Math.rint(y))) {
            throw new IllegalArgumentException(source + ": label column '" + names.get(labelIndex) + "' holds " + fmt(y)
                    + ", not a class label (an integer in [0, " + CsvReader.MAX_LABEL + "]); add ,regression for real-valued targets");
        }
        return Example.labelled(x, (int) y);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
    }

    private static Dataset toDataset(List<Example> rows, int width, int classes, DType dtype) {
        int n = rows.size();
        double[] x = new double[n * width];
        double[] y = new double[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows.get(i).features(), 0, x, i * width, width);
            if (classes > 0) labels[i] = rows.get(i).label();
            else y[i] = rows.get(i).targets()[0];
        }
        Tensor features = Tensor.wrap(x, n, width).to(dtype);
        return classes > 0 ? Dataset.classification(features, labels, classes)
                : Dataset.regression(features, Tensor.wrap(y, n, 1).to(dtype));
    }

    /** The column names of a table, for messages. */
    static String columns(org.apache.spark.sql.Dataset<Row> rows) {
        return Arrays.toString(rows.columns());
    }
}
