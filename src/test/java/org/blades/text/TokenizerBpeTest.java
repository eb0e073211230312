package org.blades.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/**
 * The heap-based merge loop of {@link BytePairEncoding} against a plain transcription of the
 * reference loop ({@link #plainMerge}), on the real vocabularies and on small hand-made merge tables.
 */
class TokenizerBpeTest {

    private static final String[] ALPHABETS = {"abcdefghijklmnopqrstuvwxyz", "ab", "aab", "éèêëàâäôöüç",
        "日本語中文한국어", "😀👍🏽🇯🇵", "0123456789.,", "!?.,;:-_'\"()[]"};

    /** The reference loop, step by step: lowest-rank pair, every occurrence merged left to right. */
    static int[] plainMerge(BytePairEncoding bpe, int[] symbols) {
        List<Integer> word = new ArrayList<>();
        for (int s : symbols) {
            word.add(s);
        }
        while (word.size() > 1) {
            int best = -1;
            int first = -1;
            int second = -1;
            for (int i = 0; i + 1 < word.size(); i++) {
                int r = bpe.rank(word.get(i), word.get(i + 1));
                if (r >= 0 && (best < 0 || r < best)) {
                    best = r;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (best < 0) {
                break;
            }
            List<Integer> merged = new ArrayList<>();
            for (int i = 0; i < word.size(); ) {
                if (i + 1 < word.size() && word.get(i) == first && word.get(i + 1) == second) {
                    merged.add(bpe.mergedId(best));
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i++;
                }
            }
            word = merged;
        }
        return word.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void fastAndPlainMergesAgreeOnTheRealVocabularies() {
        checkAgainstPlain(ClipTokenizer.standard().bpe(), ClipTokenizer.standard()::initialSymbols, 21);
        checkAgainstPlain(Gpt2Tokenizer.standard().bpe(), Gpt2Tokenizer.standard()::initialSymbols, 22);
    }

    private static void checkAgainstPlain(BytePairEncoding bpe, Function<String, int[]> initial, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> words = new ArrayList<>();
        for (int n = 1; n <= 120; n++) {
            words.add("a".repeat(n));
            words.add("ab".repeat(n));
        }
        for (int trial = 0; trial < 600; trial++) {
            String alphabet = ALPHABETS[random.nextInt(ALPHABETS.length)];
            words.add(randomWord(random, 1 + random.nextInt(trial < 500 ? 30 : 400), alphabet));
        }
        for (String word : words) {
            int[] symbols = initial.apply(word);
            assertThat(bpe.merge(symbols)).as("merges of %s", escape(word)).containsExactly(plainMerge(bpe, symbols));
        }
    }

    @Test
    void overlappingOccurrencesMergeFromTheLeft() {
        // symbols a = 0; merge 0: (a, a) -> 1
        BytePairEncoding bpe = new BytePairEncoding(new int[] {0}, new int[] {0}, new int[] {1});
        assertThat(bpe.merge(new int[] {0, 0, 0})).containsExactly(1, 0);
        assertThat(bpe.merge(new int[] {0, 0, 0, 0})).containsExactly(1, 1);
        assertThat(bpe.merge(new int[] {0, 0, 0, 0, 0})).containsExactly(1, 1, 0);
        assertThat(bpe.merge(new int[] {0})).containsExactly(0);
        assertThat(bpe.merge(new int[0])).isEmpty();
    }

    @Test
    void aPairIsMergedEverywhereBeforeALowerRankPairItCreates() {
        // a = 0, b = 1, ab = 2, aba = 3; merge 0: (ab, a) -> aba, merge 1: (a, b) -> ab.
        // "a b a b": (a, b) is merged at both places first, giving "ab ab", and (ab, a) never forms;
        // merging the new (ab, a) as soon as it appears would give "aba b".
        BytePairEncoding bpe = new BytePairEncoding(new int[] {2, 0}, new int[] {0, 1}, new int[] {3, 2});
        int[] word = {0, 1, 0, 1};
        assertThat(bpe.merge(word)).containsExactly(2, 2).containsExactly(plainMerge(bpe, word));
        int[] word2 = {0, 1, 0, 0, 1};
        assertThat(bpe.merge(word2)).containsExactly(plainMerge(bpe, word2));
    }

    @Test
    void smallRandomMergeTablesAgreeWithThePlainLoop() {
        SplittableRandom random = new SplittableRandom(31);
        for (int table = 0; table < 200; table++) {
            // 3 base symbols; each merge joins two existing symbols into a new one, ranks in random order
            int merges = 1 + random.nextInt(12);
            int[] left = new int[merges];
            int[] right = new int[merges];
            int[] result = new int[merges];
            for (int r = 0; r < merges; r++) {
                left[r] = random.nextInt(3 + r);
                right[r] = random.nextInt(3 + r);
                result[r] = 3 + r;
            }
            shuffleTogether(random, left, right, result);
            BytePairEncoding bpe = new BytePairEncoding(left, right, result);
            for (int w = 0; w < 20; w++) {
                int[] word = random.ints(1 + random.nextInt(40), 0, 3).toArray();
                assertThat(bpe.merge(word)).as("table %d word %d", table, w).containsExactly(plainMerge(bpe, word));
            }
        }
    }

    @Test
    void mismatchedMergeArraysAreRejected() {
        assertThatThrownBy(() -> new BytePairEncoding(new int[2], new int[1], new int[2]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(2, 1, 2)");
    }

    private static void shuffleTogether(SplittableRandom random, int[] a, int[] b, int[] c) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            swap(a, i, j);
            swap(b, i, j);
            swap(c, i, j);
        }
    }

    private static void swap(int[] x, int i, int j) {
        int t = x[i];
        x[i] = x[j];
        x[j] = t;
    }

    /** A string of code points drawn from the alphabet's code points, of the given length in code points. */
    static String randomWord(SplittableRandom random, int length, String alphabet) {
        int[] codePoints = alphabet.codePoints().toArray();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < length; i++) {
            out.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
        }
        return out.toString();
    }

    /** The text with every non-printable-ASCII character as \\u{XXXX}, for failure messages. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7F) {
                out.appendCodePoint(cp);
            } else {
                out.append(String.format("\\u{%X}", cp));
            }
        });
        return out.append('"').toString();
    }
}
