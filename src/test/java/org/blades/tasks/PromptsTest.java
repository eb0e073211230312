package org.blades.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.blades.io.Json;
import org.blades.tensor.IntTensor;
import org.blades.testing.ReferenceFile;
import org.blades.text.ClipTokenizer;
import org.junit.jupiter.api.Test;

// P = 50 prompts, T = 77 tokens

/** The prompt table: column order, task ranges, wording, and tokenisation by CLIP's tokenizer. */
class PromptsTest {

    private static final List<String> ORDINAL_TAGS = List.of("ISO speed rating", "aperture", "exposure time",
            "focal length");
    private static final List<String> LEVELS = List.of("low", "medium", "high");

    @Test
    void columnsFollowTheAuthorsOrder() {
        List<String> expected = new ArrayList<>();
        for (String tag : ORDINAL_TAGS) {
            for (String level : LEVELS) {
                expected.add("a photo of a face with the " + level + " value of " + tag);
            }
        }
        for (String make : List.of("Nikon", "Apple", "FUJIFILM", "Canon", "Samsung", "Sony", "Panasonic", "Nokia",
                "Pentax", "others")) {
            expected.add("a photo of a face taken with the " + make + " brand camera");
        }
        for (String mode : List.of("average", "centerweighted", "others", "partial", "spot", "multi-spot",
                "multi-segment", "evaluative")) {
            expected.add("A photo of the face captured using the " + mode + " metering mode");
        }
        for (String mode : List.of("auto", "auto-bracketing", "program", "manual", "aperture-priority",
                "easy-shooting", "shutter-priority")) {
            expected.add("A photo of the face captured using the " + mode + " exposure mode");
        }
        for (String mode : List.of("auto", "manual")) {
            expected.add("A photo of the face captured using the " + mode + " white balance mode");
        }
        for (String program : List.of("landscape mode", "manual control", "normal program", "portrait mode",
                "shutter priority", "aperture priority")) {
            expected.add("A photo of the face captured using the exposure program set to " + program);
        }
        expected.add("a photo of a photographic face");
        expected.add("a photo of a manipulated face");
        for (String region : List.of("mouth", "eye", "nose")) {
            expected.add("a photo of a face with a manipulated " + region + " region");
        }
        assertThat(Prompts.texts()).containsExactlyElementsOf(expected);
        assertThat(Prompts.COUNT).isEqualTo(50);
    }

    @Test
    void everyTaskOwnsItsColumnRangeInLambdaOrder() {
        assertThat(Task.values()).containsExactly(Task.ISO, Task.APERTURE, Task.EXPOSURE_TIME, Task.FOCAL_LENGTH,
                Task.MAKE, Task.METERING_MODE, Task.EXPOSURE_MODE, Task.WHITE_BALANCE, Task.EXPOSURE_PROGRAM,
                Task.COARSE, Task.FINE);
        assertThat(Task.COUNT).isEqualTo(Task.values().length);
        int[][] ranges = {{0, 3}, {3, 6}, {6, 9}, {9, 12}, {12, 22}, {22, 30}, {30, 37}, {37, 39}, {39, 45}, {45, 47},
                {47, 50}};
        int column = 0;
        for (Task t : Task.values()) {
            assertThat(t.lambdaIndex()).isEqualTo(t.ordinal());
            assertThat(new int[] {t.firstColumn(), t.endColumn()}).as("%s columns", t).containsExactly(ranges[t.ordinal()]);
            assertThat(t.firstColumn()).as("%s starts where the previous task ends", t).isEqualTo(column);
            column = t.endColumn();
            List<Prompts.Prompt> prompts = Prompts.forTask(t);
            assertThat(prompts).hasSize(t.classCount());
            for (int k = 0; k < prompts.size(); k++) {
                Prompts.Prompt p = prompts.get(k);
                assertThat(p.task()).isEqualTo(t);
                assertThat(p.classIndex()).isEqualTo(k);
                assertThat(p.column()).isEqualTo(t.firstColumn() + k);
                assertThat(Prompts.at(p.column())).isSameAs(p);
                assertThat(p.text()).as("the class name appears in the prompt").contains(p.className());
            }
        }
        assertThat(column).isEqualTo(Prompts.COUNT);
        assertThat(Task.ofKind(Task.Kind.ORDINAL)).containsExactly(Task.ISO, Task.APERTURE, Task.EXPOSURE_TIME,
                Task.FOCAL_LENGTH);
        assertThat(Task.ofKind(Task.Kind.CATEGORICAL)).containsExactly(Task.MAKE, Task.METERING_MODE,
                Task.EXPOSURE_MODE, Task.WHITE_BALANCE, Task.EXPOSURE_PROGRAM);
        assertThat(Task.ISO.classNames()).containsExactlyElementsOf(LEVELS);
        assertThat(Task.COARSE.classNames()).containsExactly("photographic", "manipulated");
        assertThat(Task.FINE.classNames()).containsExactly("mouth", "eye", "nose");
        assertThat(Task.WHITE_BALANCE.classNames()).containsExactly("auto", "manual");
    }

    @Test
    void allFiftyTokeniseWithinClipsContextAsTheReferenceTokenizerDoes() {
        ClipTokenizer clip = ClipTokenizer.standard();
        IntTensor tokens = Prompts.tokens(clip); // (P, T)
        assertThat(tokens.shape()).containsExactly(Prompts.COUNT, ClipTokenizer.DEFAULT_CONTEXT_LENGTH);
        List<int[]> reference = referencePromptIds();
        assertThat(reference).as("prompts in reference-data/tokenizers/corpus.jsonl").hasSize(Prompts.COUNT);
        int t = ClipTokenizer.DEFAULT_CONTEXT_LENGTH;
        int longest = 0;
        for (int c = 0; c < Prompts.COUNT; c++) {
            int[] row = java.util.Arrays.copyOfRange(tokens.data(), c * t, (c + 1) * t); // (T)
            int end = ClipTokenizer.endOfTextPosition(row);
            assertThat(row[end]).as("prompt %d ends with end-of-text", c).isEqualTo(ClipTokenizer.END_OF_TEXT);
            assertThat(row[0]).isEqualTo(ClipTokenizer.START_OF_TEXT);
            assertThat(java.util.Arrays.copyOf(row, end + 1)).as("prompt %d: %s", c, Prompts.at(c).text())
                    .containsExactly(reference.get(c));
            longest = Math.max(longest, end + 1);
        }
        // the longest prompts (exposure program) use 17 of the 77 positions, start and end tokens included
        assertThat(longest).isEqualTo(17).isLessThan(t);
    }

    /** The CLIP ids of the corpus's "prompt" lines, written by OpenAI's tokenizer, in file order. */
    private static List<int[]> referencePromptIds() {
        Path path = ReferenceFile.projectRoot().resolve("reference-data").resolve("tokenizers").resolve("corpus.jsonl");
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("reference file " + path + " cannot be read: " + e.getMessage(), e);
        }
        List<int[]> out = new ArrayList<>();
        int col = 0;
        for (int i = 0; i < lines.size(); i++) {
            Map<String, Object> r = Json.parseObject(lines.get(i), "corpus.jsonl line " + (i + 1));
            if (!"prompt".equals(r.get("category"))) {
                continue;
            }
            assertThat(r.get("text")).as("corpus prompt %d", col).isEqualTo(Prompts.at(Math.min(col, 49)).text());
            List<?> ids = (List<?>) r.get("clip");
            int[] a = new int[ids.size()]; // (tokens incl. start and end)
            for (int k = 0; k < a.length; k++) {
                a[k] = ((Number) ids.get(k)).intValue();
            }
            out.add(a);
            col++;
        }
        return out;
    }
}
