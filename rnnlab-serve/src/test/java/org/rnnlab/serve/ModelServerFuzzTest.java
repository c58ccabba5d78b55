package org.rnnlab.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.rnnlab.generate.Completer;
import org.rnnlab.generate.CompletionOptions;
import org.rnnlab.generate.NextChar;
import org.rnnlab.kernel.Kernel;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.testing.Fuzzing;
import org.rnnlab.text.LabCorpus;
import org.rnnlab.text.Vocabulary;

/**
 * Fuzzes the server's request parsing in-process: the same body, as bytes, goes to both endpoints' parsers
 * ({@link ModelServer#json}, then {@link ModelServer#completeRequest} and {@link ModelServer#nextRequest}) of a
 * server that is built but not started, serving two tiny models of the lab's characters. Allowed outcomes: a request,
 * which is then run (a completion capped at 8 characters, every option as parsed; the next-character distribution),
 * or an {@link ApiError} of 400, 404 or 413 with a message and a field that is the body's. Anything else is what
 * the real server answers with a 500 "internal error". The harness also bounds what a body of a few KB may make the
 * server allocate.
 */
class ModelServerFuzzTest {
    private static final Vocabulary VOCABULARY = Vocabulary.fromText(LabCorpus.TEXT);
    private static final ModelServer SERVER = new ModelServer(List.of(
            served("lstm", new ModelConfig(CellType.LSTM, VOCABULARY.size(), 4, 8, 1, 0)),
            served("gru", new ModelConfig(CellType.GRU, VOCABULARY.size(), 3, 5, 2, 0))), ServeConfig.defaults());

    /**
     * A model on the scalar kernel: the Vector API's fallbacks box every vector until C2 has compiled them, tens of
     * megabytes for one short completion in a cold JVM, which would hide what the parsing allocates.
     */
    private static ServedModel served(String name, ModelConfig config) {
        return new ServedModel(name, CharModel.create(config, 7, Kernel.scalar()), VOCABULARY, Map.of());
    }

    @FuzzTest(maxDuration = "30s")
    void parsesEveryBodyOrRefusesIt(byte[] body) {
        long allowed = 256L * body.length;
        Fuzzing.Outcome<String> complete = Fuzzing.run(allowed, "POST /v1/complete", () -> {
            ModelServer.CompleteRequest r = SERVER.completeRequest(ModelServer.json(() -> body));
            CompletionOptions o = r.options();
            CompletionOptions capped = new CompletionOptions(Math.min(8, o.length()), o.sampling(), o.beam(), o.samples(),
                    o.window(), o.stop(), o.seed());
            List<Completer.Result> done = r.completer().complete(r.prompt(), capped, cp -> { });
            return done.get(0).text();
        });
        if (complete.error() != null) {
            checkRefusal(complete.error());
        } else {
            String text = complete.value();
            assertThat(text.codePointCount(0, text.length())).isBetween(0, 8);
            assertThat(VOCABULARY.unknown(text)).as("generated characters outside the vocabulary").isEmpty();
        }

        Fuzzing.Outcome<double[]> next = Fuzzing.run(allowed, "POST /v1/next", () -> {
            ModelServer.NextRequest r = SERVER.nextRequest(ModelServer.json(() -> body));
            return NextChar.logProbabilities(r.model().model(), r.prompt());
        });
        if (next.error() != null) {
            checkRefusal(next.error());
        } else {
            double[] logp = next.value();
            assertThat(logp).hasSize(VOCABULARY.size());
            assertThat(Arrays.stream(logp).map(Math::exp).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    /** A refusal is an ApiError of the request's statuses, with a message, naming a field of the body or none. */
    private static void checkRefusal(Throwable e) {
        if (!(e instanceof ApiError a)) throw Fuzzing.rethrow(e);
        String m = a.getMessage();
        assertThat(a.status).as("status of '%s'", m).isIn(400, 404, 413);
        assertThat(m).as("the message of a %d", a.status).isNotBlank();
        if (a.field != null && !ModelServer.COMPLETE_FIELDS.contains(a.field)) {
            assertThat(m).as("a field outside the API is named only as unknown").startsWith("unknown field '" + a.field + "'");
        }
    }
}
