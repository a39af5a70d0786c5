package dev.hsmca.appliance.store;

import io.micronaut.core.convert.ConversionContext;
import io.micronaut.data.model.runtime.convert.AttributeConverter;
import jakarta.inject.Singleton;
import java.util.Locale;

/**
 * The ACME tables keep statuses as their RFC 8555 text ({@link AcmeStatus#text()}); the code sees the enums. Also
 * named on repository parameters ({@code @TypeDef}), so a query binds the same text.
 */
public final class AcmeStatusConverters {
    private AcmeStatusConverters() {}

    /** Text to constant and back; an unknown text in the store is an error, never a guess. */
    abstract static class Lowercase<E extends Enum<E> & AcmeStatus> implements AttributeConverter<E, String> {
        private final Class<E> type;

        Lowercase(Class<E> type) {
            this.type = type;
        }

        @Override
        public String convertToPersistedValue(E status, ConversionContext context) {
            return status == null ? null : status.text();
        }

        @Override
        public E convertToEntityValue(String text, ConversionContext context) {
            if (text == null) {
                return null;
            }
            try {
                return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("unknown " + type.getSimpleName() + " '" + text + "' in the store", e);
            }
        }
    }

    @Singleton
    public static class Account extends Lowercase<AcmeAccount.Status> {
        public Account() {
            super(AcmeAccount.Status.class);
        }
    }

    @Singleton
    public static class Order extends Lowercase<AcmeOrder.Status> {
        public Order() {
            super(AcmeOrder.Status.class);
        }
    }

    @Singleton
    public static class Authorization extends Lowercase<AcmeAuthorization.Status> {
        public Authorization() {
            super(AcmeAuthorization.Status.class);
        }
    }

    @Singleton
    public static class Challenge extends Lowercase<AcmeChallenge.Status> {
        public Challenge() {
            super(AcmeChallenge.Status.class);
        }
    }
}
