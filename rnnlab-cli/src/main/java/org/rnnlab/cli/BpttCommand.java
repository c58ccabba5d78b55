package org.rnnlab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rnnlab.io.NpyArray;
import org.rnnlab.io.Npz;
import org.rnnlab.lab.BpttToy;
import org.rnnlab.lab.GradientCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rnnlab bptt}: the lab's first exercise. */
@Command(
        name = "bptt",
        mixinStandardHelpOptions = true,
        description = {
            "Backpropagation through time by hand (the lab's exercise 1).",
            "",
            "A 4-unit tanh RNN over a..z, trained with plain SGD on the 23 windows abc->bcd ... wxy->xyz,",
            "in double precision, from the weights numpy's np.random.seed gives.",
            "With the defaults it prints the notebook's lines exactly."},
        footer = {"", "Examples:",
            "  rnnlab bptt                                   the notebook: Epoch 0, Loss: 226.3948 ... cde → f",
            "  rnnlab bptt --hidden 8 --epochs 300 --print-every 50",
            "  rnnlab bptt --predict abc,mno,wxy --save toy.npz    then np.load('toy.npz')['Wxh']",
            "  rnnlab bptt --gradcheck                       finite differences against the hand-written gradients"})
final class BpttCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--epochs", defaultValue = "160", description = "Passes over the 23 examples (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "0.1", description = "SGD learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--hidden", defaultValue = "4", description = "Hidden units (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--seed", defaultValue = "0", description = "np.random.seed value, 0..4294967295 (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--print-every", defaultValue = "100",
            description = "Print the loss every N epochs, and at the last (default: ${DEFAULT-VALUE}).")
    int printEvery;

    @Option(names = "--predict", split = ",", defaultValue = "abc,bcd,cde", paramLabel = "PROMPT[,PROMPT...]",
            description = "Prompts of letters a..z whose next letter to predict (default: ${DEFAULT-VALUE}).")
    List<String> predict;

    @Option(names = "--save", paramLabel = "FILE.npz",
            description = "Write the final Wxh, Whh, Why, bh, by as float64 arrays in numpy's .npz format.")
    Path save;

    @Option(names = "--gradcheck",
            description = "Before training, compare the BPTT gradients with centred finite differences for every "
                    + "parameter and print the worst errors (exit 1 if relative error >= 1e-6).")
    boolean gradcheck;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        BpttToy.Config config = new BpttToy.Config(hidden, lr, epochs, seed, printEvery);
        // Check the prompts before spending time on training.
        for (String prompt : predict) BpttToy.encode(prompt);

        BpttToy toy = new BpttToy(config);
        int status = 0;
        if (gradcheck) {
            GradientCheck.Result r = GradientCheck.run(toy);
            out.println(r.summary());
            boolean ok = r.passed();
            if (!ok) status = 1;
        }
        toy.train(out::println);
        for (String prompt : predict) out.println(prompt + " → " + toy.predictNext(prompt));
        if (save != null) {
            Map<String, NpyArray> arrays = new LinkedHashMap<>();
            for (BpttToy.Named p : toy.params().named()) arrays.put(p.name(), NpyArray.ofDoubles(p.values(), p.shape()));
            Npz.write(save, arrays);
            spec.commandLine().getErr().println("rnnlab bptt: wrote " + save + " (Wxh, Whh, Why, bh, by as float64)");
        }
        return status;
    }
}
