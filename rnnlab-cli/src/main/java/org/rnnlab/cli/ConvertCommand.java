package org.rnnlab.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rnnlab.model.ModelFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rnnlab convert}: between PyTorch state_dicts and rnnlab model files. */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = {"Converts a model between PyTorch and rnnlab.", "",
            "--out FILE.pt writes a state_dict that torch.load(path, weights_only=True) reads and the notebook's",
            "model classes load_state_dict; any other name writes an rnnlab model file (safetensors), which",
            "keeps the vocabulary so later commands need no --vocab-from."},
        footer = {"", "Examples:",
            "  rnnlab convert --model lstm.pt --vocab-from lab --out lstm.safetensors",
            "  rnnlab convert --model out/best.safetensors --out best.pt"})
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write (.pt for PyTorch).")
    Path out;

    @Override
    public Integer call() throws IOException {
        ModelFiles.Loaded loaded = modelOptions.load(spec.commandLine().getErr(), "convert");
        boolean torch = out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".pt")
                || out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".pth");
        if (torch) {
            ModelFiles.exportPyTorch(out, loaded.model());
        } else {
            ModelFiles.save(out, loaded.model(), loaded.vocabulary());
        }
        spec.commandLine().getErr().println("rnnlab convert: wrote " + out + " (" + loaded.model().config().cell().id()
                + ", " + loaded.model().config().parameterCount() + " parameters, "
                + (torch ? "PyTorch state_dict; its vocabulary is not stored: \"" + loaded.vocabulary().display() + "\""
                        : "rnnlab model file") + ")");
        return 0;
    }
}
