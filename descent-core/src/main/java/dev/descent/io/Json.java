package dev.descent.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The project's one JSON (RFC 8259) parser and writer: checkpoint headers, run configurations,
 * metrics lines and benchmark records. Values are read either as a {@link Value} tree
 * ({@link #parse(String)}) or as plain Java objects ({@link #parse(String, String)}: maps, lists,
 * {@link Long}, {@link Double}, strings, booleans, null); plain Java objects are written compactly
 * ({@link #writeObject}), on one spaced line ({@link #writeLine}) or indented ({@link #writePretty}).
 *
 * <p>Strict means: exactly one value with only JSON whitespace around it; no comments, trailing
 * commas, single quotes, NaN/Infinity, leading zeros or raw control characters in strings;
 * escaped lone surrogates are rejected; duplicate object keys are rejected (RFC 8259 leaves them
 * undefined, and in a checkpoint header they would let two tensors share a name); nesting deeper
 * than {@link #MAX_DEPTH} is rejected so that hostile input cannot exhaust the stack. Errors are
 * {@link IllegalArgumentException}s naming the character offset, or with a source name the
 * source, line and column ({@code run.json:3:9: expected ',' or '}' in object, got '"'}).
 *
 * <p>Numbers keep their source text ({@link Num}), so integers of any size are read exactly
 * ({@link Num#longValueExact()}) and nothing is lost to a float64 round trip. Objects keep their
 * member order.
 */
public final class Json {
    private Json() {}

    /** The deepest nesting of arrays and objects {@link #parse} accepts. */
    public static final int MAX_DEPTH = 64;

    /** A JSON value. */
    public sealed interface Value permits Obj, Arr, Str, Num, Bool, Null {}

    /** An object; members in source (or insertion) order, unmodifiable. */
    public record Obj(Map<String, Value> members) implements Value {
        /** Copies {@code members}, keeping their order. */
        public Obj {
            members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
        }

        /** The member called {@code key}, or null. */
        public Value get(String key) {
            return members.get(key);
        }
    }

    /** An array, unmodifiable. */
    public record Arr(List<Value> items) implements Value {
        /** Copies {@code items}. */
        public Arr {
            items = List.copyOf(items);
        }
    }

    /** A string. */
    public record Str(String value) implements Value {
        /** Requires a non-null value. */
        public Str {
            if (value == null) throw new IllegalArgumentException("json: string value is null");
        }
    }

    /** A number, kept as its JSON text. */
    public record Num(String text) implements Value {
        /** Validates the text against the JSON number grammar. */
        public Num {
            if (text == null || numberEnd(text, 0) != text.length()) {
                throw new IllegalArgumentException("json: '" + text + "' is not a JSON number");
            }
        }

        /** The number of a long. */
        public static Num of(long v) {
            return new Num(Long.toString(v));
        }

        /** The number of a finite double (shortest representation that reads back exactly). */
        public static Num of(double v) {
            if (!Double.isFinite(v)) throw new IllegalArgumentException("json: " + v + " is not a JSON number");
            return new Num(Double.toString(v).replace("E", "e"));
        }

        /** Whether the text is an integer literal (no fraction, no exponent). */
        public boolean isInteger() {
            return text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0;
        }

        /**
         * The value as a long.
         *
         * @throws IllegalArgumentException if the text is not an integer literal or does not fit a long
         */
        public long longValueExact() {
            if (!isInteger()) throw new IllegalArgumentException("json: " + text + " is not an integer");
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("json: integer " + abbreviate(text) + " does not fit 64 bits");
            }
        }

        /** The value as the nearest double. */
        public double doubleValue() {
            return Double.parseDouble(text);
        }
    }

    /** true or false. */
    public record Bool(boolean value) implements Value {}

    /** null. */
    public enum Null implements Value {
        /** The JSON null. */
        NULL
    }

    // ------------------------------------------------------------------ parsing

    /**
     * Parses one JSON value.
     *
     * @throws IllegalArgumentException naming the offset of the first violation
     */
    public static Value parse(String text) {
        Parser p = new Parser(text);
        p.skipWhitespace();
        Value v = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) throw p.error("unexpected " + p.describe() + " after the value");
        return v;
    }

    /**
     * Parses one JSON value into plain Java objects: objects as {@link LinkedHashMap}s (member
     * order kept), arrays as {@link List}s, integer literals that fit as {@link Long}, other
     * numbers as {@link Double}, strings, booleans and null.
     *
     * @param source names the text in errors
     * @throws IllegalArgumentException {@code SOURCE:LINE:COLUMN: what is wrong}
     */
    public static Object parse(String text, String source) {
        try {
            return toJava(parse(text));
        } catch (ParseError e) {
            int line = 1, col = 1;
            for (int i = 0; i < Math.min(e.offset, text.length()); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            throw new IllegalArgumentException(source + ":" + line + ":" + col + ": " + e.what, e);
        }
    }

    /**
     * Parses a JSON object into plain Java objects (see {@link #parse(String, String)}).
     *
     * @throws IllegalArgumentException for malformed JSON or a value other than an object, naming {@code source}
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text, String source) {
        Object v = parse(text, source);
        if (!(v instanceof Map)) throw new IllegalArgumentException(source + ": expected a JSON object at the top level");
        return (Map<String, Object>) v;
    }

    /** A value as plain Java objects (see {@link #parse(String, String)}). */
    public static Object toJava(Value v) {
        if (v instanceof Obj o) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<String, Value> e : o.members().entrySet()) m.put(e.getKey(), toJava(e.getValue()));
            return m;
        }
        if (v instanceof Arr a) {
            List<Object> l = new ArrayList<>(a.items().size());
            for (Value x : a.items()) l.add(toJava(x));
            return l;
        }
        if (v instanceof Str str) return str.value();
        if (v instanceof Bool b) return b.value();
        if (v instanceof Num n) {
            if (n.isInteger()) {
                try {
                    return Long.parseLong(n.text());
                } catch (NumberFormatException e) {
                    return n.doubleValue(); // beyond 64 bits: the nearest double
                }
            }
            return n.doubleValue();
        }
        return null;
    }

    /** A parse error at a character offset. */
    private static final class ParseError extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        final int offset;
        final String what;

        ParseError(int offset, String what) {
            super("invalid JSON at offset " + offset + ": " + what);
            this.offset = offset;
            this.what = what;
        }
    }

    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String what) {
            return new ParseError(pos, what);
        }

        String describe() {
            if (pos >= s.length()) return "end of input";
            char c = s.charAt(pos);
            return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("character U+%04X", (int) c);
        }

        void skipWhitespace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
                pos++;
            }
        }

        Value value(int depth) {
            if (pos >= s.length()) throw error("expected a value, got end of input");
            char c = s.charAt(pos);
            switch (c) {
                case '{': return object(depth + 1);
                case '[': return array(depth + 1);
                case '"': return new Str(string());
                case 't': literal("true"); return new Bool(true);
                case 'f': literal("false"); return new Bool(false);
                case 'n': literal("null"); return Null.NULL;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        int end = numberEnd(s, pos);
                        if (end < 0) throw error("malformed number");
                        Num n = new Num(s.substring(pos, end));
                        pos = end;
                        return n;
                    }
                    throw error("expected a value, got " + describe());
            }
        }

        void literal(String word) {
            if (!s.startsWith(word, pos)) throw error("expected '" + word + "'");
            pos += word.length();
        }

        Obj object(int depth) {
            if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
            pos++;
            LinkedHashMap<String, Value> m = new LinkedHashMap<>();
            skipWhitespace();
            if (pos < s.length() && s.charAt(pos) == '}') {
                pos++;
                return new Obj(m);
            }
            while (true) {
                skipWhitespace();
                if (pos >= s.length() || s.charAt(pos) != '"') throw error("expected a string key, got " + describe());
                int keyAt = pos;
                String key = string();
                skipWhitespace();
                if (pos >= s.length() || s.charAt(pos) != ':') throw error("expected ':' after key, got " + describe());
                pos++;
                skipWhitespace();
                Value v = value(depth);
                if (m.putIfAbsent(key, v) != null) {
                    pos = keyAt;
                    throw error("duplicate key \"" + abbreviate(key) + "\"");
                }
                skipWhitespace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                if (pos < s.length() && s.charAt(pos) == '}') {
                    pos++;
                    return new Obj(m);
                }
                throw error("expected ',' or '}' in object, got " + describe());
            }
        }

        Arr array(int depth) {
            if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
            pos++;
            List<Value> items = new ArrayList<>();
            skipWhitespace();
            if (pos < s.length() && s.charAt(pos) == ']') {
                pos++;
                return new Arr(items);
            }
            while (true) {
                skipWhitespace();
                items.add(value(depth));
                skipWhitespace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                if (pos < s.length() && s.charAt(pos) == ']') {
                    pos++;
                    return new Arr(items);
                }
                throw error("expected ',' or ']' in array, got " + describe());
            }
        }

        String string() {
            pos++; // opening quote
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) throw error("unterminated string");
                char c = s.charAt(pos);
                if (c == '"') {
                    pos++;
                    return sb.toString();
                }
                if (c < 0x20) throw error("raw control character U+" + String.format("%04X", (int) c) + " in string");
                if (c != '\\') {
                    if (Character.isHighSurrogate(c) && pos + 1 < s.length() && Character.isLowSurrogate(s.charAt(pos + 1))) {
                        sb.append(c).append(s.charAt(pos + 1));
                        pos += 2;
                        continue;
                    }
                    if (Character.isSurrogate(c)) throw error("unpaired surrogate U+" + hex(c) + " in string");
                    sb.append(c);
                    pos++;
                    continue;
                }
                pos++;
                if (pos >= s.length()) throw error("unterminated escape");
                char e = s.charAt(pos++);
                switch (e) {
                    case '"': sb.append('"'); break;
                    case '\\': sb.append('\\'); break;
                    case '/': sb.append('/'); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'n': sb.append('\n'); break;
                    case 'r': sb.append('\r'); break;
                    case 't': sb.append('\t'); break;
                    case 'u': {
                        char u = hex4();
                        if (Character.isHighSurrogate(u)) {
                            if (!s.startsWith("\\u", pos)) throw error("high surrogate \\u" + hex(u) + " without its low surrogate");
                            pos += 2;
                            char low = hex4();
                            if (!Character.isLowSurrogate(low)) throw error("high surrogate \\u" + hex(u) + " followed by \\u" + hex(low));
                            sb.append(u).append(low);
                        } else if (Character.isLowSurrogate(u)) {
                            throw error("lone low surrogate \\u" + hex(u));
                        } else {
                            sb.append(u);
                        }
                        break;
                    }
                    default:
                        pos--;
                        throw error("invalid escape '\\" + e + "'");
                }
            }
        }

        char hex4() {
            if (pos + 4 > s.length()) throw error("truncated \\u escape");
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(s.charAt(pos + i), 16);
                if (d < 0) throw error("invalid hex digit in \\u escape");
                v = v * 16 + d;
            }
            pos += 4;
            return (char) v;
        }

        static String hex(char c) {
            return String.format("%04X", (int) c);
        }
    }

    /**
     * The end of the JSON number starting at {@code start}: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?,
     * or −1 if none starts there.
     */
    static int numberEnd(String s, int start) {
        int i = start, n = s.length();
        if (i < n && s.charAt(i) == '-') i++;
        if (i >= n) return -1;
        if (s.charAt(i) == '0') {
            i++;
        } else if (s.charAt(i) >= '1' && s.charAt(i) <= '9') {
            while (i < n && isDigit(s.charAt(i))) i++;
        } else {
            return -1;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            int digits = i;
            while (i < n && isDigit(s.charAt(i))) i++;
            if (i == digits) return -1;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
            int digits = i;
            while (i < n && isDigit(s.charAt(i))) i++;
            if (i == digits) return -1;
        }
        // A digit right after "0" (a leading zero) is not part of any valid number.
        if (i < n && isDigit(s.charAt(i))) return -1;
        return i;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    // ------------------------------------------------------------------ writing

    /** The compact JSON text of {@code v}. */
    public static String write(Value v) {
        StringBuilder sb = new StringBuilder();
        write(v, sb);
        return sb.toString();
    }

    private static void write(Value v, StringBuilder sb) {
        if (v instanceof Obj) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, Value> e : ((Obj) v).members().entrySet()) {
                if (!first) sb.append(',');
                first = false;
                quote(e.getKey(), sb);
                sb.append(':');
                write(e.getValue(), sb);
            }
            sb.append('}');
        } else if (v instanceof Arr) {
            sb.append('[');
            List<Value> items = ((Arr) v).items();
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) sb.append(',');
                write(items.get(i), sb);
            }
            sb.append(']');
        } else if (v instanceof Str) {
            quote(((Str) v).value(), sb);
        } else if (v instanceof Num) {
            sb.append(((Num) v).text());
        } else if (v instanceof Bool) {
            sb.append(((Bool) v).value());
        } else {
            sb.append("null");
        }
    }

    /**
     * The compact JSON text of a plain Java value: {@link Map} (string keys, in iteration
     * order), {@link Iterable}, {@code Object[]}, {@code double[]}/{@code int[]}/{@code long[]}, {@link Number},
     * {@link Boolean}, {@link CharSequence}, {@link Enum} (its name), a {@link Value}, or null.
     * JSON has no NaN or infinity: non-finite numbers are written as null. Anything else is an
     * {@link IllegalArgumentException} naming its class.
     */
    public static String writeObject(Object o) {
        StringBuilder sb = new StringBuilder();
        writeObject(o, sb);
        return sb.toString();
    }

    /**
     * {@link #writeObject} on one line with a space after each {@code ,} and {@code :} (the
     * layout of Python's {@code json.dumps}), for records people read line by line.
     */
    public static String writeLine(Object o) {
        StringBuilder sb = new StringBuilder();
        writeObject(o, sb, Layout.LINE, 0);
        return sb.toString();
    }

    /** {@link #writeObject} indented by two spaces per level, with a final newline, for files people read. */
    public static String writePretty(Object o) {
        StringBuilder sb = new StringBuilder();
        writeObject(o, sb, Layout.PRETTY, 0);
        return sb.append('\n').toString();
    }

    private enum Layout { COMPACT, LINE, PRETTY }

    private static void writeObject(Object o, StringBuilder sb) {
        writeObject(o, sb, Layout.COMPACT, 0);
    }

    private static void separator(StringBuilder sb, Layout layout, int level, boolean first, boolean member) {
        if (!first) sb.append(layout == Layout.COMPACT || (layout == Layout.PRETTY && member) ? "," : ", ");
        if (layout == Layout.PRETTY && member) sb.append('\n').append("  ".repeat(level));
    }

    private static void writeObject(Object o, StringBuilder sb, Layout layout, int level) {
        if (o == null) {
            sb.append("null");
        } else if (o instanceof Value) {
            write((Value) o, sb);
        } else if (o instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                separator(sb, layout, level + 1, first, true);
                first = false;
                quote(String.valueOf(e.getKey()), sb);
                sb.append(layout == Layout.COMPACT ? ":" : ": ");
                writeObject(e.getValue(), sb, layout, level + 1);
            }
            if (layout == Layout.PRETTY && !first) sb.append('\n').append("  ".repeat(level));
            sb.append('}');
        } else if (o instanceof Iterable) {
            sb.append('[');
            boolean first = true;
            for (Object x : (Iterable<?>) o) {
                separator(sb, layout, level + 1, first, false);
                first = false;
                writeObject(x, sb, layout, level + 1);
            }
            sb.append(']');
        } else if (o instanceof double[]) {
            double[] a = (double[]) o;
            sb.append('[');
            for (int i = 0; i < a.length; i++) {
                separator(sb, layout, level + 1, i == 0, false);
                number(a[i], sb);
            }
            sb.append(']');
        } else if (o instanceof Object[]) {
            writeObject(java.util.Arrays.asList((Object[]) o), sb, layout, level);
        } else if (o instanceof int[] || o instanceof long[]) {
            String t = o instanceof int[] ? java.util.Arrays.toString((int[]) o) : java.util.Arrays.toString((long[]) o);
            sb.append(layout == Layout.COMPACT ? t.replace(" ", "") : t);
        } else if (o instanceof Double || o instanceof Float) {
            number(((Number) o).doubleValue(), sb);
        } else if (o instanceof Number || o instanceof Boolean) {
            sb.append(o);
        } else if (o instanceof CharSequence) {
            quote(o.toString(), sb);
        } else if (o instanceof Enum) {
            quote(((Enum<?>) o).name(), sb);
        } else {
            throw new IllegalArgumentException("json: cannot write a " + o.getClass().getName());
        }
    }

    /** Shortest round-trip decimal of a finite double ({@link Double#toString}: "1.0", "2.5E-7"), null otherwise. */
    private static void number(double d, StringBuilder sb) {
        sb.append(Double.isFinite(d) ? Double.toString(d) : "null");
    }

    /** Appends {@code s} as a JSON string literal. */
    static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                default:
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
            }
        }
        sb.append('"');
    }
}
