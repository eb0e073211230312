package org.blades.text;

// B = batch (prompts), T = context length

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.blades.tensor.IntTensor;
import org.junit.jupiter.api.Test;

class ClipTokenizerTest {

    private final ClipTokenizer clip = ClipTokenizer.standard();

    @Test
    void vocabularyHas49408EntriesWithTheSpecialTokensLast() {
        assertThat(clip.vocabSize()).isEqualTo(49_408).isEqualTo(ClipTokenizer.VOCAB_SIZE);
        assertThat(clip.bpe().mergeCount()).isEqualTo(48_894);
        assertThat(clip.decode(new int[] {ClipTokenizer.START_OF_TEXT})).isEqualTo("<|startoftext|>");
        assertThat(clip.decode(new int[] {ClipTokenizer.END_OF_TEXT})).isEqualTo("<|endoftext|>");
        // the first 256 entries are the byte symbols, printable bytes first: id 0 is '!'
        assertThat(clip.decode(new int[] {0, 256})).isEqualTo("!! ");
    }

    @Test
    void knownPromptsGiveTheirPublishedIds() {
        // "a photo of a cat" = 320 1125 539 320 2368 is CLIP's best-known example
        assertThat(clip.encode("a photo of a cat")).containsExactly(320, 1125, 539, 320, 2368);
        assertThat(clip.encode("A photo of a CAT")).containsExactly(320, 1125, 539, 320, 2368);
        assertThat(clip.encode("a photo of a face with the low value of ISO speed rating"))
                .containsExactly(320, 1125, 539, 320, 1710, 593, 518, 1042, 4602, 539, 12263, 4163, 10567);
    }

    @Test
    void tokenizeAddsStartAndEndAndPadsWithZeros() {
        int[] tokens = clip.tokenize("a photo of a cat");
        assertThat(tokens).hasSize(77);
        assertThat(Arrays.copyOf(tokens, 8)).containsExactly(49406, 320, 1125, 539, 320, 2368, 49407, 0);
        assertThat(Arrays.copyOfRange(tokens, 7, 77)).containsOnly(0);
        assertThat(ClipTokenizer.endOfTextPosition(tokens)).isEqualTo(6);

        assertThat(clip.tokenize("", 2)).containsExactly(49406, 49407);
        assertThat(clip.tokenize("cat", 5)).containsExactly(49406, 2368, 49407, 0, 0);
    }

    @Test
    void aPromptThatExactlyFillsTheContextIsAccepted() {
        String text = "cat ".repeat(75);
        assertThat(clip.encode(text)).hasSize(75);
        int[] tokens = clip.tokenize(text);
        assertThat(tokens[0]).isEqualTo(ClipTokenizer.START_OF_TEXT);
        assertThat(tokens[76]).isEqualTo(ClipTokenizer.END_OF_TEXT);
    }

    @Test
    void aPromptLongerThanTheContextIsAnErrorNamingIt() {
        String text = "cat ".repeat(76);
        assertThatThrownBy(() -> clip.tokenize(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"cat cat cat")
                .hasMessageContaining("78 tokens")
                .hasMessageContaining("context length 77");
        assertThatThrownBy(() -> clip.tokenize("a photo of a cat", 6))
                .hasMessageContaining("\"a photo of a cat\"").hasMessageContaining("7 tokens")
                .hasMessageContaining("context length 6");
        assertThatThrownBy(() -> clip.tokenize("x", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("context length 1");
    }

    @Test
    void aVeryLongPromptIsQuotedShortInTheError() {
        String text = "word ".repeat(1000);
        assertThatThrownBy(() -> clip.tokenize(text))
                .hasMessageContaining("…\" (5000 chars)")
                .hasMessageContaining("1002 tokens");
    }

    @Test
    void batchIsOneRowPerPrompt() {
        List<String> prompts = List.of("a photo of a photographic face", "a photo of a manipulated face", "");
        IntTensor batch = clip.tokenizeBatch(prompts, 77);
        assertThat(batch.shape()).containsExactly(3, 77);
        for (int b = 0; b < prompts.size(); b++) {
            assertThat(Arrays.copyOfRange(batch.data(), b * 77, (b + 1) * 77)).containsExactly(clip.tokenize(prompts.get(b)));
        }
        assertThat(clip.tokenizeBatch(List.of(), 77).shape()).containsExactly(0, 77);
        assertThatThrownBy(() -> clip.tokenizeBatch(List.of("ok", "cat ".repeat(80)), 77))
                .hasMessageContaining("context length 77");
    }

    @Test
    void endOfTextPositionIsTheFirstLargestId() {
        assertThat(ClipTokenizer.endOfTextPosition(new int[] {49406, 5, 49407, 0})).isEqualTo(2);
        // end-of-text typed into the prompt: CLIP's argmax takes the first one
        int[] typed = clip.tokenize("a <|endoftext|> b");
        assertThat(Arrays.copyOf(typed, 5)).containsExactly(49406, 320, 49407, 321, 49407);
        assertThat(ClipTokenizer.endOfTextPosition(typed)).isEqualTo(2);
        assertThatThrownBy(() -> ClipTokenizer.endOfTextPosition(new int[0])).hasMessageContaining("empty");
    }

    @Test
    void decodeTurnsWordEndsIntoSpaces() {
        assertThat(clip.decode(clip.encode("A Photo of  the FACE!"))).isEqualTo("a photo of the face ! ");
        assertThat(clip.decode(new int[0])).isEmpty();
        assertThatThrownBy(() -> clip.decode(new int[] {1, 49408})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id 49408 at index 1");
        assertThatThrownBy(() -> clip.decode(new int[] {-1})).hasMessageContaining("id -1");
    }

    @Test
    void curlyApostrophesAndFullwidthTextTokeniseLikeTheirPlainForms() {
        // ftfy straightens quotes and widths before CLIP's pattern sees the text
        assertThat(clip.encode("it’s")).containsExactly(clip.encode("it's"));
        assertThat(clip.encode("ＬＯＵＤ　ＮＯＩＳＥＳ")).containsExactly(clip.encode("loud noises"));
        assertThat(clip.encode("&quot;caf&eacute;&quot;")).containsExactly(clip.encode("\"café\""));
        assertThat(clip.encode("cafe\u0301")).containsExactly(clip.encode("café"));
    }

    @Test
    void aTenThousandCharacterWordIsEncoded() {
        int[] ids = clip.encode("a".repeat(10_000));
        assertThat(ids).hasSize(1251);
        assertThat(clip.decode(ids)).isEqualTo("a".repeat(10_000) + " ");
        String random = TokenizerBpeTest.randomWord(new SplittableRandom(5), 10_000, "abcdefghijklmnopqrstuvwxyz");
        assertThat(clip.decode(clip.encode(random))).isEqualTo(random + " ");
    }

    @Test
    void cachedAndFreshResultsAgree() {
        int[] first = clip.encode("photographic photographic");
        int[] second = clip.encode("photographic photographic");
        assertThat(second).containsExactly(first);
        assertThat(first).hasSize(2);
        assertThat(first[0]).isEqualTo(first[1]);
    }
}
