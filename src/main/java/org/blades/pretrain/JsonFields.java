package org.blades.pretrain;

import java.util.List;
import java.util.Map;

/** Typed reads of parsed JSON objects (org.blades.io.Json values) whose failures name the missing or odd field. */
final class JsonFields {
    private JsonFields() {
    }

    static Object get(Map<String, Object> json, String key) {
        if (!json.containsKey(key)) {
            throw new IllegalArgumentException("JSON: field '" + key + "' is missing in " + json.keySet());
        }
        return json.get(key);
    }

    /** A number (integers are read as Long by the parser, and accepted here too). */
    static double number(Map<String, Object> json, String key) {
        if (get(json, key) instanceof Number n) {
            return n.doubleValue();
        }
        throw odd(json, key, "a number");
    }

    static long integer(Map<String, Object> json, String key) {
        if (get(json, key) instanceof Long n) {
            return n;
        }
        throw odd(json, key, "an integer");
    }

    static boolean bool(Map<String, Object> json, String key) {
        if (get(json, key) instanceof Boolean b) {
            return b;
        }
        throw odd(json, key, "true or false");
    }

    static String string(Map<String, Object> json, String key) {
        if (get(json, key) instanceof String s) {
            return s;
        }
        throw odd(json, key, "a string");
    }

    static List<?> list(Map<String, Object> json, String key) {
        if (get(json, key) instanceof List<?> l) {
            return l;
        }
        throw odd(json, key, "a list");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Map<String, Object> json, String key) {
        if (get(json, key) instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw odd(json, key, "an object");
    }

    private static IllegalArgumentException odd(Map<String, Object> json, String key, String expected) {
        return new IllegalArgumentException("JSON: field '" + key + "' must be " + expected + ", got "
                + json.get(key));
    }
}
