package dev.hsmca.appliance.web.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.web.Authorizer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/** {@code GET /api/v1/audit?since=&action=&after=&limit=} (administrators). */
@Controller("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditController {

    @Serdeable
    public record Entry(
            long seq,
            String at,
            String actor,
            String action,
            String subject,
            String outcome,
            String details,
            @JsonProperty("prev_hash") String prevHash,
            String hash) {}

    @Serdeable
    public record Page(
            List<Entry> entries,
            @Nullable @JsonProperty("next_after") Long nextAfter) {}

    private final Authorizer authorizer;
    private final AuditLog audit;

    public AuditController(Authorizer authorizer, AuditLog audit) {
        this.authorizer = authorizer;
        this.audit = audit;
    }

    @Get
    public Page search(
            HttpRequest<?> request,
            @Nullable @QueryValue String since,
            @Nullable @QueryValue String action,
            @Nullable @QueryValue Long after,
            @Nullable @QueryValue Integer limit) {
        authorizer.admin(request);
        Instant from;
        try {
            from = since == null || since.isBlank() ? Instant.EPOCH : Instant.parse(since);
        } catch (DateTimeParseException e) {
            throw PkiException.malformed(
                    "invalid_since", "since must be an RFC 3339 UTC time, e.g. 2026-01-31T00:00:00Z");
        }
        int n = limit == null ? 100 : limit;
        if (n < 1 || n > 1000) {
            throw PkiException.malformed("invalid_limit", "limit must be between 1 and 1000");
        }
        if (action != null && !action.matches("^[a-z.]{1,64}$")) {
            throw PkiException.malformed("invalid_action", "action is a name such as certificate.issue");
        }
        List<Entry> entries = audit.search(from, action, after == null ? 0 : after, n).stream()
                .map(e -> new Entry(
                        e.seq(),
                        e.at().toString(),
                        e.actor(),
                        e.action(),
                        e.subject(),
                        e.outcome(),
                        e.details(),
                        e.prevHash(),
                        e.hash()))
                .toList();
        return new Page(
                entries, entries.size() == n ? entries.get(entries.size() - 1).seq() : null);
    }
}
