package dev.jnet.cli.ip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@code ip -j -p}: JSON laid out as iproute2's json_writer does when pretty (four spaces a level,
 * {@code [ {} ]} with spaces inside brackets, {@code "name": value}). Reads jnet's compact JSON
 * and writes it again token by token.
 */
final class IpPretty {
    private static final JsonFactory FACTORY = new JsonFactory();

    private final StringBuilder out = new StringBuilder();
    private int depth;
    private char sep;

    private IpPretty() {}

    /** {@code json} (one compact JSON value) laid out as ip -p does, without a final newline. */
    static String format(String json) {
        IpPretty p = new IpPretty();
        try (JsonParser in = FACTORY.createParser(json)) {
            for (JsonToken t = in.nextToken(); t != null; t = in.nextToken()) {
                p.token(t, in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.out.toString();
    }

    private void token(JsonToken t, JsonParser in) throws IOException {
        switch (t) {
            case START_OBJECT -> begin('{');
            case END_OBJECT -> end('}');
            case START_ARRAY -> {
                begin('[');
                out.append(' ');
            }
            case END_ARRAY -> {
                if (sep != 0) {
                    out.append(' ');
                }
                sep = 0;
                end(']');
            }
            case FIELD_NAME -> {
                eor();
                eol();
                sep = 0;
                string(in.getCurrentName());
                out.append(": ");
            }
            case VALUE_STRING -> {
                eor();
                string(in.getText());
            }
            default -> { // numbers, true, false, null: as written
                eor();
                out.append(in.getText());
            }
        }
    }

    private void eol() {
        out.append('\n');
        out.append("    ".repeat(depth));
    }

    private void eor() {
        if (sep != 0) {
            out.append(sep);
        }
        sep = ',';
    }

    private void begin(char c) {
        eor();
        out.append(c);
        depth++;
        sep = 0;
    }

    private void end(char c) {
        depth--;
        if (sep != 0) {
            eol();
        }
        out.append(c);
        sep = ',';
    }

    /** json_writer's jsonw_puts: C escapes only. */
    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\f' -> out.append("\\f");
                case '\b' -> out.append("\\b");
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                default -> out.append(c);
            }
        }
        out.append('"');
    }
}
