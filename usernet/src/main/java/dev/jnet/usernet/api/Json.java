package dev.jnet.usernet.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON (RFC 8259) reader and string quoter for the API socket's requests and
 * replies; no JSON library is on the class path and the protocol needs only this much.
 * Values: {@code Map<String, Object>} (insertion order), {@code List<Object>}, {@code String},
 * {@code Long} (integers that fit) or {@code Double}, {@code Boolean}, and {@link #NULL}.
 * Rejected: trailing commas, comments, leading zeros, unescaped control characters, lone
 * surrogate escapes, duplicate keys, nesting deeper than {@link #MAX_DEPTH}, anything after
 * the value but white space. Input that stops early is told apart ({@link Incomplete}), so a
 * reader can wait for the rest.
 */
public final class Json {
    /** Deepest nesting accepted (the recursion is bounded by it). */
    public static final int MAX_DEPTH = 32;
    /** JSON {@code null}. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** Not JSON. */
    public static class MalformedException extends Exception {
        MalformedException(String message, int at) {
            super(message + " at offset " + at);
        }
    }

    /** A valid beginning that ends before the value does. */
    public static final class Incomplete extends MalformedException {
        Incomplete(int at) {
            super("unexpected end of input", at);
        }
    }

    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    /** Parses one JSON text: a value with optional white space around it. */
    public static Object parse(String text) throws MalformedException {
        Json p = new Json(text);
        p.skipSpace();
        Object v = p.value(0);
        p.skipSpace();
        if (p.i != text.length()) {
            throw new MalformedException("trailing characters", p.i);
        }
        return v;
    }

    /** {@code s} as a JSON string literal. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private Object value(int depth) throws MalformedException {
        if (depth > MAX_DEPTH) {
            throw new MalformedException("nested deeper than " + MAX_DEPTH, i);
        }
        char c = peek();
        switch (c) {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return NULL;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw new MalformedException("unexpected character '" + c + "'", i);
        }
    }

    private Map<String, Object> object(int depth) throws MalformedException {
        i++; // {
        Map<String, Object> m = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            i++;
            return m;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw new MalformedException("expected a member name", i);
            }
            int at = i;
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            if (m.put(key, value(depth + 1)) != null) {
                throw new MalformedException("duplicate member \"" + key + "\"", at);
            }
            skipSpace();
            char c = peek();
            i++;
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                throw new MalformedException("expected ',' or '}'", i - 1);
            }
        }
    }

    private List<Object> array(int depth) throws MalformedException {
        i++; // [
        List<Object> list = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            i++;
            return list;
        }
        while (true) {
            skipSpace();
            list.add(value(depth + 1));
            skipSpace();
            char c = peek();
            i++;
            if (c == ']') {
                return list;
            }
            if (c != ',') {
                throw new MalformedException("expected ',' or ']'", i - 1);
            }
        }
    }

    private String string() throws MalformedException {
        i++; // "
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = peek();
            i++;
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw new MalformedException("control character in a string", i - 1);
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = peek();
            i++;
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    char u = hex4();
                    if (Character.isHighSurrogate(u)) {
                        if (peek() != '\\') {
                            throw new MalformedException("lone surrogate", i);
                        }
                        i++;
                        if (peek() != 'u') {
                            throw new MalformedException("lone surrogate", i);
                        }
                        i++;
                        char low = hex4();
                        if (!Character.isLowSurrogate(low)) {
                            throw new MalformedException("lone surrogate", i);
                        }
                        b.append(u).append(low);
                    } else if (Character.isLowSurrogate(u)) {
                        throw new MalformedException("lone surrogate", i);
                    } else {
                        b.append(u);
                    }
                }
                default -> throw new MalformedException("bad escape '\\" + e + "'", i - 1);
            }
        }
    }

    private char hex4() throws MalformedException {
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int d = Character.digit(peek(), 16);
            if (d < 0) {
                throw new MalformedException("bad \\u escape", i);
            }
            v = (v << 4) | d;
            i++;
        }
        return (char) v;
    }

    private Object number() throws MalformedException {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        char c = peek();
        if (c == '0') {
            i++;
        } else if (c >= '1' && c <= '9') {
            digits();
        } else {
            throw new MalformedException("bad number", i);
        }
        boolean integer = true;
        if (i < s.length() && s.charAt(i) == '.') {
            integer = false;
            i++;
            if (!isDigit(peek())) {
                throw new MalformedException("bad fraction", i);
            }
            digits();
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            integer = false;
            i++;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            if (!isDigit(peek())) {
                throw new MalformedException("bad exponent", i);
            }
            digits();
        }
        if (i < s.length() && isDigit(s.charAt(i))) {
            throw new MalformedException("leading zero", start);
        }
        String text = s.substring(start, i);
        if (integer && text.length() <= 18) {
            return Long.parseLong(text);
        }
        return Double.parseDouble(text);
    }

    private void digits() {
        while (i < s.length() && isDigit(s.charAt(i))) {
            i++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void literal(String word) throws MalformedException {
        for (int k = 0; k < word.length(); k++) {
            if (peek() != word.charAt(k)) {
                throw new MalformedException("bad literal", i);
            }
            i++;
        }
    }

    private void expect(char c) throws MalformedException {
        if (peek() != c) {
            throw new MalformedException("expected '" + c + "'", i);
        }
        i++;
    }

    /** The next character; running out of input is {@link Incomplete}. */
    private char peek() throws Incomplete {
        if (i >= s.length()) {
            throw new Incomplete(i);
        }
        return s.charAt(i);
    }

    private void skipSpace() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            i++;
        }
    }
}
