package org.blades.text;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reading the vendored vocabulary files (classpath resources in org/blades/text/) and turning merge
 * lines into a {@link BytePairEncoding}.
 */
final class VocabularyFiles {

    static final String CLIP_MERGES = "bpe_simple_vocab_16e6.txt.gz";
    static final String GPT2_ENCODER = "encoder.json";
    static final String GPT2_MERGES = "vocab.bpe";
    static final String CLIP_LICENSE = "LICENSE.clip-bpe";
    static final String GPT2_LICENSE = "LICENSE.gpt2-bpe";

    private VocabularyFiles() {
    }

    /** The bytes of resource org/blades/text/NAME, gunzipped when the name ends in .gz. */
    static byte[] read(String name) {
        try (InputStream raw = VocabularyFiles.class.getResourceAsStream(name)) {
            if (raw == null) {
                throw new IllegalStateException("classpath resource org/blades/text/" + name + " is missing");
            }
            InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
            ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("reading classpath resource org/blades/text/" + name, e);
        }
    }

    static String readText(String name) {
        return new String(read(name), StandardCharsets.UTF_8);
    }

    /** A BPE over the given merge lines ("left right"), in rank order; every symbol must be a vocabulary entry. */
    static BytePairEncoding bpe(List<String> mergeLines, Map<String, Integer> ids, String source) {
        int[] left = new int[mergeLines.size()];   // (merges)
        int[] right = new int[mergeLines.size()];  // (merges)
        int[] result = new int[mergeLines.size()]; // (merges)
        for (int r = 0; r < mergeLines.size(); r++) {
            String[] halves = splitMerge(mergeLines.get(r), source, r);
            Integer a = ids.get(halves[0]);
            Integer b = ids.get(halves[1]);
            Integer merged = ids.get(halves[0] + halves[1]);
            if (a == null || b == null || merged == null) {
                throw new IllegalStateException(source + ": merge " + r + " \"" + mergeLines.get(r)
                        + "\" has a symbol outside the vocabulary (corrupt vocabulary files)");
            }
            left[r] = a;
            right[r] = b;
            result[r] = merged;
        }
        return new BytePairEncoding(left, right, result);
    }

    /** Python's {@code line.split()} for a merge line, which must give exactly two symbols. */
    static String[] splitMerge(String line, String source, int index) {
        String[] halves = line.trim().split(" +");
        if (halves.length != 2 || halves[0].isEmpty()) {
            throw new IllegalStateException(source + ": merge " + index + " \"" + line
                    + "\" is not two symbols separated by a space");
        }
        return halves;
    }
}
