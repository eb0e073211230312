package org.blades.text;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The BPE merge loop shared by both tokenizers, over symbol ids rather than strings.
 *
 * <p>Semantics (those of OpenAI's {@code bpe()}): while some adjacent pair of symbols has a merge rank,
 * take the pair with the lowest rank and merge every occurrence of it in one left-to-right pass
 * (occurrences that overlap, as in "a a a", merge the leftmost first). Symbols are identified by
 * vocabulary id; since every merge result is itself a vocabulary entry, equal strings are equal ids.
 *
 * <p>Speed: a heap of (rank, position) over a linked list of symbols makes a word of n symbols cost
 * O(n log n) rather than the reference's O(n) per merge step. All heap entries of the lowest rank are
 * taken out before any of them is merged, so that merges of a lower rank which a merge creates wait,
 * as in the reference, until the current pair is merged everywhere. Results for short words are cached.
 */
final class BytePairEncoding {

    /** Words longer than this many chars are not cached: they are rare and would bloat the cache. */
    private static final int MAX_CACHED_WORD = 64;
    /** The cache is dropped wholesale when it reaches this many words, bounding its memory. */
    private static final int MAX_CACHE_ENTRIES = 100_000;

    private final int[] left;    // (merges) left symbol id of merge r
    private final int[] right;   // (merges) right symbol id of merge r
    private final int[] result;  // (merges) id of the merged symbol
    private final long[] tableKeys;  // (capacity) open addressing: pair key, EMPTY when free
    private final int[] tableRanks;  // (capacity) rank of the pair in the same slot
    private final int tableMask;
    private final int tableShift;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private static final long EMPTY = -1L;

    /**
     * @param left   left symbol id of each merge, in rank order
     * @param right  right symbol id of each merge
     * @param result id of each merge's result
     */
    BytePairEncoding(int[] left, int[] right, int[] result) {
        if (left.length != right.length || left.length != result.length) {
            throw new IllegalArgumentException("BytePairEncoding: merge arrays differ in length (" + left.length + ", "
                    + right.length + ", " + result.length + ")");
        }
        this.left = left.clone();
        this.right = right.clone();
        this.result = result.clone();
        int capacity = Integer.highestOneBit(Math.max(4, left.length * 2)) * 2;
        tableKeys = new long[capacity];
        tableRanks = new int[capacity];
        tableMask = capacity - 1;
        tableShift = 64 - Integer.numberOfTrailingZeros(capacity);
        Arrays.fill(tableKeys, EMPTY);
        for (int r = 0; r < left.length; r++) {
            insert(pairKey(left[r], right[r]), r);
        }
    }

    int mergeCount() {
        return left.length;
    }

    /** The id of the symbol that merge r produces. */
    int mergedId(int r) {
        return result[r];
    }

    /** The merge rank of the pair (a, b), or -1 if the pair never merges. */
    int rank(int a, int b) {
        long key = pairKey(a, b);
        for (int slot = slot(key); ; slot = (slot + 1) & tableMask) {
            long k = tableKeys[slot];
            if (k == key) {
                return tableRanks[slot];
            }
            if (k == EMPTY) {
                return -1;
            }
        }
    }

    /**
     * The BPE of one word, cached by its text; initial builds the word's starting symbol ids on a miss.
     * The returned array is shared with the cache and must not be modified.
     */
    int[] encodeCached(String word, Function<String, int[]> initial) {
        int[] cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        int[] merged = merge(initial.apply(word));
        if (word.length() <= MAX_CACHED_WORD) {
            if (cache.size() >= MAX_CACHE_ENTRIES) {
                cache.clear();
            }
            cache.put(word, merged);
        }
        return merged;
    }

    /** The merge loop on a word's starting symbol ids (not modified); returns the final symbol ids. */
    int[] merge(int[] symbols) {
        int n = symbols.length;
        if (n < 2) {
            return symbols.clone();
        }
        int[] id = symbols.clone(); // (n) symbol at each original position, -1 once merged into its left neighbour
        int[] next = new int[n];    // (n) position of the next live symbol, n at the end
        int[] prev = new int[n];    // (n) position of the previous live symbol, -1 at the start
        for (int i = 0; i < n; i++) {
            next[i] = i + 1;
            prev[i] = i - 1;
        }
        LongHeap heap = new LongHeap(n);
        for (int i = 0; i + 1 < n; i++) {
            push(heap, rank(id[i], id[i + 1]), i);
        }
        int[] batch = new int[n]; // (n) positions of the current rank's heap entries, ascending
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int r = (int) (top >>> 32);
            int count = 0;
            batch[count++] = (int) top;
            while (!heap.isEmpty() && (int) (heap.peek() >>> 32) == r) {
                batch[count++] = (int) heap.pop();
            }
            for (int k = 0; k < count; k++) {
                int pos = batch[k];
                // stale entries: the left symbol was merged away or changed, or its neighbour did
                if (id[pos] != left[r] || next[pos] == n || id[next[pos]] != right[r]) {
                    continue;
                }
                int gone = next[pos];
                id[pos] = result[r];
                id[gone] = -1;
                next[pos] = next[gone];
                if (next[gone] < n) {
                    prev[next[gone]] = pos;
                }
                if (prev[pos] >= 0) {
                    push(heap, rank(id[prev[pos]], id[pos]), prev[pos]);
                }
                if (next[pos] < n) {
                    push(heap, rank(id[pos], id[next[pos]]), pos);
                }
            }
        }
        int live = 0;
        for (int i = 0; i < n; i = next[i]) {
            live++;
        }
        int[] out = new int[live];
        int k = 0;
        for (int i = 0; i < n; i = next[i]) {
            out[k++] = id[i];
        }
        return out;
    }

    private static void push(LongHeap heap, int rank, int position) {
        if (rank >= 0) {
            heap.push(((long) rank << 32) | position);
        }
    }

    private static long pairKey(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> tableShift);
    }

    private void insert(long key, int rank) {
        for (int slot = slot(key); ; slot = (slot + 1) & tableMask) {
            if (tableKeys[slot] == EMPTY) {
                tableKeys[slot] = key;
                tableRanks[slot] = rank;
                return;
            }
            if (tableKeys[slot] == key) {
                // a repeated merge line: Python's dict(zip(merges, range(...))) keeps the last rank
                tableRanks[slot] = rank;
                return;
            }
        }
    }

    /** A binary min-heap of longs; entries are (rank << 32 | position), so ties in rank pop left to right. */
    private static final class LongHeap {
        private long[] items;
        private int size;

        LongHeap(int capacity) {
            items = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        long peek() {
            return items[0];
        }

        void push(long v) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (items[parent] <= v) {
                    break;
                }
                items[i] = items[parent];
                i = parent;
            }
            items[i] = v;
        }

        long pop() {
            long top = items[0];
            long last = items[--size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && items[child + 1] < items[child]) {
                    child++;
                }
                if (items[child] >= last) {
                    break;
                }
                items[i] = items[child];
                i = child;
            }
            items[i] = last;
            return top;
        }
    }
}
