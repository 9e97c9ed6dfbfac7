package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The README's plain-classpath line works: a program using Linear and the orthogonal initialiser
 * runs on {@code descent-core.jar} plus the jars descent-core declares at runtime (EJML's
 * ejml-core and ejml-ddense, taken from this test's own resolved classpath) and nothing else.
 * Skipped, with a message, when the core jar has not been packaged (e.g. {@code mvn test}; the
 * reactor's {@code mvn verify} packages it before this module's tests run).
 */
class CoreJarClasspathTest {
    @Test
    void linearRunsFromTheCoreJarAndEjmlAlone() throws Exception {
        Path here = Path.of("").toAbsolutePath();
        Path target = (Files.isDirectory(here.resolve("descent-core")) ? here : here.getParent()).resolve("descent-core/target");
        Path jar = null;
        if (Files.isDirectory(target)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(target, "descent-core-*.jar")) {
                for (Path p : ds) if (!p.getFileName().toString().contains("sources") && !p.getFileName().toString().contains("tests")) jar = p;
            }
        }
        Assumptions.assumeTrue(jar != null, "skipped: descent-core's jar is not packaged under " + target + " (run mvn verify)");
        List<String> cp = new ArrayList<>(List.of(jar.toString()));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("ejml-") && name.endsWith(".jar")) cp.add(entry);
        }
        assertEquals(3, cp.size(), "the core jar, ejml-core and ejml-ddense: " + cp);
        Path source = Path.of(CoreJarClasspathTest.class.getResource("/embedding/EmbeddingCheck.java").toURI());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", String.join(File.pathSeparator, cp), source.toString())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("ok 2 true"), out);
    }
}
