package dev.hsmca.ocsp.web;

import io.micronaut.serde.annotation.Serdeable;

/** Non-OCSP errors: {@code {"error": "<code>", "message": "<what is wrong>"}}. */
@Serdeable
public record ErrorBody(String error, String message) {
}
