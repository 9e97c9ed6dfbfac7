package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.io.Checkpoint;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent train --spark}: the same run as without it (float64: 1e-12 relative, see
 * {@code SparkTrainerTest}), bit-identical resumption, and one-line errors that leave no run
 * directory behind.
 */
class SparkTrainCommandTest {
    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Run ok(String... args) {
        Run r = run(args);
        assertEquals(0, r.exit(), r.err());
        return r;
    }

    /** Three noisy classes in 3 features, 150 rows, with a header. */
    private static Path csv(Path dir) throws Exception {
        Rng rng = new Rng(3);
        List<String> lines = new ArrayList<>();
        lines.add("a,b,c,label");
        for (int i = 0; i < 150; i++) {
            int y = i % 3;
            lines.add(String.format(Locale.ROOT, "%.6f,%.6f,%.6f,%d", (y == 0 ? 1 : 0) + 0.5 * rng.nextGaussian(),
                    (y == 1 ? 1 : 0) + 0.5 * rng.nextGaussian(), (y == 2 ? 1 : 0) + 0.5 * rng.nextGaussian(), y));
        }
        Path f = dir.resolve("three.csv");
        Files.write(f, lines);
        return f;
    }

    private static Params finalParams(Path run, long step) throws Exception {
        return Checkpoint.read(new RunDirectory(run).checkpoint(step)).parameters();
    }

    @Test
    void sparkRunMatchesTheSingleJvmRunAndResumesBitForBit(@TempDir Path dir) throws Exception {
        // A synthetic task: generated on the driver in both runs (csv: and parquet: are read by Spark, in another order).
        String[] common = {"train", "--data", "adding:6", "--hidden", "8", "--dtype", "float64", "--optimizer", "adam", "--lr", "0.02",
            "--batch-size", "32", "--steps", "8", "--checkpoint-every", "4", "--seed", "5"};
        Path local = dir.resolve("local"), spark = dir.resolve("spark"), resumed = dir.resolve("resumed");
        ok(concat(common, "--out", local.toString()));
        Run s = ok(concat(common, "--out", spark.toString(), "--spark", "local[2]", "--partitions", "3"));
        assertTrue(s.err().contains("spark: local[2]"), s.err());
        Params a = finalParams(local, 8), b = finalParams(spark, 8);
        for (String n : a.names()) {
            double[] x = a.get(n).toDoubleArray(), y = b.get(n).toDoubleArray();
            double diff = 0, scale = 0;
            for (int i = 0; i < x.length; i++) {
                diff = Math.max(diff, Math.abs(x[i] - y[i]));
                scale = Math.max(scale, Math.abs(x[i]));
            }
            assertTrue(diff <= 1e-12 * scale, n + ": " + diff + " vs scale " + scale);
        }
        // A Spark run stopped at step 4 and resumed to 8 ends where the uninterrupted one did.
        String[] first = common.clone();
        first[java.util.Arrays.asList(first).indexOf("--steps") + 1] = "4";
        ok(concat(first, "--out", resumed.toString(), "--spark", "local[2]", "--partitions", "3"));
        Run r = ok("train", "--resume", resumed.toString(), "--steps", "8", "--spark", "local[2]", "--partitions", "3");
        assertTrue(r.out().contains("resumed at step 4"), r.out());
        Params c = finalParams(resumed, 8);
        for (String n : b.names()) assertArrayEquals(b.get(n).toDoubleArray(), c.get(n).toDoubleArray(), 0.0, n);
    }

    @Test
    void badMastersFailInOneLineAndWriteNothing(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        // Port 1 on the loopback: nothing listens there.
        Run r = run("train", "--data", "adding:5", "--steps", "2", "--out", out.toString(), "--spark", "spark://127.0.0.1:1");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().startsWith("descent: --spark: the master spark://127.0.0.1:1 does not answer"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(Files.exists(out), "no run directory for a failed start");
        Run bad = run("train", "--data", "adding:5", "--steps", "2", "--out", out.toString(), "--spark", "local[two]");
        assertEquals(1, bad.exit(), bad.err());
        assertTrue(bad.err().contains("'local[two]' is not a local master"), bad.err());
        assertFalse(Files.exists(out));
        Run noSpark = run("train", "--data", "adding:5", "--steps", "2", "--out", out.toString(), "--partitions", "2");
        assertEquals(2, noSpark.exit(), noSpark.err());
        assertTrue(noSpark.err().contains("--partitions applies only with --spark"), noSpark.err());
    }

    @Test
    void optionsTheSparkTrainerDoesNotApplyAreRefusedInOneLine(@TempDir Path dir) throws Exception {
        // {option, value, optimiser, data, what the line says}
        String[][] cases = {
            {"--diagnostics", "gradient-norms", "sgd", "adding:5", "--diagnostics gradient-norms needs the single-JVM trainer"},
            {"--flow-regularizer", "0.1", "sgd", "adding:5", "--flow-regularizer 0.1 needs the single-JVM trainer"},
            {"--structural-damping", "0.3", "hessian-free", "adding:5", "--structural-damping 0.3 needs the single-JVM trainer"},
            {"--curvature-batch", "8", "hessian-free", "adding:5", "--curvature-batch 8 is not distributed"},
            {"--norm", "batch", "sgd", "csv:" + csv(dir), "--norm batch normalises with batch statistics"},
            {"--norm", "weight-mean-only", "sgd", "csv:" + csv(dir), "--norm weight-mean-only normalises with batch statistics"},
        };
        for (String[] c : cases) {
            Path out = dir.resolve("run" + c[0] + c[1]);
            Run r = run("train", "--data", c[3], "--steps", "2", "--batch-size", "16", "--optimizer", c[2], c[0], c[1],
                    "--out", out.toString(), "--spark", "local[2]");
            assertEquals(2, r.exit(), c[0] + ": " + r.err());
            assertTrue(r.err().startsWith("descent: --spark: ") && r.err().contains(c[4]), c[0] + ": " + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertFalse(Files.exists(out), "no run directory after " + c[0]);
        }
        // Without --spark the same options train (the refusal is the distributed trainer's, not a bad value).
        ok("train", "--data", "adding:5", "--steps", "2", "--batch-size", "16", "--optimizer", "hessian-free", "--structural-damping",
                "0.3", "--out", dir.resolve("single").toString());
    }

    @Test
    void aModelWhoseGradientSumsPassTheDriversResultLimitIsRefusedBeforeAnyJob(@TempDir Path dir) {
        // RNN 300: 91,201 parameters, about 0.8 MB of float64 per partition's result: two partitions pass 1 MB, one does not.
        String[] args = {"train", "--data", "adding:4", "--hidden", "300", "--steps", "1", "--batch-size", "8", "--spark", "local[2]"};
        System.setProperty("spark.driver.maxResultSize", "1m");
        try {
            Path out = dir.resolve("two");
            Run r = run(concat(args, "--partitions", "2", "--out", out.toString()));
            assertEquals(2, r.exit(), r.err());
            assertTrue(r.err().startsWith("descent: --spark: the model's 91201 parameters make 2 partition results")
                    && r.err().contains("over spark.driver.maxResultSize = 1048576 bytes"), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertFalse(Files.exists(out), "no run directory, no checkpoint");
            Path one = dir.resolve("one");
            ok(concat(args, "--partitions", "1", "--out", one.toString()));
            assertTrue(Files.exists(new RunDirectory(one).checkpoint(1)));
        } finally {
            System.clearProperty("spark.driver.maxResultSize");
        }
    }

    /** Writes a small table with Spark's own Parquet writer: features a, b (double), label (int), and a string column s if asked. */
    private static Path parquet(Path dir, String name, boolean withString) {
        org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.builder().master("local[2]").appName("write")
                .config("spark.ui.enabled", "false").config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
        try {
            Rng rng = new Rng(9);
            List<org.apache.spark.sql.Row> rows = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int y = i % 2;
                double a = (y == 0 ? -1 : 1) + 0.5 * rng.nextGaussian(), b = rng.nextGaussian();
                rows.add(withString ? org.apache.spark.sql.RowFactory.create(a, b, y, "x" + i) : org.apache.spark.sql.RowFactory.create(a, b, y));
            }
            org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                    .add("a", org.apache.spark.sql.types.DataTypes.DoubleType).add("b", org.apache.spark.sql.types.DataTypes.DoubleType)
                    .add("label", org.apache.spark.sql.types.DataTypes.IntegerType);
            if (withString) schema = schema.add("s", org.apache.spark.sql.types.DataTypes.StringType);
            Path out = dir.resolve(name);
            spark.createDataFrame(rows, schema).repartition(3).write().parquet(out.toString());
            return out;
        } finally {
            spark.stop();
        }
    }

    @Test
    void parquetAndCsvAreReadBySparkAndBadTablesFailInOneLine(@TempDir Path dir) throws Exception {
        Path table = parquet(dir, "t.parquet", false), strings = parquet(dir, "s.parquet", true);
        Path out = dir.resolve("run");
        Run r = ok("train", "--data", "parquet:" + table + ",label=label", "--hidden", "8", "--steps", "30", "--batch-size", "32",
                "--lr", "0.05", "--out", out.toString(), "--spark", "local[2]", "--partitions", "2");
        assertTrue(r.err().contains("read by Spark") && r.err().contains("2 features, label 'label'"), r.err());
        // 200 rows, a seeded fifth held out: the two parts add up to the table.
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\((\\d+) training rows.*; (\\d+) held out\\)").matcher(r.err());
        assertTrue(m.find(), r.err());
        assertEquals(200, Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)));
        // The classes are ±1 apart with noise 0.5: the majority baseline is about 50%, a trained model far above it.
        assertTrue(r.out().contains("beaten"), r.out());

        Run c = ok("train", "--data", "csv:" + csv(dir) + ",label=label", "--steps", "3", "--out", dir.resolve("csv").toString(),
                "--spark", "local[2]");
        assertTrue(c.err().contains("csv:") && c.err().contains("read by Spark") && c.err().contains("3 features"), c.err());
        // A URI reaches Spark's reader as written (a java.nio Path would fold file:///x to file:/x, hdfs://h/x to hdfs:/h/x).
        String uri = csv(dir).toUri().toString().replaceFirst("^file:/+", "file:///");
        Run u = ok("train", "--data", "csv:" + uri + ",label=label", "--steps", "3", "--out", dir.resolve("uri").toString(),
                "--spark", "local[2]");
        assertTrue(u.err().contains("csv:" + uri + " read by Spark") && u.err().contains("3 features"), u.err());
        assertTrue(Files.readString(dir.resolve("uri").resolve("config.json")).contains("csv:" + uri), "the URI is kept in config.json");

        Path none = dir.resolve("none");
        String[][] bad = {
            {"parquet:" + table + ",label=nope", "no column 'nope' (columns: a, b, label)"},
            {"parquet:" + strings + ",label=label", "column 's' is string, not numeric"},
            {"parquet:" + dir.resolve("missing.parquet"), "no such file or directory"},
            {"parquet:" + table + ",label=a", "label column 'a' holds"},
            {"csv:" + dir.resolve("missing.csv"), "csv:" + dir.resolve("missing.csv") + ": no such file or directory"},
            {"csv:file://" + dir.resolve("missing.csv"), "csv:file://" + dir.resolve("missing.csv") + ": no such file or directory"},
            {"csv:s3a://bucket/key.csv", "csv:s3a://bucket/key.csv: "},
        };
        for (String[] b : bad) {
            Run e = run("train", "--data", b[0], "--steps", "2", "--out", none.toString(), "--spark", "local[2]");
            assertEquals(1, e.exit(), b[0] + ": " + e.err());
            assertTrue(e.err().startsWith("descent: ") && e.err().contains(b[1]), b[0] + ": " + e.err());
            assertEquals(1, e.err().lines().count(), e.err());
            assertFalse(Files.exists(none), "no run directory after " + b[0]);
        }
        Run noSpark = run("train", "--data", "parquet:" + table, "--steps", "2", "--out", none.toString());
        assertEquals(1, noSpark.exit(), noSpark.err());
        assertTrue(noSpark.err().contains("Parquet data is read by Spark; add --spark MASTER"), noSpark.err());
        assertFalse(Files.exists(none));
    }

    private static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
