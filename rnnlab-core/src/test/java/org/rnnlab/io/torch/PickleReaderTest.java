package org.rnnlab.io.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rnnlab.io.torch.TorchStateDictErrorsTest.pickle;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pickle machine on hand-assembled opcode streams (what pickletools.dis would show is in the comments). */
class PickleReaderTest {
    private static Object load(String chars) throws IOException {
        return PickleReader.load(pickle(chars), "p.pt");
    }

    @Test
    void readsPlainDataOpcodes() throws IOException {
        // PROTO 2, MARK, BININT1 7, BININT2 0x1234, BININT -2, LONG1 5 bytes 2^32, LONG1 0 bytes, LONG1 -129,
        // BINFLOAT 1.5, NONE, NEWTRUE, NEWFALSE, BINUNICODE 'é', SHORT_BINUNICODE 'ok', TUPLE, STOP
        Object v = load("\u0080\u0002(K\u0007M\u0034\u0012J\u00fe\u00ff\u00ff\u00ff\u008a\u0005\u0000\u0000\u0000\u0000\u0001"
                + "\u008a\u0000\u008a\u0002\u007f\u00ffG\u003f\u00f8\u0000\u0000\u0000\u0000\u0000\u0000N\u0088\u0089"
                + "X\u0002\u0000\u0000\u0000\u00c3\u00a9\u008c\u0002okt.");
        assertThat(v).isEqualTo(new PickleReader.Tuple(List.of(7L, 0x1234L, -2L, 1L << 32, 0L, -129L, 1.5,
                PickleReader.None.NONE, true, false, "é", "ok")));
    }

    @Test
    void buildsListsDictsAndTheMemo() throws IOException {
        // EMPTY_DICT, BINPUT 0, BINUNICODE 'a', EMPTY_LIST, LONG_BINPUT 300, BININT1 1, APPEND, MARK, BININT1 2,
        // BININT1 3, APPENDS, SETITEM, BINUNICODE 'b', LONG_BINGET 300, SETITEM, STOP
        Object v = load("}q\u0000X\u0001\u0000\u0000\u0000a]r\u002c\u0001\u0000\u0000K\u0001a(K\u0002K\u0003es"
                + "X\u0001\u0000\u0000\u0000bj\u002c\u0001\u0000\u0000s.");
        assertThat(v).isInstanceOf(PickleReader.Dict.class);
        PickleReader.Dict d = (PickleReader.Dict) v;
        assertThat(d.ordered).isFalse();
        assertThat(d.items).containsExactly(java.util.Map.entry("a", List.of(1L, 2L, 3L)), java.util.Map.entry("b", List.of(1L, 2L, 3L)));
        assertThat(d.items.get("a")).isSameAs(d.items.get("b"));
    }

    @Test
    void memoizeNumbersEntriesInOrder() throws IOException {
        // PROTO 4, FRAME, SHORT_BINUNICODE 'x', MEMOIZE (0), SHORT_BINUNICODE 'y', MEMOIZE (1), BINGET 0, TUPLE3, STOP
        Object v = load("\u0080\u0004\u0095\u0010\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u008c\u0001x\u0094\u008c\u0001y\u0094h\u0000\u0087.");
        assertThat(v).isEqualTo(new PickleReader.Tuple(List.of("x", "y", "x")));
    }

    @Test
    void reportsMalformedStreamsWithTheirOffsets() {
        assertThatThrownBy(() -> load("\u0080\u0002K\u0001")).hasMessage("p.pt: data.pkl byte 4: the pickle ends without STOP (data.pkl is truncated)");
        assertThatThrownBy(() -> load("\u0080\u0002X\u0009\u0000\u0000\u0000abc")).hasMessage("p.pt: data.pkl byte 2: the pickle ends inside an operand (data.pkl is truncated)");
        assertThatThrownBy(() -> load("\u0080\u0002R.")).hasMessage("p.pt: data.pkl byte 2: stack underflow (malformed pickle)");
        assertThatThrownBy(() -> load("K\u0001(a.")).hasMessage("p.pt: data.pkl byte 3: stack underflow (malformed pickle)");
        assertThatThrownBy(() -> load("h\u0005.")).hasMessage("p.pt: data.pkl byte 0: memo entry 5 is read before it is written (malformed pickle)");
        assertThatThrownBy(() -> load("K\u0001t.")).hasMessage("p.pt: data.pkl byte 2: no MARK to pop to (malformed pickle)");
        assertThatThrownBy(() -> load("K\u0000K\u0001K\u0002s.")).hasMessage("p.pt: data.pkl byte 6: SETITEM on a int, not a dict");
        assertThatThrownBy(() -> load("\u0080\u0001.")).hasMessage("p.pt: data.pkl byte 0: pickle protocol 1 is not supported (torch.save writes 2)");
        assertThatThrownBy(() -> load("\u008a\u0009\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0001."))
                .hasMessageContaining("LONG1 integer of 9 bytes is too large");
        assertThatThrownBy(() -> load("X\u0001\u0000\u0000\u0000\u00ff.")).hasMessage("p.pt: data.pkl byte 0: a string is not valid UTF-8");
    }

    @Test
    void callsOnlyTheKnownFunctionsWithTheirExpectedArguments() {
        assertThatThrownBy(() -> load("ccollections\nOrderedDict\n(K\u0001tR."))
                .hasMessageContaining("collections.OrderedDict is called with 1 arguments; a state_dict pickle passes none");
        assertThatThrownBy(() -> load("ctorch\nFloatStorage\n)R."))
                .hasMessageContaining("'torch FloatStorage' is a storage type, not a function; it may only appear in a persistent id");
        assertThatThrownBy(() -> load("K\u0001)R.")).hasMessageContaining("REDUCE calls a int, not a known function");
        assertThatThrownBy(() -> load("ctorch._utils\n_rebuild_tensor_v2\n(K\u0001tR."))
                .hasMessageContaining("_rebuild_tensor_v2 takes 6 or 7 arguments, found 1");
        assertThatThrownBy(() -> load("}}b.")).hasMessageContaining("BUILD sets state on a dict; only an OrderedDict's attributes");
        assertThatThrownBy(() -> load("(X\u0006\u0000\u0000\u0000moduletQ."))
                .hasMessageContaining("persistent id tuple of 1 is not a tensor storage");
    }

    @Test
    void namesOpcodes() {
        assertThat(PickleReader.opcodeName('i')).isEqualTo("0x69 (INST)");
        assertThat(PickleReader.opcodeName(0x81)).isEqualTo("0x81 (NEWOBJ)");
        assertThat(PickleReader.opcodeName(0x98)).isEqualTo("0x98 (READONLY_BUFFER)");
        assertThat(PickleReader.opcodeName(0x99)).isEqualTo("0x99 (not a pickle opcode)");
    }
}
