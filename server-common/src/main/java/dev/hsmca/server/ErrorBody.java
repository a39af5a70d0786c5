package dev.hsmca.server;

import io.micronaut.serde.annotation.Serdeable;

/** Every JSON error either server returns: {@code {"error": "<code>", "message": "<what is wrong>"}}. */
@Serdeable
public record ErrorBody(String error, String message) {}
