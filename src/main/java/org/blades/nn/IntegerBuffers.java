package org.blades.nn;

import java.util.Set;

/**
 * Implemented by a module whose buffers include integer counters. The tensor core has only float32 and float64,
 * so such a counter lives in a float64 scalar buffer (exact for every count below 2^53); {@link StateDict} saves
 * it as I64, PyTorch's dtype, and loads it from I64, I32 or U8. Batch-norm's {@code num_batches_tracked} is the
 * one instance in the models here.
 */
public interface IntegerBuffers {

    /** Names (local, without the module's prefix) of this module's own buffers that hold integers. */
    Set<String> integerBufferNames();
}
