package dev.hsmca.ocsp.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hsmca.hsm.HsmException;
import dev.hsmca.hsm.SigningKey;
import dev.hsmca.ocsp.responder.Responder;
import dev.hsmca.ocsp.store.IssuerRow;
import dev.hsmca.ocsp.store.PresignedLookup;
import dev.hsmca.ocsp.store.PresignedRow;
import dev.hsmca.ocsp.store.StatusRow;
import dev.hsmca.ocsp.store.Store;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** The responder's rules about stale answers, foreign issuers and a failing HSM (software keys, fixed clock). */
class SourcesTest {
    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final IssuerRow ACTIVE =
            new IssuerRow("issuing-new", "issuing", "root-1", "02", "", "", "", "", NOW, new byte[0], true);
    static final IssuerRow REPLACED =
            new IssuerRow("issuing-old", "issuing", "root-0", "01", "", "", "", "", NOW, new byte[0], false);

    static ResolvedQuery query(IssuerRow issuer, byte[] nonce) throws Exception {
        return new ResolvedQuery(new OcspQuery(List.of(RequestParserTest.id(7)), nonce), issuer, null, "sha1");
    }

    static PresignedLookup presigned(Instant nextUpdate) {
        return (serial, hash, issuerId) -> Optional.of(new PresignedRow(
                new PresignedRow.Key(serial, hash),
                issuerId,
                "good",
                nextUpdate.minus(Duration.ofDays(4)),
                nextUpdate,
                new byte[] {1, 2, 3}));
    }

    static final Source LIVE = q ->
            new Answer(new byte[] {9}, ResponseStatus.SUCCESSFUL, NOW, NOW.plusSeconds(60), Answer.Mode.LIVE, "good");

    @Test
    void aPresignedAnswerPastItsNextUpdateIsNeverServed() throws Exception {
        Answer fresh = new PresignedSource(presigned(NOW.plusSeconds(60)), null, CLOCK).respond(query(ACTIVE, null));
        assertArrayEquals(new byte[] {1, 2, 3}, fresh.der());

        Answer stale = new PresignedSource(presigned(NOW), null, CLOCK).respond(query(ACTIVE, null));
        assertEquals(ResponseStatus.TRY_LATER, stale.status(), "no HSM: tryLater, not an expired answer");
        Answer live = new PresignedSource(presigned(NOW.minusSeconds(1)), LIVE, CLOCK).respond(query(ACTIVE, null));
        assertEquals(Answer.Mode.LIVE, live.mode(), "with an HSM: signed live instead");
    }

    @Test
    void aPresignedAnswerSaysWhetherItsResponseIsHeldInMemory() throws Exception {
        PresignedLookup fromStore = presigned(NOW.plusSeconds(60));
        PresignedLookup inMemory = new PresignedLookup() {
            @Override
            public Optional<PresignedRow> find(String serial, String hash, String issuerId) {
                return fromStore.find(serial, hash, issuerId);
            }

            @Override
            public boolean heldInMemory() {
                return true;
            }
        };
        assertEquals(
                false,
                new PresignedSource(fromStore, null, CLOCK)
                        .respond(query(ACTIVE, null))
                        .held());
        assertEquals(
                true,
                new PresignedSource(inMemory, null, CLOCK)
                        .respond(query(ACTIVE, null))
                        .held());
    }

    @Test
    void liveSigningOnlyForTheIssuerItsSignerSpeaksFor() throws Exception {
        KeyPair pair = ecKey();
        SigningKey key = software("ocsp", pair);
        LiveSource live = new LiveSource(noStatuses(), key, selfSigned(pair), ACTIVE.id(), Duration.ofHours(1), CLOCK);
        assertEquals(
                ResponseStatus.SUCCESSFUL, live.respond(query(ACTIVE, null)).status());
        assertEquals(
                ResponseStatus.UNAUTHORIZED,
                live.respond(query(REPLACED, null)).status(),
                "a replaced issuer: its certificates cannot be answered with the new signer");
    }

    @Test
    void anHsmFailureIsTryLater() throws Exception {
        KeyPair pair = ecKey();
        SigningKey broken = new SigningKey() {
            @Override
            public String alias() {
                return "ocsp";
            }

            @Override
            public PublicKey publicKey() {
                return pair.getPublic();
            }

            @Override
            public String signatureAlgorithm() {
                return "SHA256withECDSA";
            }

            @Override
            public ContentSigner contentSigner() {
                throw new HsmException("HSM signer for 'ocsp' unavailable: CKR_USER_NOT_LOGGED_IN");
            }
        };
        LiveSource live =
                new LiveSource(noStatuses(), broken, selfSigned(pair), ACTIVE.id(), Duration.ofHours(1), CLOCK);
        KnownIssuers issuers = new KnownIssuers(null, CLOCK) {
            @Override
            public Optional<Issuer> find(CertificateID id, String hash) {
                return Optional.of(new Issuer(ACTIVE, null));
            }
        };
        Responder responder = new Responder(new IssuerFilter(issuers, live), null);
        byte[] request =
                new OCSPReqBuilder().addRequest(RequestParserTest.id(7)).build().getEncoded();
        assertEquals(
                ResponseStatus.TRY_LATER, responder.answerAsync(request).join().status());
    }

    static Store.Statuses noStatuses() {
        return (serial, issuerId) -> Optional.<StatusRow>empty();
    }

    static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static SigningKey software(String alias, KeyPair pair) {
        return new SigningKey() {
            @Override
            public String alias() {
                return alias;
            }

            @Override
            public PublicKey publicKey() {
                return pair.getPublic();
            }

            @Override
            public String signatureAlgorithm() {
                return "SHA256withECDSA";
            }

            @Override
            public ContentSigner contentSigner() {
                try {
                    return new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    static X509CertificateHolder selfSigned(KeyPair pair) throws Exception {
        X500Name name = new X500Name("CN=Test OCSP");
        return new JcaX509v3CertificateBuilder(
                        name,
                        BigInteger.ONE,
                        Date.from(NOW.minusSeconds(60)),
                        Date.from(NOW.plusSeconds(3600)),
                        name,
                        pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
    }
}
