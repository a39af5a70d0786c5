package dev.hsmca.appliance.web.acme;

import dev.hsmca.appliance.acme.AcmeNonceKeys;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.TreeSet;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replay nonces without state (RFC 8555 §6.5): {@code version | issued-at (ms) | 16 random bytes | HMAC-SHA256},
 * MACed with a key every replica shares ({@link AcmeNonceKeys}). Handing one out writes nothing, so a newNonce flood
 * costs a MAC, not a row. A nonce is accepted once: those taken back are remembered in memory until they expire
 * (15 minutes); when more than {@code capacity} are remembered, the oldest are forgotten and every nonce issued
 * before them is refused (badNonce: the client retries with the new nonce it got), so memory is bounded and
 * nothing is ever accepted twice by this process. Each replica remembers its own: within a nonce's lifetime, a
 * request taken by one replica could be replayed once at another; TLS keeps it from third parties.
 */
@Singleton
public class AcmeNonces implements ApplicationEventListener<ServerStartupEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(AcmeNonces.class);
    static final Duration LIFETIME = Duration.ofMinutes(15);
    /** Replicas' clocks may differ a little: a nonce from one a few seconds ahead is not refused. */
    static final Duration SKEW = Duration.ofSeconds(30);

    static final int CAPACITY = 200_000;
    private static final byte VERSION = 1;
    private static final int RANDOM_BYTES = 16;
    private static final int MAC_BYTES = 16;
    private static final int LENGTH = 1 + 8 + RANDOM_BYTES + MAC_BYTES;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A nonce taken back: when it was issued, and its random part. */
    private record Used(long issuedAt, long r1, long r2) {}

    private final Supplier<byte[]> keySource;
    private final Clock clock;
    private final int capacity;
    private volatile SecretKeySpec key;
    private final TreeSet<Used> used = new TreeSet<>(
            Comparator.comparingLong(Used::issuedAt).thenComparingLong(Used::r1).thenComparingLong(Used::r2));
    /** Nonces issued at or before this instant (ms) are refused: what was remembered of them was forgotten. */
    private long floor = Long.MIN_VALUE;

    @Inject
    public AcmeNonces(AcmeNonceKeys keys, Clock clock) {
        this(
                () -> keys.find().orElseGet(() -> {
                    try {
                        keys.create();
                    } catch (RuntimeException e) {
                        LOG.debug("another replica made the nonce key first: {}", e.toString());
                    }
                    return keys.find().orElseThrow(() -> new IllegalStateException("no ACME nonce key in the store"));
                }),
                clock,
                CAPACITY);
    }

    AcmeNonces(Supplier<byte[]> keySource, Clock clock, int capacity) {
        this.keySource = keySource;
        this.clock = clock;
        this.capacity = capacity;
    }

    /** The key is read (or made) when the server starts, so no request ever writes it; a store down then: later. */
    @Override
    public void onApplicationEvent(ServerStartupEvent event) {
        try {
            key();
        } catch (RuntimeException e) {
            LOG.warn("ACME nonce key not loaded at start ({}); the first ACME request will load it", e.toString());
        }
    }

    public String next() {
        byte[] b = new byte[LENGTH];
        ByteBuffer buf = ByteBuffer.wrap(b);
        buf.put(VERSION).putLong(clock.millis());
        byte[] random = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(random);
        buf.put(random);
        System.arraycopy(mac(b), 0, b, LENGTH - MAC_BYTES, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Takes the nonce back: true once for a nonce this CA's key made that has not expired, false for any other. */
    public boolean use(String nonce) {
        byte[] b = decode(nonce);
        if (b == null
                || b[0] != VERSION
                || !MessageDigest.isEqual(
                        Arrays.copyOf(mac(b), MAC_BYTES), Arrays.copyOfRange(b, LENGTH - MAC_BYTES, LENGTH))) {
            return false;
        }
        ByteBuffer buf = ByteBuffer.wrap(b, 1, LENGTH - 1);
        long issuedAt = buf.getLong();
        long now = clock.millis();
        if (issuedAt > now + SKEW.toMillis() || issuedAt <= now - LIFETIME.toMillis()) {
            return false;
        }
        return remember(new Used(issuedAt, buf.getLong(), buf.getLong()), now);
    }

    private synchronized boolean remember(Used u, long now) {
        if (u.issuedAt() <= floor || !used.add(u)) {
            return false;
        }
        while (!used.isEmpty() && used.first().issuedAt() <= now - LIFETIME.toMillis()) {
            used.pollFirst(); // expired: refused by its time stamp anyway
        }
        while (used.size() > capacity) {
            floor = Math.max(floor, used.pollFirst().issuedAt());
        }
        return true;
    }

    private static byte[] decode(String nonce) {
        if (nonce == null || nonce.length() != (LENGTH * 4 + 2) / 3) {
            return null;
        }
        try {
            byte[] b = Base64.getUrlDecoder().decode(nonce);
            return b.length == LENGTH ? b : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** HMAC-SHA256 of the version, time stamp and random part. */
    private byte[] mac(byte[] nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key());
            mac.update(nonce, 0, LENGTH - MAC_BYTES);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private SecretKeySpec key() {
        SecretKeySpec k = key;
        if (k == null) {
            synchronized (this) {
                if (key == null) {
                    key = new SecretKeySpec(keySource.get(), "HmacSHA256");
                }
                k = key;
            }
        }
        return k;
    }
}
