package dev.hsmca.client;

/** What auto-renewal tells the service: a new certificate, a failure, a revoked certificate. */
public interface RenewalListener {
    /** New credentials are current (files written, SSL contexts serving them). */
    default void renewed(Credentials now, Credentials before) {}

    /** An attempt failed; it will be retried unless the failure is final (revoked, expired). */
    default void failed(PkiClientException error, Credentials current) {}

    /** The certificate was revoked: it cannot renew itself. Enroll again with a new install token. */
    default void revoked(Credentials current) {}
}
