package dev.hsmca.appliance.domain;

import dev.hsmca.appliance.x509.NameLists;
import dev.hsmca.appliance.store.CertificateRecord;

import java.util.List;

/**
 * The holder of a valid certificate this CA issued, authenticated over mTLS. It may renew into the same
 * identity (service, names, profile) and act for its own service.
 */
public record HolderGrant(CertificateRecord certificate) implements Grant {

    @Override
    public String actor() {
        return "holder:" + certificate.serial() + (certificate.service() == null ? "" : " (" + certificate.service() + ")");
    }

    public String service() {
        return certificate.service();
    }

    public List<String> dnsNames() {
        return NameLists.split(certificate.dnsNames());
    }

    public List<String> ipAddresses() {
        return NameLists.split(certificate.ipAddresses());
    }

    @Override
    public String profileFor(String requested) {
        if (requested != null && !requested.equals(certificate.profile())) {
            throw PkiException.forbidden("profile_not_allowed",
                    "renewal keeps profile " + certificate.profile() + "; " + requested + " is not allowed");
        }
        return certificate.profile();
    }

    @Override
    public String serviceFor(String requested) {
        return certificate.service();
    }

    @Override
    public void checkIssuance(Profile profile, List<String> dnsNames, List<String> ipAddresses, java.time.Duration validity) {
        TokenGrant.Names.requireSubset(dnsNames, dnsNames(), "DNS name", "the certificate being renewed");
        TokenGrant.Names.requireSubset(ipAddresses, ipAddresses(), "IP address", "the certificate being renewed");
    }

    /** A holder acts for its own service only. */
    public boolean owns(String service) {
        return certificate.service() != null && certificate.service().equals(service);
    }
}
