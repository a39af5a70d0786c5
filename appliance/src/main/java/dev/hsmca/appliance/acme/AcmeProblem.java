package dev.hsmca.appliance.acme;

import dev.hsmca.appliance.domain.PkiException;

/**
 * A refusal in RFC 8555 §6.7 terms: {@code type} is the short name ({@code badNonce}), sent as
 * {@code urn:ietf:params:acme:error:badNonce} in an {@code application/problem+json} document.
 */
public class AcmeProblem extends PkiException {
    public static final String PREFIX = "urn:ietf:params:acme:error:";

    public AcmeProblem(Kind kind, String type, String detail) {
        super(kind, "acme_" + type, detail);
    }

    public String type() {
        return PREFIX + code().substring("acme_".length());
    }

    public static AcmeProblem malformed(String detail) {
        return new AcmeProblem(Kind.MALFORMED, "malformed", detail);
    }

    public static AcmeProblem badNonce(String detail) {
        return new AcmeProblem(Kind.MALFORMED, "badNonce", detail);
    }

    public static AcmeProblem unauthorized(String detail) {
        return new AcmeProblem(Kind.FORBIDDEN, "unauthorized", detail);
    }

    public static AcmeProblem accountDoesNotExist(String detail) {
        return new AcmeProblem(Kind.MALFORMED, "accountDoesNotExist", detail);
    }

    public static AcmeProblem badSignatureAlgorithm(String detail) {
        return new AcmeProblem(Kind.MALFORMED, "badSignatureAlgorithm", detail);
    }

    public static AcmeProblem rejectedIdentifier(String detail) {
        return new AcmeProblem(Kind.MALFORMED, "rejectedIdentifier", detail);
    }

    public static AcmeProblem orderNotReady(String detail) {
        return new AcmeProblem(Kind.FORBIDDEN, "orderNotReady", detail);
    }

    public static AcmeProblem badCsr(String detail) {
        return new AcmeProblem(Kind.MALFORMED, "badCSR", detail);
    }

    public static AcmeProblem externalAccountRequired(String detail) {
        return new AcmeProblem(Kind.UNAUTHORIZED, "externalAccountRequired", detail);
    }

    public static AcmeProblem rateLimited(String detail) {
        return new AcmeProblem(Kind.RATE_LIMITED, "rateLimited", detail);
    }

    public static AcmeProblem notFound(String detail) {
        return new AcmeProblem(Kind.NOT_FOUND, "malformed", detail);
    }

    public static AcmeProblem alreadyRevoked(String detail) {
        return new AcmeProblem(Kind.MALFORMED, "alreadyRevoked", detail);
    }

    public static AcmeProblem badRevocationReason(String detail) {
        return new AcmeProblem(Kind.MALFORMED, "badRevocationReason", detail);
    }

    /** The RFC 8555 type for any other refusal or failure on an ACME URL. */
    public static String typeFor(PkiException e) {
        if (e instanceof AcmeProblem p) {
            return p.type();
        }
        return PREFIX
                + switch (e.kind()) {
                    case MALFORMED, NOT_FOUND, CONFLICT -> "malformed";
                    case UNAUTHORIZED, FORBIDDEN -> "unauthorized";
                    case RATE_LIMITED -> "rateLimited";
                    case UNAVAILABLE, INTERNAL -> "serverInternal";
                };
    }
}
