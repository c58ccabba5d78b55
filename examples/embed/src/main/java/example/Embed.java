package example;

import java.nio.file.Path;
import org.rnnlab.CompleteOptions;
import org.rnnlab.Completion;
import org.rnnlab.Distribution;
import org.rnnlab.Model;

/** Loads a model, completes a prompt with a seed (streaming it), and prints the next-character distribution. */
public final class Embed {
    public static void main(String[] args) throws Exception {
        Model model = Model.load(Path.of(args[0])); // a model file, a checkpoint or a training run's folder
        String prompt = args.length > 1 ? args[1] : "the cat";
        System.out.println(model);

        CompleteOptions options = CompleteOptions.builder().length(60).temperature(0.8).seed(1).build();
        System.out.print(prompt);
        Completion c = model.complete(prompt, options, System.out::print); // each character as it is decided
        System.out.println();
        System.out.println("finish: " + c.finishReason() + ", seed " + c.seed());

        Distribution next = model.next(prompt);
        for (Distribution.Entry e : next.top(5)) {
            System.out.printf("%-4s %.4f%n", e.character().equals("\n") ? "\\n" : "'" + e.character() + "'", e.probability());
        }
    }
}
