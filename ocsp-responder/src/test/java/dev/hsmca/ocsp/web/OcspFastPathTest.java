package dev.hsmca.ocsp.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.ocsp.responder.LiveLane;
import dev.hsmca.ocsp.responder.Responder;
import dev.hsmca.ocsp.source.Answer;
import dev.hsmca.ocsp.source.IssuerFilter;
import dev.hsmca.ocsp.source.KnownIssuers;
import dev.hsmca.ocsp.source.ResponseStatus;
import dev.hsmca.ocsp.source.Source;
import dev.hsmca.ocsp.store.IssuerRow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.junit.jupiter.api.Test;

/**
 * Which requests the Netty fast path answers and which it hands on to Micronaut (a recording stand-in here), and that
 * pipelined answers keep their order either way. Real HTTP bytes through Netty's codec; no issuer is known, so every
 * OCSP answer is {@code unauthorized}, which is enough to tell the two ways apart.
 */
class OcspFastPathTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
    static final byte[] REQUEST = request();
    static final String GET_PATH = "/"
            + Base64.getEncoder()
                    .encodeToString(REQUEST)
                    .replace("/", "%2F")
                    .replace("+", "%2B")
                    .replace("=", "%3D");

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Warmup warmup = new Warmup(null, null, Duration.ZERO);
    final OcspFastPath fastPath = new OcspFastPath(
            new Responder(
                    new IssuerFilter(new KnownIssuers(WarmupTest.NO_ISSUERS, CLOCK), q -> {
                        throw new AssertionError("no issuer is known");
                    }),
                    null),
            new OcspHttp(CLOCK, registry, warmup, Duration.ofHours(1)),
            CLOCK,
            true,
            8192);
    final Downstream micronaut = new Downstream();
    final EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), fastPath.newHandler(), micronaut);

    static byte[] request() {
        try {
            AlgorithmIdentifier sha1 = new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1);
            CertificateID id = new CertificateID(new CertID(
                    sha1,
                    new DEROctetString(new byte[20]),
                    new DEROctetString(new byte[20]),
                    new ASN1Integer(BigInteger.valueOf(7))));
            return new OCSPReqBuilder().addRequest(id).build().getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stands in for Micronaut's handler: records what reaches it, answers each request when told. */
    static final class Downstream extends ChannelInboundHandlerAdapter {
        final List<String> seen = new ArrayList<>();
        final List<String> owed = new ArrayList<>();
        ChannelHandlerContext ctx;
        boolean holding;
        private String current;
        private int bodyBytes;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            this.ctx = ctx;
            if (msg instanceof HttpRequest r) {
                current = r.method() + " " + r.uri();
                bodyBytes = 0;
            }
            if (msg instanceof HttpContent c) {
                bodyBytes += c.content().readableBytes();
            }
            if (msg instanceof LastHttpContent) {
                seen.add(current + " " + bodyBytes);
                owed.add("downstream " + current);
                if (!holding) {
                    answer();
                }
            }
            ReferenceCountUtil.release(msg);
        }

        @SuppressWarnings("FutureReturnValueIgnored") // a test server: a failed write shows as a missing reply
        void answer() {
            for (String body : owed) {
                FullHttpResponse r = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1,
                        HttpResponseStatus.OK,
                        Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
                r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
                ctx.writeAndFlush(r);
            }
            owed.clear();
        }
    }

    record Reply(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }

        int ocspStatus() throws Exception {
            return new OCSPResp(body).getStatus();
        }
    }

    void send(String... parts) {
        for (String part : parts) {
            channel.writeInbound(Unpooled.copiedBuffer(part, StandardCharsets.ISO_8859_1));
        }
    }

    static String post(String path, String type, byte[] body) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + type + "\r\nContent-Length: " + body.length
                + "\r\n\r\n" + new String(body, StandardCharsets.ISO_8859_1);
    }

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    /** Every answer written so far, parsed in order. */
    List<Reply> replies() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            out.writeBytes(bytes);
        }
        byte[] all = out.toByteArray();
        List<Reply> replies = new ArrayList<>();
        int at = 0;
        while (at < all.length) {
            String rest = new String(all, at, all.length - at, StandardCharsets.ISO_8859_1);
            int end = rest.indexOf("\r\n\r\n");
            String[] lines = rest.substring(0, end).split("\r\n", -1); // up to the blank line: no trailing empty part
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                String[] kv = lines[i].split(":", 2);
                headers.put(kv[0].trim().toLowerCase(Locale.ROOT), kv[1].trim());
            }
            int length = Integer.parseInt(headers.get("content-length"));
            int from = at + end + 4;
            replies.add(new Reply(
                    Integer.parseInt(lines[0].split(" ", -1)[1]),
                    headers,
                    Arrays.copyOfRange(all, from, from + length)));
            at = from + length;
        }
        return replies;
    }

    @Test
    void answersAnOcspGetAndPostItselfWithTheControllersHeaders() throws Exception {
        send(
                get(GET_PATH),
                get("/ocsp" + GET_PATH),
                post("/", "application/ocsp-request", REQUEST),
                post("/ocsp", "Application/OCSP-Request; charset=binary", REQUEST));
        List<Reply> replies = replies();
        assertEquals(4, replies.size());
        for (Reply r : replies) {
            assertEquals(200, r.status());
            assertEquals(ResponseStatus.UNAUTHORIZED.code(), r.ocspStatus());
            assertEquals("application/ocsp-response", r.headers().get("content-type"));
            assertEquals("no-cache, no-store", r.headers().get("cache-control"));
            assertEquals("Thu, 26 Nov 2026 12:00:00 GMT", r.headers().get("date"));
        }
        assertEquals(List.of(), micronaut.seen, "nothing reached the router");
        assertEquals(
                4.0,
                registry.get("pki.ocsp.responses")
                        .tag("status", "unauthorized")
                        .counter()
                        .count());
        assertTrue(channel.isOpen());
    }

    /** A GET 'good' valid for days: a cache in front may keep it for an hour at most, as the controller says too. */
    @Test
    void aGetAnswerMayBeCachedForTheResponderSettingOnly() throws Exception {
        Answer good = new Answer(
                new byte[] {0x30, 0x03, 0x0a, 0x01, 0x00},
                ResponseStatus.SUCCESSFUL,
                CLOCK.instant().minusSeconds(60),
                CLOCK.instant().plus(Duration.ofDays(4)),
                Answer.Mode.PRESIGNED,
                "good");
        KnownIssuers any = new KnownIssuers(null, CLOCK) {
            @Override
            public Optional<Issuer> find(CertificateID id, String hash) {
                return Optional.of(new Issuer(
                        new IssuerRow(
                                "issuing-1",
                                "issuing",
                                "root-1",
                                "01",
                                "",
                                "",
                                "",
                                "",
                                CLOCK.instant(),
                                new byte[0],
                                true),
                        null));
            }
        };
        OcspFastPath path = new OcspFastPath(
                new Responder(new IssuerFilter(any, q -> good), null),
                new OcspHttp(CLOCK, registry, warmup, Duration.ofHours(1)),
                CLOCK,
                true,
                8192);
        EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(), path.newHandler(), new Downstream());
        ch.writeInbound(Unpooled.copiedBuffer(get(GET_PATH), StandardCharsets.ISO_8859_1));
        ByteBuf out = ch.readOutbound();
        String head = out.toString(StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        out.release();
        assertTrue(head.contains("cache-control: max-age=3600, public, no-transform, must-revalidate"), head);
        assertTrue(head.contains("expires: thu, 26 nov 2026 13:00:00 gmt"), head);
        assertTrue(head.contains("date: thu, 26 nov 2026 12:00:00 gmt"), head);
        assertTrue(head.contains("last-modified: thu, 26 nov 2026 11:59:00 gmt"), head);
    }

    @Test
    void aBodyInSeveralReadsIsCollectedWhole() throws Exception {
        String whole = post("/ocsp", "application/ocsp-request", REQUEST);
        int cut = whole.indexOf("\r\n\r\n") + 10;
        send(whole.substring(0, cut));
        assertEquals(List.of(), replies(), "no answer before the body is complete");
        send(whole.substring(cut));
        List<Reply> replies = replies();
        assertEquals(1, replies.size());
        assertEquals(ResponseStatus.UNAUTHORIZED.code(), replies.get(0).ocspStatus());
        assertEquals(List.of(), micronaut.seen);
    }

    @Test
    void everythingElseGoesOnToMicronautWhole() {
        String chunked = "POST /ocsp HTTP/1.1\r\nHost: x\r\nContent-Type: application/ocsp-request\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(REQUEST.length) + "\r\n"
                + new String(REQUEST, StandardCharsets.ISO_8859_1) + "\r\n0\r\n\r\n";
        String expect = post("/ocsp", "application/ocsp-request", REQUEST)
                .replace("Host: x\r\n", "Host: x\r\nExpect: 100-continue\r\n");
        send(
                get("/health"),
                get("/crl/issuing.crl"),
                get("/not*base64"),
                get("/" + Base64.getEncoder().encodeToString(new byte[12])),
                post("/ocsp", "text/plain", REQUEST),
                post("/elsewhere", "application/ocsp-request", REQUEST),
                post("/ocsp", "application/ocsp-request", new byte[0]),
                post("/ocsp", "application/ocsp-request", new byte[8193]),
                chunked,
                expect);
        assertEquals(
                List.of(
                        "GET /health 0",
                        "GET /crl/issuing.crl 0",
                        "GET /not*base64 0",
                        "GET /AAAAAAAAAAAAAAAA 0",
                        "POST /ocsp " + REQUEST.length,
                        "POST /elsewhere " + REQUEST.length,
                        "POST /ocsp 0",
                        "POST /ocsp 8193",
                        "POST /ocsp " + REQUEST.length,
                        "POST /ocsp " + REQUEST.length),
                micronaut.seen);
        List<Reply> replies = replies();
        assertEquals(micronaut.seen.size(), replies.size());
        for (Reply r : replies) {
            assertTrue(r.text().startsWith("downstream "), r.text());
        }
        assertEquals(0.0, counted(), "the router's answers count there, not here");

        // HEAD too (its answer has no body, so it is checked apart)
        Downstream other = new Downstream();
        EmbeddedChannel head = new EmbeddedChannel(new HttpServerCodec(), fastPath.newHandler(), other);
        head.writeInbound(Unpooled.copiedBuffer(
                "HEAD " + GET_PATH + " HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.ISO_8859_1));
        assertEquals(List.of("HEAD " + GET_PATH + " 0"), other.seen);
    }

    @Test
    void pipelinedAnswersKeepTheirOrder() throws Exception {
        micronaut.holding = true;
        // one read: a request for the router, then OCSP requests that must wait their turn behind its answer
        send(get("/health") + get(GET_PATH) + post("/ocsp", "application/ocsp-request", REQUEST));
        assertEquals(List.of(), replies(), "nothing may overtake the router's pending answer");
        assertEquals(
                List.of("GET /health 0", "GET " + GET_PATH + " 0", "POST /ocsp " + REQUEST.length), micronaut.seen);
        micronaut.answer();
        List<Reply> replies = replies();
        assertEquals(
                List.of("downstream GET /health", "downstream GET " + GET_PATH, "downstream POST /ocsp"),
                replies.stream().map(Reply::text).toList());

        // all answered: the next ones are the fast path's again, in order with one more for the router between them
        send(get(GET_PATH) + get("/health") + get(GET_PATH));
        assertEquals(2, micronaut.owed.size(), "the router holds /health and the GET behind it");
        List<Reply> first = replies();
        assertEquals(1, first.size(), "the first answered at once, the third waits behind the router's");
        assertEquals(ResponseStatus.UNAUTHORIZED.code(), first.get(0).ocspStatus());
        micronaut.answer();
        List<Reply> rest = replies();
        assertEquals(
                List.of("downstream GET /health", "downstream GET " + GET_PATH),
                rest.stream().map(Reply::text).toList());
    }

    /** An answer worked out off the event loop (the HSM's lane): later requests wait for it, in order. */
    @Test
    void whileAnAnswerIsOffTheLoopLaterRequestsWaitTheirTurn() throws Exception {
        CountDownLatch hsm = new CountDownLatch(1);
        Answer signed = new Answer(
                new byte[] {0x30, 0x03, 0x0a, 0x01, 0x00},
                ResponseStatus.SUCCESSFUL,
                CLOCK.instant(),
                CLOCK.instant().plusSeconds(60),
                Answer.Mode.LIVE,
                "good");
        Source live = q -> {
            try {
                hsm.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return signed;
        };
        KnownIssuers any = new KnownIssuers(null, CLOCK) {
            @Override
            public Optional<Issuer> find(CertificateID id, String hash) {
                return Optional.of(new Issuer(
                        new IssuerRow(
                                "issuing-1",
                                "issuing",
                                "root-1",
                                "01",
                                "",
                                "",
                                "",
                                "",
                                CLOCK.instant(),
                                new byte[0],
                                true),
                        null));
            }
        };
        Responder responder = new Responder(
                new IssuerFilter(any, q -> signed),
                new IssuerFilter(any, live),
                new IssuerFilter(any, q -> Answer.error(ResponseStatus.UNAUTHORIZED)),
                null,
                null,
                LiveLane.bounded(1, 10, Duration.ofSeconds(10), registry));
        OcspFastPath path = new OcspFastPath(
                responder, new OcspHttp(CLOCK, registry, warmup, Duration.ofHours(1)), CLOCK, true, 8192);
        Downstream router = new Downstream();
        EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(), path.newHandler(), router);

        byte[] withNonce = new OCSPReqBuilder()
                .addRequest(new OCSPReq(REQUEST).getRequestList()[0].getCertID())
                .setRequestExtensions(new Extensions(new Extension(
                        OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                        false,
                        new DEROctetString(new DEROctetString(new byte[16]).getEncoded()))))
                .build()
                .getEncoded();
        ch.writeInbound(Unpooled.copiedBuffer(
                post("/ocsp", "application/ocsp-request", withNonce) + get("/health") + get(GET_PATH),
                StandardCharsets.ISO_8859_1));
        ch.runPendingTasks();
        assertNull(ch.readOutbound(), "nothing before the signed answer");
        assertEquals(List.of(), router.seen, "the router's request waits too");

        hsm.countDown();
        StringBuilder all = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // a hang is the failure
        while (all.toString().split("HTTP/1.1 200", -1).length < 4 && System.nanoTime() < deadline) {
            Thread.sleep(1); // the lane's thread needs a core of the two
            ch.runPendingTasks();
            for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
                all.append(((ByteBuf) o).toString(StandardCharsets.ISO_8859_1));
                ((ByteBuf) o).release();
            }
        }
        assertEquals(List.of("GET /health 0"), router.seen, "then the rest, in order");
        String text = all.toString();
        int signedAt = text.indexOf("application/ocsp-response");
        int healthAt = text.indexOf("downstream GET /health");
        int getAt = text.indexOf("application/ocsp-response", healthAt);
        assertTrue(signedAt >= 0 && signedAt < healthAt && healthAt < getAt, text);
        assertTrue(ch.isOpen());
    }

    @Test
    void closesWhenTheClientAsksAndCountsNoWarmUp() throws Exception {
        send("GET " + GET_PATH + " HTTP/1.1\r\nHost: x\r\nX-Ocsp-Warmup: " + warmup.secret() + "\r\n\r\n");
        assertEquals(ResponseStatus.UNAUTHORIZED.code(), replies().get(0).ocspStatus());
        assertEquals(0.0, counted(), "the warm-up's own request is not counted");

        send("GET " + GET_PATH + " HTTP/1.0\r\n\r\n");
        Reply old = replies().get(0);
        assertEquals(ResponseStatus.UNAUTHORIZED.code(), old.ocspStatus());
        assertNull(old.headers().get("connection"), "HTTP/1.0 closes by default");
        assertFalse(channel.isOpen());

        EmbeddedChannel second = new EmbeddedChannel(new HttpServerCodec(), fastPath.newHandler(), new Downstream());
        second.writeInbound(Unpooled.copiedBuffer(
                post("/ocsp", "application/ocsp-request", REQUEST)
                                .replace("Host: x\r\n", "Host: x\r\nConnection: close\r\n")
                        + get(GET_PATH),
                StandardCharsets.ISO_8859_1));
        ByteBuf out = second.readOutbound();
        String head = out.toString(StandardCharsets.ISO_8859_1);
        out.release();
        assertTrue(head.toLowerCase(Locale.ROOT).contains("connection: close"), head);
        assertNull(second.readOutbound(), "nothing after the answer that closed the connection");
        assertFalse(second.isOpen());
    }

    @Test
    void anHttp10ClientThatKeepsAliveIsToldSoAndTheSameGetIsParsedOnce() throws Exception {
        send("GET " + GET_PATH + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        Reply first = replies().get(0);
        assertEquals(ResponseStatus.UNAUTHORIZED.code(), first.ocspStatus());
        assertEquals("keep-alive", first.headers().get("connection"));
        assertEquals(Integer.toString(first.body().length), first.headers().get("content-length"));
        assertEquals(OcspHttp.RESPONSE, first.headers().get("content-type"));
        assertTrue(channel.isOpen(), "kept alive as asked");

        send(get(GET_PATH), get(GET_PATH));
        List<Reply> again = replies();
        assertEquals(2, again.size());
        assertNull(again.get(0).headers().get("connection"), "HTTP/1.1 keeps alive without saying so");
        assertEquals(first.text(), again.get(1).text(), "the same answer from the parse kept");
        assertEquals(1, fastPath.parsedGets(), "one path, parsed once and kept");
    }

    /** Every answer counted, whatever its status and mode (the series themselves exist from the start, at 0). */
    private double counted() {
        return registry.find("pki.ocsp.responses").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count)
                .sum();
    }
}
