package dev.hsmca.appliance.web.tls;

import dev.hsmca.appliance.domain.PkiMetrics;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import jakarta.inject.Singleton;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Counts TLS handshakes from the Netty pipeline: protocol and cipher of each success, a bounded reason for each
 * failure, the duration from accept to handshake end, and the expiry of client certificates presented.
 */
@Singleton
public class TlsHandshakeMetrics implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
    private final PkiMetrics metrics;

    public TlsHandshakeMetrics(PkiMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        event.getBean().register(new Customizer(null));
        return event.getBean();
    }

    private final class Customizer implements NettyServerCustomizer {
        private final Channel channel;
        private final long acceptedAt = System.nanoTime();

        Customizer(Channel channel) {
            this.channel = channel;
        }

        @Override
        public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
            return role == ChannelRole.CONNECTION ? new Customizer(channel) : this;
        }

        @Override
        public void onInitialPipelineBuilt() {
            if (channel != null && channel.pipeline().get(ChannelPipelineCustomizer.HANDLER_SSL) != null) {
                channel.pipeline()
                        .addAfter(ChannelPipelineCustomizer.HANDLER_SSL, "pki-tls-metrics", new Handler(acceptedAt));
            }
        }
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private final long acceptedAt;

        Handler(long acceptedAt) {
            this.acceptedAt = acceptedAt;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                long nanos = System.nanoTime() - acceptedAt;
                if (done.isSuccess()) {
                    SSLSession session =
                            ctx.pipeline().get(SslHandler.class).engine().getSession();
                    metrics.tlsHandshake(session.getProtocol(), session.getCipherSuite(), nanos);
                    try {
                        if (session.getPeerCertificates()[0] instanceof X509Certificate client) {
                            metrics.clientCertificateSeen(
                                    client.getSubjectX500Principal().getName(),
                                    client.getNotAfter().toInstant());
                        }
                    } catch (SSLPeerUnverifiedException e) {
                        // no client certificate: fine
                    }
                } else {
                    metrics.tlsHandshakeFailed(reason(done.cause()), nanos);
                }
                ctx.pipeline().remove(this);
            }
            super.userEventTriggered(ctx, evt);
        }
    }

    /** A small, fixed set of reasons (label values stay bounded). */
    static String reason(Throwable cause) {
        if (cause instanceof SslHandshakeTimeoutException) {
            return "timeout";
        }
        StringBuilder all = new StringBuilder();
        for (Throwable t = cause; t != null; t = t.getCause()) {
            all.append(' ').append(t.getMessage());
        }
        String m = all.toString().toLowerCase(Locale.ROOT);
        if (m.contains("protocol version")
                || m.contains("protocol_version")
                || m.contains("no appropriate protocol")
                || (m.contains("protocol") && m.contains("not enabled or supported"))) {
            return "protocol_version";
        }
        if (m.contains("does not chain") || m.contains("not issued by this ca") || m.contains("unknown_ca")) {
            return "unknown_ca";
        }
        if (m.contains("certificate_unknown")) {
            return "certificate_unknown";
        }
        if (m.contains("bad_certificate") || m.contains("empty client certificate")) {
            return "bad_certificate";
        }
        if (m.contains("cipher")) {
            return "no_shared_cipher";
        }
        if (m.contains("closed") || m.contains("reset")) {
            return "connection_closed";
        }
        return "other";
    }
}
