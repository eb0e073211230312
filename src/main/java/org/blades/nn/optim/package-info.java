/**
 * First-order optimisers with PyTorch's exact update rules: {@link org.blades.nn.optim.Adam} (the binary detector,
 * the task weights of the outer loop) and {@link org.blades.nn.optim.AdamW} (decoupled weight decay, the inner
 * loop's pretraining optimiser). Both are verified step by step against torch.optim (PyTorch 1.13) in float32 and
 * float64 (reference-data/detect/optim.safetensors).
 *
 * <p>Dimension legend: n = elements of one parameter tensor.
 */
package org.blades.nn.optim;
