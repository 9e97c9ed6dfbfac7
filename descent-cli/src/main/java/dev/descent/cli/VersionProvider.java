package dev.descent.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version}: the project version from the {@code pom.properties} that Maven packs into the
 * jar ({@code META-INF/maven/dev.descent/descent-cli/pom.properties}), then the Java runtime.
 * Outside a packaged jar (e.g. in tests) the version reads "development build".
 */
public final class VersionProvider implements IVersionProvider {
    static final String POM_PROPERTIES = "/META-INF/maven/dev.descent/descent-cli/pom.properties";

    /** The project version, or "development build" when not running from the packaged jar. */
    public static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank()) return v.strip();
            }
        } catch (IOException e) {
            // Fall through: an unreadable resource means we are not in a well-formed jar.
        }
        String impl = VersionProvider.class.getPackage().getImplementationVersion();
        return impl != null ? impl : "development build";
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "descent " + version(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + "), "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch")
        };
    }
}
