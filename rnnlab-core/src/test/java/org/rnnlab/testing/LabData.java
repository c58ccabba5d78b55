package org.rnnlab.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.rnnlab.text.Corpus;
import org.rnnlab.train.TrainData;

/** The lab text as training data, for the tests of every module. */
public final class LabData {
    private LabData() {}

    /** The lab lines with the fraction {@code val} held out for validation. */
    public static TrainData withVal(double val) {
        try {
            return TrainData.of(Corpus.lab(), val, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the lab text is in memory: no I/O to fail
        }
    }
}
