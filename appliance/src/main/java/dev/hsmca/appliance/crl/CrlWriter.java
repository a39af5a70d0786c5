package dev.hsmca.appliance.crl;

import dev.hsmca.core.RevocationReason;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.operator.ContentSigner;

/**
 * Writes a signed X.509 v2 CRL to a file in constant memory, however many entries: the entries are read once from
 * their source and encoded into a file (the DER lengths before them are known only after), then streamed through
 * the signer; they are never held together in memory.
 */
public final class CrlWriter {
    private CrlWriter() {}

    /** A revoked certificate. {@code reasonCode} is an RFC 5280 CRLReason, or -1 for none. */
    public record Entry(BigInteger serial, Instant revokedAt, int reasonCode, Instant invalidityDate) {
        /** A revoked row as stored: its serial in hex, when, and the reason's stored text (null: none given). */
        public static Entry stored(String serialHex, Instant revokedAt, String reason) {
            return new Entry(
                    new BigInteger(serialHex, 16),
                    revokedAt,
                    reason == null ? -1 : RevocationReason.stored(reason).code(),
                    null);
        }
    }

    /** Something that lists the entries (once per CRL). */
    public interface EntrySource {
        void forEach(Consumer<Entry> consumer);
    }

    public record Result(long entries, long bytes) {}

    public static Result write(
            X500Name issuer,
            byte[] issuerKeyId,
            BigInteger crlNumber,
            Instant thisUpdate,
            Instant nextUpdate,
            EntrySource source,
            ContentSigner signer,
            Path out)
            throws IOException {
        return write(issuer, issuerKeyId, crlNumber, thisUpdate, nextUpdate, List.of(), source, signer, out);
    }

    /**
     * {@code extensions}: the CRL's own besides its number and authority key identifier (an issuing distribution
     * point, a delta CRL indicator, a freshest CRL pointer).
     */
    public static Result write(
            X500Name issuer,
            byte[] issuerKeyId,
            BigInteger crlNumber,
            Instant thisUpdate,
            Instant nextUpdate,
            List<Extension> extensions,
            EntrySource source,
            ContentSigner signer,
            Path out)
            throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        Path entriesFile = Files.createTempFile(dir, "entries", ".der");
        Path tbsFile = Files.createTempFile(dir, "tbs", ".der");
        try {
            // One pass over the source: its rows are read once (the store is most of a CRL's time), their encodings
            // kept in a file until the lengths in the headers before them are known.
            long[] count = {0};
            long[] entriesLength = {0};
            try (OutputStream entries = new BufferedOutputStream(Files.newOutputStream(entriesFile), 1 << 16)) {
                source.forEach(e -> {
                    byte[] b = der(entry(e));
                    count[0]++;
                    entriesLength[0] += b.length;
                    try {
                        entries.write(b);
                    } catch (IOException ex) {
                        throw new UncheckedIOException(ex);
                    }
                });
            }

            byte[] version = der(new ASN1Integer(1));
            byte[] algorithm = der(signer.getAlgorithmIdentifier());
            byte[] issuerName = der(issuer);
            byte[] times = concat(der(new Time(Date.from(thisUpdate))), der(new Time(Date.from(nextUpdate))));
            ASN1EncodableVector ext = new ASN1EncodableVector();
            ext.add(new Extension(Extension.cRLNumber, false, der(new ASN1Integer(crlNumber))));
            ext.add(new Extension(
                    Extension.authorityKeyIdentifier, false, der(new AuthorityKeyIdentifier(issuerKeyId))));
            extensions.forEach(ext::add);
            byte[] crlExtensions = der(new DERTaggedObject(true, 0, Extensions.getInstance(new DERSequence(ext))));
            byte[] revokedHeader = count[0] == 0 ? new byte[0] : header(0x30, entriesLength[0]);
            long tbsContent = version.length
                    + algorithm.length
                    + issuerName.length
                    + times.length
                    + revokedHeader.length
                    + entriesLength[0]
                    + crlExtensions.length;
            byte[] tbsHeader = header(0x30, tbsContent);

            try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tbsFile), 1 << 16);
                    OutputStream signed = signer.getOutputStream()) {
                OutputStream both = tee(file, signed);
                for (byte[] part : new byte[][] {tbsHeader, version, algorithm, issuerName, times, revokedHeader}) {
                    both.write(part);
                }
                Files.copy(entriesFile, both);
                both.write(crlExtensions);
            }
            byte[] signature = der(new DERBitString(signer.getSignature()));
            long tbsTotal = tbsHeader.length + tbsContent;
            byte[] outer = header(0x30, tbsTotal + algorithm.length + signature.length);
            Path partial = Files.createTempFile(dir, "crl", ".part");
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16)) {
                o.write(outer);
                Files.copy(tbsFile, o);
                o.write(algorithm);
                o.write(signature);
            }
            Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Result(count[0], Files.size(out));
        } finally {
            Files.deleteIfExists(entriesFile);
            Files.deleteIfExists(tbsFile);
        }
    }

    private static DERSequence entry(Entry e) {
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(new ASN1Integer(e.serial()));
        v.add(new Time(Date.from(e.revokedAt())));
        ASN1EncodableVector ext = new ASN1EncodableVector();
        if (e.reasonCode() > 0) { // unspecified (0) is expressed by leaving the extension out (RFC 5280 5.3.1)
            ext.add(new Extension(Extension.reasonCode, false, der(new ASN1Enumerated(e.reasonCode()))));
        }
        if (e.invalidityDate() != null) {
            ext.add(new Extension(
                    Extension.invalidityDate, false, der(new ASN1GeneralizedTime(Date.from(e.invalidityDate())))));
        }
        if (ext.size() > 0) {
            v.add(new DERSequence(ext));
        }
        return new DERSequence(v);
    }

    private static byte[] der(ASN1Encodable o) {
        try {
            return o.toASN1Primitive().getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Tag and DER definite length for content of the given length. */
    static byte[] header(int tag, long length) {
        if (length < 128) {
            return new byte[] {(byte) tag, (byte) length};
        }
        int bytes = (64 - Long.numberOfLeadingZeros(length) + 7) / 8;
        byte[] h = new byte[2 + bytes];
        h[0] = (byte) tag;
        h[1] = (byte) (0x80 | bytes);
        for (int i = 0; i < bytes; i++) {
            h[2 + i] = (byte) (length >>> (8 * (bytes - 1 - i)));
        }
        return h;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static OutputStream tee(OutputStream a, OutputStream b) {
        return new OutputStream() {
            @Override
            public void write(int x) throws IOException {
                a.write(x);
                b.write(x);
            }

            @Override
            public void write(byte[] buf, int off, int len) throws IOException {
                a.write(buf, off, len);
                b.write(buf, off, len);
            }
        };
    }
}
