package dev.hsmca.client.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The agent's small parsers: durations, the first given value, its one-line JSON. */
class PkiAgentOptionsTest {
    @Test
    void durationsInEachUnit() {
        assertEquals(Duration.ofSeconds(30), PkiAgent.duration("30s"));
        assertEquals(Duration.ofMinutes(10), PkiAgent.duration(" 10M "));
        assertEquals(Duration.ofHours(24), PkiAgent.duration("24h"));
        assertEquals(Duration.ofDays(7), PkiAgent.duration("7d"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "h", "5", "5x", "five minutes", "1.5h"})
    void anythingElseIsAUsageError(String text) {
        CommandLine.ParameterException e =
                assertThrows(CommandLine.ParameterException.class, () -> PkiAgent.duration(text));
        assertEquals("'" + text + "' is not a duration such as 30s, 10m, 24h, 7d", e.getMessage());
    }

    @Test
    void theFirstValueGivenWins() {
        assertEquals("b", PkiAgent.first(null, " ", "b", "c"));
        assertNull(PkiAgent.first(null, ""));
    }

    @Test
    void jsonOfTheInfoMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("serial", "0a");
        m.put("days", 3L);
        m.put("renew_now", false);
        m.put("subject", "CN=a \"b\" \\c");
        assertEquals(
                "{\"serial\":\"0a\",\"days\":3,\"renew_now\":false,\"subject\":\"CN=a \\\"b\\\" \\\\c\"}",
                PkiAgent.toJson(m));
    }
}
