package dev.descent.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutocodeTest {
    @Test
    void renamesTypesClassesAndDocsButNotLiterals() {
        String src = "/** float64 sum; see {@link ReduceF64}. */\n"
                + "static double sum(double[] a) { DoubleVector v = DoubleVector.zero(S); double h = (double) 0.5;"
                + " return Double.isFinite(h) ? ReduceF64.sum(a, 0, 1e-6) : 0x1.8p52; }\n";
        assertEquals("/** float32 sum; see {@link ReduceF32}. */\n"
                + "static float sum(float[] a) { FloatVector v = FloatVector.zero(S); float h = (float) 0.5;"
                + " return Float.isFinite(h) ? ReduceF32.sum(a, 0, 1e-6) : 0x1.8p52; }\n", Autocode.convert(src));
    }

    @Test
    void wordMarkerKeepsExactlyTheNextWordDouble() {
        String src = "static /*@KeepDouble*/ double dot(double[] a) { /* @KeepDouble */ double s = 0; double t = s; }";
        assertEquals("static /*@KeepDouble*/ double dot(float[] a) { /* @KeepDouble */ double s = 0; float t = s; }",
                Autocode.convert(src));
    }

    @Test
    void lineMarkerKeepsDoubleOnItsLineOnlyAndStillRenamesF64() {
        String src = "double a = ReduceF64.dot(x); // @KeepDouble: accumulated wide\n"
                + "double b = ReduceF64.dot(x);\n"
                + "/* two\n   lines */ double c; // @KeepDouble\n"
                + "double d;";
        assertEquals("double a = ReduceF32.dot(x); // @KeepDouble: accumulated wide\n"
                + "float b = ReduceF32.dot(x);\n"
                + "/* two\n   lines */ double c; // @KeepDouble\n"
                + "float d;", Autocode.convert(src));
    }

    @Test
    void stringAndCharLiteralsAreTokensOfTheirOwn() {
        assertEquals("String s = \"float \\\" float32 F32\"; char c = '\"'; float x;",
                Autocode.convert("String s = \"double \\\" float64 F64\"; char c = '\"'; double x;"));
    }

    @Test
    void generatesTwinsOfKernelFoldersOnlyAndRemovesStaleOnes(@TempDir Path dir) throws IOException {
        Path src = dir.resolve("src"), out = dir.resolve("out");
        Path kernel = Files.createDirectories(src.resolve("a/b/kernel"));
        Path other = Files.createDirectories(src.resolve("a/b/other"));
        Files.writeString(kernel.resolve("AddF64.java"), "class AddF64 { double x; }");
        Files.writeString(kernel.resolve("AddF64Test.java"), "class AddF64Test { AddF64 k; }");
        Files.writeString(kernel.resolve("Helper.java"), "class Helper { double x; }");
        Files.writeString(other.resolve("NotAKernelF64.java"), "class NotAKernelF64 {}");
        Path stale = Files.createDirectories(out.resolve("a/b/kernel")).resolve("GoneF32.java");
        Files.writeString(stale, "class GoneF32 {}");

        assertEquals(2, Autocode.generate(src, out));
        Path twin = out.resolve("a/b/kernel/AddF32.java");
        assertTrue(Files.readString(twin).endsWith("class AddF32 { float x; }"));
        assertTrue(Files.readString(twin).startsWith("// Generated from AddF64.java"));
        assertTrue(Files.readString(out.resolve("a/b/kernel/AddF32Test.java")).endsWith("class AddF32Test { AddF32 k; }"));
        assertFalse(Files.exists(out.resolve("a/b/kernel/Helper.java")));
        assertFalse(Files.exists(out.resolve("a/b/other/NotAKernelF32.java")));
        assertFalse(Files.exists(stale), "a twin whose source is gone is deleted");

        // An unchanged twin is not rewritten, so the compiler does not see it as changed.
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(twin, old);
        Autocode.generate(src, out);
        assertEquals(old, Files.getLastModifiedTime(twin));
    }
}
