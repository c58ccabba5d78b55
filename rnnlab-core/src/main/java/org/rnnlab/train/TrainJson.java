package org.rnnlab.train;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import java.io.IOException;
import org.rnnlab.model.CellType;

/**
 * The JSON of training files (config, state, history inside checkpoints): Jackson's record mapping with snake_case
 * names, so that Python reads them as plain dicts. Doubles are written in Java's shortest round-trip form and
 * non-finite ones as the strings "NaN" and "Infinity", which Jackson reads back: every number comes back to the bit.
 */
final class TrainJson {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES, true)
            .registerModule(new SimpleModule("rnnlab")
                    .addSerializer(CellType.class, new StdScalarSerializer<>(CellType.class) {
                        @Override
                        public void serialize(CellType c, JsonGenerator g, SerializerProvider p) throws IOException {
                            g.writeString(c.id());
                        }
                    })
                    .addDeserializer(CellType.class, new StdScalarDeserializer<>(CellType.class) {
                        @Override
                        public CellType deserialize(JsonParser p, DeserializationContext c) throws IOException {
                            return CellType.parse(p.getValueAsString());
                        }
                    }));

    private TrainJson() {}
}
