package dev.hsmca.appliance.cli;

import dev.hsmca.appliance.audit.AuditAnchor;
import dev.hsmca.appliance.audit.AuditLog;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Walk the audit hash chain in the database and compare it with the signed anchor file.",
            "Exit 0: intact; 1: a broken link, a rollback, a tampered or missing anchor; "
                    + "3: the store, the HSM or the anchor file cannot be opened (nothing was checked)."
        })
public class AuditVerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Inject
    AuditLog audit;

    @Inject
    AuditAnchor anchor;

    @Override
    public Integer call() {
        AuditLog.Verification v = audit.verify();
        if (v.intact()) {
            AuditAnchor.Check check = anchor.check();
            if (!check.ok()) {
                spec.commandLine()
                        .getErr()
                        .println("audit log BROKEN: "
                                + check.problem().orElseThrow().message() + " (" + v.entries()
                                + " entries in the database verified)");
                return 1;
            }
            spec.commandLine()
                    .getOut()
                    .println("audit log intact: " + v.entries() + " entries verified"
                            + check.anchor()
                                    .map(a -> "; anchored at entry " + a.seq() + " on " + a.at())
                                    .orElse("; no anchor file"));
            return 0;
        }
        AuditLog.Break b = v.firstBreak().orElseThrow();
        spec.commandLine()
                .getErr()
                .println("audit log BROKEN at entry " + b.seq() + ": " + b.reason() + " (" + v.entries()
                        + " entries before it verified)");
        return 1;
    }
}
