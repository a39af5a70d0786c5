package dev.hsmca.appliance.cli;

import dev.hsmca.appliance.ca.CaCertificates;
import dev.hsmca.appliance.ca.CaConfig;
import dev.hsmca.appliance.ca.CaRecords;
import dev.hsmca.appliance.ca.UrlConfig;
import dev.hsmca.appliance.crl.CrlWriter;
import dev.hsmca.appliance.x509.Extensions;
import dev.hsmca.appliance.x509.Pem;
import dev.hsmca.core.CaRole;
import dev.hsmca.hsm.KeyAlgorithm;
import dev.hsmca.hsm.KeyBackend;
import dev.hsmca.server.HsmSettings;
import io.micronaut.context.annotation.Prototype;
import jakarta.inject.Inject;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The key ceremony with the root kept offline, on a host with the offline HSM and no database: make the root,
 * sign the appliance's issuing CA, sign the root's CRL. The HSM is the one {@code pki.hsm.*} names.
 */
@Command(
        name = "ceremony",
        mixinStandardHelpOptions = true,
        description = "Offline root key ceremony (offline HSM, no database): root, sign-issuing, root-crl.",
        subcommands = {CeremonyCommand.Root.class, CeremonyCommand.SignIssuing.class, CeremonyCommand.RootCrl.class})
public class CeremonyCommand implements Runnable {
    static final String ROOT_ALIAS = CaRole.ROOT.alias();

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Base: the offline HSM and the CA settings. */
    public abstract static class Step implements Callable<Integer> {
        @Inject
        HsmSettings hsm;

        @Inject
        CaConfig config;

        @Inject
        UrlConfig urls;

        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, description = "Where to write the result (PEM).")
        Path out;

        @Override
        public Integer call() throws Exception {
            if (Files.exists(out)) {
                spec.commandLine().getErr().println("error: " + out + " exists; choose another name");
                return 2;
            }
            try {
                KeyBackend keys = hsm.open();
                String pem = run(keys, Clock.systemUTC().instant());
                Files.writeString(out, pem);
                spec.commandLine().getOut().println("wrote " + out);
                return 0;
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("error: " + e.getMessage());
                return 2;
            }
        }

        abstract String run(KeyBackend keys, Instant now) throws Exception;

        X509Certificate rootIn(KeyBackend keys, Path rootCert) throws IOException {
            X509Certificate given = CaInitCommand.CeremonyFiles.certificate(rootCert);
            if (!keys.hasKey(ROOT_ALIAS) || !keys.certificate(ROOT_ALIAS).equals(given)) {
                throw new IllegalArgumentException("this HSM does not hold the key of " + rootCert);
            }
            return given;
        }
    }

    @Command(
            name = "root",
            mixinStandardHelpOptions = true,
            description = "Make the root key in this (offline) HSM and its certificate.")
    @Prototype
    public static class Root extends Step {
        @Override
        String run(KeyBackend keys, Instant now) {
            if (keys.hasKey(ROOT_ALIAS)) {
                throw new IllegalArgumentException("this HSM already holds a root key");
            }
            KeyAlgorithm algorithm = KeyAlgorithm.parse(config.rootAlgorithm());
            keys.generate(
                    ROOT_ALIAS,
                    algorithm,
                    pair -> new CaCertificates(config, urls)
                            .root(pair.getPublic(), keys.selfSigner(pair, algorithm), now));
            return Pem.encode(keys.certificate(ROOT_ALIAS));
        }
    }

    @Command(
            name = "sign-issuing",
            mixinStandardHelpOptions = true,
            description = "Sign the appliance's issuing CA request (issuing.csr) with the offline root.")
    @Prototype
    public static class SignIssuing extends Step {
        @Option(names = "--csr", required = true)
        Path csr;

        @Option(names = "--root-cert", required = true)
        Path rootCert;

        @Override
        String run(KeyBackend keys, Instant now) throws Exception {
            X509Certificate root = rootIn(keys, rootCert);
            PKCS10CertificationRequest request;
            try (PEMParser reader = new PEMParser(Files.newBufferedReader(csr))) {
                Object o = reader.readObject();
                if (!(o instanceof PKCS10CertificationRequest r)) {
                    throw new IllegalArgumentException(csr + " is not a PEM certificate request");
                }
                request = r;
            }
            SubjectPublicKeyInfo spki = request.getSubjectPublicKeyInfo();
            String family = X9ObjectIdentifiers.id_ecPublicKey.equals(
                            spki.getAlgorithm().getAlgorithm())
                    ? "EC"
                    : "RSA";
            PublicKey key = KeyFactory.getInstance(family).generatePublic(new X509EncodedKeySpec(spki.getEncoded()));
            if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw new IllegalArgumentException(
                        "the request's signature does not verify: not made by the key it names");
            }

            return Pem.encode(new CaCertificates(config, urls)
                    .issuing(
                            key,
                            root,
                            CaRecords.idOf(CaRole.ROOT, root),
                            keys.signingKey(ROOT_ALIAS).contentSigner(),
                            now));
        }
    }

    @Command(
            name = "root-crl",
            mixinStandardHelpOptions = true,
            description = "Sign the root's CRL (the issuing CAs it revokes, if any) with the offline root.")
    @Prototype
    public static class RootCrl extends Step {
        @Option(names = "--root-cert", required = true)
        Path rootCert;

        @Option(
                names = "--days",
                defaultValue = "365",
                description = "Until nextUpdate (default 365): the next ceremony.")
        int days;

        @Option(
                names = "--revoke",
                split = ",",
                description = "Serials (hex) of issuing CA certificates to list as revoked.")
        List<String> revoked = List.of();

        @Override
        String run(KeyBackend keys, Instant now) throws Exception {
            X509Certificate root = rootIn(keys, rootCert);
            if (days < 1) {
                throw new IllegalArgumentException("--days must be at least 1");
            }
            Instant thisUpdate = now.truncatedTo(ChronoUnit.SECONDS);
            Path file = Files.createTempFile("root", ".crl");
            try {
                // the CRL number is the time: it only grows from one ceremony to the next, with no state kept here
                CrlWriter.write(
                        X500Name.getInstance(root.getSubjectX500Principal().getEncoded()),
                        Extensions.keyIdOf(root),
                        BigInteger.valueOf(thisUpdate.getEpochSecond()),
                        thisUpdate,
                        thisUpdate.plus(Duration.ofDays(days)),
                        consumer -> revoked.forEach(
                                s -> consumer.accept(new CrlWriter.Entry(new BigInteger(s, 16), thisUpdate, 0, null))),
                        keys.signingKey(ROOT_ALIAS).contentSigner(),
                        file);
                return Pem.encode(CertificateFactory.getInstance("X.509").generateCRL(Files.newInputStream(file)));
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }
}
