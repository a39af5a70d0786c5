package dev.hsmca.appliance.ca;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.util.List;

/**
 * The CA hierarchy that {@code ca init} creates.
 *
 * @param name               common-name prefix, e.g. "Dev" gives "Dev Root CA" and "Dev Issuing CA"
 * @param organization       O= of the CA subjects
 * @param rootAlgorithm      ec-p256, ec-p384, rsa-3072 or rsa-4096
 * @param issuingAlgorithm   same choices
 * @param rootValidityDays   root certificate lifetime
 * @param issuingValidityDays issuing CA certificate lifetime
 * @param ocspValidityDays   delegated OCSP signer certificate lifetime
 * @param tlsValidityDays    the appliance's own HTTPS certificate lifetime
 * @param tlsNames           DNS names and IP addresses of the appliance's HTTPS certificate
 * @param adminValidityDays  the super-admin client certificate lifetime
 * @param outputDir          where PEM copies of the CA certificates are written
 * @param adminDir           where the admin credential is written (0600 files)
 */
@ConfigurationProperties("pki.ca")
public record CaConfig(
        @Bindable(defaultValue = "Dev") String name,
        @Bindable(defaultValue = "HSM CA Appliance") String organization,
        @Bindable(defaultValue = "ec-p384") String rootAlgorithm,
        @Bindable(defaultValue = "ec-p256") String issuingAlgorithm,
        @Bindable(defaultValue = "3650") int rootValidityDays,
        @Bindable(defaultValue = "1825") int issuingValidityDays,
        @Bindable(defaultValue = "365") int ocspValidityDays,
        @Bindable(defaultValue = "90") int tlsValidityDays,
        @Bindable(defaultValue = "localhost,127.0.0.1,::1") List<String> tlsNames,
        @Bindable(defaultValue = "365") int adminValidityDays,
        @Bindable(defaultValue = "var/ca") String outputDir,
        @Bindable(defaultValue = "var/admin") String adminDir) {}
