/**
 * Frozen-encoder features for the detectors (the paper's Sec. 3.3: the pretrained image encoder is fixed and the
 * detectors work on its L2-normalised 768-d features).
 *
 * <p>Dimension legend for the whole package: N = images, B = batch, D = feature dimensions (768 for BLADES),
 * H/W = model input height/width.
 *
 * <ul>
 *   <li>{@link org.blades.embed.ImageEncoder}: the ResNet image encoder of a pretraining checkpoint, a plain
 *       weights file or a portable-init preset, in evaluation mode (fused conv + batch norm + ReLU), identified by
 *       the SHA-256 of its weights ({@link org.blades.embed.EncoderId}).</li>
 *   <li>{@link org.blades.embed.FeatureOptions}: the preprocessing; with the encoder's hash it forms the cache key,
 *       so features of another encoder or another preprocessing are never reused.</li>
 *   <li>{@link org.blades.embed.ImageInputs}: files, folders, list files and image indexes to image files.</li>
 *   <li>{@link org.blades.embed.Embedder}: batched, parallel-decoding embedding with per-image failures and reuse of
 *       cached rows by file SHA-256; {@link org.blades.embed.FeatureFile} stores the result as safetensors.</li>
 *   <li>{@link org.blades.embed.JpegRecompression}: re-encodes an input as JPEG first (the paper's Table 5).</li>
 * </ul>
 */
package org.blades.embed;
