package org.rnnlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.rnnlab.generate.NextChar;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.text.Vocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rnnlab next}: the distribution of the next character after a prompt (the notebook's predict_next). */
@Command(
        name = "next",
        mixinStandardHelpOptions = true,
        description = {"The probability of each next character after a prompt, from a zero state.", "",
            "The notebook's predict_next, for any model: an rnnlab checkpoint or a PyTorch state_dict."},
        footer = {"", "Examples:",
            "  rnnlab next --model lstm.pt --vocab-from lab --prompt 'the cat' --top 5",
            "  rnnlab next --model out/best.safetensors --prompt 'while (' --json"})
final class NextCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--prompt", required = true, description = "The text before the character to predict.")
    String prompt;

    @Option(names = "--top", defaultValue = "10", paramLabel = "K",
            description = "Show the K most likely characters (default: ${DEFAULT-VALUE}; 0 shows all).")
    int top;

    @Option(names = "--json", description = "Print {\"chars\": [...], \"logprobs\": [...]} for every character in index order.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (top < 0) throw new IllegalArgumentException("--top must be >= 0, got " + top);
        ModelFiles.Loaded loaded = modelOptions.load(spec.commandLine().getErr(), "next");
        Vocabulary vocab = loaded.vocabulary();
        double[] logprobs = NextChar.logProbabilities(loaded.model(), vocab.encode(prompt));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode o = mapper.createObjectNode();
            ArrayNode chars = o.putArray("chars");
            ArrayNode lp = o.putArray("logprobs");
            for (int i = 0; i < vocab.size(); i++) {
                chars.add(vocab.charAt(i));
                lp.add(logprobs[i]);
            }
            out.println(mapper.writeValueAsString(o));
            return 0;
        }
        Integer[] order = IntStream.range(0, vocab.size()).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> -logprobs[i]));
        int shown = top == 0 ? order.length : Math.min(top, order.length);
        for (int r = 0; r < shown; r++) {
            int i = order[r];
            out.printf("%-8s %8.4f  (log %.4f)%n", Vocabulary.describe(vocab.codePoint(i)), Math.exp(logprobs[i]), logprobs[i]);
        }
        return 0;
    }
}
