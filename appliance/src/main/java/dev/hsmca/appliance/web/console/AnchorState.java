package dev.hsmca.appliance.web.console;

import dev.hsmca.appliance.audit.AuditAnchor;

/** The audit anchor as the console shows it: whether it holds, and in words (the overview and the audit page). */
record AnchorState(boolean ok, String text) {

    static AnchorState of(AuditAnchor anchor) {
        try {
            AuditAnchor.Check c = anchor.check();
            return c.ok()
                    ? new AnchorState(
                            true,
                            c.anchor()
                                    .map(x -> "anchored at entry " + x.seq() + " (" + x.at() + ")")
                                    .orElse("anchored"))
                    : new AnchorState(
                            false,
                            c.problem()
                                    .map(p -> p.finding() + ": " + p.message())
                                    .orElse("not anchored"));
        } catch (RuntimeException e) {
            return new AnchorState(false, "cannot be checked now (the HSM or the store is unavailable)");
        }
    }
}
