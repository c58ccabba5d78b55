package org.rnnlab.text;

import java.io.IOException;
import java.nio.file.Path;

/** The corpus names that rnnlab accepts (the command line, a TrainConfig): {@code lab}, {@code wikitext}, {@code mix:N}, or a file or folder. */
public final class Corpora {
    private Corpora() {}

    /** The spec to record for a run: the names as they are, a path made absolute (so a resume finds it anywhere). */
    public static String spec(String corpus, Integer mix) {
        if (mix != null) {
            if (corpus != null) {
                throw new IllegalArgumentException("give --corpus or --mix, not both (--mix N is the notebook's lab "
                        + "lines plus the first N characters of WikiText-2)");
            }
            if (mix < 1) throw new IllegalArgumentException("--mix must be at least 1 character, got " + mix);
            return "mix:" + mix;
        }
        if (corpus == null || corpus.equals("lab") || corpus.equals("wikitext")) return corpus == null ? "lab" : corpus;
        return Path.of(corpus).toAbsolutePath().normalize().toString();
    }

    public static Corpus load(String spec) throws IOException {
        if (spec.equals("lab")) return Corpus.lab();
        if (spec.equals("wikitext")) return Corpus.wikiText(WikiText2.fromEnvironment().load(), Integer.MAX_VALUE);
        if (spec.startsWith("mix:")) {
            return Corpus.mix(WikiText2.fromEnvironment().load(), Integer.parseInt(spec.substring(4)));
        }
        if (!java.nio.file.Files.exists(Path.of(spec))) {
            throw new IllegalArgumentException(spec + ": no such file or folder (--corpus takes a UTF-8 file, a folder "
                    + "of them, lab or wikitext)");
        }
        return Corpus.fromPath(Path.of(spec));
    }

    /** Whether the spec names a file or folder (rather than lab, wikitext or a mix). */
    public static boolean isPath(String spec) {
        return !spec.equals("lab") && !spec.equals("wikitext") && !spec.startsWith("mix:");
    }
}
