package dev.hsmca.hsm;

import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentSigner;

import java.io.OutputStream;

/** Times the HSM call (the signature itself) and reports it, success or failure. */
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
        return delegate.getOutputStream();
    }

    @Override
    public byte[] getSignature() {
        long start = System.nanoTime();
        boolean ok = false;
        try {
            byte[] signature = delegate.getSignature();
            ok = true;
            return signature;
        } finally {
            observer.signed(alias, System.nanoTime() - start, ok);
        }
    }
}
