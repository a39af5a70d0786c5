package dev.hsmca.ocsp.source;

/** One link of the responder chain: filter → cache → pre-signed or live signing. */
public interface Source {
    Answer respond(ResolvedQuery query);
}
