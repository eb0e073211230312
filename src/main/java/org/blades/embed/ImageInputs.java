package org.blades.embed;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.blades.data.ImageBytes;
import org.blades.data.ImageIndex;
import org.blades.data.IndexEntry;
import org.blades.io.Json;

/**
 * Turns what a user names on the command line into image files, in a stable order:
 * <ul>
 *   <li>a folder: every file below it with an image extension (jpg, jpeg, jpe, png, bmp, gif, any case; hidden
 *       files skipped), sorted by relative path;</li>
 *   <li>an image index ({@code blades index} output, recognised by its header line): every entry, readable or not,
 *       under the index's root (as recorded; a relative root is tried against the working directory, then against
 *       the index's folder);</li>
 *   <li>an image file: a name with an image extension, or leading bytes of a JPEG, PNG, BMP or GIF;</li>
 *   <li>any other file: a list, one path per line; blank lines and lines starting with '#' are skipped, relative
 *       paths are relative to the list's folder (so a list travels with its data).</li>
 * </ul>
 * Files named twice are kept once (the first time). Entries that do not exist are still returned: reading them fails
 * per image, so one stale line never stops a run. A command-line argument that does not exist is an error.
 */
public final class ImageInputs {
    private ImageInputs() {
    }

    private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "jpe", "png", "bmp", "gif");

    /**
     * One image to process.
     *
     * @param name how results and messages name it (the path as the user would type it)
     * @param file where it is read from
     */
    public record Item(String name, Path file) {
    }

    /** The images that {@code args} name, in argument order, each argument's images in the order described above. */
    public static List<Item> expand(List<String> args) throws IOException {
        List<Item> out = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (String arg : args) {
            for (Item item : expand(arg)) {
                if (seen.add(item.file().toAbsolutePath().normalize())) {
                    out.add(item);
                }
            }
        }
        return out;
    }

    private static List<Item> expand(String arg) throws IOException {
        Path p = path(arg, arg);
        if (Files.isDirectory(p)) {
            return folder(p, arg);
        }
        if (!Files.isRegularFile(p)) {
            throw new IOException(arg + ": no such file or folder");
        }
        if (hasImageExtension(arg) || new ImageBytes(arg, head(p)).format() != ImageBytes.Format.UNKNOWN) {
            return List.of(new Item(arg, p));
        }
        if (isIndex(p)) {
            return index(p, arg);
        }
        return list(p, arg);
    }

    private static List<Item> folder(Path dir, String name) throws IOException {
        List<String> rel = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) { // no FOLLOW_LINKS: a link cycle cannot trap the walk
            walk.filter(Files::isRegularFile).forEach(f -> {
                if (hasImageExtension(f.getFileName().toString())) {
                    StringBuilder r = new StringBuilder();
                    for (Path part : dir.relativize(f)) {
                        r.append(r.length() == 0 ? "" : "/").append(part);
                    }
                    rel.add(r.toString());
                }
            });
        }
        rel.sort(String::compareTo);
        String prefix = name.endsWith("/") ? name : name + "/";
        List<Item> out = new ArrayList<>();
        for (String r : rel) {
            out.add(new Item(prefix + r, dir.resolve(r)));
        }
        return out;
    }

    private static List<Item> index(Path file, String name) throws IOException {
        ImageIndex index = ImageIndex.read(file);
        String root = index.header().root();
        Path rootPath = path(root, name + " (its root folder)");
        if (!rootPath.isAbsolute() && !Files.isDirectory(rootPath)) {
            Path parent = file.toAbsolutePath().getParent();
            rootPath = parent.resolve(root);
        }
        if (!Files.isDirectory(rootPath)) {
            throw new IOException(name + ": the indexed folder '" + root + "' was found neither from the working "
                    + "directory nor from the index's folder");
        }
        List<Item> out = new ArrayList<>();
        for (IndexEntry e : index.entries()) {
            Path f = rootPath.resolve(e.path());
            out.add(new Item(f.toString(), f));
        }
        return out;
    }

    private static List<Item> list(Path file, String name) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IOException(name + ": neither an image, an image index nor a UTF-8 list of paths", e);
        }
        Path base = file.toAbsolutePath().getParent();
        String shownBase = file.getParent() == null ? "" : file.getParent().toString();
        List<Item> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Path p = path(line, name + " line " + (i + 1));
            if (p.isAbsolute()) {
                out.add(new Item(line, p));
            } else {
                out.add(new Item(shownBase.isEmpty() ? line : Path.of(shownBase).resolve(line).normalize().toString(),
                        base.resolve(line).normalize()));
            }
        }
        return out;
    }

    private static boolean hasImageExtension(String name) {
        String n = name.substring(name.lastIndexOf('/') + 1);
        int dot = n.lastIndexOf('.');
        return dot > 0 && !n.startsWith(".") && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static byte[] head(Path p) throws IOException {
        try (var in = Files.newInputStream(p)) {
            return in.readNBytes(16);
        }
    }

    /** Whether the first line is a blades-index header. */
    private static boolean isIndex(Path p) {
        try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            String first = r.readLine();
            return first != null && first.startsWith("{")
                    && ImageIndex.FORMAT.equals(Json.parseObject(first, "first line").get("format"));
        } catch (IOException | IllegalArgumentException e) {
            return false; // not UTF-8 or not JSON: not an index
        }
    }

    private static Path path(String text, String where) throws IOException {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new IOException(where + ": not a valid path: " + e.getMessage(), e);
        }
    }
}
