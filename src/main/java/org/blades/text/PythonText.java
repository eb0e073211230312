package org.blades.text;

/**
 * The Python 3 string semantics the reference tokenizers depend on, spelled out so that they do not
 * hinge on JDK defaults: which characters are whitespace, {@code str.strip()} and {@code str.lower()}.
 *
 * <p>Java's own {@code \s} is ASCII-only and {@code String.toLowerCase} decides the Greek final sigma
 * with word-break rules ("ΑΣ1Β" gives σ in Java, ς in Python), so neither is used directly.
 */
final class PythonText {

    /**
     * The Unicode White_Space property: exactly what {@code \s} matches in the {@code regex} module
     * (checked over all code points). For use inside a regex character class.
     */
    static final String WHITE_SPACE_CLASS =
            "\\t\\n\\x0B\\f\\r\\x20\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";

    /**
     * The characters that Python's Case_Ignorable test accepts beyond the general categories Mn, Me,
     * Cf, Lm and Sk: those with Word_Break MidLetter, MidNumLet or Single_Quote (found by probing
     * CPython 3.11's {@code str.lower()} over all code points).
     */
    private static final String CASE_IGNORABLE_PUNCTUATION =
            "'.:\u00B7\u0387\u055F\u05F4\u2018\u2019\u2024\u2027\uFE13\uFE52\uFE55\uFF07\uFF0E\uFF1A";

    private static final int CAPITAL_SIGMA = 0x03A3;
    private static final int SMALL_SIGMA = 0x03C3;
    private static final int SMALL_FINAL_SIGMA = 0x03C2;
    private static final int CAPITAL_I_WITH_DOT = 0x0130;

    private PythonText() {
    }

    /** Unicode White_Space: {@code regex}'s {@code \s}. */
    static boolean isWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }

    /** Python's {@code str.isspace()} for one character: White_Space plus the separators U+001C..U+001F. */
    static boolean isSpace(int cp) {
        return isWhiteSpace(cp) || (cp >= 0x1C && cp <= 0x1F);
    }

    /** Python's {@code str.strip()} with no argument. */
    static String strip(String s) {
        int begin = 0;
        int end = s.length();
        while (begin < end && isSpace(s.codePointAt(begin))) {
            begin += Character.charCount(s.codePointAt(begin));
        }
        while (end > begin && isSpace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(begin, end);
    }

    /**
     * Python's {@code str.lower()}: the simple lowercase mapping of every code point, except the one
     * unconditional multi-character mapping (U+0130 → "i̇") and the Final_Sigma rule for U+03A3.
     */
    static String lower(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (cp == CAPITAL_I_WITH_DOT) {
                out.append("i\u0307");
            } else if (cp == CAPITAL_SIGMA) {
                out.appendCodePoint(isFinalSigma(s, i) ? SMALL_FINAL_SIGMA : SMALL_SIGMA);
            } else {
                out.appendCodePoint(Character.toLowerCase(cp));
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /**
     * CPython's rule: the nearest non-case-ignorable character before the sigma is cased, and the
     * nearest one after it (if any) is not.
     */
    private static boolean isFinalSigma(String s, int index) {
        int before = index;
        int cp = -1;
        while (before > 0) {
            cp = s.codePointBefore(before);
            if (!isCaseIgnorable(cp)) {
                break;
            }
            before -= Character.charCount(cp);
            cp = -1;
        }
        if (cp < 0 || !isCased(cp)) {
            return false;
        }
        int after = index + 1;
        while (after < s.length()) {
            int next = s.codePointAt(after);
            if (!isCaseIgnorable(next)) {
                return !isCased(next);
            }
            after += Character.charCount(next);
        }
        return true;
    }

    /** Unicode Cased: Lowercase or Uppercase (both include their Other_ properties) or Lt. */
    private static boolean isCased(int cp) {
        return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    }

    private static boolean isCaseIgnorable(int cp) {
        switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK:
            case Character.ENCLOSING_MARK:
            case Character.FORMAT:
            case Character.MODIFIER_LETTER:
            case Character.MODIFIER_SYMBOL:
                return true;
            default:
                return cp < 0x10000 && CASE_IGNORABLE_PUNCTUATION.indexOf(cp) >= 0;
        }
    }
}
