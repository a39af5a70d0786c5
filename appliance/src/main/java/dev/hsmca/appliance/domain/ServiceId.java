package dev.hsmca.appliance.domain;

import java.util.Set;
import java.util.regex.Pattern;

/** Service ids: {@code ^[a-z0-9][a-z0-9-]{0,62}$}. */
public final class ServiceId {
    private static final Pattern ID = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");

    private ServiceId() {}

    /** The services of the appliance's own certificates (its TLS certificate, the admin and monitoring credentials). */
    public static final Set<String> RESERVED = Set.of("appliance", "admin", "monitoring");

    /** A service a credential may be granted: a valid id that is not one of the appliance's own. */
    public static String requireGrantable(String service) {
        if (RESERVED.contains(require(service))) {
            throw PkiException.malformed(
                    "reserved_service", "service '" + service + "' is the appliance's own; choose another id");
        }
        return service;
    }

    /** Whether this is a well-formed service id (the command line tells a serial from a service by it). */
    public static boolean isValid(String service) {
        return service != null && ID.matcher(service).matches();
    }

    public static String require(String service) {
        if (!isValid(service)) {
            throw PkiException.malformed(
                    "invalid_service",
                    "service id must match ^[a-z0-9][a-z0-9-]{0,62}$ (lowercase letters, digits, '-')");
        }
        return service;
    }
}
