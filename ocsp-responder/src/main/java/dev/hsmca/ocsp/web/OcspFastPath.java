package dev.hsmca.ocsp.web;

import dev.hsmca.ocsp.responder.Responder;
import dev.hsmca.ocsp.source.Answer;
import dev.hsmca.ocsp.source.OcspQuery;
import dev.hsmca.ocsp.source.ResponseStatus;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.ReadOnlyHttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * Answers plain OCSP requests in the Netty pipeline, before Micronaut's router: an RFC 5019 GET whose path parses as
 * an OCSP request, and a POST of application/ocsp-request to {@code /} or {@code /ocsp} with a Content-Length within
 * {@code micronaut.server.max-request-size}. The router's route match, its path decoding and its body binding were
 * most of what a pre-signed answer cost beyond nginx serving the same bytes (the bench's profile). Everything else
 * goes on to Micronaut unchanged ({@link OcspController} answers the same way, through {@link OcspHttp}): other
 * paths, HEAD, chunked or compressed bodies, {@code Expect}, anything malformed, and any request that arrives while
 * Micronaut still owes an earlier answer on the connection, so pipelined answers keep their order. Answered here
 * only while the channel is writable, so a client that does not read meets Micronaut's back-pressure.
 * {@code pki.ocsp.fast-path: false} turns it off.
 */
@Singleton
public class OcspFastPath implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
    static final String HANDLER = "pki-ocsp-fast-path";
    private static final AsciiString RESPONSE_TYPE = AsciiString.cached(OcspHttp.RESPONSE);
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString CLOSE = AsciiString.cached("close");

    private final Responder responder;
    private final OcspHttp http;
    private final Clock clock;
    private final boolean enabled;
    private final long maxBody;
    private final GetQueries gets = new GetQueries();
    private volatile DateHeader date = new DateHeader(Long.MIN_VALUE, "");

    private record DateHeader(long second, String value) {}

    public OcspFastPath(
            Responder responder,
            OcspHttp http,
            Clock clock,
            @Value("${pki.ocsp.fast-path:true}") boolean enabled,
            @Value("${micronaut.server.max-request-size:10485760}") long maxBody) {
        this.responder = responder;
        this.http = http;
        this.clock = clock;
        this.enabled = enabled;
        this.maxBody = maxBody;
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        if (enabled) {
            event.getBean().register(new Customizer(null));
        }
        return event.getBean();
    }

    private final class Customizer implements NettyServerCustomizer {
        private final Channel channel;

        Customizer(Channel channel) {
            this.channel = channel;
        }

        @Override
        public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
            return role == ChannelRole.CONNECTION ? new Customizer(channel) : this;
        }

        @Override
        public void onStreamPipelineBuilt() {
            // HTTP/1 only: there the codec's messages reach Micronaut's handler right after this one
            if (channel != null
                    && channel.pipeline().get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) != null
                    && channel.pipeline().get(ChannelPipelineCustomizer.HANDLER_MICRONAUT_INBOUND) != null) {
                channel.pipeline()
                        .addBefore(ChannelPipelineCustomizer.HANDLER_MICRONAUT_INBOUND, HANDLER, newHandler());
            }
        }
    }

    /** The handler for one connection. */
    ChannelHandler newHandler() {
        return new Handler();
    }

    /** How many GET paths are kept parsed (for tests). */
    int parsedGets() {
        return gets.kept();
    }

    /** The body length of a POST this path takes, else -1. */
    int postLength(HttpRequest req) {
        String uri = req.uri();
        if (!uri.equals("/") && !uri.equals("/ocsp")) {
            return -1;
        }
        HttpHeaders h = req.headers();
        String type = h.get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null
                || !type.split(";", 2)[0].trim().equalsIgnoreCase(OcspHttp.REQUEST)
                || h.contains(HttpHeaderNames.TRANSFER_ENCODING)
                || h.contains(HttpHeaderNames.CONTENT_ENCODING)
                || h.contains(HttpHeaderNames.EXPECT)) {
            return -1;
        }
        long length;
        try {
            length = HttpUtil.getContentLength(req, -1L);
        } catch (NumberFormatException e) {
            return -1;
        }
        return length > 0 && length <= maxBody ? (int) length : -1;
    }

    private String date() {
        Instant now = clock.instant();
        DateHeader d = date;
        if (d.second() != now.getEpochSecond()) {
            d = new DateHeader(now.getEpochSecond(), OcspHttp.http(Instant.ofEpochSecond(now.getEpochSecond())));
            date = d;
        }
        return d.value();
    }

    /** One per connection, on its event loop. */
    private final class Handler extends ChannelDuplexHandler {
        /** Requests handed to Micronaut whose answer has not been written in full yet. */
        private int downstream;
        /** The current request's body goes to Micronaut. */
        private boolean forwarding;
        /** The current request was answered here; its (empty) body is dropped. */
        private boolean dropping;
        /** The POST whose body is being collected, its body so far, and when it arrived. */
        private HttpRequest post;

        private byte[] body;
        private int received;
        private long started;
        private boolean flushPending;
        private boolean closing;
        /** An answer is being worked out off the event loop (the HSM): what arrives meanwhile waits, in order. */
        private boolean waiting;

        private final ArrayDeque<Object> held = new ArrayDeque<>();
        /** Micronaut asked for more data while an answer was owed: asked on once it is written. */
        private boolean readWanted;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closing) {
                ReferenceCountUtil.release(msg);
            } else if (waiting) {
                held.add(msg);
            } else if (msg instanceof HttpRequest req) {
                request(ctx, req);
            } else if (msg instanceof HttpContent content) {
                content(ctx, content);
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        private void request(ChannelHandlerContext ctx, HttpRequest req) {
            long start = System.nanoTime();
            boolean last = req instanceof LastHttpContent;
            if (downstream == 0
                    && ctx.channel().isWritable()
                    && req.decoderResult().isSuccess()) {
                if (HttpMethod.GET.equals(req.method())
                        && !HttpUtil.isContentLengthSet(req)
                        && !HttpUtil.isTransferEncodingChunked(req)) {
                    OcspQuery query = gets.of(req.uri());
                    if (query != null) {
                        dropping = !last;
                        ReferenceCountUtil.release(req);
                        reply(ctx, req, responder.answerAsync(query), start, true);
                        return;
                    }
                } else if (HttpMethod.POST.equals(req.method())) {
                    int length = postLength(req);
                    if (length > 0) {
                        post = req;
                        body = new byte[length];
                        received = 0;
                        started = start;
                        if (last) {
                            content(ctx, (FullHttpRequest) req);
                        }
                        return;
                    }
                }
            }
            downstream++;
            forwarding = !last;
            ctx.fireChannelRead(req);
        }

        private void content(ChannelHandlerContext ctx, HttpContent content) {
            if (forwarding) {
                forwarding = !(content instanceof LastHttpContent);
                ctx.fireChannelRead(content);
                return;
            }
            if (dropping) {
                dropping = !(content instanceof LastHttpContent);
                ReferenceCountUtil.release(content);
                return;
            }
            if (post == null) {
                ctx.fireChannelRead(content);
                return;
            }
            try {
                int n = Math.min(content.content().readableBytes(), body.length - received);
                content.content().readBytes(body, received, n);
                received += n;
            } finally {
                ReferenceCountUtil.release(content);
            }
            if (content instanceof LastHttpContent) {
                HttpRequest req = post;
                byte[] der = received == body.length ? body : null; // a short body is no request: malformedRequest
                post = null;
                body = null;
                reply(ctx, req, responder.answerAsync(der), started, false);
            }
        }

        /** Answers now when the answer is ready; else once the lane has it, holding what arrives meanwhile. */
        @SuppressWarnings("FutureReturnValueIgnored") // the outcome goes where it always went (a callback, the promise)
        private void reply(
                ChannelHandlerContext ctx, HttpRequest req, CompletableFuture<Answer> answer, long start, boolean get) {
            String warming = req.headers().get(Warmup.HEADER);
            if (answer.isDone()) {
                answer(ctx, req, http.measured(answer.join(), start, warming), get);
                return;
            }
            waiting = true;
            answer.whenComplete((a, failure) -> ctx.executor()
                    .execute(() -> resume(
                            ctx,
                            req,
                            http.measured(a != null ? a : Answer.error(ResponseStatus.TRY_LATER), start, warming),
                            get)));
        }

        private void resume(ChannelHandlerContext ctx, HttpRequest req, Answer a, boolean get) {
            waiting = false;
            if (!ctx.channel().isActive()) {
                releaseHeld();
                return;
            }
            answer(ctx, req, a, get);
            boolean any = !held.isEmpty();
            while (!waiting && !closing && !held.isEmpty()) {
                channelRead(ctx, held.poll());
            }
            if (closing) {
                releaseHeld();
            }
            if (any) {
                channelReadComplete(ctx); // the end of this batch for Micronaut too (it flushes and reads on)
            } else if (flushPending) {
                flushPending = false;
                ctx.flush();
            }
            if (!waiting && readWanted) {
                readWanted = false;
                ctx.read();
            }
        }

        private void releaseHeld() {
            for (Object m = held.poll(); m != null; m = held.poll()) {
                ReferenceCountUtil.release(m);
            }
        }

        @Override
        public void read(ChannelHandlerContext ctx) {
            if (waiting) {
                readWanted = true;
            } else {
                ctx.read();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            releaseHeld();
            ctx.fireChannelInactive();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            releaseHeld();
        }

        @SuppressWarnings("FutureReturnValueIgnored") // the outcome goes where it always went (a callback, the promise)
        private void answer(ChannelHandlerContext ctx, HttpRequest req, Answer a, boolean get) {
            OcspHttp.Reply reply = http.reply(a, get);
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            FullHttpResponse r = new DefaultFullHttpResponse(
                    req.protocolVersion(),
                    HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(reply.body()),
                    headers(reply, req.protocolVersion(), keepAlive),
                    EmptyHttpHeaders.INSTANCE);
            if (keepAlive) {
                ctx.write(r, ctx.voidPromise());
                flushPending = true; // once per read, in channelReadComplete, as Micronaut does
            } else {
                closing = true;
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
        }

        /**
         * Every header value is ours (no request text in any): a read-only list of them, without the validation and
         * the hash table of a mutable one, which were a good part of an answer's garbage (the bench's profile).
         */
        private HttpHeaders headers(OcspHttp.Reply reply, HttpVersion version, boolean keepAlive) {
            // what HttpUtil.setKeepAlive would write, which cannot write to read-only headers
            AsciiString connection = keepAlive == version.isKeepAliveDefault() ? null : keepAlive ? KEEP_ALIVE : CLOSE;
            CharSequence[] h = new CharSequence[(reply.cache() != null ? 14 : 8) + (connection != null ? 2 : 0)];
            int n = 0;
            h[n++] = HttpHeaderNames.CONTENT_TYPE;
            h[n++] = RESPONSE_TYPE;
            h[n++] = HttpHeaderNames.CONTENT_LENGTH;
            h[n++] = Integer.toString(reply.body().length);
            h[n++] = HttpHeaderNames.DATE;
            h[n++] = date();
            h[n++] = HttpHeaderNames.CACHE_CONTROL;
            h[n++] = reply.cacheControl();
            if (reply.cache() != null) {
                h[n++] = HttpHeaderNames.LAST_MODIFIED;
                h[n++] = reply.cache().lastModified();
                h[n++] = HttpHeaderNames.EXPIRES;
                h[n++] = reply.expires();
                h[n++] = HttpHeaderNames.ETAG;
                h[n++] = reply.cache().etag();
            }
            if (connection != null) {
                h[n++] = HttpHeaderNames.CONNECTION;
                h[n] = connection;
            }
            return new ReadOnlyHttpHeaders(false, h);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (flushPending) {
                flushPending = false;
                ctx.flush();
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        @SuppressWarnings("FutureReturnValueIgnored") // the outcome goes where it always went (a callback, the promise)
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            // the end of one of Micronaut's answers (an interim 100 Continue is not one)
            if (downstream > 0
                    && msg instanceof LastHttpContent
                    && !(msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL)) {
                downstream--;
            }
            ctx.write(msg, promise);
        }
    }
}
