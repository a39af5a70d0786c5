package dev.hsmca.hsm;

import java.io.IOException;
import java.io.OutputStream;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentSigner;

/**
 * Times the HSM call (the signature itself) and reports it, success or failure. Any failure of the token while
 * the data goes in or the signature comes out surfaces as an {@link HsmException}, so callers can tell an HSM
 * outage (retry later) from a bug.
 */
final class ObservedContentSigner implements ContentSigner {
    private final String alias;
    private final ContentSigner delegate;
    private final SignObserver observer;

    ObservedContentSigner(String alias, ContentSigner delegate, SignObserver observer) {
        this.alias = alias;
        this.delegate = delegate;
        this.observer = observer;
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
        return delegate.getAlgorithmIdentifier();
    }

    @Override
    public OutputStream getOutputStream() {
        OutputStream out = delegate.getOutputStream();
        return new OutputStream() {
            @Override
            public void write(int b) {
                try {
                    out.write(b);
                } catch (IOException | RuntimeException e) {
                    throw failed(e);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    out.write(b, off, len);
                } catch (IOException | RuntimeException e) {
                    throw failed(e);
                }
            }

            @Override
            public void close() {
                try {
                    out.close();
                } catch (IOException | RuntimeException e) {
                    throw failed(e);
                }
            }
        };
    }

    @Override
    public byte[] getSignature() {
        long start = System.nanoTime();
        boolean ok = false;
        try {
            byte[] signature = delegate.getSignature();
            ok = true;
            return signature;
        } catch (RuntimeException e) {
            throw failed(e);
        } finally {
            observer.signed(alias, System.nanoTime() - start, ok);
        }
    }

    private HsmException failed(Exception e) {
        return e instanceof HsmException h ? h : new HsmException("HSM signature with '" + alias + "' failed", e);
    }
}
