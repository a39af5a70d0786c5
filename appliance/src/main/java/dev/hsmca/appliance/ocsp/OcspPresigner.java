package dev.hsmca.appliance.ocsp;

import dev.hsmca.core.CertificateStatus;

import dev.hsmca.appliance.store.PresignedResponse;

import dev.hsmca.appliance.store.PresignedResponseRepository;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.core.CaRole;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.core.RevocationReason;
import dev.hsmca.hsm.ocsp.CertStatusInfo;
import dev.hsmca.hsm.ocsp.OcspResponses;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.DERNull;

import java.math.BigInteger;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Signs OCSP responses ahead of time with the delegated OCSP signer (in the HSM), one for SHA-1 and one for
 * SHA-256 CertIDs, so the responder can answer without any key. Called at issuance, at revocation (before the
 * revocation call returns) and by the refresher before nextUpdate.
 */
@Singleton
public class OcspPresigner {
    static final AlgorithmIdentifier SHA256 = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE);

    private final CaHierarchy ca;
    private final CertificateRepository certificates;
    private final PresignedResponseRepository responses;
    private final OcspConfig config;
    private final Clock clock;

    public OcspPresigner(CaHierarchy ca, CertificateRepository certificates, PresignedResponseRepository responses,
                         OcspConfig config, Clock clock) {
        this.ca = ca;
        this.certificates = certificates;
        this.responses = responses;
        this.config = config;
        this.clock = clock;
    }

    /** Signs and stores the responses for this certificate's current status (joins the caller's transaction). */
    @Transactional
    public void presign(CertificateRecord record) {
        List<PresignedResponse> signed = sign(record);
        if (!signed.isEmpty()) { // none when pre-signing is off or the issuer was replaced: leave what is stored
            responses.deleteForSerial(record.serial());
            store(signed);
        }
    }

    /**
     * Stores responses for a certificate that has none yet (a new one). Not {@code @Transactional}, for a group
     * commit's write; the caller's transaction holds it.
     */
    public void store(List<PresignedResponse> signed) {
        signed.forEach(responses::save);
    }

    /** The responses for this certificate's current status, signed in the HSM; no database work. Empty when off. */
    public List<PresignedResponse> sign(CertificateRecord record) {
        if (!config.presign()) {
            return List.of();
        }
        CaHierarchy.Member issuing = ca.issuing();
        if (!issuing.id().equals(record.issuerId())) {
            return List.of(); // certificates of a replaced hierarchy are not served any more
        }
        CaHierarchy.Member signer = ca.member(CaRole.OCSP);
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant next = now.plus(Duration.ofHours(config.validityHours()));
        CertStatusInfo status = record.status() == CertificateStatus.REVOKED
                ? CertStatusInfo.revoked(record.revokedAt(), RevocationReason.stored(record.revocationReason()).code())
                : CertStatusInfo.good();
        try {
            X509CertificateHolder issuer = new X509CertificateHolder(issuing.certificate().getEncoded());
            X509CertificateHolder responder = new X509CertificateHolder(signer.certificate().getEncoded());
            BigInteger serial = new BigInteger(record.serial(), 16);
            List<PresignedResponse> signed = new ArrayList<>(2);
            for (AlgorithmIdentifier alg : new AlgorithmIdentifier[]{CertificateID.HASH_SHA1, SHA256}) {
                CertificateID id = new CertificateID(OcspResponses.digests().get(alg), issuer, serial);
                byte[] der = OcspResponses.sign(List.of(new OcspResponses.Single(id, status)), signer.key(), responder,
                        now, next, null);
                signed.add(new PresignedResponse(new PresignedResponse.Key(record.serial(),
                        alg == SHA256 ? "sha256" : "sha1"), record.issuerId(), status.kind().name().toLowerCase(),
                        now, next, der));
            }
            return signed;
        } catch (CertificateEncodingException | java.io.IOException | OCSPException | OperatorCreationException e) {
            throw new IllegalStateException("cannot pre-sign the OCSP response for " + record.serial(), e);
        }
    }

    /** Re-signs responses that have passed half their validity (or are missing). Returns how many. */
    @Transactional
    public int refresh(int limit) {
        if (!config.presign()) {
            return 0;
        }
        Instant now = clock.instant();
        Instant halfLife = now.plus(Duration.ofHours(config.validityHours()).dividedBy(2));
        List<String> stale = responses.stale(ca.issuing().id(), now, halfLife, limit);
        stale.forEach(serial -> certificates.findById(serial).ifPresent(this::presign));
        return stale.size();
    }
}
