package org.blades.text;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * The byte level under both BPE vocabularies: text is BPE'd as UTF-8 bytes, each byte written as one
 * printable stand-in character (GPT-2's {@code bytes_to_unicode}), so that vocabulary entries never
 * contain whitespace or control characters and every byte sequence has a spelling.
 *
 * <p>The 188 bytes that are printable Latin-1 ('!'..'~', '¡'..'¬', '®'..'ÿ') stand for themselves;
 * the other 68 get U+0100, U+0101, ... in byte order.
 */
final class ByteLevel {

    /** Byte (0..255) → its stand-in character. */
    private static final char[] SYMBOL = new char[256]; // (256)
    /** Stand-in character → byte, -1 for characters that stand for no byte. */
    private static final int[] BYTE_OF_SYMBOL = new int[0x100 + 68]; // (324)
    /** The bytes in the order CLIP numbers its first 256 vocabulary entries: printable ones first. */
    private static final int[] VOCAB_ORDER = new int[256]; // (256)

    static {
        Arrays.fill(BYTE_OF_SYMBOL, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (isPrintableLatin1(b)) {
                SYMBOL[b] = (char) b;
                VOCAB_ORDER[n++] = b;
            }
        }
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            if (!isPrintableLatin1(b)) {
                SYMBOL[b] = (char) (0x100 + extra++);
                VOCAB_ORDER[n++] = b;
            }
        }
        for (int b = 0; b < 256; b++) {
            BYTE_OF_SYMBOL[SYMBOL[b]] = b;
        }
    }

    private ByteLevel() {
    }

    private static boolean isPrintableLatin1(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    static char symbol(int b) {
        return SYMBOL[b];
    }

    /** The byte whose vocabulary entry is number i (0..255) in CLIP's vocabulary. */
    static int clipVocabByte(int i) {
        return VOCAB_ORDER[i];
    }

    /** The symbols for UTF-8 bytes, e.g. the bytes of " é" → "ĠÃ©". */
    static String symbols(byte[] utf8) {
        char[] out = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            out[i] = SYMBOL[utf8[i] & 0xFF];
        }
        return new String(out);
    }

    /**
     * Strict UTF-8 encoding: an unpaired surrogate has no UTF-8 form (Python raises there too), so it
     * is an error rather than the '?' that {@code String.getBytes} would silently substitute.
     */
    static byte[] utf8(String s, String caller) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 8);
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            int cp;
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(c, s.charAt(i + 1));
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(caller + ": text has an unpaired UTF-16 surrogate U+"
                        + Integer.toHexString(c).toUpperCase(Locale.ROOT) + " at index " + i
                        + ", which has no UTF-8 encoding");
            } else {
                cp = c;
            }
            if (cp < 0x80) {
                out.write(cp);
            } else if (cp < 0x800) {
                out.write(0xC0 | (cp >> 6));
                out.write(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out.write(0xE0 | (cp >> 12));
                out.write(0x80 | ((cp >> 6) & 0x3F));
                out.write(0x80 | (cp & 0x3F));
            } else {
                out.write(0xF0 | (cp >> 18));
                out.write(0x80 | ((cp >> 12) & 0x3F));
                out.write(0x80 | ((cp >> 6) & 0x3F));
                out.write(0x80 | (cp & 0x3F));
            }
            i += Character.charCount(cp);
        }
        return out.toByteArray();
    }

    /**
     * The bytes the symbols stand for, decoded as UTF-8 the way Python's
     * {@code bytes.decode("utf-8", errors="replace")} does it: each maximal ill-formed subsequence
     * (a byte that cannot start a sequence, or the longest valid prefix of an incomplete one) becomes
     * one U+FFFD.
     */
    static String decodeSymbols(CharSequence symbols, String caller) {
        byte[] bytes = new byte[symbols.length()]; // (number of symbols)
        for (int i = 0; i < bytes.length; i++) {
            char c = symbols.charAt(i);
            int b = c < BYTE_OF_SYMBOL.length ? BYTE_OF_SYMBOL[c] : -1;
            if (b < 0) {
                throw new IllegalStateException(caller + ": vocabulary entry character U+" + Integer.toHexString(c)
                        + " stands for no byte (corrupt vocabulary)");
            }
            bytes[i] = (byte) b;
        }
        return decodeUtf8(bytes);
    }

    static String decodeUtf8(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        int i = 0;
        while (i < bytes.length) {
            int b0 = bytes[i] & 0xFF;
            if (b0 < 0x80) {
                out.append((char) b0);
                i++;
                continue;
            }
            int need;
            int lo = 0x80;
            int hi = 0xBF;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                need = 1;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                need = 2;
                lo = b0 == 0xE0 ? 0xA0 : 0x80;
                hi = b0 == 0xED ? 0x9F : 0xBF;
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                need = 3;
                lo = b0 == 0xF0 ? 0x90 : 0x80;
                hi = b0 == 0xF4 ? 0x8F : 0xBF;
            } else {
                out.append('\uFFFD');
                i++;
                continue;
            }
            int cp = b0 & (0x3F >> need);
            int j = i + 1;
            boolean complete = true;
            for (int k = 0; k < need; k++, j++) {
                int b = j < bytes.length ? bytes[j] & 0xFF : -1;
                // only the second byte has a narrower range (no overlongs, surrogates or > U+10FFFF)
                int min = k == 0 ? lo : 0x80;
                int max = k == 0 ? hi : 0xBF;
                if (b < min || b > max) {
                    complete = false;
                    break;
                }
                cp = (cp << 6) | (b & 0x3F);
            }
            if (complete) {
                out.appendCodePoint(cp);
            } else {
                out.append('\uFFFD');
            }
            i = j;
        }
        return out.toString();
    }
}
