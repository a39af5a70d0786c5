package dev.hsmca.appliance.web;

import io.micronaut.serde.annotation.Serdeable;

/** Every error the API returns: {@code {"error": "<code>", "message": "<what is wrong>"}}. */
@Serdeable
public record ErrorBody(String error, String message) {
}
