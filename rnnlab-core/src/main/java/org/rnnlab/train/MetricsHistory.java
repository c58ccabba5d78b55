package org.rnnlab.train;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.rnnlab.io.AtomicFiles;

/**
 * The metrics of a run, one {@link Row} per evaluation: kept in every checkpoint as JSON and written beside it
 * as CSV for plotting ({@code pandas.read_csv("metrics.csv").plot(x="step", y=["train_bpc", "val_bpc"])}).
 */
public final class MetricsHistory {
    /**
     * The metrics at one evaluation.
     *
     * @param step           optimizer steps done
     * @param epoch          epochs done, with the fraction of the current one
     * @param lr             the learning rate of the steps since the previous row
     * @param trainLoss      the mean training loss (nats per character) of the steps since the previous row
     * @param trainBpc       the same in bits per character
     * @param trainAccuracy  the share of those steps' characters predicted right (argmax)
     * @param valLoss        the validation text's loss, scored as one stream ({@code NaN} without --val)
     * @param valBpc         the same in bits per character
     * @param valAccuracy    the validation text's accuracy
     * @param valPerplexity  {@code exp(valLoss)}
     * @param charsPerSecond training characters per second of wall time since the previous row (evaluation excluded)
     * @param seconds        wall time of the run so far, evaluations and earlier sessions included
     */
    @JsonPropertyOrder({"step", "epoch", "lr", "train_loss", "train_bpc", "train_accuracy", "val_loss", "val_bpc",
        "val_accuracy", "val_perplexity", "chars_per_second", "seconds"})
    public record Row(long step, double epoch, double lr, double trainLoss, double trainBpc, double trainAccuracy,
                      double valLoss, double valBpc, double valAccuracy, double valPerplexity,
                      double charsPerSecond, double seconds) {
        public boolean hasVal() {
            return !Double.isNaN(valLoss);
        }
    }

    private static final CsvMapper CSV = CsvMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
    private static final TypeReference<List<Row>> ROWS = new TypeReference<>() {};

    private final List<Row> rows = new ArrayList<>();

    public void add(Row row) {
        rows.add(row);
    }

    public List<Row> rows() {
        return Collections.unmodifiableList(rows);
    }

    public Row last() {
        return rows.isEmpty() ? null : rows.get(rows.size() - 1);
    }

    public String toJson() {
        try {
            return TrainJson.MAPPER.writeValueAsString(rows);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static MetricsHistory fromJson(String json) {
        MetricsHistory h = new MetricsHistory();
        try {
            h.rows.addAll(TrainJson.MAPPER.readValue(json, ROWS));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable metrics history: " + e.getOriginalMessage(), e);
        }
        return h;
    }

    /** The rows as CSV with a header line, numbers in Java's shortest round-trip form. */
    public String toCsv() {
        try {
            CsvSchema schema = CSV.schemaFor(Row.class).withHeader();
            return CSV.writer(schema).writeValueAsString(rows);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@link #toCsv} atomically. */
    public void writeCsv(Path file) throws IOException {
        byte[] bytes = toCsv().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }
}
