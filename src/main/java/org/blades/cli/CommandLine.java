package org.blades.cli;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed command line: options with values ({@code --out FILE} or {@code --out=FILE}), switches
 * ({@code --no-reuse}), positional arguments, and {@code --help}/{@code -h}. Everything after {@code --} is
 * positional. Every mistake is a {@link UsageException} with one line that names the option and what it expects.
 */
final class CommandLine {
    private final Map<String, List<String>> values;
    private final Set<String> switches;
    private final List<String> positional;
    private final boolean help;

    private CommandLine(Map<String, List<String>> values, Set<String> switches, List<String> positional, boolean help) {
        this.values = values;
        this.switches = switches;
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
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException(name + " needs a value");
                    }
                    value = args[++i];
                }
                values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else if (!help) {
                throw new UsageException("unknown option '" + arg + "'");
            }
        }
        return new CommandLine(values, switches, positional, help);
    }

    boolean help() {
        return help;
    }

    List<String> positional() {
        return positional;
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
        String v = get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int x = Integer.parseInt(v);
            if (x < min || x > max) {
                throw new NumberFormatException();
            }
            return x;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " expects an integer in [" + min + ", " + max + "], got '" + v + "'");
        }
    }

    long longValue(String name, long fallback) {
        String v = get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " expects an integer, got '" + v + "'");
        }
    }

    /** A number in [min, max) when {@code maxExclusive}, else [min, max]. */
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
            throw new UsageException(name + " expects a number in [" + min + ", " + max + (maxExclusive ? ")" : "]")
                    + ", got '" + v + "'");
        }
        return x;
    }

    /** An existing regular file named by {@code text}; {@code what} names it in the message. */
    static Path existingFile(String text, String what) {
        Path p = path(text, what);
        if (!Files.isRegularFile(p)) {
            throw new UsageException(what + " " + text + (Files.isDirectory(p) ? " is a folder, not a file"
                    : ": no such file"));
        }
        return p;
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
