package dev.hsmca.appliance.issuance;

import java.util.List;

/** The certificate about to be signed broke its profile: a CA bug or a bad configuration, never signed. */
public class LintException extends RuntimeException {
    private final List<String> problems;

    public LintException(List<String> problems) {
        super("certificate failed lint: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
