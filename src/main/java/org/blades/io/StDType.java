package org.blades.io;

/**
 * The safetensors element types this project reads and writes. The constant names are the header
 * spellings ("F32", "BF16", ...). Other safetensors dtypes (I8, I16, U16, U32, U64, F8_*) are
 * rejected at open with a message naming the file and the tensor.
 */
public enum StDType {
    F64(8, true),
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    I64(8, false),
    I32(4, false),
    U8(1, false),
    BOOL(1, false);

    private final int itemSize;
    private final boolean floating;

    StDType(int itemSize, boolean floating) {
        this.itemSize = itemSize;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int itemSize() {
        return itemSize;
    }

    public boolean isFloating() {
        return floating;
    }

    /** The dtype spelled {@code name} in a header, or null if this project does not support it. */
    public static StDType fromHeader(String name) {
        for (StDType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
