package dev.hsmca.hsm;

/** Hears about every signature the HSM makes: where metrics hook in, without the seam knowing Micrometer. */
public interface SignObserver {
    SignObserver NONE = (alias, nanos, ok) -> {};

    void signed(String alias, long nanos, boolean ok);
}
