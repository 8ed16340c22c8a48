package dev.jnet.usernet.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
    @Test
    void parsesTheApisRequests() throws Exception {
        Object v = Json.parse(" {\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"tcp\", \"host_addr\": "
                + "\"0.0.0.0\", \"host_port\": 8080, \"guest_port\": 80.0, \"preserve_source\": true, \"x\": null, "
                + "\"l\": [1, -2.5e3, false]}}\n");
        Map<?, ?> m = (Map<?, ?>) v;
        assertThat(m.get("execute")).isEqualTo("add_hostfwd");
        Map<?, ?> a = (Map<?, ?>) m.get("arguments");
        assertThat(a.get("host_port")).isEqualTo(8080L);
        assertThat(a.get("guest_port")).isEqualTo(80.0);
        assertThat(a.get("preserve_source")).isEqualTo(Boolean.TRUE);
        assertThat(a.get("x")).isSameAs(Json.NULL);
        assertThat(a.get("l")).isEqualTo(List.of(1L, -2500.0, false));
        assertThat(a.keySet().stream().map(Object::toString).toList()).startsWith("proto", "host_addr");
    }

    @Test
    void stringsWithEscapesAndSurrogatePairs() throws Exception {
        assertThat(Json.parse("\"a\\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00\"")).isEqualTo("a\"b\\c/d\n\u00e9\ud83d\ude00");
        assertThat(quote("a\"b\\c\n\u0001")).isEqualTo("\"a\\\"b\\\\c\\n\\u0001\"");
        assertThat(Json.parse(quote("tab\there \u001f"))).isEqualTo("tab\there \u001f");
    }

    private static String quote(String s) {
        return Json.write(g -> g.writeString(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "nope", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{'a':1}", "01", "-", "1.", "1e",
        "\"\\x\"", "\"\u0001\"", "\"\\ud83d\"", "\"\\ude00\"", "{\"a\":1}x", "{\"a\":1,\"a\":2}", "tru", "nul",
        "/* c */ {}", "{\"a\":1} {\"b\":2}", "[\"\\u12\"]", "+1", ".5", "NaN"})
    void rejectsWhatIsNotStrictJson(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(Json.MalformedException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"execute\"", "{\"execute\":\"list_h", "[1, 2", "{\"a\":tr", "\"\\u00"})
    void aValidBeginningIsIncomplete(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(Json.Incomplete.class);
    }

    @Test
    void nestingIsBounded() throws Exception {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThat(Json.parse(ok)).isInstanceOf(List.class);
        String deep = "[".repeat(Json.MAX_DEPTH + 2) + "]".repeat(Json.MAX_DEPTH + 2);
        assertThatThrownBy(() -> Json.parse(deep)).isInstanceOf(Json.MalformedException.class)
                .isNotInstanceOf(Json.Incomplete.class).hasMessageContaining("nesting depth");
        String hostile = "[".repeat(100_000);
        assertThatThrownBy(() -> Json.parse(hostile)).isInstanceOf(Json.MalformedException.class)
                .isNotInstanceOf(Json.Incomplete.class);
    }

    @Test
    void lengthIsBounded() throws Exception {
        String fits = "\"" + "x".repeat(ApiServer.MAX_REQUEST - 2) + "\"";
        assertThat(Json.parse(fits)).isEqualTo("x".repeat(ApiServer.MAX_REQUEST - 2));
        String longer = "\"" + "x".repeat(ApiServer.MAX_REQUEST) + "\"";
        assertThatThrownBy(() -> Json.parse(longer)).isInstanceOf(Json.MalformedException.class)
                .isNotInstanceOf(Json.Incomplete.class);
    }

    @Test
    void bigIntegersBecomeDoubles() throws Exception {
        assertThat(Json.parse("123456789012345678901234")).isInstanceOf(Double.class);
        assertThat(Json.parse("-0")).isEqualTo(0L);
    }
}
