package dev.jnet.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * {@code -j} output, written by jackson's generator: compact, fields in the order put. Strings
 * are escaped as jnet always wrote them: {@code \"}, {@code \\}, {@code \n}, {@code \r},
 * {@code \t}, every other control character as a lower-case {@code &#92;u00xx}, the rest as is.
 */
public final class Json {
    private static final JsonFactory FACTORY = new JsonFactoryBuilder()
            .characterEscapes(new Escapes())
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .build();

    private Json() {}

    /** jackson's escapes but for backspace and form feed, which get {@code &#92;u00xx} rather than {@code \b}, {@code \f}. */
    private static final class Escapes extends CharacterEscapes {
        private final int[] ascii = standardAsciiEscapesForJSON();

        Escapes() {
            ascii['\b'] = ESCAPE_STANDARD;
            ascii['\f'] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null; // no custom escapes
        }
    }

    /** A JSON object whose fields keep their insertion order. */
    public static final class Obj {
        private final StringWriter out = new StringWriter();
        private final JsonGenerator g;
        private String text;

        public Obj() {
            try {
                g = FACTORY.createGenerator(out);
                g.writeStartObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private Obj field(Field f) {
            if (text != null) {
                throw new IllegalStateException("already written: " + text);
            }
            try {
                f.write(g);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a StringWriter does not fail
            }
            return this;
        }

        public Obj put(String k, String v) {
            return field(g -> g.writeStringField(k, v));
        }

        public Obj put(String k, long v) {
            return field(g -> g.writeNumberField(k, v));
        }

        public Obj put(String k, boolean v) {
            return field(g -> g.writeBooleanField(k, v));
        }

        public Obj putNull(String k) {
            return field(g -> g.writeNullField(k));
        }

        public Obj putStrings(String k, List<String> v) {
            return field(g -> {
                g.writeArrayFieldStart(k);
                for (String s : v) {
                    g.writeString(s);
                }
                g.writeEndArray();
            });
        }

        /** {@code json}, a value written by this class, as field {@code k}. */
        public Obj putRaw(String k, String json) {
            return field(g -> {
                g.writeFieldName(k);
                g.writeRawValue(json);
            });
        }

        /** The object, closed: nothing can be put after. */
        @Override
        public String toString() {
            if (text == null) {
                field(g -> {
                    g.writeEndObject();
                    g.close();
                });
                text = out.toString();
            }
            return text;
        }
    }

    @FunctionalInterface
    private interface Field {
        void write(JsonGenerator g) throws IOException;
    }

    /** The values in {@code items}, each written by this class, as an array. */
    public static String array(List<String> items) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartArray();
            for (String item : items) {
                g.writeRawValue(item);
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
