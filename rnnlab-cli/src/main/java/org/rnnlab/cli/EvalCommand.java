package org.rnnlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.text.Corpora;
import org.rnnlab.text.Corpus;
import org.rnnlab.text.Tokens;
import org.rnnlab.text.Vocabulary;
import org.rnnlab.train.Evaluator;
import org.rnnlab.Score;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rnnlab eval}: how well a model predicts a text, scored as one stream with the state carried. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {"Loss, accuracy, perplexity and bits per character of a model on a text.", "",
            "The text is scored as one stream from a zero state, the recurrent state carried from chunk to chunk, as",
            "PyTorch's word_language_model evaluates: every character but the first is predicted from all before it.",
            "'chars' is the number of characters predicted (the text's length minus one)."},
        footer = {"", "Examples:",
            "  rnnlab eval --model runs/book/best.safetensors --corpus chapter12.txt",
            "  rnnlab eval --model lstm.pt --vocab-from lab --corpus lab --json"})
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--corpus", required = true, paramLabel = "FILE|DIR|lab|wikitext",
            description = "The text to score: a UTF-8 file, a folder of them, 'lab' or 'wikitext'.")
    String corpus;

    @Option(names = "--json", description = "Print {\"loss\": ..., \"accuracy\": ..., \"perplexity\": ..., \"bpc\": ..., \"chars\": ...}.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        ModelFiles.Loaded loaded = modelOptions.load(spec.commandLine().getErr(), "eval");
        Corpus text = Corpora.load(corpus);
        Tokens tokens; // read block by block, so a text of any size is scored in bounded memory
        try {
            tokens = Tokens.encode(text, loaded.vocabulary());
        } catch (Vocabulary.UnknownCharactersException e) {
            throw new IllegalArgumentException(text.name() + ": " + e.getMessage(), e);
        }
        Score s = Evaluator.score(loaded.model(), tokens);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode o = mapper.createObjectNode();
            o.put("loss", s.loss());
            o.put("accuracy", s.accuracy());
            o.put("perplexity", s.perplexity());
            o.put("bpc", s.bpc());
            o.put("chars", s.chars());
            out.println(mapper.writeValueAsString(o));
            return 0;
        }
        out.println(String.format(Locale.ROOT, "loss        %.4f", s.loss()));
        out.println(String.format(Locale.ROOT, "accuracy    %.4f", s.accuracy()));
        out.println(String.format(Locale.ROOT, "perplexity  %.4f", s.perplexity()));
        out.println(String.format(Locale.ROOT, "bpc         %.4f", s.bpc()));
        out.println("chars       " + s.chars());
        return 0;
    }
}
