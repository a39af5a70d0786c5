package dev.hsmca.appliance.acme;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs challenge validations after the client's "go" has been answered (the challenge is then {@code processing};
 * clients poll). Threads of its own: a validation waits on the network, never on a request thread.
 */
@Singleton
@Requires(notEnv = Environment.CLI)
public class AcmeValidations {
    private static final Logger LOG = LoggerFactory.getLogger(AcmeValidations.class);

    private final AcmeValidator validator;
    private final AcmeOrders orders;
    private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "acme-validation");
        t.setDaemon(true);
        return t;
    });

    public AcmeValidations(AcmeValidator validator, AcmeOrders orders) {
        this.validator = validator;
        this.orders = orders;
    }

    public void start(AcmeOrders.Started s) {
        pool.execute(() -> {
            AcmeValidator.Result result;
            try {
                result = validator.validate(s.challenge().type(), s.authorization().identifier(), s.challenge().token(),
                        s.thumbprint());
            } catch (RuntimeException e) {
                result = AcmeValidator.Result.fail("serverInternal", "validation failed: " + e.getClass().getSimpleName());
            }
            try {
                orders.settle(s, result);
            } catch (RuntimeException e) {
                LOG.error("could not record the {} validation of {}: {}", s.challenge().type(),
                        s.authorization().identifier(), e.toString());
            }
        });
    }

    @PreDestroy
    void stop() {
        pool.shutdownNow();
    }
}
