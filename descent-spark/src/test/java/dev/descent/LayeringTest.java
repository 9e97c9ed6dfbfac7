package dev.descent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The layering of docs/architecture.md holds for every module's classes: every class's package
 * is in the table, and every class it uses lies in its own package, the JDK, or a package or
 * library its row allows. It lives in descent-spark, the module built last, so one test reads the
 * compiled classes of all four modules; the table is the document.
 */
class LayeringTest {
    private static final String ROOT = "dev.descent.";
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([\\w.]+)`\\s*\\|([^|]*)\\|([^|]*)\\|\\s*$");
    private static final Pattern NAME = Pattern.compile("`([\\w.]+)`");
    private static final List<String> MODULES = List.of("descent-core", "descent-bench", "descent-cli", "descent-spark");

    /** A row: the Descent packages and the library prefixes a package may use. */
    private record Allowed(Set<String> packages, Set<String> libraries) {}

    private static Path moduleDir() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    }

    private static Set<String> names(String cell) {
        Set<String> out = new TreeSet<>();
        Matcher m = NAME.matcher(cell);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    static Map<String, Allowed> table() throws IOException {
        Path doc = moduleDir().resolveSibling("docs").resolve("architecture.md");
        Map<String, Allowed> table = new HashMap<>();
        for (String line : Files.readAllLines(doc)) {
            Matcher m = ROW.matcher(line.strip());
            if (m.matches()) table.put(m.group(1), new Allowed(names(m.group(2)), names(m.group(3))));
        }
        assertTrue(table.size() > 10, "no dependency table found in " + doc);
        return table;
    }

    private static boolean isLibrary(String pkg, Set<String> prefixes) {
        for (String p : prefixes) if (pkg.equals(p) || pkg.startsWith(p + ".")) return true;
        return false;
    }

    @Test
    void everyArrowIsOneThePictureAllows() throws IOException {
        Map<String, Allowed> table = table();
        List<Path> modules = new ArrayList<>();
        for (String m : MODULES) {
            Path dir = moduleDir().resolveSibling(m).resolve("target").resolve("classes");
            assertTrue(Files.isDirectory(dir), "not compiled: " + dir);
            modules.add(dir);
        }
        JavaClasses classes = new ClassFileImporter().importPaths(modules);
        for (String m : MODULES) {
            assertTrue(classes.stream().anyMatch(c -> c.getSource().map(s -> s.getUri().getPath().contains("/" + m + "/target/classes/")).orElse(false)),
                    "no classes imported from " + m);
        }
        Set<String> violations = new TreeSet<>();
        for (JavaClass c : classes) {
            String from = c.getPackageName();
            if (!from.startsWith(ROOT)) continue;
            String source = from.substring(ROOT.length());
            Allowed allowed = table.get(source);
            if (allowed == null) {
                violations.add(c.getName() + ": package " + source + " is not in docs/architecture.md");
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                JavaClass target = d.getTargetClass().getBaseComponentType();
                if (target.isPrimitive()) continue;
                String to = target.getPackageName();
                if (to.equals(from) || to.startsWith("java.") || to.startsWith("javax.")) continue;
                boolean ok = to.startsWith(ROOT) ? allowed.packages().contains(to.substring(ROOT.length()))
                        : isLibrary(to, allowed.libraries());
                if (!ok) {
                    violations.add(c.getName() + " -> " + target.getName() + ": " + source + " may use only "
                            + allowed.packages() + " and libraries " + allowed.libraries());
                }
            }
        }
        List<String> list = new ArrayList<>(violations);
        assertEquals(List.of(), list, list.size() + " arrow(s) the picture in docs/architecture.md does not allow");
    }
}
