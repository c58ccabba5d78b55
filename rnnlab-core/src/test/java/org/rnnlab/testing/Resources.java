package org.rnnlab.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Test fixtures on the classpath (src/test/resources), as files. In the reactor they are files under the core's
 * test-classes; a module tested on its own (mvn test -pl rnnlab-serve) reads them from the core's installed
 * test-jar, and each is then copied out once, under its own name, into a folder of the temporary directory.
 */
public final class Resources {
    private static final Path EXTRACTED = Path.of(System.getProperty("java.io.tmpdir"),
            "rnnlab-test-resources-" + ProcessHandle.current().pid());

    private Resources() {}

    public static Path path(Class<?> owner, String name) {
        URL url = owner.getResource(name);
        if (url == null) throw new IllegalStateException("missing test fixture " + name + " beside " + owner.getName());
        if (url.getProtocol().equals("file")) {
            try {
                return Path.of(url.toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        String entry = url.getPath().substring(url.getPath().indexOf("!/") + 2);
        Path file = EXTRACTED.resolve(entry);
        synchronized (Resources.class) {
            if (!Files.exists(file)) {
                try (InputStream in = url.openStream()) {
                    Files.createDirectories(file.getParent());
                    Path tmp = Files.createTempFile(file.getParent(), ".extract", ".tmp");
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                    file.toFile().deleteOnExit();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return file;
    }
}
