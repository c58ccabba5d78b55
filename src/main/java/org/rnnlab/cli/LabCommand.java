package org.rnnlab.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.rnnlab.lab.BpttToy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rnnlab lab}: the university lab notebook, start to finish, on its embedded data. */
@Command(
        name = "lab",
        mixinStandardHelpOptions = true,
        description = {"The lab notebook, start to finish, on its embedded data.",
            "",
            "Exercise 1: backpropagation through time by hand (numpy-exact, see 'rnnlab bptt')."},
        footer = {"", "Example:", "  rnnlab lab"})
final class LabCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        BpttToy toy = new BpttToy(BpttToy.Config.NOTEBOOK);
        toy.train(out::println);
        for (String prompt : new String[] {"abc", "bcd", "cde"}) out.println(prompt + " → " + toy.predictNext(prompt));
        return 0;
    }
}
