package org.rnnlab.serve;

import java.util.LinkedHashMap;
import java.util.Map;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.text.Vocabulary;

/**
 * A model the server offers, under a name. Shared read-only by every request: each request makes its own
 * workspace and state, so requests never see each other.
 *
 * @param facts what {@code GET /v1/models} says about it beyond its shape (e.g. training metrics from a checkpoint)
 */
public record ServedModel(String name, CharModel model, Vocabulary vocabulary, Map<String, Object> facts) {
    public ServedModel {
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("model name '" + name + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        facts = Map.copyOf(facts);
    }

    Map<String, Object> describe() {
        ModelConfig c = model.config();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", name);
        d.put("cell", c.cell().id());
        d.put("vocab_size", c.vocab());
        d.put("embed", c.embed());
        d.put("hidden", c.hidden());
        d.put("layers", c.layers());
        d.put("parameters", c.parameterCount());
        d.put("vocabulary", vocabulary.asString());
        d.putAll(facts);
        return d;
    }
}
