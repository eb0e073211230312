package org.blades.text;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * The deterministic part of {@code ftfy.fix_text} (ftfy 6.3.1, default options), which OpenAI's CLIP
 * runs on every prompt before anything else.
 *
 * <p>Like ftfy, the text is fixed one line at a time ("\n" ends a segment; segments are also cut at
 * 1,000,000 code points), and each segment goes through the steps below, in ftfy's order, until a
 * full pass changes nothing:
 * <ol>
 *   <li>unescape_html: HTML references closed by ';' ({@link HtmlEntities#ftfyUnescape}); switched off
 *       for this and every later segment once a segment contains '&lt;' (ftfy's "auto" setting);</li>
 *   <li>fix_c1_controls: U+0080..U+009F read as Windows-1252 ("\u0092" → ’);</li>
 *   <li>fix_latin_ligatures: ﬁ → fi, ĳ → ij, ǆ → dž and the rest of ftfy's list;</li>
 *   <li>fix_character_width: fullwidth and halfwidth forms (U+FF01..U+FFEF) to their NFKC form, and the
 *       ideographic space U+3000 to a space;</li>
 *   <li>uncurl_quotes: ʼ ‘ ’ ‚ ‛ → ' and “ ” „ ‟ → ";</li>
 *   <li>fix_line_breaks: CR LF, CR, U+2028, U+2029 and U+0085 → LF;</li>
 *   <li>fix_surrogates: unpaired UTF-16 surrogates → U+FFFD;</li>
 *   <li>remove_terminal_escapes: ANSI sequences ESC [ digits/';' letter;</li>
 *   <li>remove_control_chars: U+0000..U+0008, U+000B, U+000E..U+001F, U+007F, U+206A..U+206F, U+FEFF,
 *       U+FFF9..U+FFFC;</li>
 *   <li>NFC normalisation.</li>
 * </ol>
 *
 * <p><b>Not implemented: fix_encoding</b>, ftfy's mojibake repair ("schÃ¶n" → "schön", "â€™" → "’")
 * with its sub-steps restore_byte_a0, replace_lossy_sequences and decode_inconsistent_utf8. It decides
 * by a statistical "badness" score over large character tables, and it leaves text alone unless that
 * text looks like UTF-8 decoded as a single-byte code page, so it changes nothing for clean prompts.
 * The reference corpus marks every line where it does change something (all are deliberate mojibake
 * or random character soup) and pins what this class gives there.
 */
final class FtfyFixes {

    private static final int MAX_SEGMENT_CODE_POINTS = 1_000_000;

    /** ftfy's ANSI_RE; Python's {@code \d} there is any Unicode decimal digit. */
    private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\u001B\\[[\\p{Nd};]*[a-zA-Z]");

    private static final String[] WIDTH_MAP = buildWidthMap(); // (0xFFF0 - 0xFF01) NFKC form, or null to keep

    private FtfyFixes() {
    }

    /** {@code ftfy.fix_text(text, fix_encoding=False)}. */
    static String fixText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true;
        int pos = 0;
        while (pos < text.length()) {
            int newline = text.indexOf('\n', pos);
            int end = newline < 0 ? text.length() : newline + 1;
            if (text.codePointCount(pos, end) > MAX_SEGMENT_CODE_POINTS) {
                end = text.offsetByCodePoints(pos, MAX_SEGMENT_CODE_POINTS);
            }
            String segment = text.substring(pos, end);
            if (segment.indexOf('<') >= 0) {
                // ftfy takes '<' as a sign of real HTML, whose entities must stay, and keeps that
                // decision for the rest of the text
                unescapeHtml = false;
            }
            out.append(fixSegment(segment, unescapeHtml));
            pos = end;
        }
        return out.toString();
    }

    private static String fixSegment(String text, boolean unescapeHtml) {
        String s = text;
        while (true) {
            String before = s;
            if (unescapeHtml) {
                s = HtmlEntities.ftfyUnescape(s);
            }
            s = fixC1Controls(s);
            s = fixLatinLigatures(s);
            s = fixCharacterWidth(s);
            s = uncurlQuotes(s);
            s = fixLineBreaks(s);
            s = fixSurrogates(s);
            s = TERMINAL_ESCAPE.matcher(s).replaceAll("");
            s = removeControlChars(s);
            s = Normalizer.normalize(s, Normalizer.Form.NFC);
            if (s.equals(before)) {
                return s;
            }
        }
    }

    private static String fixC1Controls(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80 && c <= 0x9F) {
                out = copyUpTo(out, s, i);
                out.append(HtmlEntities.WINDOWS_1252_C1.charAt(c - 0x80));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    private static String fixLatinLigatures(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String replacement = ligature(c);
            if (replacement != null) {
                out = copyUpTo(out, s, i);
                out.append(replacement);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    /** ftfy's LIGATURES: Latin typographic ligatures and legacy digraphs; æ, œ and ß are meant and stay. */
    private static String ligature(char c) {
        switch (c) {
            case '\u0132': return "IJ";
            case '\u0133': return "ij";
            case '\u0149': return "\u02BCn";
            case '\u01F1': return "DZ";
            case '\u01F2': return "Dz";
            case '\u01F3': return "dz";
            case '\u01C4': return "D\u017D";
            case '\u01C5': return "D\u017E";
            case '\u01C6': return "d\u017E";
            case '\u01C7': return "LJ";
            case '\u01C8': return "Lj";
            case '\u01C9': return "lj";
            case '\u01CA': return "NJ";
            case '\u01CB': return "Nj";
            case '\u01CC': return "nj";
            case '\uFB00': return "ff";
            case '\uFB01': return "fi";
            case '\uFB02': return "fl";
            case '\uFB03': return "ffi";
            case '\uFB04': return "ffl";
            case '\uFB05': return "\u017Ft";
            case '\uFB06': return "st";
            default: return null;
        }
    }

    private static String fixCharacterWidth(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String replacement = null;
            if (c == '\u3000') {
                replacement = " ";
            } else if (c >= 0xFF01 && c < 0xFFF0) {
                replacement = WIDTH_MAP[c - 0xFF01];
            }
            if (replacement != null) {
                out = copyUpTo(out, s, i);
                out.append(replacement);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    private static String[] buildWidthMap() {
        String[] map = new String[0xFFF0 - 0xFF01];
        for (int c = 0xFF01; c < 0xFFF0; c++) {
            String original = String.valueOf((char) c);
            String nfkc = Normalizer.normalize(original, Normalizer.Form.NFKC);
            map[c - 0xFF01] = nfkc.equals(original) ? null : nfkc;
        }
        return map;
    }

    private static String uncurlQuotes(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char replacement = 0;
            if (c == '\u02BC' || (c >= '\u2018' && c <= '\u201B')) {
                replacement = '\'';
            } else if (c >= '\u201C' && c <= '\u201F') {
                replacement = '"';
            }
            if (replacement != 0) {
                out = copyUpTo(out, s, i);
                out.append(replacement);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    private static String fixLineBreaks(String s) {
        return s.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n')
                .replace('\u0085', '\n');
    }

    private static String fixSurrogates(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (paired) {
                if (out != null) {
                    out.append(c).append(s.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                out = copyUpTo(out, s, i);
                out.append('\uFFFD');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    private static String removeControlChars(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F
                    || (c >= 0x206A && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
            if (control) {
                out = copyUpTo(out, s, i);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    /** The builder for a string that is about to change at index i, holding s[0, i) on first use. */
    private static StringBuilder copyUpTo(StringBuilder out, String s, int i) {
        if (out != null) {
            return out;
        }
        return new StringBuilder(s.length() + 16).append(s, 0, i);
    }
}
