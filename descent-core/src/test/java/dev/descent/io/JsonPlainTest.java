package dev.descent.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Plain Java values: parsing with source, line and column in errors; compact, line and pretty writing. */
class JsonPlainTest {
    @Test
    void parsesEveryKindOfValueIntoPlainJava() {
        Map<String, Object> m = Json.parseObject(
                "{\"a\": 1, \"b\": -2.5e-3, \"c\": [true, false, null], \"d\": \"x\\\"y\\u00e9\\n\", \"e\": {}, \"f\": 12345678901234567890}",
                "t");
        assertEquals(1L, m.get("a"));
        assertEquals(-2.5e-3, m.get("b"));
        assertEquals(Arrays.asList(true, false, null), m.get("c"));
        assertEquals("x\"yé\n", m.get("d"));
        assertEquals(Map.of(), m.get("e"));
        assertEquals(1.2345678901234567e19, m.get("f"), "an integer beyond 64 bits reads as the nearest double");
        assertEquals(List.of("a", "b", "c", "d", "e", "f"), List.copyOf(m.keySet()));
    }

    @Test
    void errorsNameSourceLineAndColumn() {
        String[][] cases = {
            {"{\"a\": 1,\n \"b\" 2}", "cfg:2:6: expected ':' after key, got '2'"},
            {"{\"a\": 1 \"b\": 2}", "cfg:1:9: expected ',' or '}' in object, got '\"'"},
            {"{\"a\": 01}", "cfg:1:7: malformed number"},
            {"{\"a\": tru}", "cfg:1:7: expected 'true'"},
            {"{\"a\": 1, \"a\": 2}", "cfg:1:10: duplicate key \"a\""},
            {"{\"a\": \"x", "cfg:1:9: unterminated string"},
            {"[1, 2] x", "cfg:1:8: unexpected 'x' after the value"},
            {"", "cfg:1:1: expected a value, got end of input"},
            {"{\"a\": NaN}", "cfg:1:7: expected a value, got 'N'"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(c[0], "cfg"), c[0]);
            assertEquals(c[1], e.getMessage());
        }
        assertEquals("cfg: expected a JSON object at the top level",
                assertThrows(IllegalArgumentException.class, () -> Json.parseObject("[1]", "cfg")).getMessage());
        // Without a source the offset is named, as for checkpoint headers.
        assertEquals("invalid JSON at offset 6: expected a value, got 'N'",
                assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": NaN}")).getMessage());
    }

    @Test
    void writesCompactSpacedAndPrettyAndRoundTrips() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", 100L);
        m.put("loss", 0.125);
        m.put("lr", 1e-4);
        m.put("one", 1.0);
        m.put("nan", Double.NaN);
        m.put("sizes", List.of(512, 256));
        m.put("times", new double[] {0.5, 2});
        m.put("name", "a\"b\\c\td");
        String compact = Json.writeObject(m);
        assertEquals("{\"step\":100,\"loss\":0.125,\"lr\":1.0E-4,\"one\":1.0,\"nan\":null,\"sizes\":[512,256],\"times\":[0.5,2.0],"
                + "\"name\":\"a\\\"b\\\\c\\td\"}", compact);
        Map<String, Object> back = Json.parseObject(compact, "t");
        assertEquals(1.0, back.get("one"));
        assertEquals(1e-4, back.get("lr"));
        assertEquals(null, back.get("nan"));
        assertEquals(List.of(0.5, 2.0), back.get("times"));
        assertEquals(back, Json.parse(Json.writePretty(m), "t"));
        assertEquals(back, Json.parse(Json.writeLine(m), "t"));
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("a", List.of(1, 2));
        line.put("b", mapOfNull());
        assertEquals("{\"a\": [1, 2], \"b\": {\"c\": null}}", Json.writeLine(line));
        assertEquals("{\n  \"a\": [1, 2],\n  \"b\": {\n    \"c\": \"x\"\n  },\n  \"e\": {}\n}\n", Json.writePretty(ordered()));
    }

    private static Map<String, Object> mapOfNull() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("c", null);
        return m;
    }

    private static Map<String, Object> ordered() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", List.of(1, 2));
        m.put("b", Map.of("c", "x"));
        m.put("e", Map.of());
        return m;
    }
}
