package dev.descent.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The build step that writes the float32 twin of every hand-written float64 kernel (the model is
 * EJML's {@code autocode} module, which derives its 32-bit classes from the 64-bit ones).
 *
 * <p><b>What it reads.</b> Under a source root, every file named {@code <Name>F64.java} or
 * {@code <Name>F64Test.java} inside a folder named {@code kernel} (any package: {@code
 * dev.descent.tensor.kernel}, {@code dev.descent.nn.kernel}, {@code dev.descent.optim.kernel}, …).
 * It writes {@code <Name>F32.java} / {@code <Name>F32Test.java} to the same package under the
 * output root, and deletes any other file there, so a kernel that moves leaves no stale twin.
 * A file whose text is unchanged is not rewritten (incremental compilation stays incremental).
 *
 * <p><b>How it converts.</b> The source is split into Java tokens (words, comments, string and
 * character literals, the rest). In words, comments and strings, {@code F64} becomes {@code F32},
 * {@code float64} becomes {@code float32}, {@code Double} becomes {@code Float} and {@code double}
 * becomes {@code float}, as substrings ({@code DoubleVector → FloatVector},
 * {@code ElementwiseF64 → ElementwiseF32}). Numeric literals are not touched: a decimal constant
 * in a kernel is written {@code (double) 0.5}, which becomes {@code (float) 0.5}.
 *
 * <p><b>Keep-as-double marker.</b> A value that must stay in float64 in the float32 twin (an
 * accumulator, a hyper-parameter received in float64) is marked in the float64 source:
 * <ul>
 *   <li>{@code /*@KeepDouble*&#47;} directly before a word keeps that word's {@code double}/{@code Double}
 *       (its {@code F64} is still renamed): {@code /*@KeepDouble*&#47; double s = 0;}</li>
 *   <li>a line comment {@code // @KeepDouble} keeps {@code double}/{@code Double} in every word of
 *       its line.</li>
 * </ul>
 * The markers are copied into the twin, so a reader of either file sees which values are wide.
 *
 * <p>Run as a single-file program by descent-core's build (phase generate-sources / generate-test-sources):
 * {@code java Autocode.java <source root> <output root>}.
 */
public final class Autocode {
    private Autocode() {}

    /** Marker before one word. */
    public static final String KEEP_WORD = "/*@KeepDouble*/";
    /** Marker for a whole line. */
    public static final String KEEP_LINE = "// @KeepDouble";

    private static final Pattern SOURCE = Pattern.compile("(\\w+)F64((?:Test)?)\\.java");

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: Autocode <source root> <output root>");
            System.exit(2);
        }
        int n = generate(Paths.get(args[0]), Paths.get(args[1]));
        System.out.println("autocode: " + n + " float32 twin(s) of " + args[0] + " in " + args[1]);
    }

    /** Writes every twin of {@code sourceRoot} under {@code outRoot}; returns how many. */
    public static int generate(Path sourceRoot, Path outRoot) throws IOException {
        Set<Path> written = new HashSet<>();
        if (Files.isDirectory(sourceRoot)) {
            List<Path> sources = new ArrayList<>();
            try (Stream<Path> s = Files.walk(sourceRoot)) {
                s.filter(Files::isRegularFile)
                        .filter(p -> p.getParent() != null && p.getParent().getFileName().toString().equals("kernel"))
                        .filter(p -> SOURCE.matcher(p.getFileName().toString()).matches())
                        .sorted()
                        .forEach(sources::add);
            }
            for (Path src : sources) {
                Matcher m = SOURCE.matcher(src.getFileName().toString());
                m.matches();
                Path rel = sourceRoot.relativize(src.getParent()).resolve(m.group(1) + "F32" + m.group(2) + ".java");
                Path out = outRoot.resolve(rel);
                String text = header(src.getFileName().toString()) + convert(Files.readString(src, StandardCharsets.UTF_8));
                writeIfChanged(out, text);
                written.add(out.toAbsolutePath().normalize());
            }
        }
        if (Files.isDirectory(outRoot)) {
            try (Stream<Path> s = Files.walk(outRoot)) {
                s.filter(Files::isRegularFile)
                        .filter(p -> !written.contains(p.toAbsolutePath().normalize()))
                        .forEach(p -> {
                            try {
                                Files.delete(p);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
            }
        }
        return written.size();
    }

    private static String header(String from) {
        return "// Generated from " + from + " by dev.descent.build.Autocode (descent-core/src/build): edit that file, not this one.\n";
    }

    private static void writeIfChanged(Path out, String text) throws IOException {
        if (Files.isRegularFile(out) && Files.readString(out, StandardCharsets.UTF_8).equals(text)) return;
        Files.createDirectories(out.getParent());
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The float32 text of one float64 source (no header). */
    public static String convert(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0, n = source.length();
        boolean keepNextWord = false;
        boolean keepLine = lineHasMarker(source, 0);
        while (i < n) {
            char c = source.charAt(i);
            int end;
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                end = source.indexOf('\n', i);
                if (end < 0) end = n;
                out.append(rename(source.substring(i, end), keepLine));
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                end = source.indexOf("*/", i + 2);
                if (end < 0) throw new IllegalArgumentException("unterminated comment at offset " + i);
                end += 2;
                String comment = source.substring(i, end);
                if (comment.replace(" ", "").equals(KEEP_WORD)) {
                    keepNextWord = true;
                    out.append(comment);
                } else {
                    out.append(rename(comment, keepLine));
                }
            } else if (c == '"' || c == '\'') {
                end = i + 1;
                while (end < n && source.charAt(end) != c) end += source.charAt(end) == '\\' ? 2 : 1;
                end = Math.min(n, end + 1);
                out.append(rename(source.substring(i, end), keepLine));
            } else if (Character.isJavaIdentifierStart(c)) {
                end = i + 1;
                while (end < n && Character.isJavaIdentifierPart(source.charAt(end))) end++;
                out.append(rename(source.substring(i, end), keepLine || keepNextWord));
                keepNextWord = false;
            } else if (Character.isDigit(c)) {
                end = i + 1;
                while (end < n && (Character.isLetterOrDigit(source.charAt(end)) || source.charAt(end) == '.' || source.charAt(end) == '_')) end++;
                out.append(source, i, end);
            } else {
                end = i + 1;
                out.append(c);
            }
            // A token that ends a line (or a comment spanning lines) starts the next line's check.
            int nl = source.lastIndexOf('\n', end - 1);
            if (nl >= i) keepLine = lineHasMarker(source, nl + 1);
            i = end;
        }
        return out.toString();
    }

    /** Whether the line starting at {@code from} carries {@link #KEEP_LINE}. */
    private static boolean lineHasMarker(String s, int from) {
        int eol = s.indexOf('\n', from);
        int k = s.indexOf(KEEP_LINE, from);
        return k >= 0 && (eol < 0 || k < eol);
    }

    /** The renaming inside one token; with {@code keepDouble}, only {@code F64 → F32}. */
    static String rename(String token, boolean keepDouble) {
        String t = token.replace("F64", "F32");
        if (keepDouble) return t;
        return t.replace("float64", "float32").replace("Double", "Float").replace("double", "float");
    }
}
