package dev.hsmca.appliance.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.hsmca.appliance.domain.PkiException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpRequest;
import org.junit.jupiter.api.Test;

/** What a browser sends for another site's page, and what clients that are not browsers send. */
class CrossSiteFilterTest {
    static MutableHttpRequest<String> post(String path, String... headers) {
        MutableHttpRequest<String> r = HttpRequest.POST(path, "{}");
        r.header("Host", "ca.example:8443");
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return r;
    }

    static MutableHttpRequest<?> get(String path, String... headers) {
        MutableHttpRequest<?> r = HttpRequest.GET(path);
        r.header("Host", "ca.example:8443");
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return r;
    }

    static String code(HttpRequest<?> r) {
        PkiException e = CrossSiteFilter.refusal(r);
        return e == null ? null : e.code();
    }

    @Test
    void aStateChangeFromAnotherSiteIsRefused() {
        String revoke = "/api/v1/certificates/0a/revoke";
        assertEquals("cross_site_request", code(post(revoke, "Sec-Fetch-Site", "cross-site")));
        assertEquals("cross_site_request", code(post(revoke, "Sec-Fetch-Site", "same-site")));
        assertEquals("cross_site_request", code(post(revoke, "Origin", "https://evil.example")));
        assertEquals("cross_site_request", code(post(revoke, "Origin", "null")));
        assertEquals("cross_site_request", code(post(revoke, "Origin", "http://ca.example:8443")));
        assertEquals("cross_site_request", code(post("/ui/audit/verify", "Sec-Fetch-Site", "cross-site")));
    }

    @Test
    void clientsThatAreNotBrowsersAndTheConsolesOwnPagesPass() {
        String revoke = "/api/v1/certificates/0a/revoke";
        assertNull(code(post(revoke))); // curl, the agents, the Python client
        assertNull(code(post(revoke, "Origin", "https://ca.example:8443", "Sec-Fetch-Site", "same-origin")));
        assertNull(code(post(revoke, "Sec-Fetch-Site", "none")));
        assertNull(code(get("/api/v1/certificates", "Sec-Fetch-Site", "cross-site")));
    }

    @Test
    void aConsolePageIsReadCrossSiteOnlyByFollowingALink() {
        assertNull(code(get(
                "/ui/certificates",
                "Sec-Fetch-Site",
                "cross-site",
                "Sec-Fetch-Mode",
                "navigate",
                "Sec-Fetch-Dest",
                "document")));
        assertEquals(
                "cross_site_request",
                code(get(
                        "/ui/audit",
                        "Sec-Fetch-Site",
                        "cross-site",
                        "Sec-Fetch-Mode",
                        "no-cors",
                        "Sec-Fetch-Dest",
                        "image")));
        assertEquals("cross_site_request", code(get("/ui/", "Sec-Fetch-Site", "same-site", "Sec-Fetch-Mode", "cors")));
        assertNull(code(get("/ui/", "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "cors")));
    }
}
