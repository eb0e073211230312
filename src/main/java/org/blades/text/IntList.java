package org.blades.text;

import java.util.Arrays;

/** A growable int array, so that token ids are collected without boxing. */
final class IntList {
    private int[] items = new int[16];
    private int size;

    void add(int v) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size++] = v;
    }

    void addAll(int[] vs) {
        if (size + vs.length > items.length) {
            items = Arrays.copyOf(items, Math.max(items.length * 2, size + vs.length));
        }
        System.arraycopy(vs, 0, items, size, vs.length);
        size += vs.length;
    }

    int[] toArray() {
        return Arrays.copyOf(items, size);
    }
}
