"""A real appliance for the end-to-end tests, started the way operators run it (and as the integration tests'
``ApplianceProcess`` does): the packaged jar in its own JVM, a SoftHSM token made by ``hsm-config/scripts/
softhsm-token.sh``, ``ca init`` (which writes the admin credential), then the server on port 0, the port it got read
back from its log. Its state (token, H2 database, CA files) lives in a temporary folder; nothing else is touched.

The jar is ``appliance/target/appliance-*.jar`` (``HSMCA_APPLIANCE_JAR`` to point elsewhere), built by ``make test``
before it runs these tests. Without it (or Java, or SoftHSM) the end-to-end tests are skipped, unless
``HSMCA_REQUIRE_ALL=1`` (``make test`` sets it): then they fail.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

REPO = Path(__file__).resolve().parents[3]
JVM = ["-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"]  # a fast start, as ApplianceProcess
RUNNING = re.compile(r"Server Running: https://[^:]+:(\d+)")


def _jar() -> Optional[Path]:
    given = os.environ.get("HSMCA_APPLIANCE_JAR")
    if given:
        return Path(given)
    jars = [j for j in (REPO / "appliance" / "target").glob("appliance-*.jar")
            if not j.name.endswith("-tests.jar") and not j.name.startswith("original-")]
    return jars[0] if jars else None


def _unavailable(reason: str) -> None:
    if os.environ.get("HSMCA_REQUIRE_ALL") == "1":
        pytest.fail("the end-to-end tests need %s" % reason)
    pytest.skip("no appliance for the end-to-end tests: %s (HSMCA_REQUIRE_ALL=1 makes this a failure)" % reason)


class Appliance:
    def __init__(self, directory: Path, port: int) -> None:
        self.dir = directory
        self.port = port
        self.url = "https://localhost:%d" % port
        self.root = directory / "ca" / "root.pem"
        self.admin_cert = directory / "admin" / "admin.crt.pem"
        self.admin_key = directory / "admin" / "admin.key.pem"
        self.process: Optional[subprocess.Popen[bytes]] = None
        self.log = directory / "appliance.log"

    def call(self, method: str, path: str, body: Optional[Dict[str, Any]] = None,
             admin: bool = True) -> Tuple[int, Dict[str, Any]]:
        ctx = ssl.create_default_context(cafile=str(self.root))
        if admin:
            ctx.load_cert_chain(str(self.admin_cert), str(self.admin_key))
        conn = http.client.HTTPSConnection("localhost", self.port, context=ctx, timeout=30)
        try:
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
            r = conn.getresponse()
            raw = r.read()
            return r.status, (json.loads(raw) if raw.strip().startswith(b"{") else {})
        finally:
            conn.close()

    def token(self, service: str, dns: List[str], ips: Optional[List[str]] = None, profile: str = "tls-server-client",
              max_validity_days: Optional[int] = None, allowed_cn: Optional[List[str]] = None) -> str:
        body: Dict[str, Any] = {"service": service, "allowed_dns": dns, "allowed_ips": ips or [], "profile": profile,
                                "ttl_seconds": 3600}
        if max_validity_days is not None:
            body["max_validity_days"] = max_validity_days
        if allowed_cn:
            body["allowed_cn"] = allowed_cn
        status, answer = self.call("POST", "/api/v1/install-tokens", body)
        assert status == 201, answer
        return str(answer["token"])

    def renew_early(self, service: str) -> None:
        status, answer = self.call("POST", "/api/v1/certificates/renew-early", {"service": service})
        assert status == 200, answer


def _run(cmd: List[str], cwd: Path, env: Dict[str, str], timeout: float) -> None:
    done = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s" % (" ".join(cmd[:3]), done.returncode, done.stdout.decode()[-4000:]))


@pytest.fixture(scope="session")
def appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    jar = _jar()
    if jar is None or not jar.is_file():
        _unavailable("the appliance jar (build it: mvn -pl appliance -am package -DskipTests)")
    java = shutil.which("java")
    if java is None or shutil.which("softhsm2-util") is None:
        _unavailable("java and softhsm2-util (scripts/deps.sh)")
    assert jar is not None and java is not None
    d = tmp_path_factory.mktemp("appliance")
    _run([str(REPO / "hsm-config" / "scripts" / "softhsm-token.sh"), str(d / "hsm"), "pki-ca"], d, dict(os.environ), 60)
    props = d / "appliance.properties"
    props.write_text("\n".join("%s=%s" % kv for kv in [
        ("pki.hsm.pin-file", d / "hsm" / "pki-ca.pin"),
        ("pki.ca.output-dir", d / "ca"),
        ("pki.ca.admin-dir", d / "admin"),
        ("pki.crl.work-dir", d / "crl"),
        ("pki.audit.anchor-file", d / "audit" / "anchor"),
        ("datasources.default.url", "jdbc:h2:file:%s;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;"
                                    "WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE" % (d / "db" / "pki")),
    ]) + "\n")
    env = dict(os.environ, SOFTHSM2_CONF=str(d / "hsm" / "softhsm2.conf"))
    base = [java, *JVM, "-Dmicronaut.config.files=%s" % props]
    _run(base + ["-jar", str(jar), "ca", "init"], d, env, 300)
    app = Appliance(d, 0)
    with app.log.open("wb") as log:
        app.process = subprocess.Popen(base + ["-Dmicronaut.server.ssl.port=0", "-jar", str(jar)], cwd=d, env=env,
                                       stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        app.port = _await_port(app)
        app.url = "https://localhost:%d" % app.port
        _await_healthy(app)
        yield app
    finally:
        _stop(app.process)


def _await_port(app: Appliance) -> int:
    deadline = time.monotonic() + 240  # a hang is the failure; a slow machine is not
    assert app.process is not None
    while time.monotonic() < deadline:
        m = RUNNING.search(app.log.read_text(errors="replace"))
        if m:
            return int(m.group(1))
        if app.process.poll() is not None:
            raise AssertionError("the appliance exited (%s):\n%s" % (app.process.returncode, app.log.read_text()[-4000:]))
        time.sleep(0.2)
    raise AssertionError("the appliance did not start within 240 s:\n" + app.log.read_text()[-4000:])


def _await_healthy(app: Appliance) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if app.call("GET", "/health", admin=False)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("the appliance is not healthy:\n" + app.log.read_text()[-4000:])


def _stop(process: Optional["subprocess.Popen[bytes]"]) -> None:
    """SIGTERM to the process we started (by its PID), then SIGKILL if it does not stop."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
