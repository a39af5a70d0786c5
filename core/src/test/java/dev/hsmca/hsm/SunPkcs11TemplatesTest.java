package dev.hsmca.hsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.hsm.testing.TestHsm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every SunPKCS11 template in hsm-config/sunpkcs11/ is read by SunPKCS11 with SoftHSM's library swapped in, and
 * keys generated through it are in the token, sensitive and never extractable. The vendor libraries themselves
 * cannot be tested here.
 */
class SunPkcs11TemplatesTest {
    /** SoftHSM reads its token list once per process: every token is made before the first is opened. */
    static final List<TestHsm.Token> TOKENS =
            IntStream.range(0, 6).mapToObj(i -> TestHsm.newToken("tpl")).toList();

    static final TestHsm.Token BAD = TestHsm.newToken("tplbad");

    static List<Path> templates() throws Exception {
        Path dir = TestHsm.script().getParent().getParent().resolve("sunpkcs11");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".cfg")).sorted().toList();
        }
    }

    @Test
    void everyTemplateOpensTheTokenAndGeneratesKeysInside() throws Exception {
        List<Path> templates = templates();
        assertEquals(
                List.of("cloudhsm.cfg", "luna.cfg", "nshield.cfg", "softhsm2.cfg", "utimaco.cfg", "yubihsm2.cfg"),
                templates.stream().map(p -> p.getFileName().toString()).toList());
        for (int i = 0; i < templates.size(); i++) {
            Path template = templates.get(i);
            TestHsm.Token token = TOKENS.get(i);
            Pkcs11Token hsm = Pkcs11Token.open(TestHsm.LIBRARY, token.label(), template.toString(), token.pin());
            SigningKey key = hsm.generate(
                    "k", KeyAlgorithm.EC_P256, pair -> Pkcs11TokenTest.selfSigned(pair, "SHA256withECDSA", hsm));
            Signature s = Signature.getInstance("SHA256withECDSA", hsm.provider());
            s.initSign((PrivateKey) hsm.keyStore().getKey("k", null));
            s.update(new byte[] {1, 2, 3});
            Signature v = Signature.getInstance("SHA256withECDSA");
            v.initVerify(key.publicKey());
            v.update(new byte[] {1, 2, 3});
            assertTrue(v.verify(s.sign()), template.toString());
            assertNull(
                    hsm.keyStore().getKey("k", null).getEncoded(),
                    template + ": the private key has no encoding to give");
            String listing = TestHsm.run(
                    "pkcs11-tool",
                    "--module",
                    TestHsm.LIBRARY,
                    "--token-label",
                    token.label(),
                    "--login",
                    "--pin",
                    new String(token.pin()),
                    "--list-objects",
                    "--type",
                    "privkey");
            assertTrue(
                    listing.contains("always sensitive") && listing.contains("never extractable"),
                    template + ": " + listing);
        }
    }

    @Test
    void aBrokenTemplateIsRefusedNamingTheFile() throws Exception {
        TestHsm.Token token = BAD;
        Path bad = Files.createTempFile("broken", ".cfg");
        Files.writeString(
                bad,
                "name = ${name}\nlibrary = ${library}\nslot = ${slot}\nattributes(generate, CKO_NOPE, *) = { CKA_TOKEN = true }\n");
        HsmException e = assertThrows(
                HsmException.class,
                () -> Pkcs11Token.open(TestHsm.LIBRARY, token.label(), bad.toString(), token.pin()));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        HsmException missing = assertThrows(
                HsmException.class,
                () -> Pkcs11Token.open(TestHsm.LIBRARY, token.label(), "/nonexistent/x.cfg", token.pin()));
        assertTrue(missing.getMessage().contains("/nonexistent/x.cfg"), missing.getMessage());
    }
}
