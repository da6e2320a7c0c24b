package moat.auth;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * The conformance vectors the tests read, from the test class path ({@code src/test/resources/vectors},
 * see its README for where each suite comes from). Inside the checkout on purpose: a test that
 * needs a file outside it fails on a clean clone.
 */
public final class TestVectors {
    private TestVectors() {}

    /** The folder {@code vectors/<suite>} ({@code spf}, {@code arc}, {@code psl}, {@code dkim}). */
    public static Path dir(String suite) {
        String name = "/vectors/" + suite;
        URL url = TestVectors.class.getResource(name);
        if (url == null) throw new IllegalStateException("test resource " + name + " is not on the class path");
        try {
            // Surefire runs from target/test-classes, a directory: the resource is a plain file.
            return Path.of(url.toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalStateException("test resource " + name + " is not a file: " + url, e);
        }
    }
}
