package dev.hsmca.appliance.ca;

import dev.hsmca.appliance.x509.Pem;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/** {@code GET /api/v1/ca/chain}: public, the issuing CA then the root, PEM. */
@Controller("/api/v1/ca")
public class ChainController {
    static final String PEM_CHAIN = "application/pem-certificate-chain";

    private final CaHierarchy ca;

    public ChainController(CaHierarchy ca) {
        this.ca = ca;
    }

    @Get(value = "/chain", produces = PEM_CHAIN)
    public HttpResponse<String> chain() {
        return HttpResponse.ok(Pem.chain(ca.chain())).header("Cache-Control", "public, max-age=3600");
    }
}
