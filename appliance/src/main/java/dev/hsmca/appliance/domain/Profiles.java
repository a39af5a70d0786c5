package dev.hsmca.appliance.domain;

import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The configured profiles, checked once at start-up. */
@Singleton
public class Profiles {
    /** The profile of the super-admin client credential {@code ca init} writes. */
    public static final String ADMIN = "admin";
    /** The profile of the read-only Prometheus credential. */
    public static final String MONITORING = "monitoring";

    private final Map<String, Profile> byName = new TreeMap<>();

    public Profiles(List<ProfileConfig> configs) {
        for (ProfileConfig c : configs) {
            byName.put(c.name(), Profile.of(c));
        }
    }

    /** The profile a client may ask for, or a 400 naming the ones it may. */
    public Profile requestable(String name) {
        if (name == null || name.isBlank()) {
            throw PkiException.malformed("missing_profile", "profile is required, one of " + requestableNames());
        }
        Profile p = byName.get(name);
        if (p == null || !p.requestable()) {
            throw PkiException.malformed(
                    "unknown_profile", "unknown profile '" + name + "', expected one of " + requestableNames());
        }
        return p;
    }

    public Profile internal(String name) {
        Profile p = byName.get(name);
        if (p == null) {
            throw new IllegalStateException("profile '" + name + "' is not configured");
        }
        return p;
    }

    /** Every configured profile's name. */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    private List<String> requestableNames() {
        return byName.values().stream()
                .filter(Profile::requestable)
                .map(Profile::name)
                .toList();
    }
}
