package org.rnnlab.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessagesTest {
    @Test
    void escapesEveryControlCharacterAsPythonsReprDoes() {
        assertThat(Messages.escapeControls("a\nb\rc\td\u001b[31m\u0000\u007f\u0085\u2028\u2029"))
                .isEqualTo("a\\nb\\rc\\td\\x1b[31m\\x00\\x7f\\x85\\u2028\\u2029");
    }

    @Test
    void leavesPrintableTextAloneAndReturnsTheSameString() {
        String s = "lstm.weight_ih_l0 ñ € 😀 'quoted' \\ backslash";
        assertThat(Messages.escapeControls(s)).isSameAs(s);
    }
}
