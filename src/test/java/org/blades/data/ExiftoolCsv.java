package org.blades.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * exiftool's {@code -csv} output (RFC 4180 quoting) as rows keyed by column name, plus the comparison rules that
 * turn "equals exiftool" into code.
 *
 * <p>exiftool's numeric conventions ({@code -n}): a RATIONAL is printed as num/den rounded to 10 significant
 * digits (Image::ExifTool::GetRational64u → RoundFloat(x, 10)); integers are printed exactly; ApertureValue is
 * converted as 2**(Av/2) from the already rounded Av and printed with Perl's 15 significant digits.
 */
final class ExiftoolCsv {
    private ExiftoolCsv() {
    }

    /** All rows; the header is the line starting with {@code headerStart} wherever it is (exiftool sorts it last). */
    static List<Map<String, String>> read(Path csv, String headerStart) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv, e);
        }
        List<String> header = null;
        for (String l : lines) {
            if (l.startsWith(headerStart)) {
                header = fields(l);
            }
        }
        if (header == null) {
            throw new AssertionError(csv + ": no header line starting with " + headerStart);
        }
        List<Map<String, String>> rows = new ArrayList<>();
        for (String l : lines) {
            if (l.isEmpty() || l.startsWith(headerStart)) {
                continue;
            }
            List<String> f = fields(l);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), i < f.size() ? f.get(i) : "");
            }
            rows.add(row);
        }
        return rows;
    }

    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    sb.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    sb.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(sb.toString());
                sb.setLength(0);
            } else {
                sb.append(c);
            }
        }
        out.add(sb.toString());
        return out;
    }

    /** Our double as exiftool prints a rational: rounded half-even (as C's printf) to 10 significant digits. */
    static boolean equalsRational(String exiftool, Double ours) {
        if (exiftool.isEmpty() || ours == null) {
            return exiftool.isEmpty() && ours == null;
        }
        BigDecimal rounded = new BigDecimal(ours).round(new MathContext(10, RoundingMode.HALF_EVEN));
        return rounded.compareTo(new BigDecimal(exiftool)) == 0;
    }

    /**
     * An f-number converted from APEX. exiftool rounds Av to 10 digits before 2**(Av/2); we convert the exact
     * rational. The two differ by at most |d(2^(Av/2))/dAv| * 5e-10 * |Av| relative, below 1e-9 for any real lens.
     */
    static boolean equalsApexAperture(String exiftool, Double ours) {
        if (exiftool.isEmpty() || ours == null) {
            return exiftool.isEmpty() && ours == null;
        }
        double e = Double.parseDouble(exiftool);
        return Math.abs(ours - e) <= 1e-9 * Math.abs(e);
    }

    static boolean equalsInteger(String exiftool, Number ours) {
        if (exiftool.isEmpty() || ours == null) {
            return exiftool.isEmpty() && ours == null;
        }
        return new BigDecimal(exiftool).compareTo(new BigDecimal(ours.toString())) == 0;
    }

    static boolean equalsText(String exiftool, String ours) {
        return exiftool.isEmpty() ? ours == null : exiftool.equals(ours);
    }
}
