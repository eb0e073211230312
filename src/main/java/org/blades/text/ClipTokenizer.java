package org.blades.text;

// B = batch (prompts), T = context length (tokens per prompt, 77 for CLIP)

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.blades.tensor.IntTensor;

/**
 * OpenAI CLIP's BPE tokenizer ({@code clip/simple_tokenizer.py}) over the vendored
 * {@code bpe_simple_vocab_16e6.txt.gz}: 49,408 tokens = 256 byte symbols, the same 256 with the
 * end-of-word mark {@code </w>}, 48,894 merges, {@code <|startoftext|>} (49406) and
 * {@code <|endoftext|>} (49407). Token ids equal the reference implementation's on the stored corpus
 * (reference-data/tokenizers/corpus.jsonl).
 *
 * <p>Encoding a prompt:
 * <ol>
 *   <li>clean ({@link #cleanText}): ftfy.fix_text, html.unescape twice, strip, every whitespace run
 *       to one space, strip, lower-case (all with Python's semantics);</li>
 *   <li>split into pieces: {@code <|startoftext|>}, {@code <|endoftext|>}, the contractions 's 't 're
 *       've 'm 'll 'd, runs of letters, single digits, runs of other non-space characters;</li>
 *   <li>each piece as UTF-8 bytes, each byte as its stand-in symbol ({@link ByteLevel}), {@code </w>}
 *       joined to the last symbol, BPE; a piece that is exactly a special-token string is that
 *       special token.</li>
 * </ol>
 *
 * <p><b>Where this differs from OpenAI's code.</b> ftfy is a Python library; {@link FtfyFixes}
 * re-implements all of {@code ftfy.fix_text} except its mojibake repair ({@code fix_encoding}), which
 * rewrites text that looks like UTF-8 mis-decoded as Latin-1 or Windows-125x ("cafÃ©" → "café",
 * "â€™" → "’") using a statistical badness score. Text without such sequences tokenises identically;
 * text with them is tokenised as written, where CLIP would first repair it. The corpus carries the
 * affected lines with both id lists.
 *
 * <p>Special-token strings typed inside a prompt become special tokens, as in the reference, so
 * "a &lt;|endoftext|&gt; b" has two end-of-text ids and {@link #endOfTextPosition} finds the first.
 *
 * <p>Instances are immutable apart from a bounded word cache and are safe to share between threads.
 */
public final class ClipTokenizer {

    public static final int VOCAB_SIZE = 49_408;
    public static final int START_OF_TEXT = 49_406;
    public static final int END_OF_TEXT = 49_407;
    /** CLIP's text context: prompts are padded (with id 0) to this many tokens. */
    public static final int DEFAULT_CONTEXT_LENGTH = 77;

    private static final String START_STRING = "<|startoftext|>";
    private static final String END_STRING = "<|endoftext|>";
    /** Merge lines 1 .. 49152-256-2 of the file (line 0 is a version header): 48,894 merges. */
    private static final int MERGE_COUNT = 49_152 - 256 - 2;

    /**
     * simple_tokenizer's pattern, for text that is already lower-case. The reference compiles it with
     * IGNORECASE, which on lower-case text only adds 'ſ' (U+017F) as a spelling of 's', and makes the
     * last class refuse U+0345 (whose case partners are letters), so that character alone is dropped.
     * Java's case-insensitive mode would differ ('ı' would match 'i'), hence the explicit classes.
     */
    private static final Pattern PIECES = Pattern.compile("<\\|[s\u017F]tartoftext\\|>|<\\|endoftext\\|>"
            + "|'[s\u017F]|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}"
            + "|[^" + PythonText.WHITE_SPACE_CLASS + "\\p{L}\\p{N}\\x{345}]+");

    private static final Pattern WHITESPACE_RUN = Pattern.compile("[" + PythonText.WHITE_SPACE_CLASS + "]+");

    private final String[] vocab;       // (VOCAB_SIZE) token id → its symbol string
    private final BytePairEncoding bpe;
    private final int[] byteId = new int[256];     // (256) id of the byte's symbol
    private final int[] byteEndId = new int[256];  // (256) id of the byte's symbol + "</w>"

    private ClipTokenizer(String[] vocab, BytePairEncoding bpe, Map<String, Integer> ids) {
        this.vocab = vocab;
        this.bpe = bpe;
        for (int b = 0; b < 256; b++) {
            String symbol = String.valueOf(ByteLevel.symbol(b));
            byteId[b] = ids.get(symbol);
            byteEndId[b] = ids.get(symbol + "</w>");
        }
    }

    /** The tokenizer over the vendored OpenAI vocabulary, loaded once (under a second) and shared. */
    public static ClipTokenizer standard() {
        return Holder.INSTANCE;
    }

    private static final class Holder {
        static final ClipTokenizer INSTANCE = load();
    }

    private static ClipTokenizer load() {
        String source = VocabularyFiles.CLIP_MERGES;
        String[] lines = VocabularyFiles.readText(source).split("\n", -1);
        if (lines.length <= MERGE_COUNT) {
            throw new IllegalStateException(source + ": " + lines.length + " lines, expected more than " + MERGE_COUNT);
        }
        List<String> merges = Arrays.asList(lines).subList(1, MERGE_COUNT + 1);
        String[] vocab = new String[VOCAB_SIZE];
        int n = 0;
        for (int i = 0; i < 256; i++) {
            vocab[n++] = String.valueOf(ByteLevel.symbol(ByteLevel.clipVocabByte(i)));
        }
        for (int i = 0; i < 256; i++) {
            vocab[n++] = vocab[i] + "</w>";
        }
        for (int r = 0; r < merges.size(); r++) {
            String[] halves = VocabularyFiles.splitMerge(merges.get(r), source, r);
            vocab[n++] = halves[0] + halves[1];
        }
        vocab[n++] = START_STRING;
        vocab[n++] = END_STRING;
        Map<String, Integer> ids = new HashMap<>(2 * VOCAB_SIZE);
        for (int i = 0; i < n; i++) {
            // a repeated string keeps its last id, as Python's dict(zip(vocab, range(...))) does
            ids.put(vocab[i], i);
        }
        return new ClipTokenizer(vocab, VocabularyFiles.bpe(merges, ids, source), ids);
    }

    /** The merge table, for tests that compare the merge loop with a plain one. */
    BytePairEncoding bpe() {
        return bpe;
    }

    public int vocabSize() {
        return vocab.length;
    }

    /**
     * The text CLIP tokenises: ftfy's fixes (less mojibake repair), HTML references decoded twice,
     * whitespace runs collapsed to one space, stripped, lower-cased.
     */
    public static String cleanText(String text) {
        String s = FtfyFixes.fixText(text);
        s = PythonText.strip(HtmlEntities.unescape(HtmlEntities.unescape(s)));
        s = PythonText.strip(WHITESPACE_RUN.matcher(s).replaceAll(" "));
        return PythonText.lower(s);
    }

    /** BPE token ids of the text, without start and end tokens. */
    public int[] encode(String text) {
        IntList out = new IntList();
        Matcher m = PIECES.matcher(cleanText(text));
        while (m.find()) {
            String piece = m.group();
            if (piece.equals(START_STRING)) {
                out.add(START_OF_TEXT);
            } else if (piece.equals(END_STRING)) {
                out.add(END_OF_TEXT);
            } else {
                out.addAll(bpe.encodeCached(piece, this::initialSymbols));
            }
        }
        return out.toArray();
    }

    /** The starting symbol ids of one piece (its UTF-8 bytes), before any merge. */
    int[] initialSymbols(String piece) {
        byte[] utf8 = ByteLevel.utf8(piece, "ClipTokenizer.encode");
        int[] ids = new int[utf8.length]; // (bytes of the piece)
        for (int i = 0; i < utf8.length; i++) {
            ids[i] = (i == utf8.length - 1 ? byteEndId : byteId)[utf8[i] & 0xFF];
        }
        return ids;
    }

    /**
     * The text of the ids, as the reference decodes it: symbols to bytes, bytes as UTF-8 (each
     * ill-formed sequence one U+FFFD), every {@code </w>} a space. Special tokens appear as their strings.
     */
    public String decode(int[] ids) {
        StringBuilder symbols = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab.length) {
                throw new IllegalArgumentException("ClipTokenizer.decode: id " + ids[i] + " at index " + i
                        + " is outside the vocabulary [0, " + vocab.length + ")");
            }
            symbols.append(vocab[ids[i]]);
        }
        return ByteLevel.decodeSymbols(symbols, "ClipTokenizer.decode").replace("</w>", " ");
    }

    /** {@link #tokenize(String, int)} with CLIP's context of 77. */
    public int[] tokenize(String text) {
        return tokenize(text, DEFAULT_CONTEXT_LENGTH);
    }

    /**
     * Start token, the BPE ids, end token, then zeros up to contextLength.
     *
     * @throws IllegalArgumentException if the prompt needs more than contextLength tokens: it is never
     *                                  cut, since a cut prompt loses its end token and means something else
     */
    public int[] tokenize(String text, int contextLength) {
        if (contextLength < 2) {
            throw new IllegalArgumentException("ClipTokenizer.tokenize: context length " + contextLength
                    + " cannot hold the start and end tokens");
        }
        int[] ids = encode(text);
        if (ids.length + 2 > contextLength) {
            throw new IllegalArgumentException("ClipTokenizer.tokenize: prompt " + quote(text) + " is " + (ids.length + 2)
                    + " tokens long with its start and end tokens, more than the context length " + contextLength);
        }
        int[] tokens = new int[contextLength]; // (T)
        tokens[0] = START_OF_TEXT;
        System.arraycopy(ids, 0, tokens, 1, ids.length);
        tokens[ids.length + 1] = END_OF_TEXT;
        return tokens;
    }

    /** The prompts tokenised into one (B, T) tensor, row b = {@link #tokenize(String, int)} of texts[b]. */
    public IntTensor tokenizeBatch(List<String> texts, int contextLength) {
        int[] data = new int[texts.size() * contextLength]; // (B, T)
        for (int b = 0; b < texts.size(); b++) {
            System.arraycopy(tokenize(texts.get(b), contextLength), 0, data, b * contextLength, contextLength);
        }
        return IntTensor.of(data, texts.size(), contextLength);
    }

    /**
     * Where CLIP reads the text feature: the position of the largest id, i.e. of the end-of-text token,
     * which has the largest id of the vocabulary ({@code x[arange(B), text.argmax(-1)]}). Ties go to
     * the first position, as torch's argmax does.
     */
    public static int endOfTextPosition(int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("ClipTokenizer.endOfTextPosition: empty token array");
        }
        int best = 0;
        for (int i = 1; i < tokens.length; i++) {
            if (tokens[i] > tokens[best]) {
                best = i;
            }
        }
        return best;
    }

    private static String quote(String text) {
        int limit = 200;
        if (text.length() <= limit) {
            return "\"" + text + "\"";
        }
        int cut = Character.isHighSurrogate(text.charAt(limit - 1)) ? limit - 1 : limit;
        return "\"" + text.substring(0, cut) + "…\" (" + text.length() + " chars)";
    }
}
