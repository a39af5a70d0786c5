package dev.hsmca.ocsp.source;

import dev.hsmca.core.CertificateStatus;
import dev.hsmca.core.RevocationReason;
import dev.hsmca.core.ocsp.CertStatusInfo;
import dev.hsmca.core.ocsp.OcspResponses;
import dev.hsmca.hsm.SigningKey;
import dev.hsmca.ocsp.store.StatusLookup;
import dev.hsmca.ocsp.store.StatusRow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * Signs per request through the HSM, with the current status from the store; echoes the nonce. It answers only for
 * the issuer its signer speaks for (the active one when it started): for any other issuer, such as one replaced
 * by {@code ca init --force}, a signature would not verify, so the answer is {@code unauthorized}.
 */
public final class LiveSource implements Source {
    private final StatusLookup statuses;
    private final SigningKey key;
    private final X509CertificateHolder responderCertificate;
    private final Duration validity;
    private final Clock clock;
    private final String issuerId;

    public LiveSource(
            StatusLookup statuses,
            SigningKey key,
            X509CertificateHolder responderCertificate,
            String issuerId,
            Duration validity,
            Clock clock) {
        this.statuses = statuses;
        this.issuerId = issuerId;
        this.key = key;
        this.responderCertificate = responderCertificate;
        this.validity = validity;
        this.clock = clock;
    }

    @Override
    public Answer respond(ResolvedQuery q) {
        if (!issuerId.equals(q.issuer().id())) {
            return Answer.error(ResponseStatus.UNAUTHORIZED);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant next = now.plus(validity);
        List<OcspResponses.Single> answers = new ArrayList<>();
        for (int i = 0; i < q.query().ids().size(); i++) {
            answers.add(new OcspResponses.Single(
                    q.query().ids().get(i),
                    status(q.query().serials().get(i), q.issuer().id())));
        }
        byte[] der = OcspResponses.sign(
                answers, key, responderCertificate, now, next, q.query().nonce());
        String certStatus =
                answers.size() == 1 ? answers.get(0).status().kind().name().toLowerCase(Locale.ROOT) : "multiple";
        return new Answer(der, ResponseStatus.SUCCESSFUL, now, next, Answer.Mode.LIVE, certStatus);
    }

    private CertStatusInfo status(String serial, String issuerId) {
        StatusRow row = statuses.find(serial, issuerId).orElse(null);
        if (row == null) {
            return CertStatusInfo.unknown();
        }
        if (CertificateStatus.stored(row.status()) == CertificateStatus.REVOKED) {
            return CertStatusInfo.revoked(
                    row.revokedAt(),
                    RevocationReason.stored(row.revocationReason()).code());
        }
        return CertStatusInfo.good();
    }
}
