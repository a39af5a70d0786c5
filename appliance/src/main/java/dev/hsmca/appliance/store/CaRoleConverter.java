package dev.hsmca.appliance.store;

import dev.hsmca.core.CaRole;
import io.micronaut.core.convert.ConversionContext;
import io.micronaut.data.model.runtime.convert.AttributeConverter;
import jakarta.inject.Singleton;

/** {@code ca_certificates.role} holds the role's alias ({@code issuing}); the code sees a {@link CaRole}. */
@Singleton
public class CaRoleConverter implements AttributeConverter<CaRole, String> {
    @Override
    public String convertToPersistedValue(CaRole role, ConversionContext context) {
        return role == null ? null : role.alias();
    }

    @Override
    public CaRole convertToEntityValue(String alias, ConversionContext context) {
        if (alias == null) {
            return null;
        }
        for (CaRole r : CaRole.values()) {
            if (r.alias().equals(alias)) {
                return r;
            }
        }
        throw new IllegalStateException("unknown CA role '" + alias + "' in the store");
    }
}
