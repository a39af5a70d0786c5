package dev.hsmca.ocsp.source;

import dev.hsmca.ocsp.store.IssuerRow;
import org.bouncycastle.cert.X509CertificateHolder;

/** A query whose CertIDs all name one issuer this responder serves, with one supported hash algorithm. */
public record ResolvedQuery(OcspQuery query, IssuerRow issuer, X509CertificateHolder issuerCertificate, String hash) {}
