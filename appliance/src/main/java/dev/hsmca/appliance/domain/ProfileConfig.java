package dev.hsmca.appliance.domain;

import io.micronaut.context.annotation.EachProperty;
import io.micronaut.context.annotation.Parameter;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;
import java.util.List;

/**
 * A certificate profile, from configuration ({@code pki.profiles.<name>}).
 *
 * @param name             the profile name clients ask for
 * @param keyUsage         digitalSignature, keyEncipherment (RSA keys only), keyAgreement
 * @param extendedKeyUsage serverAuth, clientAuth
 * @param maxValidityDays  cap on validity_days
 * @param minValidity      the shortest validity a request may ask for (short-lived certificates, renewal tests)
 * @param requireSan       at least one DNS name or IP address is required
 * @param requestable      false for profiles only the CA itself uses (the admin credential)
 * @param subject          the subject attributes besides the CN every certificate of the profile carries, as
 *                         {@code C=US,O=KubeAtlas} (C, ST, L, O, OU); a request's own are never used
 * @param defaultValidity  the lifetime when a request names none (null: the grant's, else 90 days, within the cap)
 * @param revocationPointers false: no CRL distribution point and no OCSP URL (short-lived certificates, which
 *                         expire before a revocation would reach most relying parties; CA/B ballot SC-063)
 */
@EachProperty("pki.profiles")
public record ProfileConfig(
        @Parameter String name,
        List<String> keyUsage,
        List<String> extendedKeyUsage,
        @Bindable(defaultValue = "397") int maxValidityDays,
        @Bindable(defaultValue = "5m") Duration minValidity,
        @Bindable(defaultValue = "false") boolean requireSan,
        @Bindable(defaultValue = "true") boolean requestable,
        @Nullable String subject,
        @Nullable Duration defaultValidity,
        @Bindable(defaultValue = "true") boolean revocationPointers) {}
