package dev.hsmca.appliance.crl;

import dev.hsmca.appliance.ca.UrlConfig;
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
    private final int shards;
    private final UrlConfig urls;

    public CrlPartitions(CrlConfig config, UrlConfig urls) {
        this.shards = config.shards();
        this.urls = urls;
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
