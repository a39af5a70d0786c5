package dev.hsmca.appliance.domain;

import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.x509.NameLists;
import dev.hsmca.appliance.x509.SubjectNames;
import java.time.Duration;
import java.util.Set;

/**
 * The holder of a valid certificate this CA issued, authenticated over mTLS. It may renew into the same identity
 * (service, names, subject, profile) under the lifetime cap of the grant that first issued it, and act for its own
 * service.
 */
public record HolderGrant(CertificateRecord certificate) implements Grant {

    @Override
    public String actor() {
        return "holder:" + certificate.serial()
                + (certificate.service() == null ? "" : " (" + certificate.service() + ")");
    }

    public String service() {
        return certificate.service();
    }

    /**
     * The certificate's own names, its subject CN when that is a client name, and the cap it was granted (for a
     * certificate from before caps were stored: its own lifetime, so a renewal never outlives what was first issued).
     */
    @Override
    public Entitlement entitlement() {
        String cn = SubjectNames.commonName(certificate.subjectDn());
        boolean hostName = cn == null
                || NameLists.split(certificate.dnsNames()).contains(cn)
                || NameLists.split(certificate.ipAddresses()).contains(cn);
        // A CN that is not one of its names is kept only if it is a client name in canonical form: certificates from
        // before the policy authority may carry any text there, which no renewal repeats.
        boolean clientName = !hostName
                && cn.equals(Names.clientName(cn))
                && Names.dnsName(cn) == null
                && Names.ipAddress(cn) == null;
        Set<String> clientNames = clientName ? Set.of(cn) : Set.of();
        Duration cap = certificate.maxValiditySeconds() != null
                ? Duration.ofSeconds(certificate.maxValiditySeconds())
                : Duration.between(certificate.notBefore(), certificate.notAfter());
        return new Entitlement(
                Entitlement.Source.HOLDER,
                actor(),
                certificate.service(),
                certificate.profile(),
                NameLists.split(certificate.dnsNames()),
                NameLists.split(certificate.ipAddresses()),
                NameLists.split(certificate.uris()),
                clientNames,
                false,
                cap,
                null,
                certificate.enrollKeyId());
    }

    /** A holder acts for its own service only. */
    public boolean owns(String service) {
        return certificate.service() != null && certificate.service().equals(service);
    }
}
