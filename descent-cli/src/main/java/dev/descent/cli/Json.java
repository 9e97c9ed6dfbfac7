package dev.descent.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Strict JSON (RFC 8259) for configuration files and metrics lines: a recursive-descent parser and
 * a writer. Objects become {@link LinkedHashMap}s (key order kept, duplicate keys rejected), arrays
 * {@link List}s, numbers {@link Long} when written without fraction or exponent and in range, else
 * {@link Double}; strings, booleans and {@code null} as themselves.
 *
 * <p>Parse errors are {@link IllegalArgumentException}s of one line naming the source, line and
 * column: {@code run.json:3:9: expected ',' or '}' but found '"'}. The writer emits NaN and
 * infinities as {@code null} (JSON has no such numbers).
 */
public final class Json {
    private final String text;
    private final String source;
    private int pos;

    private Json(String text, String source) {
        this.text = text;
        this.source = source;
    }

    /** Parses one JSON value filling all of {@code text}; {@code source} names it in errors. */
    public static Object parse(String text, String source) {
        Json p = new Json(text, source);
        p.skipSpace();
        Object v = p.value(0);
        p.skipSpace();
        if (p.pos < text.length()) throw p.error("unexpected " + p.found() + " after the value");
        return v;
    }

    /** Parses a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text, String source) {
        Object v = parse(text, source);
        if (!(v instanceof Map)) throw new IllegalArgumentException(source + ": expected a JSON object at the top level");
        return (Map<String, Object>) v;
    }

    private Object value(int depth) {
        if (depth > 512) throw error("nesting deeper than 512 levels");
        if (pos >= text.length()) throw error("unexpected end of input");
        char c = text.charAt(pos);
        switch (c) {
            case '{': return object(depth);
            case '[': return array(depth);
            case '"': return string();
            case 't': return literal("true", Boolean.TRUE);
            case 'f': return literal("false", Boolean.FALSE);
            case 'n': return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return number();
                throw error("unexpected " + found());
        }
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        pos++;
        skipSpace();
        if (peek('}')) {
            pos++;
            return m;
        }
        while (true) {
            skipSpace();
            if (!peek('"')) throw error("expected a string key but found " + found());
            int keyAt = pos;
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            if (m.containsKey(key)) {
                pos = keyAt;
                throw error("duplicate key \"" + key + "\"");
            }
            m.put(key, value(depth + 1));
            skipSpace();
            if (peek(',')) {
                pos++;
            } else if (peek('}')) {
                pos++;
                return m;
            } else {
                throw error("expected ',' or '}' but found " + found());
            }
        }
    }

    private List<Object> array(int depth) {
        List<Object> a = new ArrayList<>();
        pos++;
        skipSpace();
        if (peek(']')) {
            pos++;
            return a;
        }
        while (true) {
            skipSpace();
            a.add(value(depth + 1));
            skipSpace();
            if (peek(',')) {
                pos++;
            } else if (peek(']')) {
                pos++;
                return a;
            } else {
                throw error("expected ',' or ']' but found " + found());
            }
        }
    }

    private String string() {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) throw error("unterminated string");
            char c = text.charAt(pos++);
            if (c == '"') return sb.toString();
            if (c < 0x20) {
                pos--;
                throw error("control character in string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) throw error("unterminated string");
            char e = text.charAt(pos++);
            switch (e) {
                case '"': case '\\': case '/': sb.append(e); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case 'u':
                    if (pos + 4 > text.length()) throw error("truncated \\u escape");
                    try {
                        sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                    break;
                default:
                    pos--;
                    throw error("bad escape \\" + e);
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peek('-')) pos++;
        if (peek('0')) {
            pos++;
        } else if (pos < text.length() && text.charAt(pos) >= '1' && text.charAt(pos) <= '9') {
            while (pos < text.length() && isAsciiDigit(text.charAt(pos))) pos++;
        } else {
            throw error("bad number");
        }
        boolean integral = true;
        if (peek('.')) {
            integral = false;
            pos++;
            if (!(pos < text.length() && isAsciiDigit(text.charAt(pos)))) throw error("bad number: digits expected after '.'");
            while (pos < text.length() && isAsciiDigit(text.charAt(pos))) pos++;
        }
        if (peek('e') || peek('E')) {
            integral = false;
            pos++;
            if (peek('+') || peek('-')) pos++;
            if (!(pos < text.length() && isAsciiDigit(text.charAt(pos)))) throw error("bad number: digits expected in exponent");
            while (pos < text.length() && isAsciiDigit(text.charAt(pos))) pos++;
        }
        String s = text.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                // Beyond the long range: fall through to a double.
            }
        }
        return Double.parseDouble(s);
    }

    /** JSON's digits are ASCII only ({@link Character#isDigit} would also accept e.g. Arabic-Indic digits). */
    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) throw error("unexpected " + found());
        pos += word.length();
        return value;
    }

    private boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private void expect(char c) {
        if (!peek(c)) throw error("expected '" + c + "' but found " + found());
        pos++;
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            pos++;
        }
    }

    private String found() {
        if (pos >= text.length()) return "end of input";
        int cp = text.codePointAt(pos);
        return cp < 0x20 ? String.format("U+%04X", cp) : "'" + new String(Character.toChars(cp)) + "'";
    }

    private IllegalArgumentException error(String message) {
        int line = 1, col = 1;
        for (int i = 0; i < Math.min(pos, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new IllegalArgumentException(source + ":" + line + ":" + col + ": " + message);
    }

    // ---------------------------------------------------------------- writing

    /** Compact JSON of maps (string keys), lists, strings, numbers, booleans and null. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, -1, 0);
        return sb.toString();
    }

    /** Indented JSON (two spaces), for files people read. */
    public static String writePretty(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 2, 0);
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, Object v, int indent, int level) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            quote(sb, s);
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            sb.append(v);
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) sb.append("null");
            else if (d == Math.rint(d) && Math.abs(d) < 1e15) sb.append((long) d).append(".0"); // stays a double when read back
            else sb.append(Double.toString(d));
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String k)) throw new IllegalArgumentException("Json.write: map key " + e.getKey() + " is not a string");
                if (i++ > 0) sb.append(',');
                newline(sb, indent, level + 1);
                quote(sb, k);
                sb.append(indent < 0 ? ":" : ": ");
                write(sb, e.getValue(), indent, level + 1);
            }
            if (i > 0) newline(sb, indent, level);
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) sb.append(indent < 0 ? "," : ", ");
                write(sb, l.get(i), indent, level + 1);
            }
            sb.append(']');
        } else if (v instanceof double[] a) {
            List<Object> l = new ArrayList<>();
            for (double d : a) l.add(d);
            write(sb, l, indent, level);
        } else {
            throw new IllegalArgumentException("Json.write: cannot write a " + v.getClass().getSimpleName());
        }
    }

    private static void newline(StringBuilder sb, int indent, int level) {
        if (indent < 0) return;
        sb.append('\n').append(" ".repeat(indent * level));
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
