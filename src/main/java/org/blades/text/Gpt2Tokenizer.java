package org.blades.text;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.blades.io.Json;

/**
 * OpenAI GPT-2's byte-level BPE ({@code src/encoder.py}) over the vendored {@code encoder.json}
 * (50,257 tokens) and {@code vocab.bpe} (50,000 merges). Token ids equal the reference
 * implementation's (and tiktoken's) on the stored corpus.
 *
 * <p>No text cleaning: the text is split with GPT-2's pattern
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+} (case-sensitive,
 * so "'S" is not a contraction), each piece's UTF-8 bytes become their stand-in symbols
 * ({@link ByteLevel}) and are BPE'd. {@code \s} is Unicode White_Space, as in Python's {@code regex}
 * module (Java's own {@code \s} is ASCII-only). Consequently {@link #decode} of {@link #encode}
 * gives back any text exactly.
 *
 * <p>The text "&lt;|endoftext|&gt;" is encoded as ordinary characters, as encoder.py does; the
 * end-of-text id {@link #END_OF_TEXT} is only ever added by the caller.
 *
 * <p>Instances are immutable apart from a bounded word cache and are safe to share between threads.
 */
public final class Gpt2Tokenizer {

    public static final int VOCAB_SIZE = 50_257;
    public static final int END_OF_TEXT = 50_256;

    private static final String WS = PythonText.WHITE_SPACE_CLASS;
    private static final Pattern PIECES = Pattern.compile("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+"
            + "| ?[^" + WS + "\\p{L}\\p{N}]+|[" + WS + "]+(?![^" + WS + "])|[" + WS + "]+");

    private final String[] vocab; // (VOCAB_SIZE) token id → its symbol string
    private final BytePairEncoding bpe;
    private final int[] byteId = new int[256]; // (256) id of the byte's symbol

    private Gpt2Tokenizer(String[] vocab, BytePairEncoding bpe, Map<String, Integer> ids) {
        this.vocab = vocab;
        this.bpe = bpe;
        for (int b = 0; b < 256; b++) {
            Integer id = ids.get(String.valueOf(ByteLevel.symbol(b)));
            if (id == null) {
                throw new IllegalStateException(VocabularyFiles.GPT2_ENCODER + ": no entry for the symbol of byte " + b);
            }
            byteId[b] = id;
        }
    }

    /** The tokenizer over the vendored OpenAI vocabulary, loaded once and shared. */
    public static Gpt2Tokenizer standard() {
        return Holder.INSTANCE;
    }

    private static final class Holder {
        static final Gpt2Tokenizer INSTANCE = load();
    }

    private static Gpt2Tokenizer load() {
        Map<String, Object> encoder = Json.parseObject(VocabularyFiles.readText(VocabularyFiles.GPT2_ENCODER),
                VocabularyFiles.GPT2_ENCODER);
        String[] vocab = new String[encoder.size()];
        Map<String, Integer> ids = new HashMap<>(2 * encoder.size());
        for (Map.Entry<String, Object> e : encoder.entrySet()) {
            if (!(e.getValue() instanceof Long) || (Long) e.getValue() < 0 || (Long) e.getValue() >= vocab.length
                    || vocab[((Long) e.getValue()).intValue()] != null) {
                throw new IllegalStateException(VocabularyFiles.GPT2_ENCODER + ": entry \"" + e.getKey() + "\" has id "
                        + e.getValue() + ", not a distinct integer in [0, " + vocab.length + ")");
            }
            int id = ((Long) e.getValue()).intValue();
            vocab[id] = e.getKey();
            ids.put(e.getKey(), id);
        }
        // encoder.py drops the version header (first line) and what follows the final newline (last)
        String[] lines = VocabularyFiles.readText(VocabularyFiles.GPT2_MERGES).split("\n", -1);
        List<String> merges = Arrays.asList(lines).subList(1, lines.length - 1);
        return new Gpt2Tokenizer(vocab, VocabularyFiles.bpe(merges, ids, VocabularyFiles.GPT2_MERGES), ids);
    }

    /** The merge table, for tests that compare the merge loop with a plain one. */
    BytePairEncoding bpe() {
        return bpe;
    }

    public int vocabSize() {
        return vocab.length;
    }

    /**
     * BPE token ids of the text.
     *
     * @throws IllegalArgumentException if the text holds an unpaired UTF-16 surrogate, which has no UTF-8 form
     */
    public int[] encode(String text) {
        IntList out = new IntList();
        Matcher m = PIECES.matcher(text);
        while (m.find()) {
            out.addAll(bpe.encodeCached(m.group(), this::initialSymbols));
        }
        return out.toArray();
    }

    /** The starting symbol ids of one piece (its UTF-8 bytes), before any merge. */
    int[] initialSymbols(String piece) {
        byte[] utf8 = ByteLevel.utf8(piece, "Gpt2Tokenizer.encode");
        int[] ids = new int[utf8.length]; // (bytes of the piece)
        for (int i = 0; i < utf8.length; i++) {
            ids[i] = byteId[utf8[i] & 0xFF];
        }
        return ids;
    }

    /** The text of the ids: symbols to bytes, bytes as UTF-8, each ill-formed sequence one U+FFFD. */
    public String decode(int[] ids) {
        StringBuilder symbols = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab.length) {
                throw new IllegalArgumentException("Gpt2Tokenizer.decode: id " + ids[i] + " at index " + i
                        + " is outside the vocabulary [0, " + vocab.length + ")");
            }
            symbols.append(vocab[ids[i]]);
        }
        return ByteLevel.decodeSymbols(symbols, "Gpt2Tokenizer.decode");
    }
}
