package dev.hsmca.appliance.acme;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.domain.Names;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.domain.Profiles;
import dev.hsmca.appliance.domain.ServiceId;
import dev.hsmca.appliance.store.AcmeAccount;
import dev.hsmca.appliance.store.AcmeEabKey;
import dev.hsmca.appliance.store.AcmeRepositories;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * ACME accounts (RFC 8555 §7.3) and the External Account Binding keys an admin makes for them: each binds one
 * account to a service, a profile and the DNS names it may order.
 */
@Singleton
public class AcmeAccounts {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** An account and whether this request created it (201) or found it (200). */
    public record Outcome(AcmeAccount account, boolean created) {}

    /** A new EAB key as the admin sees it once. */
    public record NewEab(String kid, String hmacKey, String service, String profile, List<String> allowedDns) {}

    private final AcmeRepositories.Accounts accounts;
    private final AcmeRepositories.EabKeys eabKeys;
    private final Profiles profiles;
    private final AcmeConfig config;
    private final AuditLog audit;
    private final Clock clock;

    public AcmeAccounts(
            AcmeRepositories.Accounts accounts,
            AcmeRepositories.EabKeys eabKeys,
            Profiles profiles,
            AcmeConfig config,
            AuditLog audit,
            Clock clock) {
        this.accounts = accounts;
        this.eabKeys = eabKeys;
        this.profiles = profiles;
        this.config = config;
        this.audit = audit;
        this.clock = clock;
    }

    @Transactional
    public Outcome newAccount(NewAccount req) {
        String thumbprint = thumbprint(req.key());
        Optional<AcmeAccount> existing = accounts.findByThumbprint(thumbprint);
        if (existing.isPresent()) {
            return new Outcome(existing.get(), false);
        }
        if (req.onlyReturnExisting()) {
            throw AcmeProblem.accountDoesNotExist("no account has this key");
        }
        String contact = contacts(req.contact());
        String id = randomId();
        String eabKid = null;
        if (req.binding() != null) {
            eabKid = bindingKid(req.binding(), req.key());
        } else if (config.eabRequired()) {
            throw AcmeProblem.externalAccountRequired("this CA requires an External Account Binding: ask the CA's "
                    + "admin for a key id and HMAC key ('acme eab create')");
        }
        AcmeAccount account = accounts.save(new AcmeAccount(
                id, thumbprint, req.key().toJSONString(), AcmeAccount.Status.VALID, contact, eabKid, clock.instant()));
        if (eabKid != null && eabKeys.bind(eabKid, id) != 1) {
            throw AcmeProblem.unauthorized(
                    "external account binding key " + eabKid + " is already bound to an account");
        }
        audit.record(
                "acme:" + id,
                "acme.account.create",
                "acme-account:" + id,
                AuditLog.OK,
                "eab=" + eabKid + " contact=" + contact);
        return new Outcome(account, true);
    }

    /** The EAB: an HMAC over the account key, by a key id the admin made and nobody used. */
    private String bindingKid(NewAccount.Binding binding, JWK accountKey) {
        String kid = binding.kid();
        AcmeEabKey key = kid == null ? null : eabKeys.findById(kid).orElse(null);
        if (key == null || key.revokedAt() != null) {
            throw AcmeProblem.unauthorized("unknown or revoked external account binding key id " + kid);
        }
        if (key.accountId() != null) {
            throw AcmeProblem.unauthorized("external account binding key " + kid + " is already bound to an account");
        }
        if (!binding.macVerifies().test(Base64.getUrlDecoder().decode(key.hmacKey()))) {
            throw AcmeProblem.unauthorized("the external account binding MAC does not verify with key " + kid);
        }
        if (!thumbprint(binding.boundKey()).equals(thumbprint(accountKey))) {
            throw AcmeProblem.unauthorized("the external account binding signs another key than the account's");
        }
        return kid;
    }

    /** POST to the account URL: read it, change its contacts, or deactivate it. */
    @Transactional
    public AcmeAccount update(UpdateAccount req) {
        AcmeAccount account = req.account();
        if (!account.id().equals(req.accountId())) {
            throw AcmeProblem.unauthorized("an account may only read and change itself");
        }
        if (req.contact() == null && req.status() == null) {
            return account;
        }
        if (req.contact() != null) {
            accounts.updateContact(account.id(), contacts(req.contact()));
        }
        if (req.status() == AcmeAccount.Status.DEACTIVATED) {
            accounts.updateStatus(account.id(), AcmeAccount.Status.DEACTIVATED);
            audit.record(
                    "acme:" + account.id(), "acme.account.deactivate", "acme-account:" + account.id(), AuditLog.OK, "");
        } else if (req.status() != null) {
            throw AcmeProblem.malformed("an account's status may only change to deactivated");
        }
        return accounts.findById(account.id()).orElseThrow();
    }

    /** Key rollover (§7.3.5): the old key must be the account's, the new one nobody's. */
    @Transactional
    public AcmeAccount changeKey(ChangeKey req) {
        AcmeAccount account = req.account();
        if (!thumbprint(req.oldKey()).equals(account.thumbprint())) {
            throw AcmeProblem.unauthorized("oldKey is not the account's current key");
        }
        String thumbprint = thumbprint(req.newKey());
        if (accounts.findByThumbprint(thumbprint).isPresent()) {
            throw new AcmeProblem(PkiException.Kind.CONFLICT, "malformed", "another account already uses the new key");
        }
        accounts.updateKey(account.id(), req.newKey().toPublicJWK().toJSONString(), thumbprint);
        audit.record(
                "acme:" + account.id(),
                "acme.account.key-change",
                "acme-account:" + account.id(),
                AuditLog.OK,
                "thumbprint=" + thumbprint);
        return accounts.findById(account.id()).orElseThrow();
    }

    /** An admin makes a binding key for a service: its names (wildcards as {@code *.domain}) and profile. */
    @Transactional
    public NewEab createEab(String service, String profile, List<String> allowedDns, String admin) {
        String s = ServiceId.requireGrantable(service);
        String p = profiles.requestable(profile == null ? config.defaultProfile() : profile)
                .name();
        if (allowedDns == null || allowedDns.isEmpty()) {
            throw PkiException.malformed("no_names", "an ACME binding needs at least one allowed DNS name");
        }
        List<String> names = new ArrayList<>();
        for (String n : allowedDns) {
            String name = Names.dnsName(n.trim());
            if (name == null) { // a wildcard as tokens and CSRs take it: *.domain below a domain of two labels or more
                throw PkiException.malformed(
                        "invalid_san", "'" + Names.printable(n) + "' is not a DNS name or *.domain");
            }
            names.add(name);
        }
        if (String.join(",", names).length() > 8192) {
            throw PkiException.malformed("too_many_names", "the allowed names are longer than 8192 characters");
        }
        String kid = "eab_" + randomId().substring(0, 20);
        String hmacKey = hmacKey(RANDOM);
        eabKeys.save(new AcmeEabKey(kid, hmacKey, s, p, String.join(",", names), clock.instant(), admin, null, null));
        audit.record(
                admin,
                "acme.eab.create",
                "eab:" + kid,
                AuditLog.OK,
                "service=" + s + " profile=" + p + " dns=" + names);
        return new NewEab(kid, hmacKey, s, p, names);
    }

    /**
     * The account as stored now, if it may still act: valid, and its binding key not revoked. Asked again inside the
     * transactions that order, validate and issue, after the request's own check (an admin may revoke in between).
     */
    /** The account with this id, in any state: the web edge finds a request's signer by it. */
    @Transactional
    public Optional<AcmeAccount> find(String id) {
        return accounts.findById(id);
    }

    public AcmeAccount requireActive(AcmeAccount account) {
        AcmeAccount now = accounts.findById(account.id())
                .orElseThrow(() -> AcmeProblem.accountDoesNotExist("no account " + account.id()));
        if (now.status() != AcmeAccount.Status.VALID) {
            throw AcmeProblem.unauthorized(
                    "account " + now.id() + " is " + now.status().text());
        }
        if (now.eabKid() != null
                && eabKeys.findById(now.eabKid())
                        .map(k -> k.revokedAt() != null)
                        .orElse(true)) {
            throw AcmeProblem.unauthorized("the external account binding key of account " + now.id() + " was revoked");
        }
        return now;
    }

    /**
     * Whether the account and its binding are still in force, read in the caller's transaction. Not
     * {@code @Transactional}: finalize asks inside a group-commit batch, which a refusal thrown through that advice
     * would mark rollback-only for every request in it.
     */
    public boolean stillActive(AcmeAccount account) {
        AcmeAccount now = accounts.findById(account.id()).orElse(null);
        return now != null
                && now.status() == AcmeAccount.Status.VALID
                && (now.eabKid() == null
                        || eabKeys.findById(now.eabKid())
                                .map(k -> k.revokedAt() == null)
                                .orElse(false));
    }

    /** The binding an account was created with, if any. */
    public Optional<AcmeEabKey> binding(AcmeAccount account) {
        return account.eabKid() == null ? Optional.empty() : eabKeys.findById(account.eabKid());
    }

    /** One address each: they are kept and written to the audit log, so no spaces, commas or control characters. */
    private static final Pattern CONTACT =
            Pattern.compile("^mailto:[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,180}$");

    private static String contacts(List<String> contact) {
        if (contact.size() > 5) {
            throw new AcmeProblem(
                    PkiException.Kind.MALFORMED, "invalidContact", "contact must be a list of up to 5 mailto: URLs");
        }
        for (String s : contact) {
            if (!CONTACT.matcher(s).matches()) {
                throw new AcmeProblem(
                        PkiException.Kind.MALFORMED,
                        "unsupportedContact",
                        "only mailto: contacts (one address, no spaces) are accepted, not '" + Names.printable(s)
                                + "'");
            }
        }
        return String.join(",", contact);
    }

    /** RFC 7638 thumbprint (SHA-256, base64url): the account key's identity and the key authorization's suffix. */
    static String thumbprint(JWK key) {
        try {
            return key.computeThumbprint().toString();
        } catch (JOSEException e) {
            throw AcmeProblem.malformed("the account key cannot be hashed: " + e.getMessage());
        }
    }

    /**
     * 256 random bits, base64url, never starting with '-' or '_': certbot took a key starting with '-' for an option
     * ("--eab-hmac-key: expected one argument"), 1 key in 32. Redrawn, not rewritten: every key left is as likely.
     */
    static String hmacKey(SecureRandom random) {
        byte[] hmac = new byte[32];
        do {
            random.nextBytes(hmac);
        } while ((hmac[0] & 0xff) >= 0xf8); // the first 6 bits are 62 ('-') or 63 ('_')
        return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac);
    }

    static String randomId() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(b)
                .replace('-', 'x')
                .replace('_', 'y');
    }
}
