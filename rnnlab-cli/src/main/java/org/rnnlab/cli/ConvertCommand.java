package org.rnnlab.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.onnx.OnnxExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rnnlab convert}: between PyTorch state_dicts and rnnlab model files, and out to ONNX. */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = {"Converts a model between PyTorch and rnnlab, or to ONNX.", "",
            "--out FILE.pt writes a state_dict that torch.load(path, weights_only=True) reads and the notebook's",
            "model classes load_state_dict; --out FILE.onnx an ONNX model (opset 17) that ONNX runtimes run:",
            "token ids (T, B) and the state h_0 (c_0) in, logits, log_probs and the state h_n (c_n) out, the",
            "vocabulary in its metadata; any other name writes an rnnlab model file (safetensors), which",
            "keeps the vocabulary so later commands need no --vocab-from.", "",
            "--quantize int8 writes the rnnlab file with int8 weights (every W_ih, W_hh and the output layer's, a",
            "float scale per row; the embedding and biases float): a quarter of the bytes, generation about twice",
            "as fast, for complete, next, serve and eval (not for training). An int8 model written to .pt or .onnx",
            "is written dequantized, as float32."},
        footer = {"", "Examples:",
            "  rnnlab convert --model lstm.pt --vocab-from lab --out lstm.safetensors",
            "  rnnlab convert --model out/best.safetensors --out best.pt",
            "  rnnlab convert --model runs/lab --out lab.onnx",
            "  rnnlab convert --model runs/big --quantize int8 --out big-int8.safetensors"})
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write (.pt for PyTorch, .onnx for ONNX).")
    Path out;

    @Override
    public Integer call() throws IOException {
        ModelFiles.Loaded loaded = modelOptions.load(spec.commandLine().getErr(), "convert");
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        String what;
        if (name.endsWith(".pt") || name.endsWith(".pth")) {
            ModelFiles.exportPyTorch(out, loaded.model());
            what = "PyTorch state_dict; its vocabulary is not stored: \"" + loaded.vocabulary().display() + "\"";
        } else if (name.endsWith(".onnx")) {
            OnnxExport.write(out, loaded.model(), loaded.vocabulary());
            what = "ONNX opset " + OnnxExport.OPSET + ", with its vocabulary";
        } else {
            ModelFiles.save(out, loaded.model(), loaded.vocabulary());
            what = loaded.model().quantized() ? "rnnlab model file, int8 weights with a scale per row" : "rnnlab model file";
        }
        if (loaded.model().quantized() && !what.startsWith("rnnlab")) what += "; the int8 weights written as float32";
        spec.commandLine().getErr().println("rnnlab convert: wrote " + out + " (" + loaded.model().config().cell().id()
                + ", " + loaded.model().config().parameterCount() + " parameters, " + what + ")");
        return 0;
    }
}
