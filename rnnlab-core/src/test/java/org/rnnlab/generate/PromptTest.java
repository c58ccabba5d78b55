package org.rnnlab.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.rnnlab.text.LabCorpus;
import org.rnnlab.text.Vocabulary;

class PromptTest {
    static final Vocabulary LAB = Vocabulary.fromText(LabCorpus.TEXT);

    @Test
    void unknownCharactersAreAnErrorListingThemAndTheVocabulary() {
        assertThatThrownBy(() -> Prompt.encode("While (x < 10) {", LAB, UnknownPolicy.ERROR))
                .isInstanceOf(Vocabulary.UnknownCharactersException.class)
                .hasMessage("characters 'W', '1' not in the model's vocabulary of 39: \"" + LAB.display() + "\"");
    }

    @Test
    void skipDropsThemButKeepsTheirPlace() {
        Prompt p = Prompt.encode("x < 10", LAB, UnknownPolicy.SKIP);
        assertThat(p.slots()).containsExactly(LAB.indexOf('x'), LAB.indexOf(' '), LAB.indexOf('<'), LAB.indexOf(' '),
                Prompt.SKIPPED, LAB.indexOf('0'));
        assertThat(p.tokens()).containsExactly(LAB.encodeSkippingUnknown("x < 10"));
        assertThat(p.unknown()).containsExactly((int) '1');
        assertThat(p.length()).isEqualTo(6);
    }

    @Test
    void replaceMapsThemToAKnownCharacter() {
        Prompt p = Prompt.encode("The 1 cat", LAB, UnknownPolicy.parse("replace= "));
        assertThat(LAB.decode(p.tokens())).isEqualTo("he   cat".replace("he", " he"));
        assertThat(p.unknown()).containsExactly((int) 'T', (int) '1');
        assertThatThrownBy(() -> Prompt.encode("The", LAB, UnknownPolicy.parse("replace=Z")))
                .hasMessageContaining("replacement character 'Z' is not in the model's vocabulary either")
                .hasMessageContaining(LAB.display());
    }

    @Test
    void anEmptyPromptOrOneWithNothingLeftIsAnError() {
        assertThatThrownBy(() -> Prompt.encode("", LAB, UnknownPolicy.ERROR))
                .hasMessageStartingWith("the prompt is empty").hasMessageContaining("at least one");
        assertThatThrownBy(() -> Prompt.encode("ABC", LAB, UnknownPolicy.SKIP))
                .hasMessageContaining("every character of the prompt was skipped");
        assertThat(Prompt.encode("\n", LAB, UnknownPolicy.ERROR).tokens()).containsExactly(LAB.indexOf('\n'));
    }

    @Test
    void policiesParse() {
        assertThat(UnknownPolicy.parse("error")).isEqualTo(UnknownPolicy.ERROR);
        assertThat(UnknownPolicy.parse("skip")).isEqualTo(UnknownPolicy.SKIP);
        assertThat(UnknownPolicy.parse("replace=🍎")).isEqualTo(UnknownPolicy.replaceWith(0x1F34E));
        assertThat(UnknownPolicy.parse("replace=🍎").toString()).isEqualTo("replace=🍎");
        assertThatThrownBy(() -> UnknownPolicy.parse("replace=ab")).hasMessageContaining("exactly one character");
        assertThatThrownBy(() -> UnknownPolicy.parse("replace=")).hasMessageContaining("exactly one character");
        assertThatThrownBy(() -> UnknownPolicy.parse("drop")).hasMessageContaining("error, skip or replace=C")
                .hasMessageContaining("'drop'");
    }
}
