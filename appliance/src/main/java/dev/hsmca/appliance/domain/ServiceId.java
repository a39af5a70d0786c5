package dev.hsmca.appliance.domain;

import java.util.regex.Pattern;

/** Service ids: {@code ^[a-z0-9][a-z0-9-]{0,62}$}. */
public final class ServiceId {
    private static final Pattern ID = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");

    private ServiceId() {
    }

    public static String require(String service) {
        if (service == null || !ID.matcher(service).matches()) {
            throw PkiException.malformed("invalid_service",
                    "service id must match ^[a-z0-9][a-z0-9-]{0,62}$ (lowercase letters, digits, '-')");
        }
        return service;
    }

}
