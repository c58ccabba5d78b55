package org.rnnlab.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VocabularyTest {
    @Test
    void labCorpusIsTheNotebooks339Characters() {
        assertThat(LabCorpus.TEXT).hasSize(339);
        // /usr/bin/python3 -c "print(repr(''.join(sorted(set(TEXT)))), len(set(TEXT)))" on the notebook's text
        Vocabulary v = Vocabulary.fromText(LabCorpus.TEXT);
        assertThat(v.asString()).isEqualTo("\n ()+,-.0:;<=>_abcdefghiklmnoprstuwxy{}");
        assertThat(v.size()).isEqualTo(39);
    }

    @Test
    void sortsByCodePointLikePythonAndCountsEmojiAsOneCharacter() {
        // sorted(set("zé😀a\U0001F600éZ")) == ['Z', 'a', 'z', 'é', '😀']: by code point, not UTF-16 unit.
        Vocabulary v = Vocabulary.fromText("zé😀a\uD83D\uDE00éZ\uFFFD");
        assertThat(v.size()).isEqualTo(6);
        assertThat(v.asString()).isEqualTo("Zazé\uFFFD😀");
        assertThat(v.indexOf("😀".codePointAt(0))).isEqualTo(5);
        assertThat(v.encode("a😀z")).containsExactly(1, 5, 2);
        assertThat(v.decode(new int[] {5, 0})).isEqualTo("😀Z");
    }

    @Test
    void literalKeepsTheGivenOrderAndRejectsDuplicates() {
        Vocabulary v = Vocabulary.literal("cab");
        assertThat(v.encode("abc")).containsExactly(1, 2, 0);
        assertThatThrownBy(() -> Vocabulary.literal("abca")).hasMessageContaining("'a' twice");
        assertThatThrownBy(() -> Vocabulary.literal("")).hasMessageContaining("at least one character");
    }

    @Test
    void unknownCharactersAreListedOnceWithTheVocabulary() {
        Vocabulary v = Vocabulary.fromText(LabCorpus.TEXT);
        assertThatThrownBy(() -> v.encode("while (x < 10) {\t1"))
                .isInstanceOf(Vocabulary.UnknownCharactersException.class)
                .hasMessage("characters '1', '\\t' not in the model's vocabulary of 39: "
                        + "\"\\n ()+,-.0:;<=>_abcdefghiklmnoprstuwxy{}\"");
        assertThatThrownBy(() -> v.encode("A")).hasMessageStartingWith("character 'A' not in");
        assertThatThrownBy(() -> v.encode("a\u200Bb")).hasMessageStartingWith("character U+200B not in");
    }

    @Test
    void skippingDropsUnknownCharactersLikeTheNotebook() {
        Vocabulary v = Vocabulary.fromText(LabCorpus.TEXT);
        assertThat(v.unknown("while (x < 10) {")).containsExactly((int) '1');
        assertThat(v.unknown("The Cat")).containsExactly((int) 'T', (int) 'C');
        assertThat(v.decode(v.encodeSkippingUnknown("The Cat"))).isEqualTo("he at");
    }
}
