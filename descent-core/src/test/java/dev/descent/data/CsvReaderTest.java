package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.data.CsvReader.Header;
import dev.descent.data.CsvReader.Options;
import dev.descent.data.CsvReader.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {
    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        return Files.writeString(dir.resolve("d.csv"), text);
    }

    private static String message(Path f, Options o) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> CsvReader.read(f, o));
        IdxReaderTest.assertOneLine(e);
        return e.getMessage();
    }

    @Test
    void headerIsDetectedAndLastColumnIsTheLabel() throws IOException {
        Path f = csv("a,b,class\n1.5,2,0\n-3e-1, 4 ,2\r\n\n.5,\"6\",1\n");
        Dataset d = CsvReader.read(f, Options.defaults());
        assertEquals(3, d.size());
        assertEquals(3, d.classes());
        assertArrayEquals(new int[] {0, 2, 1}, d.labels());
        assertArrayEquals(new float[] {1.5f, 2, -0.3f, 4, 0.5f, 6}, d.features().rawF32());
    }

    @Test
    void noHeaderLabelByIndexAndRegression() throws IOException {
        Path f = csv("3,0.25,7\n4,0.5,8\n");
        Dataset d = CsvReader.read(f, Options.defaults().withLabelColumn("1").withTask(Task.REGRESSION));
        assertArrayEquals(new int[] {2, 1}, d.targets().dims());
        assertArrayEquals(new float[] {0.25f, 0.5f}, d.targets().rawF32());
        assertArrayEquals(new float[] {3, 7, 4, 8}, d.features().rawF32());
        Dataset first = CsvReader.read(f, Options.defaults().withLabelColumn("0"));
        assertArrayEquals(new int[] {3, 4}, first.labels());
        assertEquals(5, first.classes());
        Dataset negative = CsvReader.read(f, Options.defaults().withLabelColumn("-1"));
        assertArrayEquals(new int[] {7, 8}, negative.labels());
    }

    @Test
    void labelByNameAndForcedHeader() throws IOException {
        Path f = csv("y,x1,x2\n1,0,0\n0,1,1\n");
        assertArrayEquals(new int[] {1, 0}, CsvReader.read(f, Options.defaults().withLabelColumn("y")).labels());
        Path numericHeader = csv("10,20,30\n1,2,0\n");
        Dataset d = CsvReader.read(numericHeader, Options.defaults().withHeader(Header.PRESENT));
        assertEquals(1, d.size());
        assertEquals(2, CsvReader.read(numericHeader, Options.defaults().withHeader(Header.ABSENT)).size());
    }

    @Test
    void raggedRowNamesLineAndCounts() throws IOException {
        Path f = csv("a,b,c\n1,2,0\n\n3,4\n");
        assertEquals(f + ":4: 2 cells, expected 3 (as in the header)", message(f, Options.defaults()));
        Path g = csv("1,2,0\n3,4,5,1\n");
        assertEquals(g + ":2: 4 cells, expected 3 (as on line 1)", message(g, Options.defaults()));
    }

    @Test
    void nonNumericCellNamesLineColumnAndValue() throws IOException {
        Path f = csv("a,b,c\n1,2,0\n1,abc,1\n");
        assertEquals(f + ":3: column 1 ('b'): 'abc' is not a number", message(f, Options.defaults()));
        Path g = csv("1,NaN,0\n");
        assertEquals(g + ":1: column 1: 'NaN' is not a number", message(g, Options.defaults().withHeader(Header.ABSENT)));
        Path h = csv("1,1e999,0\n");
        assertTrue(message(h, Options.defaults()).contains("'1e999' is beyond float32's range"));
    }

    @Test
    void valuesBeyondFloat32AreRefusedNotTurnedIntoInfinity() throws IOException {
        // 1e39 is a finite double but above float32's largest value 3.4028235e38.
        Path f = csv("a,b,y\n1,2,0\n1e39,2,1\n");
        assertEquals(f + ":3: column 0 ('a'): '1e39' is beyond float32's range (±3.4028235e38)", message(f, Options.defaults()));
        Path g = csv("a,y\n1,-3.5e38\n");
        assertTrue(message(g, Options.defaults().withTask(Task.REGRESSION)).contains("column 1 ('y'): '-3.5e38' is beyond float32's range"));
        Path ok = csv("a,y\n3.4e38,1e-50\n");
        assertArrayEquals(new float[] {3.4e38f}, CsvReader.read(ok, Options.defaults().withTask(Task.REGRESSION)).features().rawF32());
    }

    @Test
    void aLongRunOfDigitsIsRejectedAndQuotedShort() throws IOException {
        // The regex this replaced backtracked quadratically here (40,000 digits: 8.8 s).
        String digits = "7".repeat(100_000);
        Path f = csv("a,b,y\n1," + digits + "x,0\n");
        String m = message(f, Options.defaults());
        assertEquals(f + ":2: column 1 ('b'): '" + "7".repeat(40) + "...' (100001 characters) is not a number", m);
        assertTrue(CsvReader.isNumber(digits));
        assertFalse(CsvReader.isNumber(digits + "x"));
        for (String good : new String[] {"0", "-1", "+2.", ".5", "1e5", "1E+05", "3.25e-3", "-.5e1"}) assertTrue(CsvReader.isNumber(good), good);
        for (String bad : new String[] {"", "+", ".", "e5", "1e", "1e+", "1..2", "1.2.3", "٣", "1e٣", "0x10", " 1", "NaN", "Infinity", "1,0"}) {
            assertFalse(CsvReader.isNumber(bad), bad);
        }
    }

    @Test
    void wordLabelsBecomeSortedClasses() throws IOException {
        Path f = csv("sepal,petal,species\n5.1,1.4,setosa\n6.3,6.0,virginica\n5.9,4.2,versicolor\n5.0,1.3,setosa\n");
        CsvReader.Table t = CsvReader.readTable(f, Options.defaults().withLabelColumn("species"));
        assertEquals(java.util.List.of("setosa", "versicolor", "virginica"), t.classNames());
        assertArrayEquals(new int[] {0, 2, 1, 0}, t.data().labels());
        assertEquals(3, t.data().classes());
        // Without a header too: the numeric features show that the first line is data.
        Path g = csv("5.1,1.4,setosa\n6.3,6.0,virginica\n");
        CsvReader.Table u = CsvReader.readTable(g, Options.defaults());
        assertEquals(2, u.data().size());
        assertEquals(java.util.List.of("setosa", "virginica"), u.classNames());
        // Integer labels stay integers, with no names.
        assertEquals(null, CsvReader.readTable(csv("a,y\n1,3\n"), Options.defaults()).classNames());
    }

    @Test
    void nonIntegerOrNegativeLabelsAreRejectedForClassification() throws IOException {
        Path f = csv("1,2,0.5\n");
        assertTrue(message(f, Options.defaults()).startsWith(f + ":1: label 2: '0.5' is not a class label"));
        Path g = csv("1,2,-1\n");
        assertTrue(message(g, Options.defaults()).contains("'-1' is not a class label"));
        Path h = csv("1,2,3.0\n");
        assertArrayEquals(new int[] {3}, CsvReader.read(h, Options.defaults()).labels());
    }

    @Test
    void unknownLabelColumnEmptyFileAndMissingFile() throws IOException {
        Path f = csv("a,b\n1,0\n");
        assertEquals(f + ": no column named 'z' (columns: a, b)", message(f, Options.defaults().withLabelColumn("z")));
        assertEquals(f + ": label column 5 out of range: the file has 2 columns",
                message(f, Options.defaults().withLabelColumn("5")));
        Path e = csv("a,b\n\n");
        assertEquals(e + ": no data rows", message(e, Options.defaults()));
        Path one = csv("1\n2\n");
        assertTrue(message(one, Options.defaults()).contains("need at least one feature column"));
        NoSuchFileException m = assertThrows(NoSuchFileException.class,
                () -> CsvReader.read(dir.resolve("missing.csv"), Options.defaults()));
        assertFalse(m.getMessage().contains("\n"));
    }

    @Test
    void badOptionsFailEagerly() {
        assertThrows(IllegalArgumentException.class, () -> Options.defaults().withDelimiter('1'));
        assertThrows(IllegalArgumentException.class, () -> Options.defaults().withLabelColumn(" "));
    }
}
