package dev.jnet.usernet.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The API socket's JSON, read and written by jackson-core; this class only turns jackson's
 * tokens into plain values and its exceptions into two kinds.
 *
 * <p>Values: {@code Map<String, Object>} (insertion order), {@code List<Object>}, {@code String},
 * {@code Long} (integers that fit) or {@code Double}, {@code Boolean}, and {@link #NULL}. Strict
 * RFC 8259 (jackson's defaults: no comments, trailing commas, leading zeros, unescaped control
 * characters, NaN), and also rejected: duplicate keys, lone surrogate escapes, anything after the
 * value but white space, and what jackson's {@link StreamReadConstraints} bound: nesting deeper
 * than {@link #MAX_DEPTH}, a request, string or name longer than {@link ApiServer#MAX_REQUEST}.
 * Input that stops early ({@link Incomplete}: jackson's non-blocking parser ran out of it) is
 * told apart, so a reader can wait for the rest.
 */
public final class Json {
    /** Deepest nesting accepted (jackson's {@code maxNestingDepth}; the recursion is bounded by it). */
    public static final int MAX_DEPTH = 32;
    /** JSON {@code null}. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxDocumentLength(ApiServer.MAX_REQUEST)
                    .maxStringLength(ApiServer.MAX_REQUEST)
                    .maxNameLength(ApiServer.MAX_REQUEST)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Not JSON. */
    public static class MalformedException extends Exception {
        MalformedException(String message, long at) {
            super(message + " at offset " + at);
        }
    }

    /** A valid beginning that ends before the value does. */
    public static final class Incomplete extends MalformedException {
        Incomplete(long at) {
            super("unexpected end of input", at);
        }
    }

    /** Writes one value to a generator. */
    @FunctionalInterface
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private final JsonParser p;
    private final ByteArrayFeeder feeder;
    /** whether the end of input has been declared: the bytes ran out inside the value */
    private boolean ended;

    private Json(JsonParser p) {
        this.p = p;
        this.feeder = (ByteArrayFeeder) p.getNonBlockingInputFeeder();
    }

    /** Parses one JSON text: a value with optional white space around it. */
    public static Object parse(String text) throws MalformedException {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        try (JsonParser p = FACTORY.createNonBlockingByteArrayParser()) {
            Json reader = new Json(p);
            reader.feeder.feedInput(utf8, 0, utf8.length);
            Object v = reader.value(reader.next());
            reader.end();
            return v;
        } catch (JsonProcessingException e) {
            throw malformed(e); // longer than maxDocumentLength
        } catch (IOException e) {
            throw new UncheckedIOException(e); // closing an in-memory parser
        }
    }

    /** One JSON text as {@code body} writes it, compact (no white space). */
    static String write(Body body) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /**
     * The next token. The bytes running out inside the value declare the end of input (a number
     * at the top level ends there); what fails after that is {@link Incomplete}.
     */
    private JsonToken next() throws MalformedException {
        try {
            JsonToken t = p.nextToken();
            if (t == JsonToken.NOT_AVAILABLE && !ended) {
                ended = true;
                feeder.endOfInput();
                t = p.nextToken();
            }
            if (t == null || t == JsonToken.NOT_AVAILABLE) {
                throw new Incomplete(offset(p.currentLocation()));
            }
            return t;
        } catch (JsonProcessingException e) {
            if (ended) {
                throw new Incomplete(offset(e.getLocation()));
            }
            throw malformed(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** After the value: only white space. */
    private void end() throws MalformedException {
        try {
            JsonToken t = p.nextToken();
            if (t == JsonToken.NOT_AVAILABLE && !ended) {
                feeder.endOfInput();
                t = p.nextToken();
            }
            if (t != null) {
                throw new MalformedException("trailing characters", offset(p.currentTokenLocation()));
            }
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Object value(JsonToken t) throws MalformedException {
        try {
            switch (t) {
                case START_OBJECT -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    for (JsonToken k = next(); k != JsonToken.END_OBJECT; k = next()) {
                        String key = string(p.currentName()); // jackson refuses a duplicate
                        m.put(key, value(next()));
                    }
                    return m;
                }
                case START_ARRAY -> {
                    List<Object> list = new ArrayList<>();
                    for (JsonToken v = next(); v != JsonToken.END_ARRAY; v = next()) {
                        list.add(value(v));
                    }
                    return list;
                }
                case VALUE_STRING -> {
                    return string(p.getText());
                }
                case VALUE_NUMBER_INT -> {
                    Number n = p.getNumberValue(); // Integer, Long or BigInteger
                    return n instanceof BigInteger ? (Object) n.doubleValue() : (Object) n.longValue();
                }
                case VALUE_NUMBER_FLOAT -> {
                    return p.getDoubleValue();
                }
                case VALUE_TRUE -> {
                    return Boolean.TRUE;
                }
                case VALUE_FALSE -> {
                    return Boolean.FALSE;
                }
                case VALUE_NULL -> {
                    return NULL;
                }
                default -> throw new MalformedException("unexpected " + t, offset(p.currentTokenLocation()));
            }
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code s}, unless a {@code \\u} escape left half of a surrogate pair in it (jackson passes those). */
    private String string(String s) throws MalformedException {
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(s)) {
            throw new MalformedException("lone surrogate", offset(p.currentTokenLocation()));
        }
        return s;
    }

    private static MalformedException malformed(JsonProcessingException e) {
        return new MalformedException(e.getOriginalMessage(), offset(e.getLocation()));
    }

    private static long offset(JsonLocation at) {
        return at == null ? -1 : at.getByteOffset();
    }
}
