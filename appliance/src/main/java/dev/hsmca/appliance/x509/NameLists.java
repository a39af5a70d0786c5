package dev.hsmca.appliance.x509;

import java.util.Arrays;
import java.util.List;

/** DNS names and IP addresses are stored comma-separated; this reads them back. */
public final class NameLists {
    private NameLists() {}

    public static List<String> split(String csv) {
        return csv == null || csv.isEmpty() ? List.of() : Arrays.asList(csv.split(","));
    }
}
