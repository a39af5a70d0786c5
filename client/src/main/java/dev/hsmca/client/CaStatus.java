package dev.hsmca.client;

import java.time.Instant;

/**
 * What the CA says about the certificate in use: the renewal window it sets (moved to now when an admin asks for
 * early renewal) and the status; {@code etag} makes the next poll a cheap 304 while nothing changed.
 */
public record CaStatus(Instant renewAfter, Instant renewBefore, boolean renewNow, String status, String etag) {}
