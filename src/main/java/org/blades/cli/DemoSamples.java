package org.blades.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

// N = photographs

/**
 * The demo's built-in data set: 194 camera photographs bundled as class-path resources under
 * {@value #RESOURCES} (see ATTRIBUTION.md there), listed with what they show in CONTENT.tsv. Resources inside a jar
 * are not files, so {@link #extract} copies the chosen ones into a folder before anything reads them.
 *
 * <p>The held-in / held-out split ({@link #split}) is stratified by content (close face, small people, scene) and
 * seeded: within each content group, sorted by file name, a seeded Fisher-Yates shuffle puts the first
 * round(share x n) photographs into the held-out set. The same seed and subset give the same split on any machine.
 */
final class DemoSamples {
    /** Class-path folder of the bundled photographs. */
    static final String RESOURCES = "/org/blades/samples/";
    static final String MANIFEST = "CONTENT.tsv";
    static final String ATTRIBUTION = "ATTRIBUTION.md";

    private DemoSamples() {
    }

    /** One bundled photograph: its file name and content group. */
    record Photo(String file, String content) {
    }

    /** The two sets, each sorted by file name. */
    record Split(List<Photo> heldIn, List<Photo> heldOut) {
    }

    /** Every bundled JPEG of the manifest, sorted by file name. */
    static List<Photo> bundled() throws IOException {
        List<Photo> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(open(MANIFEST), StandardCharsets.UTF_8))) {
            String header = r.readLine();
            if (header == null || !header.equals("file\tcontent")) {
                throw new IOException(RESOURCES + MANIFEST + ": expected the header 'file<TAB>content', got '" + header
                        + "'");
            }
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] f = line.split("\t", -1);
                if (f.length != 2) {
                    throw new IOException(RESOURCES + MANIFEST + ": malformed line '" + line + "'");
                }
                // The manifest also lists itself; only the photographs are data.
                if (f[0].toLowerCase(Locale.ROOT).endsWith(".jpg")) {
                    out.add(new Photo(f[0], f[1]));
                }
            }
        }
        out.sort(Comparator.comparing(Photo::file));
        return List.copyOf(out);
    }

    /** At most {@code n} photographs, a seeded sample kept in name order (all of them when n >= N). */
    static List<Photo> subset(List<Photo> photos, int n, long seed) {
        if (n >= photos.size()) {
            return photos;
        }
        int[] order = permutation(photos.size(), new SplittableRandom(seed));
        int[] chosen = Arrays.copyOf(order, n);
        Arrays.sort(chosen);
        List<Photo> out = new ArrayList<>();
        for (int i : chosen) {
            out.add(photos.get(i));
        }
        return List.copyOf(out);
    }

    /**
     * Stratified by content: per group (in name order, groups in order of first appearance) a seeded shuffle, the
     * first round(heldOutShare x n) to the held-out set.
     */
    static Split split(List<Photo> photos, double heldOutShare, long seed) {
        Map<String, List<Photo>> groups = new LinkedHashMap<>();
        for (Photo p : photos) {
            groups.computeIfAbsent(p.content(), k -> new ArrayList<>()).add(p);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Photo> in = new ArrayList<>();
        List<Photo> out = new ArrayList<>();
        for (List<Photo> g : groups.values()) {
            int[] order = permutation(g.size(), rnd);
            long held = Math.round(heldOutShare * g.size());
            for (int i = 0; i < order.length; i++) {
                (i < held ? out : in).add(g.get(order[i]));
            }
        }
        in.sort(Comparator.comparing(Photo::file));
        out.sort(Comparator.comparing(Photo::file));
        return new Split(List.copyOf(in), List.copyOf(out));
    }

    /** Copies the photographs into {@code dir} (created), under their own names. */
    static void extract(List<Photo> photos, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Photo p : photos) {
            copy(p.file(), dir.resolve(p.file()));
        }
    }

    /** Copies one bundled resource (a photograph, the manifest or the attribution) to {@code target}. */
    static void copy(String name, Path target) throws IOException {
        try (InputStream in = open(name)) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static InputStream open(String name) throws IOException {
        InputStream in = DemoSamples.class.getResourceAsStream(RESOURCES + name);
        if (in == null) {
            throw new IOException("the bundled data set is missing " + RESOURCES + name + " (a broken build or jar)");
        }
        return in;
    }

    /** A seeded Fisher-Yates permutation of [0, n). */
    private static int[] permutation(int n, SplittableRandom rnd) {
        int[] idx = new int[n]; // (N)
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return idx;
    }
}
