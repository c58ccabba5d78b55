package org.rnnlab.testing;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Test fixtures on the classpath (src/test/resources), as files. */
public final class Resources {
    private Resources() {}

    public static Path path(Class<?> owner, String name) {
        URL url = owner.getResource(name);
        if (url == null) throw new IllegalStateException("missing test fixture " + name + " beside " + owner.getName());
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
