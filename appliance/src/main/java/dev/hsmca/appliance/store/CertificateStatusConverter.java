package dev.hsmca.appliance.store;

import dev.hsmca.core.CertificateStatus;
import io.micronaut.core.convert.ConversionContext;
import io.micronaut.data.model.runtime.convert.AttributeConverter;
import jakarta.inject.Singleton;

/** {@code certificates.status} holds {@code valid} or {@code revoked}; the code sees a {@link CertificateStatus}. */
@Singleton
public class CertificateStatusConverter implements AttributeConverter<CertificateStatus, String> {
    @Override
    public String convertToPersistedValue(CertificateStatus status, ConversionContext context) {
        return status == null ? null : status.text();
    }

    @Override
    public CertificateStatus convertToEntityValue(String text, ConversionContext context) {
        return text == null ? null : CertificateStatus.stored(text);
    }
}
