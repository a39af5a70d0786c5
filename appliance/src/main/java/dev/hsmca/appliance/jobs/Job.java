package dev.hsmca.appliance.jobs;

/** Scheduled work that one replica at a time runs; its name is the lease's key in {@code job_locks}. */
public enum Job {
    /** CRLs owed after revocations, and the periodic reissue. */
    CRL_PUBLISH("crl-publish"),
    /** The issuing CA's shard CRLs and the delta, after changes and on their reissue schedule. */
    CRL_PARTS("crl-parts"),
    /** Pre-signed OCSP responses re-signed at half-life. */
    OCSP_REFRESH("ocsp-refresh"),
    /** The appliance's own HTTPS certificate renewed before expiry. */
    TLS_RENEWAL("tls-renewal"),
    /** Expired ACME nonces and unfinished orders removed. */
    ACME_CLEANUP("acme-cleanup");

    private final String lockName;

    Job(String lockName) {
        this.lockName = lockName;
    }

    public String lockName() {
        return lockName;
    }
}
