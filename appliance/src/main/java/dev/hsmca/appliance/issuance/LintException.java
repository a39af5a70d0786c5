package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.domain.PkiException;
import java.util.List;

/** The certificate about to be signed broke its profile: a CA bug or a bad configuration, never signed. */
public class LintException extends PkiException {
    public static final String CODE = "lint_failed";

    private final List<String> problems;

    public LintException(List<String> problems) {
        super(Kind.INTERNAL, CODE, "the certificate failed lint, so it was not signed: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
