package org.blades.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTML character references, decoded the two ways CLIP's text cleaning decodes them: Python's
 * {@code html.unescape} (HTML5 rules, including legacy names without ';' and the Windows-1252
 * reading of &amp;#128;..&amp;#159;) and ftfy's stricter {@code unescape_html} step (only complete
 * references ending in ';', plus all-caps spellings of lowercase names such as &amp;EACUTE;).
 *
 * <p>The 2,231 HTML5 names come from the resource {@code html5-entities.txt}, which
 * reference-data/generate_tokenizers.py writes from Python's {@code html.entities.html5}.
 */
final class HtmlEntities {

    static final String RESOURCE = "html5-entities.txt";

    /** Windows-1252 for the bytes 0x80..0x9F, undefined bytes passing through as themselves (index = byte - 0x80). */
    static final String WINDOWS_1252_C1 = "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039"
            + "\u0152\u008D\u017D\u008F\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A"
            + "\u0153\u009D\u017E\u0178";

    /** Python's html._charref: a numeric reference, or up to 32 code points of name, each with an optional ';'. */
    private static final Pattern CHAR_REF =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

    /** ftfy's HTML_ENTITY_RE: only references closed by ';'. */
    private static final Pattern FTFY_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");

    private static final Map<String, String> HTML5 = load();
    private static final Map<String, String> FTFY = buildFtfyTable();

    private HtmlEntities() {
    }

    /** Python's {@code html.unescape(s)}. */
    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = CHAR_REF.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        int last = 0;
        while (m.find()) {
            out.append(s, last, m.start()).append(replaceCharRef(m.group(1)));
            last = m.end();
        }
        return out.append(s, last, s.length()).toString();
    }

    /** ftfy's {@code fixes.unescape_html(s)}. */
    static String ftfyUnescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = FTFY_ENTITY.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        int last = 0;
        while (m.find()) {
            String ref = m.group();
            String decoded = FTFY.get(ref);
            if (decoded == null && ref.startsWith("&#")) {
                String unescaped = unescape(ref);
                // a reference html.unescape decodes only in part (e.g. "&#65a;") stays as written
                decoded = unescaped.indexOf(';') >= 0 ? ref : unescaped;
            }
            out.append(s, last, m.start()).append(decoded == null ? ref : decoded);
            last = m.end();
        }
        return out.append(s, last, s.length()).toString();
    }

    /** ftfy's entity table, for the test that pins it to ftfy's own. */
    static Map<String, String> ftfyTable() {
        return Collections.unmodifiableMap(FTFY);
    }

    static int html5Size() {
        return HTML5.size();
    }

    private static String replaceCharRef(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
            String digits = ref.substring(hex ? 2 : 1, ref.endsWith(";") ? ref.length() - 1 : ref.length());
            return numericReference(parseCodePoint(digits, hex ? 16 : 10));
        }
        String exact = HTML5.get(ref);
        if (exact != null) {
            return exact;
        }
        // the longest prefix of at least two characters that is a name (only the legacy names
        // without ';' can match here), the rest kept as written
        for (int x = ref.length() - 1; x >= 2; x--) {
            String prefix = HTML5.get(ref.substring(0, x));
            if (prefix != null) {
                return prefix + ref.substring(x);
            }
        }
        return "&" + ref;
    }

    /**
     * The value of a digit string, or Integer.MAX_VALUE when it exceeds U+10FFFF (all such values
     * decode alike). CPython 3.11 raises ValueError for decimal references over 4,300 digits; here
     * they count as too large and give U+FFFD.
     */
    private static int parseCodePoint(String digits, int radix) {
        int start = 0;
        while (start < digits.length() - 1 && digits.charAt(start) == '0') {
            start++;
        }
        if (digits.length() - start > 8) {
            return Integer.MAX_VALUE;
        }
        long value = Long.parseLong(digits.substring(start), radix);
        return value > Character.MAX_CODE_POINT ? Integer.MAX_VALUE : (int) value;
    }

    /** Python's html._replace_charref for a numeric reference (HTML5 §13.2.5.80). */
    private static String numericReference(int cp) {
        if (cp == 0x00) {
            return "\uFFFD";
        }
        if (cp == 0x0D) {
            return "\r";
        }
        if (cp >= 0x80 && cp <= 0x9F) {
            return String.valueOf(WINDOWS_1252_C1.charAt(cp - 0x80));
        }
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > Character.MAX_CODE_POINT) {
            return "\uFFFD";
        }
        boolean invalid = (cp >= 0x01 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
        return invalid ? "" : new String(Character.toChars(cp));
    }

    /**
     * ftfy's chardata._build_html_entities: every HTML5 name that ends in ';', plus, for a lowercase
     * name whose all-caps spelling html.unescape leaves alone, that spelling mapped to the upper-cased
     * value (&amp;EACUTE; → É, &amp;SZLIG; → SS).
     */
    private static Map<String, String> buildFtfyTable() {
        Map<String, String> table = new HashMap<>();
        for (Map.Entry<String, String> e : HTML5.entrySet()) {
            String name = e.getKey();
            if (!name.endsWith(";")) {
                continue;
            }
            table.put("&" + name, e.getValue());
            if (name.equals(name.toLowerCase(Locale.ROOT))) {
                String upper = "&" + name.toUpperCase(Locale.ROOT);
                if (unescape(upper).equals(upper)) {
                    table.put(upper, e.getValue().toUpperCase(Locale.ROOT));
                }
            }
        }
        return table;
    }

    private static Map<String, String> load() {
        Map<String, String> table = new HashMap<>();
        try (InputStream in = HtmlEntities.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource org/blades/text/" + RESOURCE + " is missing");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.split("\t", -1);
                if (fields.length != 2 || fields[0].isEmpty() || fields[1].isEmpty()) {
                    throw new IllegalStateException(RESOURCE + " line " + lineNumber + ": expected NAME<TAB>HEX..., got \""
                            + line + "\"");
                }
                StringBuilder value = new StringBuilder();
                for (String hex : fields[1].split(" ")) {
                    value.appendCodePoint(Integer.parseInt(hex, 16));
                }
                if (table.put(fields[0], value.toString()) != null) {
                    throw new IllegalStateException(RESOURCE + " line " + lineNumber + ": duplicate name " + fields[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading classpath resource org/blades/text/" + RESOURCE, e);
        }
        return table;
    }
}
