package org.rnnlab.generate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.rnnlab.io.NpyArray;
import org.rnnlab.io.Npz;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.nn.Nonlinearity;
import org.rnnlab.testing.Resources;
import org.rnnlab.text.Vocabulary;

/** The PyTorch models trained the notebook's way (tools/make_notebook_pt_fixtures.py), loaded for tests. */
final class NotebookModels {
    private NotebookModels() {}

    static ModelFiles.Loaded load(String name) {
        try {
            Map<String, NpyArray> npz = Npz.read(Resources.path(NotebookModels.class, "/org/rnnlab/notebook/" + name + ".npz"));
            Vocabulary vocab = Vocabulary.literal(new String(npz.get("vocab").data(), StandardCharsets.UTF_8));
            String nl = new String(npz.get("nonlinearity").data(), StandardCharsets.UTF_8);
            return ModelFiles.load(Resources.path(NotebookModels.class, "/org/rnnlab/notebook/" + name + ".pt"),
                    new ModelFiles.Hints(vocab, nl.equals("relu") ? Nonlinearity.RELU : Nonlinearity.TANH));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
