package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.data.AddingTask;
import dev.descent.data.Batch;
import dev.descent.data.BatchStream;
import dev.descent.data.CopyTask;
import dev.descent.data.CsvReader;
import dev.descent.data.FashionMnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourceTest {
    @TempDir
    Path dir;

    @Test
    void parsesEveryForm() {
        assertEquals(FashionMnist.DEFAULT_DIRECTORY, ((DataSource.FashionMnistSource) DataSource.parse("fashion-mnist")).directory());
        assertEquals(Path.of("/data/fm"), ((DataSource.FashionMnistSource) DataSource.parse("fashion-mnist:/data/fm")).directory());
        DataSource.CsvSource c = (DataSource.CsvSource) DataSource.parse("csv:d/x.csv,label=species,no-header,regression");
        assertEquals(Path.of("d/x.csv"), c.file());
        assertEquals("species", c.options().labelColumn());
        assertEquals(CsvReader.Header.ABSENT, c.options().header());
        assertEquals(CsvReader.Task.REGRESSION, c.options().task());
        assertEquals(CsvReader.Options.defaults(), ((DataSource.CsvSource) DataSource.parse("csv:x.csv")).options());
        assertInstanceOf(AddingTask.class, ((DataSource.TaskSource) DataSource.parse("adding:200")).task());
        assertEquals(200, ((DataSource.TaskSource) DataSource.parse("adding:200")).task().length());
        assertEquals("multiplication", ((DataSource.TaskSource) DataSource.parse("multiplication:20")).task().name());
        assertEquals("temporal-order", ((DataSource.TaskSource) DataSource.parse("temporal-order:100")).task().name());
        assertInstanceOf(CopyTask.class, ((DataSource.TaskSource) DataSource.parse("COPY:10")).task());
    }

    @Test
    void csvUrisAreKeptAsWritten() throws IOException {
        // Spark reads these; a java.nio Path would fold the // and lose the authority.
        DataSource.CsvSource h = (DataSource.CsvSource) DataSource.parse("csv:hdfs://nn:8020/d/x.csv,label=y");
        assertEquals("hdfs://nn:8020/d/x.csv", h.location());
        assertEquals("csv:hdfs://nn:8020/d/x.csv,label=y", h.spec());
        assertEquals("csv:s3a://bucket/k/x.csv", DataSource.parse("csv:s3a://bucket/k/x.csv").spec());
        // Without a cluster only local files are read: a file: URI is one, another scheme is a clear failure.
        CommandFailure f = assertThrows(CommandFailure.class, () -> h.load(1, 0.2));
        assertTrue(f.getMessage().startsWith("csv:hdfs://nn:8020/d/x.csv: a hdfs: URI is read by Spark; add --spark"), f.getMessage());
        StringBuilder sb = new StringBuilder("a,label\n");
        for (int i = 0; i < 10; i++) sb.append(i).append(',').append(i % 2).append('\n');
        Path file = Files.writeString(dir.resolve("u.csv"), sb.toString()).toAbsolutePath();
        DataSource.CsvSource u = (DataSource.CsvSource) DataSource.parse("csv:file://" + file);
        assertEquals(file, u.file());
        assertEquals(10, u.load(1, 0.2).train().size() + u.load(1, 0.2).test().size());
        // A plain path may hold a colon.
        assertEquals(Path.of("runs/a:b.csv"), ((DataSource.CsvSource) DataSource.parse("csv:runs/a:b.csv")).file());
    }

    @Test
    void rejectsMalformedSpecifications() {
        for (String bad : new String[] {"", "csv", "csv:", "csv:,label=1", "csv:x.csv,label=", "adding", "adding:", "adding:0",
            "copy:-3", "fashion-mnist:", "mnist:3",
            "csv:file:x.csv", "csv:file://host/x.csv", "csv:hdfs://nn/a b.csv"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataSource.parse(bad), bad);
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void csvLoadsWithASeededHeldOutSplit() throws IOException {
        StringBuilder sb = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 50; i++) sb.append(i).append(',').append(2 * i).append(',').append(i % 3).append('\n');
        Path f = Files.writeString(dir.resolve("d.csv"), sb.toString());
        TrainingData d = DataSource.parse("csv:" + f).load(7, 0.2);
        assertEquals(40, d.train().size());
        assertEquals(10, d.test().size());
        assertEquals(2, d.inputSize());
        assertEquals(3, d.outputSize());
        assertTrue(d.isClassification());
        TrainingData again = DataSource.parse("csv:" + f).load(7, 0.2);
        assertEquals(0, d.test().features().maxAbsDiff(again.test().features()), "same seed, same split");
        BatchStream s = d.trainBatches(16);
        assertEquals(16, s.next().size());
    }

    @Test
    void specTextRoundTrips() {
        for (String s : new String[] {"fashion-mnist:/d", "csv:a.csv", "csv:a.csv,label=y,no-header,regression", "adding:7",
            "multiplication:9", "temporal-order:100", "copy:3"}) {
            assertEquals(s, DataSource.parse(s).spec());
            assertEquals(s, DataSource.parse(DataSource.parse(s).spec()).spec());
        }
    }

    @Test
    void syntheticTasksHaveAFixedTestSetAndFreshTrainingBatches() throws IOException {
        TrainingData d = DataSource.parse("copy:5").load(1, 0.2);
        assertNull(d.train());
        assertEquals(DataSource.SYNTHETIC_TEST_SIZE, d.test().size());
        assertEquals(10, d.inputSize());
        assertEquals(10, d.outputSize());
        assertTrue(d.isSequential());
        Batch b = d.trainBatches(4).next();
        assertArrayEquals(new int[] {25, 4, 10}, b.features().dims());
        TrainingData a = DataSource.parse("adding:30").load(1, 0.2);
        assertEquals(1, a.outputSize());
        assertEquals(2, a.inputSize());
        assertTrue(a.description().contains("trivial baseline mse 0.1667"), a.description());
    }
}
