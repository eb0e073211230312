package org.blades.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

import org.blades.testing.ReferenceFile;
import org.junit.jupiter.api.Test;

/**
 * CLIP's text cleaning, step by step; the expected values were printed by CPython 3.11 and ftfy 6.3.1
 * (html.unescape, ftfy.fix_text(s, fix_encoding=False), str.lower).
 */
class TokenizerTextCleaningTest {

    @Test
    void htmlUnescapeFollowsPython() {
        assertThat(HtmlEntities.unescape("&amp;amp;")).isEqualTo("&amp;");
        assertThat(HtmlEntities.unescape("&amp")).isEqualTo("&");
        assertThat(HtmlEntities.unescape("&ampx")).isEqualTo("&x");
        assertThat(HtmlEntities.unescape("&notit;")).isEqualTo("\u00ACit;");
        assertThat(HtmlEntities.unescape("&notin;")).isEqualTo("\u2209");
        assertThat(HtmlEntities.unescape("&#0;")).isEqualTo("\uFFFD");
        assertThat(HtmlEntities.unescape("&#128;")).isEqualTo("\u20AC");
        assertThat(HtmlEntities.unescape("&#x9D;")).isEqualTo("\u009D");
        assertThat(HtmlEntities.unescape("&#13;")).isEqualTo("\r");
        assertThat(HtmlEntities.unescape("&#xD800;")).isEqualTo("\uFFFD");
        assertThat(HtmlEntities.unescape("&#1114112;")).isEqualTo("\uFFFD");
        assertThat(HtmlEntities.unescape("&#99999999999999999999999;")).isEqualTo("\uFFFD");
        assertThat(HtmlEntities.unescape("&#65")).isEqualTo("A");
        assertThat(HtmlEntities.unescape("&#1;")).isEmpty();
        assertThat(HtmlEntities.unescape("&#xFFFE;")).isEmpty();
        assertThat(HtmlEntities.unescape("&;")).isEqualTo("&;");
        assertThat(HtmlEntities.unescape("&copy2024")).isEqualTo("\u00A92024");
        assertThat(HtmlEntities.unescape("&aacute&eacute")).isEqualTo("\u00E1\u00E9");
        assertThat(HtmlEntities.unescape("no references")).isEqualTo("no references");
        assertThat(HtmlEntities.html5Size()).isEqualTo(2231);
    }

    @Test
    void ftfyEntityTableEqualsFtfysOwn() throws IOException {
        Path path = ReferenceFile.projectRoot().resolve("reference-data/tokenizers/ftfy-html-entities.tsv");
        if (!Files.isRegularFile(path)) {
            throw new AssertionError("reference file " + path + " is missing; generate it with "
                    + "reference-data/generate_tokenizers.py");
        }
        Map<String, String> expected = new HashMap<>();
        for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            String[] fields = line.split("\t");
            StringBuilder value = new StringBuilder();
            for (String hex : fields[1].split(" ")) {
                value.appendCodePoint(Integer.parseInt(hex, 16));
            }
            expected.put(fields[0], value.toString());
        }
        Map<String, String> actual = HtmlEntities.ftfyTable();
        TreeSet<String> differing = new TreeSet<>();
        for (String key : expected.keySet()) {
            if (!expected.get(key).equals(actual.get(key))) {
                differing.add(key);
            }
        }
        for (String key : actual.keySet()) {
            if (!expected.containsKey(key)) {
                differing.add(key);
            }
        }
        assertThat(differing).as("entities whose ftfy decoding differs").isEmpty();
        assertThat(actual).hasSize(3501);
    }

    @Test
    void ftfyFixesFollowFtfy() {
        assertThat(FtfyFixes.fixText("P&EACUTE;REZ")).isEqualTo("P\u00C9REZ");
        assertThat(FtfyFixes.fixText("BUNDESSTRA&SZLIG;E")).isEqualTo("BUNDESSTRASSE");
        assertThat(FtfyFixes.fixText("&ntilde; &NTILDE; &nTILDE;")).isEqualTo("\u00F1 \u00D1 &nTILDE;");
        assertThat(FtfyFixes.fixText("this&not that")).isEqualTo("this&not that");
        assertThat(FtfyFixes.fixText("&amp;amp;amp;")).isEqualTo("&");
        assertThat(FtfyFixes.fixText("&#65a;")).isEqualTo("&#65a;");
        // '<' switches entity decoding off for its line and all later ones
        assertThat(FtfyFixes.fixText("a < b &amp; c")).isEqualTo("a < b &amp; c");
        assertThat(FtfyFixes.fixText("x &amp;\n<y> &amp;\n&amp;")).isEqualTo("x &\n<y> &amp;\n&amp;");
        assertThat(FtfyFixes.fixText("it\u0092s")).isEqualTo("it's");
        assertThat(FtfyFixes.fixText("\u001B[31mred\u001B[0m")).isEqualTo("red");
        assertThat(FtfyFixes.fixText("\uFB01ne")).isEqualTo("fine");
        assertThat(FtfyFixes.fixText("\uFF2C\uFF2F\uFF35\uFF24\u3000\uFF76\uFF9E")).isEqualTo("LOUD \u30AC");
        assertThat(FtfyFixes.fixText("\uFEFFa\u0000b")).isEqualTo("ab");
        assertThat(FtfyFixes.fixText("e\u0301")).isEqualTo("\u00E9");
        assertThat(FtfyFixes.fixText("a\r\nb\rc\u2028d")).isEqualTo("a\nb\nc\nd");
        assertThat(FtfyFixes.fixText("lone \uD800 surrogate")).isEqualTo("lone \uFFFD surrogate");
        assertThat(FtfyFixes.fixText("")).isEmpty();
    }

    @Test
    void lowerFollowsPythonIncludingTheFinalSigma() {
        assertThat(PythonText.lower("\u039F\u0394\u039F\u03A3")).isEqualTo("\u03BF\u03B4\u03BF\u03C2");
        assertThat(PythonText.lower("\u0391\u03A31\u0392")).isEqualTo("\u03B1\u03C21\u03B2");
        assertThat(PythonText.lower("\u0391.\u03A3")).isEqualTo("\u03B1.\u03C2");
        assertThat(PythonText.lower("\u03A3")).isEqualTo("\u03C3");
        assertThat(PythonText.lower("\u0391\u03A3\u0391")).isEqualTo("\u03B1\u03C3\u03B1");
        assertThat(PythonText.lower("\u0391\u02B0\u03A3")).isEqualTo("\u03B1\u02B0\u03C2");
        assertThat(PythonText.lower("\u0130")).isEqualTo("i\u0307");
        assertThat(PythonText.lower("ABC \u00C9\u00C5")).isEqualTo("abc \u00E9\u00E5");
    }

    @Test
    void stripUsesPythonsIsspace() {
        assertThat(PythonText.strip("\u001C\u3000 a b\u00A0\u2029")).isEqualTo("a b");
        assertThat(PythonText.strip("\u200Bzero-width stays\u200B")).isEqualTo("\u200Bzero-width stays\u200B");
        assertThat(PythonText.strip(" \t\n")).isEmpty();
    }

    @Test
    void cleanTextCollapsesWhitespaceAndLowerCases() {
        assertThat(ClipTokenizer.cleanText("  A\u00A0\u00A0Photo\t\tOF\n\nthe\u3000FACE  ")).isEqualTo("a photo of the face");
        assertThat(ClipTokenizer.cleanText("Tom &amp;amp; Jerry")).isEqualTo("tom & jerry");
        assertThat(ClipTokenizer.cleanText("It\u2019s")).isEqualTo("it's");
        assertThat(ClipTokenizer.cleanText("")).isEmpty();
    }
}
