package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * The console in a real browser (Debian's headless Chromium through Selenium) holding the admin's certificate: sign
 * in, find a certificate, revoke it and see the responder (its own process) answer revoked, make an install token and
 * enroll with it, see an expiring certificate and a quiet service flagged; refused without a certificate, with a
 * non-admin one, with a forged form token and from another site's form; axe-core finds no serious accessibility
 * violation on any page. Each page's screenshot goes to target/console-screenshots (docs/console.md shows them).
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserTest implements TestPropertyProvider {
    static final String AXE_VERSION = "4.11.0";
    static final TestAppliance APP =
            TestAppliance.postgres().with("pki.console.quiet-after", "2s").initialize();

    @Inject
    EmbeddedServer server;

    ResponderProcess responder;
    Chromium admin;
    Path policy;
    Path dir;
    String axe;

    @Override
    public Map<String, String> getProperties() {
        if (responder == null) {
            responder = ResponderProcess.start(new HashMap<>(APP.shared()), true);
        }
        return E2e.withOcspUrl(APP, responder);
    }

    @BeforeAll
    void browser() throws Exception {
        dir = Files.createTempDirectory(APP.dir(), "browser");
        String pass = Files.readString(APP.adminDir().resolve("admin.pass")).trim();
        policy = Chromium.autoSelect(server.getPort());
        admin = Chromium.start(dir, APP.adminDir().resolve("admin.p12"), pass);
        axe = axeCore();
    }

    @AfterAll
    void stop() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (policy != null) {
            Files.deleteIfExists(policy);
        }
        if (responder != null) {
            responder.close();
        }
    }

    String url(String path) {
        return "https://localhost:" + server.getPort() + path;
    }

    ChromeDriver open(String path) {
        ChromeDriver d = admin.driver();
        d.get(url(path));
        return d;
    }

    @Test
    void signInFindRevokeAndTheResponderSaysRevoked() throws Exception {
        Path leafDir = Files.createTempDirectory(dir, "leaf");
        String serial = E2e.issueLeaf(APP, server.getPort(), leafDir);
        ChromeDriver d = open("/ui/");
        assertTrue(d.getTitle().startsWith("Overview"), d.getTitle());
        assertTrue(d.findElement(By.cssSelector(".who strong")).getText().startsWith("admin:"));
        shot(d, "overview");

        d.findElement(By.linkText("Certificates")).click();
        d.findElement(By.id("q")).sendKeys("leaf.example.com");
        d.findElement(By.cssSelector("form.search button")).click();
        arrive(d, "q=leaf.example.com");
        shot(d, "certificates");
        d.findElement(By.linkText(serial)).click();
        arrive(d, "/ui/certificates/" + serial);
        assertEquals("good", d.findElement(By.id("ocsp")).getText());
        shot(d, "certificate");

        new Select(d.findElement(By.id("reason"))).selectByValue("keyCompromise");
        d.findElement(By.id("confirm")).click();
        d.findElement(By.cssSelector("#revoke button")).click();
        arrive(d, "done=revoked");
        assertEquals("revoked", byId(d, "status").getText());
        String ocsp = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            ocsp = d.findElement(By.id("ocsp")).getText();
            if (ocsp.equals("revoked")) {
                break;
            }
            Thread.sleep(200);
            d.navigate().refresh();
        }
        assertEquals("revoked", ocsp);
        assertEquals(
                "revoked",
                new OcspCheck(responder.url(), TestAppliance.certificate(APP.issuingPem())).status(serial),
                "a relying party asking the responder itself");
    }

    @Test
    void aTokenMadeInTheBrowserEnrollsAndTheFleetIsFlagged() throws Exception {
        Api api = new Api(APP.adminSsl(), server.getPort());
        String soon = Openssl.keyAndCsr(Files.createTempDirectory(dir, "soon"), "soon", "soon.test", "DNS:soon.test");
        assertEquals(
                201,
                api.postJson("/api/v1/certificates", Api.issueBody(soon, "tls-server", 5))
                        .statusCode());

        ChromeDriver d = open("/ui/enrollment");
        d.findElement(By.id("t-service")).sendKeys("browsersvc");
        d.findElement(By.id("t-dns")).sendKeys("browser.console.test");
        d.findElement(By.id("t-profile")).clear();
        d.findElement(By.id("t-profile")).sendKeys("tls-server-client");
        d.findElement(By.cssSelector("#create-token button")).click();
        arrive(d, "/ui/enrollment/tokens");
        String token = byId(d, "token-value").getText();
        assertTrue(token.startsWith("hct_"), token);
        shot(d, "enrollment");

        Path svc = Files.createTempDirectory(dir, "svc");
        String csr = Openssl.keyAndCsr(svc, "svc", "browser.console.test", "DNS:browser.console.test");
        HttpResponse<String> issued = new Api(APP.anonymousSsl(), server.getPort())
                .send(HttpRequest.newBuilder(URI.create(url("/api/v1/certificates")))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(Api.json(Map.of("csr", csr))))
                        .build());
        assertEquals(201, issued.statusCode(), issued.body());
        Map<String, Object> cert = Api.parse(issued);
        Api holder = new Api(
                Openssl.identity(APP, svc, "svc", (String) cert.get("certificate_pem"), (String) cert.get("chain_pem")),
                server.getPort());
        assertEquals(
                200,
                holder.postJson(
                                "/api/v1/services",
                                Map.of(
                                        "service",
                                        "browsersvc",
                                        "display_name",
                                        "Browser",
                                        "endpoints",
                                        List.of("https://browser.console.test")))
                        .statusCode());

        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        boolean quiet = false;
        while (!quiet && System.nanoTime() < deadline) {
            open("/ui/");
            quiet = !d.findElements(By.linkText("browsersvc")).isEmpty();
            if (!quiet) {
                Thread.sleep(250);
            }
        }
        assertTrue(quiet, "the quiet service is flagged");
        assertTrue(d.findElement(By.id("expiring-7")).getText().contains("within 7 days"));
        open("/ui/services");
        shot(d, "services");
        open("/ui/services/browsersvc");
        assertTrue(d.getPageSource().contains((String) cert.get("serial")));
        shot(d, "service");
        open("/ui/audit");
        d.findElement(By.cssSelector("#verify button")).click();
        arrive(d, "/ui/audit/verify");
        assertTrue(d.findElement(By.id("verification")).getText().startsWith("The chain is intact"));
        shot(d, "audit");
    }

    @Test
    void refusedWithoutACertificateWithANonAdminOneAndWithAForgedOrForeignForm() throws Exception {
        try (Chromium none = Chromium.start(dir, null, null)) {
            none.driver().get(url("/ui/"));
            assertEquals("client_certificate_required", errorCode(none.driver()));
        }
        Path mon = APP.dir().resolve("monitoring");
        try (Chromium monitoring = Chromium.start(
                dir,
                mon.resolve("monitoring.p12"),
                Files.readString(mon.resolve("monitoring.pass")).trim())) {
            monitoring.driver().get(url("/ui/"));
            assertEquals("not_admin", errorCode(monitoring.driver()));
        }

        String serial = E2e.issueLeaf(APP, server.getPort(), Files.createTempDirectory(dir, "kept"));
        ChromeDriver d = open("/ui/certificates/" + serial);
        ((JavascriptExecutor) d).executeScript("document.querySelector('#revoke input[name=csrf]').value = 'forged';");
        d.findElement(By.id("confirm")).click();
        d.findElement(By.cssSelector("#revoke button")).click();
        arrive(d, "/revoke");
        assertEquals("csrf_token_invalid", errorCode(d));

        // another site's page posting the console's form (with the right fields, but not its session or token)
        String foreign = "<form id=f method=post action='" + url("/ui/certificates/" + serial + "/revoke")
                + "'><input name=confirm value=yes><input name=reason value=keyCompromise></form>";
        d.get("data:text/html,"
                + java.net.URLEncoder.encode(foreign, java.nio.charset.StandardCharsets.UTF_8)
                        .replace("+", "%20"));
        ((JavascriptExecutor) d).executeScript("document.getElementById('f').submit();");
        Thread.sleep(500);
        Map<String, Object> still =
                Api.parse(new Api(APP.adminSsl(), server.getPort()).get("/api/v1/certificates/" + serial));
        assertEquals("valid", still.get("status"), "neither form changed anything");
    }

    @Test
    void axeFindsNoSeriousViolationOnAnyPage() throws Exception {
        String serial = E2e.issueLeaf(APP, server.getPort(), Files.createTempDirectory(dir, "axe"));
        for (String page : List.of(
                "/ui/",
                "/ui/certificates",
                "/ui/certificates/" + serial,
                "/ui/services",
                "/ui/enrollment",
                "/ui/audit")) {
            ChromeDriver d = open(page);
            JavascriptExecutor js = d;
            js.executeScript(axe);
            Object violations = js.executeAsyncScript("const done = arguments[arguments.length - 1];"
                    + "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify("
                    + "r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
                    + ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))));");
            assertEquals("[]", violations, page);
        }
    }

    /** Waits for the browser to be on a page whose URL holds {@code part} (after a click that navigates). */
    private static void arrive(ChromeDriver d, String part) {
        new org.openqa.selenium.support.ui.WebDriverWait(d, Duration.ofSeconds(60))
                .until(org.openqa.selenium.support.ui.ExpectedConditions.urlContains(part));
    }

    /** The element, or a failure showing the page the browser has (what the server answered). */
    private static org.openqa.selenium.WebElement byId(ChromeDriver d, String id) {
        List<org.openqa.selenium.WebElement> found = d.findElements(By.id(id));
        assertFalse(found.isEmpty(), () -> "no #" + id + " on " + d.getCurrentUrl() + ": " + d.getPageSource());
        return found.get(0);
    }

    private static String errorCode(ChromeDriver d) {
        List<org.openqa.selenium.WebElement> code = d.findElements(By.id("error-code"));
        assertFalse(
                code.isEmpty(),
                () -> d.getCurrentUrl() + ": "
                        + ((JavascriptExecutor) d).executeScript("return document.body.innerText;"));
        return code.get(0).getText();
    }

    private static void shot(ChromeDriver d, String name) throws Exception {
        Path out = Files.createDirectories(Path.of("target", "console-screenshots"));
        Files.write(out.resolve(name + ".png"), d.getScreenshotAs(OutputType.BYTES));
    }

    /** axe-core from the npm registry, pinned, installed once into target/ (nothing is fetched by the page). */
    private static String axeCore() throws Exception {
        Path prefix = Path.of("target", "axe").toAbsolutePath();
        Path script = prefix.resolve("node_modules/axe-core/axe.min.js");
        if (!Files.exists(script)) {
            Process p = new ProcessBuilder(
                            "npm",
                            "install",
                            "--no-save",
                            "--no-audit",
                            "--no-fund",
                            "--prefix",
                            prefix.toString(),
                            "axe-core@" + AXE_VERSION)
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
        }
        return Files.readString(script);
    }
}
