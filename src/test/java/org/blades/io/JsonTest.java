package org.blades.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonTest {

    // ---------------------------------------------------------------------------------------------
    // Parsing valid documents

    @Test
    void parsesObjectsInDocumentOrderWithAllValueTypes() {
        Object v = Json.parse(" {\"z\": 1, \"a\": [true, false, null], \"m\": {\"s\": \"x\"}, \"d\": 2.5}\n");
        assertThat(v).isInstanceOf(LinkedHashMap.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        assertThat(m.keySet()).containsExactly("z", "a", "m", "d");
        assertThat(m.get("z")).isEqualTo(1L);
        assertThat(m.get("a")).isEqualTo(Arrays.asList(true, false, null));
        assertThat(m.get("m")).isEqualTo(Map.of("s", "x"));
        assertThat(m.get("d")).isEqualTo(2.5);
    }

    @Test
    void scalarsAtTopLevelAndEmptyContainers() {
        assertThat(Json.parse("null")).isNull();
        assertThat(Json.parse("\"s\"")).isEqualTo("s");
        assertThat(Json.parse("{}")).isEqualTo(Map.of());
        assertThat(Json.parse("[ ]")).isEqualTo(List.of());
        assertThat(Json.parse("\t\r\n 7 \t\r\n")).isEqualTo(7L);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0                    | java.lang.Long   | 0",
        "-0                   | java.lang.Long   | 0",
        "42                   | java.lang.Long   | 42",
        "9223372036854775807  | java.lang.Long   | 9223372036854775807",
        "-9223372036854775808 | java.lang.Long   | -9223372036854775808",
        "9223372036854775808  | java.lang.Double | 9.223372036854776E18",
        "100000000000000000000| java.lang.Double | 1.0E20",
        "1.0                  | java.lang.Double | 1.0",
        "-0.0                 | java.lang.Double | -0.0",
        "1e3                  | java.lang.Double | 1000.0",
        "1E+3                 | java.lang.Double | 1000.0",
        "25e-1                | java.lang.Double | 2.5",
        "0.1                  | java.lang.Double | 0.1",
        "4.9e-324             | java.lang.Double | 4.9E-324",
        "1.7976931348623157e308 | java.lang.Double | 1.7976931348623157E308",
    })
    void numbersAreLongWhenIntegralAndFittingElseDouble(String text, String type, String expected) throws Exception {
        Object v = Json.parse(text);
        assertThat(v).isInstanceOf(Class.forName(type));
        assertThat(v.toString()).isEqualTo(expected);
    }

    @Test
    void stringEscapesIncludingSurrogatePairs() {
        String text = "\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9\\u00E9 \\uD83D\\uDE00 raw\u00e9\uD83D\uDE00\"";
        assertThat(Json.parse(text)).isEqualTo("q\" b\\ s/ \b\f\n\r\t \u00e9\u00e9 \uD83D\uDE00 raw\u00e9\uD83D\uDE00");
        assertThat(Json.parse("\"\\u0000\"")).isEqualTo("\u0000");
    }

    // ---------------------------------------------------------------------------------------------
    // Malformed documents: each names what is wrong and where

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "``                    | 0 | unexpected end of input, expected a value",
        "`   `                 | 3 | unexpected end of input, expected a value",
        "`{`                   | 1 | unexpected end of input inside an object, expected a key",
        "`[1,]`                | 3 | unexpected character ']', expected a value",
        "`{\"a\":1,}`          | 7 | expected a string key, found '}'",
        "`{\"a\" 1}`           | 5 | expected ':' after an object key, found '1'",
        "`{1:2}`               | 1 | expected a string key, found '1'",
        "`{\"a\":1,\"a\":2}`   | 7 | duplicate key \"a\"",
        "`[1 2]`               | 3 | expected ',' or ']' in an array, found '2'",
        "`[1`                  | 2 | unexpected end of input inside an array",
        "`1 2`                 | 2 | unexpected content after the end of the document",
        "`01`                  | 1 | leading zero in a number",
        "`-01`                 | 2 | leading zero in a number",
        "`1.`                  | 2 | unexpected end of input after a decimal point",
        "`1.e5`                | 2 | expected a digit after a decimal point, found 'e'",
        "`.5`                  | 0 | unexpected character '.', expected a value",
        "`-`                   | 1 | unexpected end of input in a number",
        "`+1`                  | 0 | unexpected character '+', expected a value",
        "`1e`                  | 2 | unexpected end of input in an exponent",
        "`1e+`                 | 3 | unexpected end of input in an exponent",
        "`1e400`               | 0 | number 1e400 is outside the double range",
        "`NaN`                 | 0 | unexpected character 'N', expected a value",
        "`Infinity`            | 0 | unexpected character 'I', expected a value",
        "`tru`                 | 0 | invalid literal, expected 'true'",
        "`nulL`                | 0 | invalid literal, expected 'null'",
        "`'a'`                 | 0 | unexpected character ''', expected a value",
        "`\"abc`               | 0 | unterminated string",
        "`\"a\\x\"`            | 2 | invalid escape \\x",
        "`\"\\u12G4\"`         | 1 | invalid hex digit 'G' in a \\u escape",
        "`\"\\u12\" `          | 1 | invalid hex digit '\"' in a \\u escape",
        "`\"\\u12\"`           | 1 | truncated \\u escape",
        "`\"\\u12`             | 1 | truncated \\u escape",
        "`\"\\uD800\"`         | 1 | escaped high surrogate \\uD800 not followed by a \\u low surrogate",
        "`\"\\uD800\\u0041\"`  | 7 | followed by \\u0041, which is not a low surrogate",
        "`\"\\uDC00\"`         | 1 | unpaired escaped low surrogate \\uDC00",
        "`\"\\uD800x\"`        | 1 | not followed by a \\u low surrogate",
    })
    void malformedInputsAreRejectedWithWhatAndWhere(String text, int offset, String what) {
        assertThatThrownBy(() -> Json.parse(text, "test.json"))
                .isInstanceOf(Json.JsonException.class)
                .hasMessageContaining("JSON test.json: ")
                .hasMessageContaining(what)
                .hasMessageContaining("at offset " + offset + " ")
                .satisfies(e -> assertThat(((Json.JsonException) e).offset()).isEqualTo(offset));
    }

    @Test
    void rawControlCharactersAndLoneSurrogatesInStringsAreRejected() {
        assertThatThrownBy(() -> Json.parse("\"a\tb\"")).hasMessageContaining("unescaped control character U+0009 in a string");
        assertThatThrownBy(() -> Json.parse("\"a\nb\"")).hasMessageContaining("unescaped control character U+000A");
        assertThatThrownBy(() -> Json.parse("\"a\uD800b\"")).hasMessageContaining("unpaired high surrogate U+D800");
        assertThatThrownBy(() -> Json.parse("\"a\uDC00\"")).hasMessageContaining("unpaired low surrogate U+DC00");
    }

    @Test
    void byteOrderMarkAndNonJsonWhitespaceAreRejected() {
        assertThatThrownBy(() -> Json.parse("\uFEFF{}")).hasMessageContaining("unexpected character U+FEFF");
        assertThatThrownBy(() -> Json.parse("[1,\u00a02]")).hasMessageContaining("unexpected character U+00A0");
    }

    @Test
    void errorsGiveLineColumnAndSnippet() {
        String text = "{\n  \"shape\": [2, 3],\n  \"dtype\": F32\n}";
        assertThatThrownBy(() -> Json.parse(text, "conf.json"))
                .hasMessage("JSON conf.json: unexpected character 'F', expected a value at offset 32 (line 3, column 12), "
                        + "near '...pe\": [2, 3],\\u000A  \"dtype\": \u27e6here\u27e7F32\\u000A}'");
    }

    @Test
    void deepNestingIsRejectedNotAStackOverflow() {
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertThatThrownBy(() -> Json.parse(deep)).hasMessageContaining("nesting deeper than 512 levels");
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThat(Json.parse(ok)).isInstanceOf(List.class);
    }

    @Test
    void parseObjectRequiresAnObject() {
        assertThatThrownBy(() -> Json.parseObject("[1]", "args"))
                .hasMessage("JSON args: expected an object at the top level, found an array");
        assertThat(Json.parseObject("{\"a\":1}", "args")).containsEntry("a", 1L);
    }

    // ---------------------------------------------------------------------------------------------
    // Writing

    private static Map<String, Object> sample() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "conv \"1\"\n");
        m.put("shape", List.of(2L, 3L));
        m.put("lr", 0.001);
        m.put("ok", true);
        m.put("none", null);
        m.put("empty", Map.of());
        m.put("list", List.of());
        m.put("nested", Map.of("k", List.of(1L, 2.5)));
        return m;
    }

    @Test
    void compactForm() {
        assertThat(Json.write(sample())).isEqualTo(
                "{\"name\":\"conv \\\"1\\\"\\n\",\"shape\":[2,3],\"lr\":0.001,\"ok\":true,\"none\":null,"
                        + "\"empty\":{},\"list\":[],\"nested\":{\"k\":[1,2.5]}}");
    }

    @Test
    void prettyForm() {
        assertThat(Json.writePretty(sample())).isEqualTo(String.join("\n",
                "{",
                "  \"name\": \"conv \\\"1\\\"\\n\",",
                "  \"shape\": [",
                "    2,",
                "    3",
                "  ],",
                "  \"lr\": 0.001,",
                "  \"ok\": true,",
                "  \"none\": null,",
                "  \"empty\": {},",
                "  \"list\": [],",
                "  \"nested\": {",
                "    \"k\": [",
                "      1,",
                "      2.5",
                "    ]",
                "  }",
                "}"));
    }

    @Test
    void writeThenParseGivesTheSameValue() {
        Map<String, Object> m = sample();
        assertThat(Json.parse(Json.write(m))).isEqualTo(m);
        assertThat(Json.parse(Json.writePretty(m))).isEqualTo(m);
    }

    @Test
    void stringsAreEscapedMinimally() {
        assertThat(Json.write("a\u0001\u001f\b\f\r\t\\/\u00e9\uD83D\uDE00")).isEqualTo("\"a\\u0001\\u001F\\b\\f\\r\\t\\\\/\u00e9\uD83D\uDE00\"");
        String all = "\u0000\u0007 ~\u007f\u2028\uFFFF";
        assertThat(Json.parse(Json.write(all))).isEqualTo(all);
    }

    @Test
    void otherJavaTypesAreWrittenAsTheirJsonCounterparts() {
        assertThat(Json.write(new int[] {1, 2})).isEqualTo("[1,2]");
        assertThat(Json.write(new double[] {0.5})).isEqualTo("[0.5]");
        assertThat(Json.write(List.of(1, (short) 2, (byte) 3, 'c', 0.1f))).isEqualTo("[1,2,3,\"c\",0.1]");
        assertThat(Json.write(new BigDecimal("1.50"))).isEqualTo("1.50");
    }

    @Test
    void unwritableValuesAreRejected() {
        assertThatThrownBy(() -> Json.write(Double.NaN))
                .hasMessage("JSON write: NaN is not representable in JSON (RFC 8259 allows finite numbers only)");
        assertThatThrownBy(() -> Json.write(List.of(Double.POSITIVE_INFINITY))).hasMessageContaining("Infinity is not representable");
        assertThatThrownBy(() -> Json.write(Float.NEGATIVE_INFINITY)).hasMessageContaining("-Infinity is not representable");
        assertThatThrownBy(() -> Json.write(Map.of(1, 2))).hasMessage("JSON write: object keys must be strings, found a number");
        assertThatThrownBy(() -> Json.write(new Object())).hasMessageContaining("cannot write a java.lang.Object");
        assertThatThrownBy(() -> Json.write("x\uD800")).hasMessageContaining("unpaired surrogate U+D800 at index 1");
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertThatThrownBy(() -> Json.write(cycle)).hasMessageContaining("nesting deeper than 512 levels (a cycle?)");
    }

    // ---------------------------------------------------------------------------------------------
    // Shortest round-trip numbers

    @ParameterizedTest
    @CsvSource({
        "0.0, 0.0", "-0.0, -0.0", "1.0, 1.0", "-2.5, -2.5", "100.0, 100.0", "0.1, 0.1", "0.001, 0.001",
        "1e-6, 0.000001", "1e-7, 1e-7", "1.5e-7, 1.5e-7", "123456.789, 123456.789", "1e20, 100000000000000000000.0",
        "1e21, 1e21", "1.25e22, 1.25e22", "4.9e-324, 5e-324", "1.7976931348623157e308, 1.7976931348623157e308",
        "0.30000000000000004, 0.30000000000000004", "9007199254740993, 9007199254740992.0",
    })
    void doublesUseTheShortestDecimalAndStayDoubles(double value, String expected) {
        assertThat(Json.formatDouble(value)).isEqualTo(expected);
        assertThat(Json.parse(expected)).isInstanceOf(Double.class).isEqualTo(value);
    }

    @Test
    void shorterThanJava17DoubleToStringWhereThatIsNotShortest() {
        double v = Math.scalb(1.0, -44); // JDK 17 prints 5.6843418860808015E-14 (JDK-4511638)
        assertThat(Json.formatDouble(v)).isEqualTo("5.684341886080802e-14");
        assertThat(Double.parseDouble("5.684341886080802e-14")).isEqualTo(v);
    }

    @Test
    void equallyNearShortestCandidatesGoToTheEvenDigit() {
        // x.75 lies exactly between the 1-decimal candidates x.7 and x.8, both of which round back to it.
        assertThat(Json.formatFloat(-2064549.75f)).isEqualTo("-2064549.8");
        assertThat(Json.formatDouble(704150609104573.75)).isEqualTo("704150609104573.8");
    }

    @Test
    void floatsUseTheShortestDecimalForFloat() {
        assertThat(Json.formatFloat(0.1f)).isEqualTo("0.1");
        assertThat(Json.formatFloat(1.0f / 3)).isEqualTo("0.33333334");
        assertThat(Json.formatFloat(Float.MIN_VALUE)).isEqualTo("1e-45");
        assertThat(Json.formatFloat(Float.MAX_VALUE)).isEqualTo("3.4028235e38");
        assertThat(Json.formatFloat(16777216f)).isEqualTo("16777216.0");
    }

    @Test
    void randomDoublesAndFloatsRoundTripWithNoMoreDigitsThanJavaPrints() {
        SplittableRandom rng = new SplittableRandom(20240611L);
        for (int i = 0; i < 10_000; i++) {
            double d = Double.longBitsToDouble(rng.nextLong());
            if (!Double.isFinite(d)) {
                continue;
            }
            String s = Json.formatDouble(d);
            assertThat(Double.parseDouble(s)).as(s).isEqualTo(d);
            assertThat(Json.parse(s)).isInstanceOf(Double.class);
            assertThat(significantDigits(s)).as(s).isLessThanOrEqualTo(significantDigits(Double.toString(d)));

            float f = Float.intBitsToFloat(rng.nextInt());
            if (!Float.isFinite(f)) {
                continue;
            }
            String fs = Json.formatFloat(f);
            assertThat(Float.parseFloat(fs)).as(fs).isEqualTo(f);
            assertThat(significantDigits(fs)).as(fs).isLessThanOrEqualTo(significantDigits(Float.toString(f)));
        }
    }

    private static int significantDigits(String s) {
        return new BigDecimal(s.replace("E", "e")).stripTrailingZeros().precision();
    }
}
