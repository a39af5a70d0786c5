package dev.hsmca.appliance.crl;

import dev.hsmca.appliance.domain.CertificateStatusListener;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.store.CrlStateRepository;
import dev.hsmca.core.CaRole;
import io.micronaut.context.event.ApplicationEventPublisher;
import jakarta.inject.Singleton;

/**
 * In the transaction of a revocation (or a hold lifted): records that a CRL is owed, in the database, so the debt
 * survives a crash, and asks for a publication once the transaction commits ({@link CrlPublisher}).
 */
@Singleton
public class CrlOnChange implements CertificateStatusListener {
    private final CrlStateRepository state;
    private final ApplicationEventPublisher<CrlChanged> events;

    public CrlOnChange(CrlStateRepository state, ApplicationEventPublisher<CrlChanged> events) {
        this.state = state;
        this.events = events;
    }

    @Override
    public void statusChanged(CertificateRecord record, Change change) {
        if (change == Change.STATUS_CHANGED) {
            state.changed(CaRole.ISSUING.alias());
            state.markChanged(record.serial());
            events.publishEvent(new CrlChanged(record.serial(), record.crlShard()));
        }
    }
}
