package org.blades.io;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict RFC 8259 JSON: parse to plain Java values, write them back deterministically.
 *
 * <p>Value mapping: object → {@code LinkedHashMap<String,Object>} (document order), array →
 * {@code ArrayList<Object>}, string → {@code String}, {@code true/false} → {@code Boolean},
 * {@code null} → {@code null}, number → {@code Long} when the literal has no fraction and no exponent
 * and fits a long, otherwise {@code Double}. So {@code 3} reads as {@code 3L} and {@code 3.0} as
 * {@code 3.0d}, and the writer keeps that distinction ({@code 3.0d} is written {@code 3.0}).
 *
 * <p>Stricter than the RFC requires, because every JSON this project reads (safetensors headers,
 * case arguments, configs) is machine-written and an oddity there is a bug: duplicate object keys,
 * unpaired UTF-16 surrogates (escaped or not), numbers outside the double range and nesting deeper
 * than {@value #MAX_DEPTH} are all rejected.
 *
 * <p>Every parse error is a {@link JsonException} that names the source, the offset, the line and
 * column, and shows the text around the offending character.
 */
public final class Json {

    /** Deeper documents are rejected rather than risking a StackOverflowError in the recursive parser. */
    public static final int MAX_DEPTH = 512;

    private Json() {
    }

    /** A malformed document; {@link #offset()} is the char index in the parsed text. */
    public static final class JsonException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final int offset;

        JsonException(String message, int offset) {
            super(message);
            this.offset = offset;
        }

        public int offset() {
            return offset;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Parsing

    /** Parses a complete JSON document; trailing non-whitespace is an error. */
    public static Object parse(String text) {
        return parse(text, "<string>");
    }

    /**
     * Parses a complete JSON document.
     *
     * @param source named in error messages (a file name, "header of x.safetensors", ...)
     */
    public static Object parse(String text, String source) {
        Parser p = new Parser(text, source);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos < text.length()) {
            throw p.error("unexpected content after the end of the document");
        }
        return value;
    }

    /** Parses a document whose top level must be an object. */
    public static Map<String, Object> parseObject(String text, String source) {
        Object value = parse(text, source);
        if (!(value instanceof Map)) {
            throw new JsonException("JSON " + source + ": expected an object at the top level, found " + typeName(value), 0);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        return map;
    }

    private static final class Parser {
        private final String text;
        private final String source;
        private int pos;

        Parser(String text, String source) {
            this.text = text;
            this.source = source;
        }

        Object value(int depth) {
            if (depth >= MAX_DEPTH) {
                throw error("nesting deeper than " + MAX_DEPTH + " levels");
            }
            if (pos >= text.length()) {
                throw error("unexpected end of input, expected a value");
            }
            char c = text.charAt(pos);
            switch (c) {
                case '{':
                    return object(depth);
                case '[':
                    return array(depth);
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error("unexpected character " + describe(c) + ", expected a value");
            }
        }

        private Map<String, Object> object(int depth) {
            pos++; // '{'
            Map<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') {
                    throw error(atEnd() ? "unexpected end of input inside an object, expected a key"
                            : "expected a string key, found " + describe(peek()));
                }
                int keyStart = pos;
                String key = string();
                skipWhitespace();
                expect(':', "after an object key");
                skipWhitespace();
                Object value = value(depth + 1);
                if (map.containsKey(key)) {
                    throw errorAt(keyStart, "duplicate key \"" + key + "\"");
                }
                map.put(key, value);
                skipWhitespace();
                if (peek() == ',') {
                    pos++;
                    continue;
                }
                if (peek() == '}') {
                    pos++;
                    return map;
                }
                throw error(atEnd() ? "unexpected end of input inside an object, expected ',' or '}'"
                        : "expected ',' or '}' in an object, found " + describe(peek()));
            }
        }

        private List<Object> array(int depth) {
            pos++; // '['
            List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                skipWhitespace();
                list.add(value(depth + 1));
                skipWhitespace();
                if (peek() == ',') {
                    pos++;
                    continue;
                }
                if (peek() == ']') {
                    pos++;
                    return list;
                }
                throw error(atEnd() ? "unexpected end of input inside an array, expected ',' or ']'"
                        : "expected ',' or ']' in an array, found " + describe(peek()));
            }
        }

        private String string() {
            int start = pos;
            pos++; // opening quote
            StringBuilder sb = null; // only allocated once an escape shows up
            int runStart = pos;
            while (true) {
                if (pos >= text.length()) {
                    throw errorAt(start, "unterminated string");
                }
                char c = text.charAt(pos);
                if (c == '"') {
                    String s = sb == null ? text.substring(runStart, pos) : sb.append(text, runStart, pos).toString();
                    pos++;
                    return s;
                }
                if (c < 0x20) {
                    throw error("unescaped control character " + describe(c) + " in a string");
                }
                if (Character.isHighSurrogate(c)) {
                    if (pos + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(pos + 1))) {
                        throw error("unpaired high surrogate " + describe(c) + " in a string");
                    }
                    pos += 2;
                    continue;
                }
                if (Character.isLowSurrogate(c)) {
                    throw error("unpaired low surrogate " + describe(c) + " in a string");
                }
                if (c != '\\') {
                    pos++;
                    continue;
                }
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(text, runStart, pos);
                int escStart = pos;
                pos++;
                if (pos >= text.length()) {
                    throw errorAt(start, "unterminated string");
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case '"': sb.append('"'); break;
                    case '\\': sb.append('\\'); break;
                    case '/': sb.append('/'); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'n': sb.append('\n'); break;
                    case 'r': sb.append('\r'); break;
                    case 't': sb.append('\t'); break;
                    case 'u': {
                        char u = hex4(escStart);
                        if (Character.isHighSurrogate(u)) {
                            // A high surrogate must be followed by an escaped low surrogate: \uD83D\uDE00.
                            if (pos + 6 > text.length() || text.charAt(pos) != '\\' || text.charAt(pos + 1) != 'u') {
                                throw errorAt(escStart, "escaped high surrogate \\u" + hex(u) + " not followed by a \\u low surrogate");
                            }
                            int lowStart = pos;
                            pos += 2;
                            char low = hex4(lowStart);
                            if (!Character.isLowSurrogate(low)) {
                                throw errorAt(lowStart, "escaped high surrogate \\u" + hex(u) + " followed by \\u" + hex(low)
                                        + ", which is not a low surrogate");
                            }
                            sb.append(u).append(low);
                        } else if (Character.isLowSurrogate(u)) {
                            throw errorAt(escStart, "unpaired escaped low surrogate \\u" + hex(u));
                        } else {
                            sb.append(u);
                        }
                        break;
                    }
                    default:
                        throw errorAt(escStart, "invalid escape \\" + (e < 0x20 || e > 0x7e ? describe(e) : String.valueOf(e)));
                }
                runStart = pos;
            }
        }

        /** Reads the 4 hex digits after "\\u" (pos is on the first digit). */
        private char hex4(int escStart) {
            if (pos + 4 > text.length()) {
                throw errorAt(escStart, "truncated \\u escape");
            }
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(text.charAt(pos + i), 16);
                // Character.digit accepts non-ASCII digits (e.g. fullwidth); JSON allows only [0-9a-fA-F].
                if (d < 0 || text.charAt(pos + i) > 'f') {
                    throw errorAt(escStart, "invalid hex digit " + describe(text.charAt(pos + i)) + " in a \\u escape");
                }
                v = (v << 4) | d;
            }
            pos += 4;
            return (char) v;
        }

        private Object number() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            if (peek() == '0') {
                pos++;
                if (isDigit(peek())) {
                    throw error("leading zero in a number");
                }
            } else if (isDigit(peek())) {
                while (isDigit(peek())) {
                    pos++;
                }
            } else {
                throw error(atEnd() ? "unexpected end of input in a number, expected a digit"
                        : "expected a digit in a number, found " + describe(peek()));
            }
            boolean integral = true;
            if (peek() == '.') {
                integral = false;
                pos++;
                if (!isDigit(peek())) {
                    throw error(atEnd() ? "unexpected end of input after a decimal point"
                            : "expected a digit after a decimal point, found " + describe(peek()));
                }
                while (isDigit(peek())) {
                    pos++;
                }
            }
            if (peek() == 'e' || peek() == 'E') {
                integral = false;
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                if (!isDigit(peek())) {
                    throw error(atEnd() ? "unexpected end of input in an exponent"
                            : "expected a digit in an exponent, found " + describe(peek()));
                }
                while (isDigit(peek())) {
                    pos++;
                }
            }
            String literal = text.substring(start, pos);
            if (integral) {
                // 19 digits may or may not fit a long; only then is the parse attempt needed.
                int digits = literal.length() - (literal.charAt(0) == '-' ? 1 : 0);
                if (digits <= 18) {
                    return Long.parseLong(literal);
                }
                if (digits == 19) {
                    try {
                        return Long.parseLong(literal);
                    } catch (NumberFormatException tooBig) {
                        // falls through to Double like any other integer beyond the long range
                    }
                }
            }
            double d = Double.parseDouble(literal); // the grammar was checked above; Java's syntax is a superset
            if (Double.isInfinite(d)) {
                throw errorAt(start, "number " + abbreviate(literal) + " is outside the double range");
            }
            return d;
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, pos)) {
                throw error("invalid literal, expected '" + word + "'");
            }
            pos += word.length();
            return value;
        }

        void skipWhitespace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    return;
                }
            }
        }

        private void expect(char c, String context) {
            if (peek() != c) {
                throw error(atEnd() ? "unexpected end of input, expected '" + c + "' " + context
                        : "expected '" + c + "' " + context + ", found " + describe(peek()));
            }
            pos++;
        }

        /** The current char, or U+FFFF at the end (never a valid structural char, so callers need no bounds check). */
        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\uffff';
        }

        private boolean atEnd() {
            return pos >= text.length();
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        JsonException error(String what) {
            return errorAt(pos, what);
        }

        JsonException errorAt(int at, String what) {
            int line = 1;
            int lineStart = 0;
            int end = Math.min(at, text.length());
            for (int i = 0; i < end; i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            String message = "JSON " + source + ": " + what + " at offset " + at + " (line " + line + ", column "
                    + (at - lineStart + 1) + "), near " + snippet(text, at);
            return new JsonException(message, at);
        }
    }

    /** Up to 24 chars either side of {@code at}, with "⟦here⟧" marking the spot; control chars escaped. */
    static String snippet(String text, int at) {
        int from = Math.max(0, at - 24);
        int to = Math.min(text.length(), at + 24);
        StringBuilder sb = new StringBuilder("'");
        if (from > 0) {
            sb.append("...");
        }
        appendVisible(sb, text, from, Math.min(at, text.length()));
        sb.append("\u27e6here\u27e7");
        appendVisible(sb, text, Math.min(at, text.length()), to);
        if (to < text.length()) {
            sb.append("...");
        }
        return sb.append('\'').toString();
    }

    private static void appendVisible(StringBuilder sb, String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                sb.append("\\u").append(hex(c));
            } else {
                sb.append(c);
            }
        }
    }

    private static String describe(char c) {
        if (c >= 0x20 && c < 0x7f) {
            return "'" + c + "'";
        }
        return "U+" + hex(c);
    }

    private static String hex(char c) {
        return String.format("%04X", (int) c);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    // ------------------------------------------------------------------------------------------------
    // Writing

    /** Compact form: no whitespace at all. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        new Writer(sb, null).value(value, 0);
        return sb.toString();
    }

    /** Pretty form: two-space indent, one member per line, {@code "key": value}, no trailing newline. */
    public static String writePretty(Object value) {
        StringBuilder sb = new StringBuilder();
        new Writer(sb, "  ").value(value, 0);
        return sb.toString();
    }

    /**
     * Accepted values: null, Boolean, String, Character, Long/Integer/Short/Byte/BigInteger, Double/Float/BigDecimal
     * (finite only), Map with String keys (written in its iteration order), Iterable, and arrays of primitives or
     * objects. Anything else, non-finite numbers and strings with unpaired surrogates throw IllegalArgumentException.
     */
    private static final class Writer {
        private final StringBuilder sb;
        private final String indent; // null = compact

        Writer(StringBuilder sb, String indent) {
            this.sb = sb;
            this.indent = indent;
        }

        void value(Object v, int depth) {
            if (depth >= MAX_DEPTH) {
                // Also what stops a map that contains itself.
                throw new IllegalArgumentException("JSON write: nesting deeper than " + MAX_DEPTH + " levels (a cycle?)");
            }
            if (v == null) {
                sb.append("null");
            } else if (v instanceof String) {
                string((String) v);
            } else if (v instanceof Boolean) {
                sb.append(((Boolean) v).booleanValue());
            } else if (v instanceof Character) {
                string(v.toString());
            } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                    || v instanceof BigInteger) {
                sb.append(v);
            } else if (v instanceof Double) {
                sb.append(formatDouble((Double) v));
            } else if (v instanceof Float) {
                sb.append(formatFloat((Float) v));
            } else if (v instanceof BigDecimal) {
                sb.append(((BigDecimal) v).toString());
            } else if (v instanceof Map) {
                object((Map<?, ?>) v, depth);
            } else if (v instanceof Iterable) {
                List<Object> items = new ArrayList<>();
                ((Iterable<?>) v).forEach(items::add);
                array(items, depth);
            } else if (v.getClass().isArray()) {
                array(arrayToList(v), depth);
            } else {
                throw new IllegalArgumentException("JSON write: cannot write a " + v.getClass().getName());
            }
        }

        private void object(Map<?, ?> map, int depth) {
            if (map.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    throw new IllegalArgumentException("JSON write: object keys must be strings, found " + typeName(e.getKey()));
                }
                if (!first) {
                    sb.append(',');
                }
                first = false;
                newline(depth + 1);
                string((String) e.getKey());
                sb.append(indent == null ? ":" : ": ");
                value(e.getValue(), depth + 1);
            }
            newline(depth);
            sb.append('}');
        }

        private void array(List<?> items, int depth) {
            if (items.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                newline(depth + 1);
                value(items.get(i), depth + 1);
            }
            newline(depth);
            sb.append(']');
        }

        private void newline(int depth) {
            if (indent != null) {
                sb.append('\n');
                for (int i = 0; i < depth; i++) {
                    sb.append(indent);
                }
            }
        }

        private void string(String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"': sb.append("\\\""); break;
                    case '\\': sb.append("\\\\"); break;
                    case '\b': sb.append("\\b"); break;
                    case '\f': sb.append("\\f"); break;
                    case '\n': sb.append("\\n"); break;
                    case '\r': sb.append("\\r"); break;
                    case '\t': sb.append("\\t"); break;
                    default:
                        if (c < 0x20) {
                            sb.append("\\u").append(hex(c));
                        } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                            sb.append(c).append(s.charAt(++i));
                        } else if (Character.isSurrogate(c)) {
                            // Would not survive UTF-8 encoding, and our own parser rejects it.
                            throw new IllegalArgumentException("JSON write: unpaired surrogate U+" + hex(c) + " at index " + i
                                    + " of string " + snippet(s, i));
                        } else {
                            sb.append(c);
                        }
                }
            }
            sb.append('"');
        }
    }

    private static List<Object> arrayToList(Object array) {
        int n = java.lang.reflect.Array.getLength(array);
        List<Object> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(java.lang.reflect.Array.get(array, i));
        }
        return Collections.unmodifiableList(list);
    }

    private static String typeName(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof Number) {
            return "a number";
        }
        return v.getClass().getName();
    }

    // ------------------------------------------------------------------------------------------------
    // Shortest round-trip number formatting

    /**
     * The shortest decimal that parses back to exactly {@code v} (ties between equally short candidates go to
     * the one nearer {@code v}, then the one with an even last digit), always with a '.' or an exponent so it reads back as a Double.
     *
     * <p>Java 17's Double.toString is not always shortest (JDK-4511638, fixed in 19), so the digits are found
     * here: for p = 1, 2, ... the p-digit decimals just below and just above v are the only p-digit
     * candidates that can lie in v's rounding interval (the interval is a contiguous range around v), so the
     * first p where one of them parses back to v gives the shortest representation.
     */
    public static String formatDouble(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("JSON write: " + v + " is not representable in JSON (RFC 8259 allows finite numbers only)");
        }
        if (v == 0) {
            return (1 / v < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(v);
        for (int p = 1; p <= 17; p++) {
            BigDecimal down = exact.round(new MathContext(p, RoundingMode.DOWN));
            BigDecimal up = exact.round(new MathContext(p, RoundingMode.UP));
            boolean downOk = Double.parseDouble(down.toString()) == v;
            boolean upOk = Double.parseDouble(up.toString()) == v;
            if (downOk || upOk) {
                return layout(pick(exact, down, downOk, up, upOk));
            }
        }
        throw new AssertionError("no 17-digit decimal round-trips " + v); // 17 significant digits always suffice
    }

    /** Like {@link #formatDouble} but shortest for a float: parsing the text and narrowing to float gives back {@code v}. */
    public static String formatFloat(float v) {
        if (Float.isNaN(v) || Float.isInfinite(v)) {
            throw new IllegalArgumentException("JSON write: " + v + " is not representable in JSON (RFC 8259 allows finite numbers only)");
        }
        if (v == 0) {
            return (1 / v < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(v);
        for (int p = 1; p <= 9; p++) {
            BigDecimal down = exact.round(new MathContext(p, RoundingMode.DOWN));
            BigDecimal up = exact.round(new MathContext(p, RoundingMode.UP));
            // Float.parseFloat rounds once, correctly; (float) Double.parseDouble would round twice.
            boolean downOk = Float.parseFloat(down.toString()) == v;
            boolean upOk = Float.parseFloat(up.toString()) == v;
            if (downOk || upOk) {
                return layout(pick(exact, down, downOk, up, upOk));
            }
        }
        throw new AssertionError("no 9-digit decimal round-trips " + v);
    }

    /** Of the valid candidates the one nearer the exact value; on a tie the one with an even last digit (as JDK 19+ does). */
    private static BigDecimal pick(BigDecimal exact, BigDecimal down, boolean downOk, BigDecimal up, boolean upOk) {
        if (!(downOk && upOk)) {
            return downOk ? down : up;
        }
        int cmp = exact.subtract(down).abs().compareTo(up.subtract(exact).abs());
        if (cmp != 0) {
            return cmp < 0 ? down : up;
        }
        return down.unscaledValue().testBit(0) ? up : down;
    }

    /**
     * Plain notation for 1e-6 <= |x| < 1e21 (as JavaScript does), scientific otherwise; a plain integer
     * gets ".0" so the reader sees a Double, not a Long.
     */
    private static String layout(BigDecimal d) {
        BigDecimal stripped = d.stripTrailingZeros();
        String digits = stripped.unscaledValue().abs().toString(); // d1 d2 ... dp
        int exp10 = digits.length() - 1 - stripped.scale();         // x = d1.d2...dp * 10^exp10
        StringBuilder sb = new StringBuilder();
        if (stripped.signum() < 0) {
            sb.append('-');
        }
        if (exp10 >= 21 || exp10 < -6) {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exp10);
        } else if (exp10 < 0) {
            sb.append("0.");
            for (int i = -1; i > exp10; i--) {
                sb.append('0');
            }
            sb.append(digits);
        } else if (digits.length() <= exp10 + 1) {
            sb.append(digits);
            for (int i = digits.length(); i <= exp10; i++) {
                sb.append('0');
            }
            sb.append(".0");
        } else {
            sb.append(digits, 0, exp10 + 1).append('.').append(digits, exp10 + 1, digits.length());
        }
        return sb.toString();
    }
}
