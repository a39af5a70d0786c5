package dev.hsmca.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium, driven through its chromedriver, with a client certificate of its own: a home folder
 * whose NSS database holds the PKCS#12 the browser "imported" (none: no certificate), and the policy that picks it
 * for the appliance's origin without asking (the one way Chromium presents a client certificate unattended).
 */
final class Chromium implements AutoCloseable {
    static final Path POLICIES = Path.of("/etc/chromium/policies/managed");

    private final ChromeDriver driver;

    private Chromium(ChromeDriver driver) {
        this.driver = driver;
    }

    /**
     * The policy every Chromium of this machine reads (and reloads while it runs): pick the certificate it holds for
     * https://localhost:{@code port} without asking. One file for the test's browsers, removed by the caller: two
     * files setting the same policy conflict, and one removed while a browser runs leaves it waiting at a prompt.
     */
    static Path autoSelect(int port) throws IOException {
        Files.createDirectories(POLICIES);
        Path policy = POLICIES.resolve("hsmca-test-" + ProcessHandle.current().pid() + "-" + port + ".json");
        Files.writeString(
                policy,
                "{\"AutoSelectCertificateForUrls\": [\"{\\\"pattern\\\":\\\"https://localhost:" + port
                        + "\\\",\\\"filter\\\":{}}\"]}");
        return policy;
    }

    /** A browser holding {@code p12} (null: no certificate). */
    static Chromium start(Path dir, Path p12, String pass) throws Exception {
        Path home = Files.createTempDirectory(dir, "home");
        Path nss = Files.createDirectories(home.resolve(".pki/nssdb"));
        run(dir, "certutil", "-N", "-d", "sql:" + nss, "--empty-password");
        if (p12 != null) {
            run(dir, "pk12util", "-i", p12.toString(), "-d", "sql:" + nss, "-W", pass);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.setAcceptInsecureCerts(true); // the appliance's TLS certificate is from the test's own root
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,900",
                "--user-data-dir=" + Files.createTempDirectory(dir, "profile"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                .usingAnyFreePort()
                .withEnvironment(Map.of("HOME", home.toString()))
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        return new Chromium(driver);
    }

    ChromeDriver driver() {
        return driver;
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
