"""The folder: atomic publication with and without symbolic links, and files it did not write left alone."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any, List

import pytest

from hsmca_client import CertificateStoreError, PKIClient
from hsmca_client import store as store_module
from fakeca import FakeCA

FILES = ("cert.pem", "key.pem", "chain.pem", "ca_chain.pem")


def enrolled(ca: FakeCA, tmp_path: Path) -> PKIClient:
    pki = PKIClient(ca.url, "api", install_token=ca.token("api", "api.example.test"), ca_bundle=ca.root_pem,
                    cert_dir=tmp_path)
    pki.request_certificate("api.example.test")
    return pki


def snapshot(folder: Path) -> dict:
    return {name: (folder / name).read_bytes() for name in FILES}


def test_symlink_layout_switches_all_files_in_one_rename(fake_ca: FakeCA, tmp_path: Path) -> None:
    pki = enrolled(fake_ca, tmp_path)
    folder = pki.cert_dir
    first = pki.get_certificate_info()["serial"]
    assert (folder / "current").is_symlink()
    assert Path((folder / "current").readlink() if hasattr(Path, "readlink") else __import__("os").readlink(folder / "current")) \
        == Path("releases") / first
    for name in FILES:
        assert (folder / name).is_symlink(), name
        assert (folder / name).resolve() == (folder / "releases" / first / name).resolve()
    serials = [first] + [pki.renew_certificate()["serial"] for _ in range(3)]
    kept = sorted(p.name for p in (folder / "releases").iterdir())
    assert kept == sorted(serials[-2:]), "the release in use and the one before are kept"
    manifest = json.loads((folder / "hsmca-client.json").read_text())
    assert (manifest["layout"], manifest["serial"], manifest["previous"]) == ("symlink", serials[-1], serials[-2])
    assert "pending" not in manifest
    assert stat.S_IMODE((folder / "releases" / serials[-1] / "key.pem").stat().st_mode) == 0o600
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_without_symbolic_links_each_file_is_replaced_atomically(fake_ca: FakeCA, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """As on Windows without the privilege to make links (WinError 1314): copies, each renamed over the last."""

    def refuse(self: Path, target: Any, target_is_directory: bool = False) -> None:
        raise OSError(1314, "A required privilege is not held by the client")

    monkeypatch.setattr(Path, "symlink_to", refuse)
    replaced: List[str] = []
    real_replace = Path.replace

    def recording_replace(self: Path, target: Any) -> Any:
        replaced.append(Path(target).name)
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", recording_replace)
    pki = enrolled(fake_ca, tmp_path)
    folder = pki.cert_dir
    before = snapshot(folder)
    renewed = pki.renew_certificate()
    after = snapshot(folder)
    assert all(after[name] != before[name] for name in ("cert.pem", "key.pem"))
    assert not [p for p in folder.rglob("*") if p.is_symlink()], "no symbolic link anywhere"
    assert not (folder / "current").exists()
    for name in FILES:
        assert (folder / name).is_file() and (folder / name).read_bytes() == \
            (folder / "releases" / renewed["serial"] / name).read_bytes()
        assert replaced.count(name) == 2, "each file came into place by an atomic rename, at each of 2 issuances"
    assert json.loads((folder / "hsmca-client.json").read_text())["layout"] == "copy"
    assert stat.S_IMODE((folder / "key.pem").stat().st_mode) == 0o600
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    restarted = PKIClient(fake_ca.url, "api", ca_bundle=fake_ca.root_pem, cert_dir=tmp_path)
    assert restarted.get_certificate_info()["serial"] == renewed["serial"]


def test_a_foreign_file_is_reported_and_left_alone(fake_ca: FakeCA, tmp_path: Path) -> None:
    folder = tmp_path / "api"
    folder.mkdir()
    foreign = b"-----BEGIN CERTIFICATE-----\nnot ours\n-----END CERTIFICATE-----\n"
    (folder / "cert.pem").write_bytes(foreign)
    pki = PKIClient(fake_ca.url, "api", install_token=fake_ca.token("api", "api.example.test"),
                    ca_bundle=fake_ca.root_pem, cert_dir=tmp_path)
    with pytest.raises(CertificateStoreError) as e:
        pki.get_certificate_info()
    assert e.value.code == "store_foreign" and "cert.pem" in e.value.message
    with pytest.raises(CertificateStoreError) as e:
        pki.request_certificate("api.example.test")
    assert e.value.code == "store_foreign"
    assert (folder / "cert.pem").read_bytes() == foreign, "not overwritten"
    assert fake_ca.count("POST", "/api/v1/certificates") == 0, "no token spent on a folder it cannot write"


@pytest.mark.parametrize("name", FILES)
def test_a_changed_file_is_reported_not_overwritten(fake_ca: FakeCA, tmp_path: Path, name: str) -> None:
    pki = enrolled(fake_ca, tmp_path)
    target = pki.cert_dir / name
    target.unlink()  # (the link, in the symbolic-link layout)
    target.write_bytes(b"something else\n")
    with pytest.raises(CertificateStoreError) as e:
        PKIClient(fake_ca.url, "api", ca_bundle=fake_ca.root_pem, cert_dir=tmp_path).get_certificate_info()
    assert e.value.code == "store_foreign" and name in e.value.message
    with pytest.raises(CertificateStoreError):
        pki.renew_certificate()
    assert target.read_bytes() == b"something else\n"
    assert fake_ca.count("POST", "/api/v1/certificates/renew") == 0


def test_a_damaged_record_is_reported(fake_ca: FakeCA, tmp_path: Path) -> None:
    pki = enrolled(fake_ca, tmp_path)
    (pki.cert_dir / "hsmca-client.json").write_text("{truncated")
    with pytest.raises(CertificateStoreError) as e:
        PKIClient(fake_ca.url, "api", ca_bundle=fake_ca.root_pem, cert_dir=tmp_path).get_certificate_info()
    assert e.value.code == "store_corrupt"


def test_a_missing_file_is_reported(fake_ca: FakeCA, tmp_path: Path) -> None:
    pki = enrolled(fake_ca, tmp_path)
    (pki.cert_dir / "chain.pem").unlink()
    with pytest.raises(CertificateStoreError) as e:
        PKIClient(fake_ca.url, "api", ca_bundle=fake_ca.root_pem, cert_dir=tmp_path).get_certificate_info()
    assert e.value.code == "store_incomplete"


@pytest.mark.parametrize("layout", ["symlink", "copy"])
def test_a_publication_cut_short_is_finished_at_the_next_load(fake_ca: FakeCA, tmp_path: Path, layout: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    if layout == "copy":
        monkeypatch.setattr(Path, "symlink_to", lambda *a, **k: (_ for _ in ()).throw(OSError(1314, "no privilege")))
    pki = enrolled(fake_ca, tmp_path)
    old = pki.get_certificate_info()["serial"]
    real_finish = store_module.CertStore._finish
    calls = {"n": 0}

    def crash_once(self: store_module.CertStore, manifest: dict) -> None:
        calls["n"] += 1
        if calls["n"] == 1:  # the process dies after the release is written and recorded, before it is published
            raise KeyboardInterrupt("power cut")
        real_finish(self, manifest)

    monkeypatch.setattr(store_module.CertStore, "_finish", crash_once)
    with pytest.raises(KeyboardInterrupt):
        pki.renew_certificate()
    assert json.loads((pki.cert_dir / "hsmca-client.json").read_text())["pending"] != old
    restarted = PKIClient(fake_ca.url, "api", ca_bundle=fake_ca.root_pem, cert_dir=tmp_path)
    info = restarted.get_certificate_info()
    assert info["serial"] not in (old,), "the complete release was published"
    manifest = json.loads((pki.cert_dir / "hsmca-client.json").read_text())
    assert "pending" not in manifest and manifest["serial"] == info["serial"]
