package dev.hsmca.appliance.cli;

import dev.hsmca.appliance.audit.AuditLog;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Walk the audit hash chain in the database; report the first broken link (exit 1).")
public class AuditVerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Inject
    AuditLog audit;

    @Override
    public Integer call() {
        AuditLog.Verification v = audit.verify();
        if (v.intact()) {
            spec.commandLine().getOut().println("audit log intact: " + v.entries() + " entries verified");
            return 0;
        }
        AuditLog.Break b = v.firstBreak().orElseThrow();
        spec.commandLine().getErr().println("audit log BROKEN at entry " + b.seq() + ": " + b.reason()
                + " (" + v.entries() + " entries before it verified)");
        return 1;
    }
}
