package org.blades.models.text;

import org.blades.nn.Module;
import org.blades.tensor.Tensor;

/**
 * A level of the state_dict with no computation of its own: CLIP's {@code transformer}, {@code resblocks},
 * {@code attn} and {@code mlp}, GPT-2's {@code h}, an embedding's holder of {@code weight}. PyTorch has a module
 * there (nn.Sequential, nn.MultiheadAttention, nn.Embedding); here the owner computes and this only names.
 */
final class Namespace extends Module {

    /** Registers a trainable parameter under this level; returns it. */
    Tensor addParam(String name, Tensor t) {
        return param(name, t);
    }

    /** Registers a child module under this level; returns it. */
    <M extends Module> M addChild(String name, M module) {
        return child(name, module);
    }
}
