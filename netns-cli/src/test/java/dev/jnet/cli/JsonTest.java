package dev.jnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void escapesAsJnetAlwaysDid() {
        assertThat(new Json.Obj().put("s", "a\"b\\c/\n\r\t\b\f\u0001\u001f\u007f\u00e9\ud83d\ude00").toString())
                .isEqualTo("{\"s\":\"a\\\"b\\\\c/\\n\\r\\t\\u0008\\u000c\\u0001\\u001f\u007f\u00e9\ud83d\ude00\"}");
    }

    @Test
    void compactInInsertionOrder() {
        Json.Obj o = new Json.Obj().put("z", 1).put("a", true).putNull("n").putStrings("l", List.of("x", "y"))
                .putRaw("o", new Json.Obj().put("k", "v").toString());
        assertThat(o.toString()).isEqualTo("{\"z\":1,\"a\":true,\"n\":null,\"l\":[\"x\",\"y\"],\"o\":{\"k\":\"v\"}}");
        assertThat(o.toString()).as("idempotent").isEqualTo(o.toString());
        assertThatThrownBy(() -> o.put("late", 1)).isInstanceOf(IllegalStateException.class);
        assertThat(Json.array(List.of(o.toString(), "{}"))).isEqualTo("[" + o + ",{}]");
        assertThat(Json.array(List.of())).isEqualTo("[]");
    }
}
