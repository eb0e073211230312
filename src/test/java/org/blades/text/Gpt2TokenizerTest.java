package org.blades.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class Gpt2TokenizerTest {

    private final Gpt2Tokenizer gpt2 = Gpt2Tokenizer.standard();

    /** Every White_Space character, and look-alikes that are not whitespace (ZWSP, MVS, BOM, U+001C). */
    private static final String[] SPACES = {"\t", "\n", "\u000B", "\f", "\r", " ", "\u0085", "\u00A0", "\u1680",
        "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009", "\u200A",
        "\u2028", "\u2029", "\u202F", "\u205F", "\u3000", "\u200B", "\u180E", "\uFEFF", "\u001C"};

    @Test
    void vocabularyHas50257EntriesAndEndOfTextIsTheLast() {
        assertThat(gpt2.vocabSize()).isEqualTo(50_257).isEqualTo(Gpt2Tokenizer.VOCAB_SIZE);
        assertThat(gpt2.bpe().mergeCount()).isEqualTo(50_000);
        assertThat(Gpt2Tokenizer.END_OF_TEXT).isEqualTo(50_256);
        assertThat(gpt2.decode(new int[] {Gpt2Tokenizer.END_OF_TEXT})).isEqualTo("<|endoftext|>");
    }

    @Test
    void knownTextsGiveTheirPublishedIds() {
        assertThat(gpt2.encode("Hello world")).containsExactly(15496, 995);
        // the end-of-text string in the text is ordinary text, as in encoder.py
        assertThat(gpt2.encode("<|endoftext|>")).containsExactly(27, 91, 437, 1659, 5239, 91, 29);
        // whitespace is Unicode White_Space: a run before a word leaves its last space to the word
        assertThat(gpt2.encode("x  \n\n y")).containsExactly(87, 220, 220, 628, 331);
        assertThat(gpt2.encode(" \u3000 x")).containsExactly(220, 5099, 222, 2124);
        assertThat(gpt2.encode("a\u00A0\u00A0b")).containsExactly(64, 1849, 1849, 65);
        assertThat(gpt2.encode("")).isEmpty();
    }

    @Test
    void contractionsAreCaseSensitive() {
        assertThat(gpt2.encode("it's")).containsExactly(270, 338);
        assertThat(gpt2.encode("IT'S")).hasSize(3);
    }

    @Test
    void decodeOfEncodeGivesBackRunsOfUnusualWhitespace() {
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 500; trial++) {
            StringBuilder text = new StringBuilder();
            int pieces = 1 + random.nextInt(8);
            for (int p = 0; p < pieces; p++) {
                int run = 1 + random.nextInt(4);
                for (int k = 0; k < run; k++) {
                    text.append(SPACES[random.nextInt(SPACES.length)]);
                }
                text.append(new String[] {"", "a", "Word", "1", "é", "中", "😀", "'s", "!"}[random.nextInt(9)]);
            }
            String s = text.toString();
            assertThat(gpt2.decode(gpt2.encode(s))).as("round trip of %s", TokenizerBpeTest.escape(s)).isEqualTo(s);
        }
    }

    @Test
    void decodeOfEncodeGivesBackRandomUnicode() {
        SplittableRandom random = new SplittableRandom(12);
        for (int trial = 0; trial < 300; trial++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            for (int k = 0; k < length; k++) {
                int cp;
                do {
                    cp = random.nextInt(0x30000);
                } while (cp >= 0xD800 && cp <= 0xDFFF);
                text.appendCodePoint(cp);
            }
            String s = text.toString();
            assertThat(gpt2.decode(gpt2.encode(s))).as("round trip of %s", TokenizerBpeTest.escape(s)).isEqualTo(s);
        }
    }

    @Test
    void anUnpairedSurrogateIsAnError() {
        assertThatThrownBy(() -> gpt2.encode("ab\uD83Dc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+D83D").hasMessageContaining("index 0");
        assertThat(gpt2.decode(gpt2.encode("\uD83D\uDE00"))).isEqualTo("\uD83D\uDE00");
    }

    @Test
    void decodeReplacesIllFormedBytesAndRejectsUnknownIds() {
        // id 158 is the byte 0xE2 alone: an incomplete three-byte sequence
        assertThat(gpt2.decode(new int[] {158})).isEqualTo("\uFFFD");
        assertThatThrownBy(() -> gpt2.decode(new int[] {50_257})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id 50257 at index 0");
    }

    @Test
    void aTenThousandCharacterWordIsEncoded() {
        String word = TokenizerBpeTest.randomWord(new SplittableRandom(13), 10_000, "abcdefghijklmnopqrstuvwxyz");
        int[] ids = gpt2.encode(word);
        assertThat(ids.length).isBetween(1000, 10_000);
        assertThat(gpt2.decode(ids)).isEqualTo(word);
        assertThat(gpt2.decode(gpt2.encode("a".repeat(10_000)))).isEqualTo("a".repeat(10_000));
        assertThat(gpt2.decode(gpt2.encode(" ".repeat(10_000) + "x"))).isEqualTo(" ".repeat(10_000) + "x");
    }
}
