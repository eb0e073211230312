package org.blades.report;

/**
 * Pieces of self-contained HTML pages. Pages are written as XHTML-compatible HTML5 (every element closed, only the
 * five XML entities), so both browsers and an XML parser read them, and inline SVG needs no special treatment.
 */
public final class Html {
    private Html() {
    }

    /** Escapes text for element content and attribute values: &amp; &lt; &gt; &quot; &#39;. */
    public static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    // XML 1.0 forbids most control characters even as references; a file name may hold one.
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
                        sb.append('?');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /**
     * A whole page: doctype, UTF-8, the given title, a small inline stylesheet, then {@code body} (already HTML).
     */
    public static String page(String title, String body) {
        return "<!DOCTYPE html>\n"
                + "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                + "<title>" + escape(title) + "</title>\n<style>\n" + STYLE + "</style>\n</head>\n<body>\n" + body
                + "</body>\n</html>\n";
    }

    private static final String STYLE = String.join("\n",
            "body { font-family: sans-serif; margin: 2em; color: #222; max-width: 72em; }",
            "h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.5em; }",
            "table { border-collapse: collapse; margin: 0.5em 0; }",
            "th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }",
            "th { background: #f2f2f2; } td.l, th.l { text-align: left; }",
            "tr.mean td { font-weight: bold; border-top: 2px solid #888; }",
            ".warn { background: #fff4e0; border-left: 4px solid #e69500; padding: 0.4em 0.8em; margin: 0.4em 0; }",
            ".charts { display: flex; flex-wrap: wrap; gap: 1em; }",
            "code, .mono { font-family: monospace; font-size: 0.9em; }",
            "");
}
