package dev.descent.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The strict JSON parser and writer. */
class JsonTest {
    @Test
    void parsesEveryKindOfValueAndWritesItBack() {
        String text = "{\"a\":[1,-2.5e-3,0,true,false,null],\"b\":{\"nested\":\"x\\\"y\\\\z\\n\\u00e9\\ud83d\\ude00\"},\"c\":\"\"}";
        Json.Value v = Json.parse(text);
        assertEquals(text.replace("\\u00e9", "é").replace("\\ud83d\\ude00", "😀"), Json.write(v));
        Json.Obj o = (Json.Obj) v;
        assertEquals(List.of("a", "b", "c"), List.copyOf(o.members().keySet()));
        Json.Arr a = (Json.Arr) o.get("a");
        assertEquals(1, ((Json.Num) a.items().get(0)).longValueExact());
        assertEquals(-2.5e-3, ((Json.Num) a.items().get(1)).doubleValue(), 0);
        assertEquals(Json.Null.NULL, a.items().get(5));
        assertEquals("x\"y\\z\né😀", ((Json.Str) ((Json.Obj) o.get("b")).get("nested")).value());
        assertEquals(Json.parse(Json.write(v)), v);
        // Whitespace around tokens is allowed; control characters are escaped on output.
        assertEquals("[\"\\u0001\\t\"]", Json.write(Json.parse(" [ \"\\u0001\\t\" ] \n")));
    }

    @Test
    void integersAreExactAtAnySize() {
        assertEquals(Long.MAX_VALUE, ((Json.Num) Json.parse("9223372036854775807")).longValueExact());
        assertEquals(Long.MIN_VALUE, ((Json.Num) Json.parse("-9223372036854775808")).longValueExact());
        Json.Num big = (Json.Num) Json.parse("18446744073709551616");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, big::longValueExact);
        assertTrue(e.getMessage().contains("does not fit 64 bits"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ((Json.Num) Json.parse("1.0")).longValueExact());
        assertEquals("1.0e-300", Json.Num.of(1e-300).text());
        assertThrows(IllegalArgumentException.class, () -> Json.Num.of(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new Json.Num("01"));
    }

    @Test
    void rejectsWhatRfc8259DoesNotAllow() {
        String[][] cases = {
            {"", "expected a value"},
            {"{\"a\":1,}", "expected a string key"},
            {"[1,]", "expected a value"},
            {"[01]", "malformed number"},
            {"[1.]", "malformed number"},
            {"[-]", "malformed number"},
            {"NaN", "expected a value"},
            {"{'a':1}", "expected a string key"},
            {"{\"a\":1} x", "unexpected 'x' after the value"},
            {"{\"a\":1 /* c */}", "expected ',' or '}'"},
            {"{\"a\":1,\"a\":2}", "duplicate key \"a\""},
            {"\"tab\there\"", "raw control character U+0009"},
            {"\"\\x\"", "invalid escape"},
            {"\"\\ud800\"", "without its low surrogate"},
            {"\"\\udc00\"", "lone low surrogate"},
            {"\"abc", "unterminated string"},
            {"[tru]", "expected 'true'"},
            {"\"\ud800x\"", "unpaired surrogate"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(c[0]), c[0]);
            assertTrue(e.getMessage().startsWith("invalid JSON at offset "), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void nestingIsBounded() {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Json.parse(ok);
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("nesting deeper than " + Json.MAX_DEPTH), e.getMessage());
    }

    @Test
    void objectsKeepInsertionOrderAndAreImmutable() {
        LinkedHashMap<String, Json.Value> m = new LinkedHashMap<>();
        m.put("z", new Json.Bool(true));
        m.put("a", Json.Num.of(3));
        Json.Obj o = new Json.Obj(m);
        m.put("late", Json.Null.NULL);
        assertEquals("{\"z\":true,\"a\":3}", Json.write(o));
        assertThrows(UnsupportedOperationException.class, () -> o.members().put("x", Json.Null.NULL));
    }
}
