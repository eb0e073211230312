/**
 * Text tokenizers of the BLADES text encoder: {@link org.blades.text.ClipTokenizer} (OpenAI CLIP's
 * BPE, used by the CLIP RN50 text transformer) and {@link org.blades.text.Gpt2Tokenizer} (GPT-2's
 * byte-level BPE).
 *
 * <p>Vendored resources in org/blades/text/, each loaded from the classpath:
 * <ul>
 *   <li>{@code bpe_simple_vocab_16e6.txt.gz}: CLIP's merges, MIT licence, {@code LICENSE.clip-bpe};</li>
 *   <li>{@code encoder.json}, {@code vocab.bpe}: GPT-2's vocabulary and merges, MIT licence,
 *       {@code LICENSE.gpt2-bpe};</li>
 *   <li>{@code html5-entities.txt}: the HTML5 named character references (WHATWG HTML Standard), as
 *       Python 3.11's {@code html.entities.html5} lists them, written by
 *       reference-data/generate_tokenizers.py.</li>
 * </ul>
 * Their SHA-256 digests are pinned by TokenizerResourcesTest.
 */
package org.blades.text;
