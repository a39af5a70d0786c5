package dev.hsmca.appliance.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** EAB HMAC keys are pasted into ACME clients' command lines: none may look like an option. */
class EabKeyTest {
    @Test
    void keysAre256RandomBitsAndNeverStartWithADashOrUnderscore() {
        SecureRandom random = new SecureRandom();
        Set<Character> firsts = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            String key = AcmeAccounts.hmacKey(random);
            assertFalse(key.startsWith("-") || key.startsWith("_"), key);
            assertEquals(32, Base64.getUrlDecoder().decode(key).length);
            firsts.add(key.charAt(0));
            keys.add(key);
        }
        assertEquals(20_000, keys.size());
        assertEquals(62, firsts.size(), "every other first character still occurs: " + firsts);
        // and '-' or '_' do appear further on, so the key is still full base64url
        assertTrue(
                keys.stream().anyMatch(k -> k.indexOf('-') > 0) && keys.stream().anyMatch(k -> k.indexOf('_') > 0));
    }
}
