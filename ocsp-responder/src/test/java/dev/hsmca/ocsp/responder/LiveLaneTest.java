package dev.hsmca.ocsp.responder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.ocsp.source.Answer;
import dev.hsmca.ocsp.source.IssuerFilter;
import dev.hsmca.ocsp.source.KnownIssuers;
import dev.hsmca.ocsp.source.OcspQuery;
import dev.hsmca.ocsp.source.ResponseStatus;
import dev.hsmca.ocsp.source.Source;
import dev.hsmca.ocsp.store.IssuerRow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.junit.jupiter.api.Test;

/** The HSM stays off the caller's thread, and a slow or busy HSM gets the fallback instead of a hang. */
class LiveLaneTest {
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    static final Answer PRESIGNED = new Answer(
            new byte[] {1}, ResponseStatus.SUCCESSFUL, NOW, NOW.plusSeconds(60), Answer.Mode.PRESIGNED, "good");
    static final Answer LIVE =
            new Answer(new byte[] {2}, ResponseStatus.SUCCESSFUL, NOW, NOW.plusSeconds(60), Answer.Mode.LIVE, "good");
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    double shed(String reason) {
        return registry.get("pki.ocsp.live.shed")
                .tag("reason", reason)
                .counter()
                .count();
    }

    @Test
    @SuppressWarnings("ReferenceEquality") // LIVE and PRESIGNED are markers: which object came back is the point
    void anAnswerFromTheLaneOrItsFallback() throws Exception {
        // a lane whose timeout no loaded machine reaches, for the answers that must come from the lane itself
        LiveLane patient = LiveLane.bounded(1, 1, Duration.ofMinutes(1), registry);
        assertSame(LIVE, patient.submit(() -> LIVE, () -> PRESIGNED).get(2, TimeUnit.MINUTES));
        assertEquals(
                ResponseStatus.TRY_LATER,
                patient.submit(
                                () -> {
                                    throw new IllegalStateException("boom");
                                },
                                () -> PRESIGNED)
                        .get(2, TimeUnit.MINUTES)
                        .status(),
                "a failure is tryLater, never an exception");

        LiveLane lane = LiveLane.bounded(1, 1, Duration.ofMillis(300), registry);

        // the HSM stops answering: the one thread hangs, the next waits in the queue, the third finds it full
        CountDownLatch hsm = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        long start = System.nanoTime();
        CountDownLatch called = new CountDownLatch(1);
        CompletableFuture<Answer> hung = lane.submit(
                () -> {
                    calls.incrementAndGet();
                    called.countDown();
                    await(hsm);
                    return LIVE;
                },
                () -> PRESIGNED);
        assertTrue(called.await(60, TimeUnit.SECONDS), "the lane's thread took it");
        CompletableFuture<Answer> queued = lane.submit(
                () -> {
                    calls.incrementAndGet();
                    return LIVE;
                },
                () -> PRESIGNED);
        CompletableFuture<Answer> full = lane.submit(() -> LIVE, () -> PRESIGNED);
        assertTrue(full.isDone(), "a full lane answers at once");
        assertSame(PRESIGNED, full.join());
        assertSame(PRESIGNED, hung.get(60, TimeUnit.SECONDS));
        assertSame(PRESIGNED, queued.get(60, TimeUnit.SECONDS));
        long ms = (System.nanoTime() - start) / 1_000_000;
        // the fallback came after the lane's timeout (not at once), and before the HSM answered (it still hangs);
        // how soon after the timeout is the machine's speed, not asserted (the 60 s gets are the hang check)
        assertTrue(ms >= 250, "the fallback after the timeout: " + ms + " ms");
        assertEquals(1.0, shed("full"));
        assertEquals(2.0, shed("timeout"));

        hsm.countDown(); // the HSM is back: answers come from it again once the lane has drained
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // a hang is the failure
        Answer after = PRESIGNED;
        while (after != LIVE && System.nanoTime() < deadline) {
            after = lane.submit(() -> LIVE, () -> PRESIGNED).get(60, TimeUnit.SECONDS);
        }
        assertSame(LIVE, after);
        assertEquals(1, calls.get(), "the queued call, given up on, was never made");
    }

    @Test
    void theLaneByDefaultOnlyForAnHsmOutsideTheProcess() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(0, config(-1).laneThreads("/usr/lib/softhsm/libsofthsm2.so"));
        assertEquals(2 * cores, config(-1).laneThreads("/opt/cloudhsm/lib/libcloudhsm_pkcs11.so"));
        assertEquals(3, config(3).laneThreads("/usr/lib/softhsm/libsofthsm2.so"));
        assertEquals(0, config(0).laneThreads("/usr/safenet/lunaclient/lib/libCryptoki2_64.so"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> config(-2));
        assertTrue(bad.getMessage().contains("live-threads"), bad.getMessage());
    }

    static ResponderConfig config(int liveThreads) {
        return new ResponderConfig(
                "presigned",
                true,
                "delegated",
                96,
                60,
                100,
                100,
                liveThreads,
                1000,
                Duration.ofSeconds(2),
                Duration.ofHours(1));
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static OcspQuery query(byte[] nonce) {
        AlgorithmIdentifier sha1 = new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1);
        CertificateID id = new CertificateID(new CertID(
                sha1,
                new DEROctetString(new byte[20]),
                new DEROctetString(new byte[20]),
                new ASN1Integer(BigInteger.valueOf(7))));
        return new OcspQuery(List.of(id), nonce);
    }

    static IssuerFilter chain(Source source) {
        KnownIssuers any = new KnownIssuers(null, Clock.systemUTC()) {
            @Override
            public Optional<Issuer> find(CertificateID id, String hash) {
                return Optional.of(new Issuer(
                        new IssuerRow("issuing-1", "issuing", "root-1", "01", "", "", "", "", NOW, new byte[0], true),
                        null));
            }
        };
        return new IssuerFilter(any, source);
    }

    @Test
    void withoutAnHsmOnlyWhatIsInMemoryIsAnsweredOnTheCallersThread() throws Exception {
        List<String> readers = new ArrayList<>();
        Answer[] inMemory = {PRESIGNED};
        CountDownLatch store = new CountDownLatch(1);
        Source fromStore = q -> {
            readers.add(Thread.currentThread().getName());
            await(store);
            return PRESIGNED;
        };
        LiveLane lane = LiveLane.bounded(LiveLane.Kind.STORE, 1, 1, Duration.ofMinutes(1), registry);
        Responder responder = new Responder(chain(fromStore), null, chain(q -> inMemory[0]), null, lane, null);

        CompletableFuture<Answer> held = responder.answerAsync(query(null));
        assertTrue(held.isDone(), "a response held in memory needs no lane");
        assertTrue(readers.isEmpty());

        inMemory[0] = Answer.error(ResponseStatus.UNAUTHORIZED); // not in memory: the store is read on the lane
        CompletableFuture<Answer> read = responder.answerAsync(query(null));
        CompletableFuture<Answer> queued = responder.answerAsync(query(null));
        // the lane's one thread is busy and its queue of one is taken: the third gets tryLater at once
        assertEquals(
                ResponseStatus.TRY_LATER,
                responder.answerAsync(query(null)).join().status());
        assertEquals(
                1.0, registry.counter("pki.ocsp.store.shed", "reason", "full").count());
        store.countDown();
        assertSame(PRESIGNED, read.get(60, TimeUnit.SECONDS));
        assertSame(PRESIGNED, queued.get(60, TimeUnit.SECONDS));
        assertEquals(2, readers.size());
        assertTrue(readers.stream().allMatch(n -> n.startsWith("ocsp-store-")), readers.toString());
        // a nonce without an HSM is answered as without one: pre-signed, from memory when it is there
        inMemory[0] = PRESIGNED;
        assertSame(PRESIGNED, responder.answerAsync(query(new byte[] {9})).join());
    }

    @Test
    void withAHungHsmWhatTheStoreHoldsPreSignedIsStillServed() throws Exception {
        CountDownLatch hsm = new CountDownLatch(1);
        List<String> signers = new CopyOnWriteArrayList<>();
        Source live = q -> {
            signers.add(Thread.currentThread().getName());
            await(hsm);
            return LIVE;
        };
        Answer[] inStore = {PRESIGNED};
        List<String> readers = new CopyOnWriteArrayList<>();
        Source store = q -> {
            readers.add(Thread.currentThread().getName());
            return inStore[0];
        };
        LiveLane storeLane = LiveLane.bounded(LiveLane.Kind.STORE, 1, 10, Duration.ofMinutes(1), registry);
        LiveLane hsmLane = LiveLane.bounded(1, 10, Duration.ofMillis(200), registry);
        Responder responder = new Responder(
                chain(q -> inStore[0].successful() ? inStore[0] : live.respond(q)),
                chain(live),
                chain(q -> Answer.error(ResponseStatus.UNAUTHORIZED)), // nothing in memory (a cold cache)
                chain(store),
                storeLane,
                hsmLane);

        assertSame(PRESIGNED, responder.answerAsync(query(null)).get(60, TimeUnit.SECONDS), "read, never signed");
        // a nonce the hung HSM cannot sign: the pre-signed answer from the store, without the nonce
        assertSame(PRESIGNED, responder.answerAsync(query(new byte[] {3})).get(60, TimeUnit.SECONDS));
        assertTrue(readers.stream().allMatch(n -> n.startsWith("ocsp-store-")), readers.toString());
        assertEquals(2, readers.size());
        // nothing pre-signed in the store either: the HSM is asked, and its timeout gives tryLater
        inStore[0] = Answer.error(ResponseStatus.UNAUTHORIZED);
        assertEquals(
                ResponseStatus.TRY_LATER,
                responder.answerAsync(query(null)).get(60, TimeUnit.SECONDS).status());
        assertEquals(List.of("ocsp-live-1"), signers, "only the nonce reached the HSM (the other waited, given up)");
        hsm.countDown();
    }

    @Test
    void onlyWhatMaySignGoesToTheLane() throws Exception {
        List<String> onLane = new ArrayList<>();
        Source live = q -> {
            onLane.add(Thread.currentThread().getName());
            return LIVE;
        };
        Answer[] presigned = {PRESIGNED};
        Source keylessSource = q -> presigned[0];
        LiveLane lane = LiveLane.bounded(1, 10, Duration.ofSeconds(5), registry);
        Responder responder = new Responder(
                chain(q -> presigned[0].successful() ? presigned[0] : live.respond(q)),
                chain(live),
                chain(keylessSource),
                null,
                null,
                lane);

        CompletableFuture<Answer> plain = responder.answerAsync(query(null));
        assertTrue(plain.isDone(), "a pre-signed answer needs no lane");
        assertSame(PRESIGNED, plain.join());

        assertSame(
                LIVE, responder.answerAsync(query(new byte[] {5})).get(60, TimeUnit.SECONDS), "a nonce: signed live");
        presigned[0] = Answer.error(ResponseStatus.UNAUTHORIZED); // nothing pre-signed: signed live too
        assertSame(LIVE, responder.answerAsync(query(null)).get(60, TimeUnit.SECONDS));
        assertEquals(2, onLane.size());
        assertTrue(onLane.stream().allMatch(n -> n.startsWith("ocsp-live-")), onLane.toString());

        // a hung HSM: the nonce request gets the pre-signed answer (without its nonce), else tryLater
        CountDownLatch hsm = new CountDownLatch(1);
        LiveLane slow = LiveLane.bounded(1, 10, Duration.ofMillis(200), registry);
        presigned[0] = PRESIGNED;
        Responder stuck = new Responder(
                chain(live),
                chain(q -> {
                    await(hsm);
                    return LIVE;
                }),
                chain(keylessSource),
                null,
                null,
                slow);
        assertSame(PRESIGNED, stuck.answerAsync(query(new byte[] {6})).get(60, TimeUnit.SECONDS));
        presigned[0] = Answer.error(ResponseStatus.UNAUTHORIZED);
        Answer none = stuck.answerAsync(query(new byte[] {7})).get(60, TimeUnit.SECONDS);
        assertEquals(ResponseStatus.TRY_LATER, none.status());
        assertNotEquals(LIVE, none);
        hsm.countDown();
        assertFalse(Thread.currentThread().getName().startsWith("ocsp-live-"));
    }
}
