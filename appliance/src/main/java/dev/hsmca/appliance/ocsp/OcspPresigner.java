package dev.hsmca.appliance.ocsp;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.store.PresignedResponse;
import dev.hsmca.appliance.store.PresignedResponseRepository;
import dev.hsmca.core.CaRole;
import dev.hsmca.core.CertificateStatus;
import dev.hsmca.core.RevocationReason;
import dev.hsmca.core.ocsp.CertStatusInfo;
import dev.hsmca.core.ocsp.OcspResponses;
import io.micronaut.transaction.TransactionOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.CertificateEncodingException;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.operator.OperatorCreationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs OCSP responses ahead of time with the delegated OCSP signer (in the HSM), one for SHA-1 and one for
 * SHA-256 CertIDs, so the responder can answer without any key. Called at issuance, at revocation (before the
 * revocation call returns) and by the refresher before nextUpdate.
 */
@Singleton
public class OcspPresigner {
    private static final Logger LOG = LoggerFactory.getLogger(OcspPresigner.class);
    static final AlgorithmIdentifier SHA256 =
            new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE);
    /** Certificates per transaction of a refresh: how long a revocation of one of them may wait for its row. */
    static final int STORE_CHUNK = 50;

    /** Where a refresh can be interleaved with other work: after signing (nothing held), and before each commit. */
    enum RefreshStep {
        SIGNED,
        STORED
    }

    private final CaHierarchy ca;
    private final CertificateRepository certificates;
    private final PresignedResponseRepository responses;
    private final TransactionOperations<Connection> transactions;
    private final OcspConfig config;
    private final Clock clock;
    private volatile BiConsumer<RefreshStep, List<String>> refreshHook = (step, serials) -> {};

    public OcspPresigner(
            CaHierarchy ca,
            CertificateRepository certificates,
            PresignedResponseRepository responses,
            TransactionOperations<Connection> transactions,
            OcspConfig config,
            Clock clock) {
        this.ca = ca;
        this.certificates = certificates;
        this.responses = responses;
        this.transactions = transactions;
        this.config = config;
        this.clock = clock;
    }

    /** A test seam: called at each {@link RefreshStep} with the serials concerned. */
    void onRefresh(BiConsumer<RefreshStep, List<String>> hook) {
        this.refreshHook = hook;
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
                ? CertStatusInfo.revoked(
                        record.revokedAt(),
                        RevocationReason.stored(record.revocationReason()).code())
                : CertStatusInfo.good();
        try {
            X509CertificateHolder issuer =
                    new X509CertificateHolder(issuing.certificate().getEncoded());
            X509CertificateHolder responder =
                    new X509CertificateHolder(signer.certificate().getEncoded());
            BigInteger serial = new BigInteger(record.serial(), 16);
            List<PresignedResponse> signed = new ArrayList<>(2);
            for (AlgorithmIdentifier alg : new AlgorithmIdentifier[] {CertificateID.HASH_SHA1, SHA256}) {
                CertificateID id = new CertificateID(OcspResponses.digests().get(alg), issuer, serial);
                byte[] der = OcspResponses.sign(
                        List.of(new OcspResponses.Single(id, status)), signer.key(), responder, now, next, null);
                signed.add(new PresignedResponse(
                        new PresignedResponse.Key(record.serial(), SHA256.equals(alg) ? "sha256" : "sha1"),
                        record.issuerId(),
                        status.kind().name().toLowerCase(Locale.ROOT),
                        now,
                        next,
                        der));
            }
            return signed;
        } catch (CertificateEncodingException | IOException | OCSPException | OperatorCreationException e) {
            throw new IllegalStateException("cannot pre-sign the OCSP response for " + record.serial(), e);
        }
    }

    /**
     * Re-signs responses that have passed half their validity (or are missing); returns how many certificates it
     * looked at. Signs with no connection held, then stores in short transactions, each certificate's responses only
     * if its row, locked, still has the status they were signed from. A revocation that committed in between stored
     * its own (left alone here); one that comes later waits for the row, then replaces these.
     */
    public int refresh(int limit) {
        if (!config.presign()) {
            return 0;
        }
        Instant now = clock.instant();
        Instant halfLife = now.plus(Duration.ofHours(config.validityHours()).dividedBy(2));
        List<String> stale = responses.stale(ca.issuing().id(), now, halfLife, limit);
        List<Resigned> signed = new ArrayList<>(stale.size());
        for (String serial : stale) {
            certificates.findById(serial).ifPresent(record -> signed.add(new Resigned(record, sign(record))));
        }
        refreshHook.accept(RefreshStep.SIGNED, Resigned.serials(signed));
        int changed = 0;
        for (int from = 0; from < signed.size(); from += STORE_CHUNK) {
            List<Resigned> chunk = signed.subList(from, Math.min(signed.size(), from + STORE_CHUNK));
            changed += transactions.executeWrite(status -> storeIfUnchanged(chunk));
        }
        if (changed > 0) {
            LOG.info("left the responses of {} certificates whose status changed while they were re-signed", changed);
        }
        return stale.size();
    }

    /** Stores each one's responses unless its status changed; the rows stay locked until commit. Returns the skipped. */
    private int storeIfUnchanged(List<Resigned> chunk) {
        int changed = 0;
        for (Resigned r : chunk) { // in serial order, as stale() sorts: refreshes on two replicas lock alike
            boolean unchanged =
                    certificates.lockById(r.from().serial()).map(r::signedFrom).orElse(false);
            if (unchanged && !r.responses().isEmpty()) {
                responses.deleteForSerial(r.from().serial());
                store(r.responses());
            } else if (!unchanged) {
                changed++;
            }
        }
        refreshHook.accept(RefreshStep.STORED, Resigned.serials(chunk));
        return changed;
    }

    /** A certificate's new responses (none when pre-signing is off) and the row they were signed from. */
    private record Resigned(CertificateRecord from, List<PresignedResponse> responses) {
        /** The row still has the status (and revocation time and reason) the responses state. */
        boolean signedFrom(CertificateRecord now) {
            return now.status() == from.status()
                    && now.issuerId().equals(from.issuerId())
                    && Objects.equals(now.revokedAt(), from.revokedAt())
                    && Objects.equals(now.revocationReason(), from.revocationReason());
        }

        static List<String> serials(List<Resigned> signed) {
            return signed.stream().map(r -> r.from().serial()).toList();
        }
    }
}
