package dev.hsmca.appliance.cli;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.core.CaRole;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Print the CA hierarchy: subjects, algorithms, serials and days to expiry.")
public class CaStatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Inject
    Provider<CaHierarchy> hierarchyProvider;

    @Inject
    Clock clock;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        CaHierarchy hierarchy = hierarchyProvider.get();
        out.printf(
                "%-8s %-10s %-8s %-24s %-22s %s%n", "ROLE", "ALGORITHM", "EXPIRES", "SERIAL", "NOT AFTER", "SUBJECT");
        boolean complete = true;
        for (CaRole role : CaRole.values()) {
            if (!hierarchy.has(role)) {
                out.printf("%-8s %s%n", role.alias(), "missing (run 'ca init')");
                complete = false;
                continue;
            }
            CaHierarchy.Member m = hierarchy.member(role);
            long days = Duration.between(clock.instant(), m.record().notAfter()).toDays();
            String serial = m.record().serial();
            out.printf(
                    "%-8s %-10s %-8s %-24s %-22s %s%n",
                    role.alias(),
                    m.record().keyAlgorithm(),
                    days + "d",
                    serial.length() > 24 ? serial.substring(0, 21) + "..." : serial,
                    m.record().notAfter(),
                    m.record().subjectDn());
        }
        return complete ? 0 : 1;
    }
}
