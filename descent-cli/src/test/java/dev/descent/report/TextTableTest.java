package dev.descent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextTableTest {
    @Test
    void columnsAlignAndLongCellsWrap() {
        String s = new TextTable(List.of("id", "claim", "result"), 0, 12, 0)
                .add("1.1", "short", "PASS")
                .add("f̂", "a much longer claim text", "FAIL")
                .render();
        assertEquals(String.join("\n",
                "id   claim         result",
                "-------------------------",
                "1.1  short         PASS",
                "f̂    a much        FAIL",
                "     longer claim",
                "     text", ""), s);
    }
}
