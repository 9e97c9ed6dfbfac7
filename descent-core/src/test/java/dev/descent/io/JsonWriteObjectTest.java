package dev.descent.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonWriteObjectTest {
    enum Kind { FAST }

    @Test
    void writesPlainValuesAndParsesBackToTheSameNumbers() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", 1);
        m.put("b", 0.1);
        m.put("c", new double[] {1, Double.NaN, 2.5e-7});
        m.put("d", List.of("x\"y", true));
        m.put("e", Kind.FAST);
        m.put("f", new int[] {1, 2});
        m.put("g", null);
        String s = Json.writeObject(m);
        assertEquals("{\"a\":1,\"b\":0.1,\"c\":[1.0,null,2.5E-7],\"d\":[\"x\\\"y\",true],\"e\":\"FAST\",\"f\":[1,2],\"g\":null}", s);
        // every finite double survives a round trip through the strict parser
        Json.Value v = Json.parse(s);
        assertEquals(s, Json.write(v));
    }

    @Test
    void rejectsUnknownTypesByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.writeObject(new Object()));
        assertEquals("json: cannot write a java.lang.Object", e.getMessage());
    }
}
