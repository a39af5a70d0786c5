package dev.hsmca.appliance.ca;

import dev.hsmca.appliance.domain.Settings;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.math.BigInteger;

/**
 * Which CRL a new certificate points at: shard {@code serial mod pki.crl.shards}, whose CRL lists only the revoked
 * certificates of that shard, so a relying party downloads a fraction of the full CRL and a revocation is published
 * in a CRL that takes milliseconds to make. The shard is stored with the certificate: changing the count later
 * leaves issued certificates with the shard they name.
 */
@Singleton
public class CrlPartitions {
    /** Each shard is a CRL signed at least every reissue interval: a few thousand would be HSM work for nothing. */
    public static final int MAX_SHARDS = 1024;

    private final int shards;
    private final UrlConfig urls;

    /** {@code pki.crl.shards}: 0 turns partitions off (new certificates name the full CRL). */
    public CrlPartitions(@Value("${pki.crl.shards:256}") int shards, UrlConfig urls) {
        Settings.atLeast("pki.crl.shards", shards, 0);
        if (shards > MAX_SHARDS) {
            throw new Settings.Invalid("pki.crl.shards", "at most " + MAX_SHARDS + ", not " + shards);
        }
        this.shards = shards;
        this.urls = urls;
    }

    public int shards() {
        return shards;
    }

    /** The shard of a certificate with revocation pointers; null when partitions are off (the full CRL). */
    @Nullable
    public Integer shardOf(BigInteger serial) {
        return shards == 0 ? null : serial.mod(BigInteger.valueOf(shards)).intValueExact();
    }

    /** The CRL distribution point of a certificate of {@code caId} with this serial. */
    public String distributionPoint(String caId, BigInteger serial) {
        Integer shard = shardOf(serial);
        return shard == null ? urls.crl(caId) : urls.crlShard(caId, shard);
    }
}
