package dev.hsmca.ocsp.source;

/** One link of the responder chain: filter → pre-signed → (cache →) live signing. */
public interface Source {
    Answer respond(ResolvedQuery query);
}
