package dev.hsmca.appliance.crl;

/** Published inside a transaction that changed what a CRL must show; delivered once that transaction commits. */
public record CrlChanged(String serial) {}
