package org.blades.cli;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed command line: options with values ({@code --out FILE} or {@code --out=FILE}), switches
 * ({@code --no-reuse}), positional arguments, and {@code --help}/{@code -h}. Everything after {@code --} is
 * positional. Every mistake is a {@link UsageException} with one line that names the option and what it expects:
 * "--workers expects an integer in [1, 256], got 'x'" both for text that is no integer and for one out of range.
 */
final class CommandLine {
    private final Map<String, List<String>> values;
    private final Set<String> switches;
    private final Set<String> given;
    private final List<String> positional;
    private final boolean help;

    private CommandLine(Map<String, List<String>> values, Set<String> switches, Set<String> given,
                        List<String> positional, boolean help) {
        this.values = values;
        this.switches = switches;
        this.given = given;
        this.positional = positional;
        this.help = help;
    }

    /**
     * @param valued   options that take a value
     * @param flags    options that take none
     */
    static CommandLine parse(String[] args, Set<String> valued, Set<String> flags) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        Set<String> switches = new java.util.HashSet<>();
        Set<String> given = new LinkedHashSet<>();
        List<String> positional = new ArrayList<>();
        boolean help = false;
        boolean optionsEnded = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
                positional.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                optionsEnded = true;
                continue;
            }
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw new UsageException(name + " takes no value, got '" + arg + "'");
                }
                switches.add(name);
                given.add(name);
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException(name + " needs a value");
                    }
                    value = args[++i];
                }
                values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                given.add(name);
            } else if (!help) {
                throw new UsageException("unknown option '" + arg + "'");
            }
        }
        return new CommandLine(values, switches, given, positional, help);
    }

    boolean help() {
        return help;
    }

    List<String> positional() {
        return positional;
    }

    /** For commands that take options only. */
    void noPositional() {
        if (!positional.isEmpty()) {
            throw new UsageException("unexpected argument '" + positional.get(0) + "'");
        }
    }

    /** The options given, switches and valued alike, each once, in the order they first appear. */
    Set<String> given() {
        return given;
    }

    boolean flag(String name) {
        return switches.contains(name);
    }

    /** Every value of a repeatable option, in order. */
    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    /** The value of a single-valued option, or null; giving it twice is an error (which one was meant?). */
    String get(String name) {
        List<String> v = values.get(name);
        if (v == null) {
            return null;
        }
        if (v.size() > 1) {
            throw new UsageException(name + " given " + v.size() + " times ('" + String.join("', '", v) + "')");
        }
        return v.get(0);
    }

    String require(String name, String what) {
        String v = get(name);
        if (v == null) {
            throw new UsageException(name + " " + what + " is required");
        }
        return v;
    }

    int integer(String name, int fallback, int min, int max) {
        return (int) longValue(name, fallback, min, max);
    }

    long longValue(String name, long fallback) {
        return longValue(name, fallback, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** An integer in [min, max]; {@code Long.MAX_VALUE} as max means no upper bound. */
    long longValue(String name, long fallback, long min, long max) {
        String v = get(name);
        if (v == null) {
            return fallback;
        }
        try {
            long x = Long.parseLong(v);
            if (x < min || x > max) {
                throw new NumberFormatException();
            }
            return x;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " expects " + integerRange(min, max) + ", got '" + v + "'");
        }
    }

    /**
     * A number in [min, max) when {@code maxExclusive}, else [min, max]. {@code Double.MIN_VALUE} as min means
     * "greater than 0"; {@code Double.MAX_VALUE} as max means any finite number, {@code Double.POSITIVE_INFINITY}
     * any number at all.
     */
    double number(String name, double fallback, double min, double max, boolean maxExclusive) {
        String v = get(name);
        if (v == null) {
            return fallback;
        }
        double x;
        try {
            x = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            x = Double.NaN;
        }
        if (!(x >= min && (maxExclusive ? x < max : x <= max))) {
            throw new UsageException(name + " expects " + numberRange(min, max, maxExclusive) + ", got '" + v + "'");
        }
        return x;
    }

    /**
     * The value of an option that takes one of a few words, as what that word stands for; {@code fallback} when the
     * option is absent.
     */
    <T> T choice(String name, T fallback, Map<String, T> meanings) {
        String v = get(name);
        if (v == null) {
            return fallback;
        }
        T meaning = meanings.get(v);
        if (meaning == null) {
            throw new UsageException(name + " expects " + alternatives(meanings.keySet()) + ", got '" + v + "'");
        }
        return meaning;
    }

    /** The value of an option naming an existing regular file, or null when the option is absent. */
    Path file(String name) {
        String v = get(name);
        return v == null ? null : existingFile(v, name);
    }

    /** The value of an option naming an existing folder, or null when the option is absent. */
    Path folder(String name) {
        String v = get(name);
        return v == null ? null : existingFolder(v, name);
    }

    /** "a positive integer", "an integer >= 0", "an integer in [1, 256]". */
    private static String integerRange(long min, long max) {
        if (max == Long.MAX_VALUE && min == Long.MIN_VALUE) {
            return "an integer";
        }
        if (max == Long.MAX_VALUE) {
            return min == 1 ? "a positive integer" : "an integer >= " + min;
        }
        return "an integer in [" + min + ", " + max + "]";
    }

    /** "a positive finite number", "a number >= 0", "a number in (0, 1]". */
    private static String numberRange(double min, double max, boolean maxExclusive) {
        if (max == Double.MAX_VALUE || max == Double.POSITIVE_INFINITY) {
            String finite = max == Double.MAX_VALUE || maxExclusive ? "finite " : "";
            return min == Double.MIN_VALUE ? "a positive " + finite + "number" : "a " + finite + "number >= "
                    + decimal(min);
        }
        return "a number in " + (min == Double.MIN_VALUE ? "(0" : "[" + decimal(min)) + ", " + decimal(max)
                + (maxExclusive ? ")" : "]");
    }

    /** 1 rather than 1.0, 0.05 as it is. */
    private static String decimal(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
    }

    /** "a or b", "a, b or c", sorted so that the message does not depend on a map's order. */
    private static String alternatives(Collection<String> words) {
        List<String> sorted = new ArrayList<>(words);
        sorted.sort(null);
        int last = sorted.size() - 1;
        return last == 0 ? sorted.get(0) : String.join(", ", sorted.subList(0, last)) + " or " + sorted.get(last);
    }

    /** An existing regular file named by {@code text}; {@code what} names it in the message. */
    static Path existingFile(String text, String what) {
        return existingOfKind(text, what, false);
    }

    /** An existing folder named by {@code text}. */
    static Path existingFolder(String text, String what) {
        return existingOfKind(text, what, true);
    }

    private static Path existingOfKind(String text, String what, boolean folder) {
        Path p = path(text, what);
        if (folder ? Files.isDirectory(p) : Files.isRegularFile(p)) {
            return p;
        }
        String problem = folder ? (Files.exists(p) ? " is a file, not a folder" : ": no such folder")
                : (Files.isDirectory(p) ? " is a folder, not a file" : ": no such file");
        throw new UsageException(what + " " + text + problem);
    }

    /** An existing file or folder. */
    static Path existing(String text, String what) {
        Path p = path(text, what);
        if (!Files.exists(p)) {
            throw new UsageException(what + " " + text + ": no such file or folder");
        }
        return p;
    }

    static Path path(String text, String what) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new UsageException(what + " '" + text + "' is not a valid path");
        }
    }

    static Set<String> set(String... names) {
        return Set.of(names);
    }
}
