package org.rnnlab.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SplitsTest {
    private static Corpus corpus(String text) {
        return new Corpus("c", text, List.of());
    }

    @Test
    void validationAndTestComeFromTheEndInThatOrder() {
        Splits s = Splits.of(corpus("abcdefghijklmnopqrst"), 0.1, 0.15);
        // 20 characters: val round(2.0) = 2, test round(3.0) = 3, train the first 15.
        assertThat(s.train()).isEqualTo("abcdefghijklmno");
        assertThat(s.val()).isEqualTo("pq");
        assertThat(s.test()).isEqualTo("rst");
        assertThat(s.train() + s.val() + s.test()).isEqualTo("abcdefghijklmnopqrst");
        assertThat(s.summary()).isEqualTo("train 15, val 2, test 3 characters");
    }

    @Test
    void zeroFractionsLeaveThePartEmpty() {
        Splits none = Splits.of(Corpus.lab(), 0, 0);
        assertThat(none.train()).isEqualTo(LabCorpus.TEXT);
        assertThat(none.val()).isEmpty();
        assertThat(none.test()).isEmpty();

        Splits valOnly = Splits.of(Corpus.lab(), 0.1, 0);
        // 339 * 0.1 = 33.9, rounded to 34.
        assertThat(valOnly.val()).hasSize(34).isEqualTo(LabCorpus.TEXT.substring(305));
        assertThat(valOnly.test()).isEmpty();
    }

    @Test
    void sizesCountCodePointsAndNeverCutAnEmoji() {
        Splits s = Splits.of(corpus("😀😀😀😀😀😀😀😀😁😂"), 0, 0.2);
        assertThat(s.test()).isEqualTo("😁😂");
        assertThat(s.train()).isEqualTo("😀😀😀😀😀😀😀😀");
    }

    @Test
    void fractionsOutsideTheRangeAreRejected() {
        Corpus c = Corpus.lab();
        assertThatThrownBy(() -> Splits.of(c, 1.0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--val must be at least 0 and less than 1, found 1.0");
        assertThatThrownBy(() -> Splits.of(c, 0, -0.1))
                .hasMessage("--test must be at least 0 and less than 1, found -0.1");
        assertThatThrownBy(() -> Splits.of(c, Double.NaN, 0))
                .hasMessage("--val must be at least 0 and less than 1, found NaN");
        assertThatThrownBy(() -> Splits.of(c, 0.6, 0.4))
                .hasMessage("--val 0.6 and --test 0.4 leave no text to train on; together they must be less than 1");
    }

    @Test
    void aPartTooSmallSaysWhatEachPartWouldGet() {
        assertThatThrownBy(() -> Splits.of(Corpus.lab(), 0.001, 0.1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--val 0.001 and --test 0.1 would split the 339 characters of lab into train 305, val 0 "
                        + "and test 34; each part needs at least 2 (a character and the next): change the fractions "
                        + "or use a longer corpus");
        assertThatThrownBy(() -> Splits.of(corpus("abcdefghij"), 0.45, 0.45))
                .hasMessage("--val 0.45 and --test 0.45 would split the 10 characters of c into train 0, val 5 "
                        + "and test 5; each part needs at least 2 (a character and the next): change the fractions "
                        + "or use a longer corpus");
        assertThatThrownBy(() -> Splits.of(corpus("abc"), 0.3, 0))
                .hasMessage("--val 0.3 and --test 0.0 would split the 3 characters of c into train 2, val 1 "
                        + "and test 0; each part needs at least 2 (a character and the next): change the fractions "
                        + "or use a longer corpus");
    }

    @Test
    void theRecordItselfRejectsPartsNoModelCanUse() {
        assertThat(new Splits("ab", "", "cd").test()).isEqualTo("cd");
        assertThatThrownBy(() -> new Splits("a", "", ""))
                .hasMessage("split parts have 1, 0 and 0 characters; training needs at least 2, validation and test "
                        + "none or at least 2");
        assertThatThrownBy(() -> new Splits("ab", "c", ""))
                .hasMessage("split parts have 2, 1 and 0 characters; training needs at least 2, validation and test "
                        + "none or at least 2");
    }
}
