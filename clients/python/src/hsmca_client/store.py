"""The service's folder: what it holds, how it changes atomically, and how it refuses files it did not write.

::

    <cert_dir>/<service_id>/
      cert.pem  key.pem (0600)  chain.pem  ca_chain.pem     what services read
      releases/<serial>/{cert,key,chain,ca_chain}.pem       each certificate written whole, then published
      current -> releases/<serial>                          (symbolic-link layout only)
      hsmca-client.json                                     what this client wrote (hashes), asked and where
      .lock                                                 one writer at a time, across processes

``cert.pem`` is the certificate then the issuing CA (what a TLS peer is sent); ``chain.pem`` the CA chain as the
appliance returned it (issuing CA, then root); ``ca_chain.pem`` what to trust for peers (the CA certificates and the
root given as ``ca_bundle``).

A release is written into a staging folder, synced and renamed into ``releases/``; then it is published. Where
symbolic links work, the four names are links through ``current`` and one atomic rename of ``current`` switches
them all. Where they do not (Windows without the privilege, some shares), each name is a copy replaced by an atomic
rename. ``hsmca-client.json`` records the hash of every file published; before writing, and when loading, every
file must match it, so a file someone else put there (or a damaged one) is reported, never overwritten. A publish
cut short (a crash) is finished at the next load from its complete release.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from cryptography import x509

from . import certs
from .errors import CertificateStoreError, PKIClientError
from .locking import FolderLock

FILES = ("cert.pem", "key.pem", "chain.pem", "ca_chain.pem")
MANIFEST = "hsmca-client.json"
SYMLINK = "symlink"
COPY = "copy"
FORMAT = 1


@dataclass(frozen=True)
class Credentials:
    """A key, its certificate and the CA certificates above it, with the files that hold exactly this pair."""

    key: certs.PrivateKey
    certificate: x509.Certificate
    chain: List[x509.Certificate]
    trust: List[x509.Certificate]
    cert_file: Path
    key_file: Path
    meta: Dict[str, Any] = field(default_factory=dict)

    @property
    def serial(self) -> str:
        return certs.serial(self.certificate)

    @property
    def not_before(self) -> float:
        return certs.not_before(self.certificate).timestamp()

    @property
    def not_after(self) -> float:
        return certs.not_after(self.certificate).timestamp()

    @property
    def lifetime(self) -> float:
        return self.not_after - self.not_before

    def presented(self) -> List[x509.Certificate]:
        """The certificate then the chain without its root: what a TLS peer is sent."""
        return [self.certificate] + [c for c in self.chain if not certs.is_self_signed(c)]


class CertStore:
    """One service's folder. Every method that reads or writes takes :attr:`lock`."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.releases = directory / "releases"
        self.lock = FolderLock(directory / ".lock")

    def path(self, name: str) -> Path:
        return self.dir / name

    # ----- reading -------------------------------------------------------------------------------------------------

    def manifest(self) -> Optional[Dict[str, Any]]:
        """The record of what was published (None when there is none); readable without the lock (atomic)."""
        f = self.dir / MANIFEST
        try:
            text = f.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as e:
            raise CertificateStoreError("cannot read %s: %s" % (f, e), "store_unreadable") from None
        try:
            value = json.loads(text)
            if not isinstance(value, dict) or not isinstance(value.get("files"), dict):
                raise ValueError("not a manifest")
            return value
        except ValueError:
            raise CertificateStoreError("%s is damaged (not the JSON this client writes); move the folder %s away and "
                                        "request a certificate again" % (f, self.dir), "store_corrupt") from None

    def load(self) -> Optional[Credentials]:
        """The credentials in the folder; None when it holds none of the four files."""
        if not self.dir.is_dir():
            return None  # (reading creates nothing)
        with self.lock:
            manifest = self.manifest()
            if manifest is not None and manifest.get("pending"):
                self._finish(manifest)
                manifest = self.manifest()
            present = [f for f in FILES if _exists(self.dir / f)]
            if not present:
                return None
            self._check_ours(manifest, present)
            assert manifest is not None
            missing = [f for f in FILES if f not in present]
            if missing:
                raise CertificateStoreError("%s is incomplete: %s missing; move the folder away and request a "
                                            "certificate again" % (self.dir, ", ".join(missing)), "store_incomplete")
            serial = str(manifest.get("serial", ""))
            release = self.releases / serial
            if serial and all((release / f).is_file() for f in FILES):
                source = release  # immutable files: what TLS contexts load
            else:
                source = self.dir
            return self._read(source, manifest)

    def _read(self, source: Path, manifest: Dict[str, Any]) -> Credentials:
        try:
            presented = certs.load_certificates((source / "cert.pem").read_bytes())
            key = certs.load_key((source / "key.pem").read_bytes())
            chain = certs.load_certificates((source / "chain.pem").read_bytes())
            trust = certs.load_certificates((source / "ca_chain.pem").read_bytes())
        except (OSError, ValueError) as e:
            raise CertificateStoreError("cannot read the credentials in %s: %s" % (source, e), "store_corrupt") from None
        if not certs.matches(presented[0], key):
            raise CertificateStoreError("cert.pem and key.pem in %s do not belong together; move the folder away and "
                                        "request a certificate again" % source, "store_corrupt")
        return Credentials(key, presented[0], chain, trust, source / "cert.pem", source / "key.pem", dict(manifest))

    def _check_ours(self, manifest: Optional[Dict[str, Any]], present: Sequence[str]) -> None:
        """Every file present was published by this client, unchanged since."""
        for name in present:
            target = self.dir / name
            if manifest is None:
                raise CertificateStoreError(
                    "%s was not written by hsmca-client (there is no %s beside it); it is left untouched: move it away "
                    "or give another cert_dir" % (target, MANIFEST), "store_foreign")
            accepted = manifest["files"].get(name) or []
            try:
                digest = certs.sha256(target.read_bytes())
            except OSError as e:
                raise CertificateStoreError("cannot read %s: %s" % (target, e), "store_unreadable") from None
            if digest not in accepted:
                raise CertificateStoreError(
                    "%s was changed or replaced since hsmca-client wrote it (it is not the file recorded in %s); it is "
                    "left untouched: move it away, or restore it" % (target, MANIFEST), "store_foreign")

    # ----- writing -------------------------------------------------------------------------------------------------

    def save(self, key: certs.PrivateKey, certificate: x509.Certificate, chain: Sequence[x509.Certificate],
             anchors: Sequence[x509.Certificate], meta: Dict[str, Any]) -> Credentials:
        """Writes a release and publishes it; on any failure the files in use stay as they were."""
        with self.lock:
            try:
                return self._save(key, certificate, chain, anchors, meta)
            except PKIClientError:
                raise
            except OSError as e:
                raise CertificateStoreError("cannot write to %s (%s); the previous certificate and key are unchanged"
                                            % (self.dir, e.strerror or e), "store_not_writable") from None

    def _save(self, key: certs.PrivateKey, certificate: x509.Certificate, chain: Sequence[x509.Certificate],
              anchors: Sequence[x509.Certificate], meta: Dict[str, Any]) -> Credentials:
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        old = self.manifest()
        if old is not None and old.get("pending"):
            self._finish(old)
            old = self.manifest()
        present = [f for f in FILES if _exists(self.dir / f)]
        self._check_ours(old, present)
        serial = certs.serial(certificate)
        contents = self._contents(key, certificate, chain, anchors)
        release = self._write_release(serial, contents)
        layout = self._layout(old)
        digests = {name: certs.sha256(data) for name, data in contents.items()}
        # Phase 1: both the files in use and the new ones are ours, so a publish cut short is never "foreign".
        accepted = {name: sorted(set((old or {}).get("files", {}).get(name, [])) | {digests[name]}) for name in FILES}
        manifest: Dict[str, Any] = {**(old or {}), **meta, "format": FORMAT, "layout": layout, "files": accepted,
                                    "pending": serial}
        self._write_manifest(manifest)
        self._finish(manifest)
        return self._read(release, self.manifest() or {})

    def _finish(self, manifest: Dict[str, Any]) -> None:
        """Publishes the pending release and records it as the one in use (phase 2)."""
        serial = str(manifest["pending"])
        release = self.releases / serial
        if not all((release / f).is_file() for f in FILES):
            # the release never completed: the files in use are the old ones; forget the attempt
            manifest = {k: v for k, v in manifest.items() if k != "pending"}
            self._write_manifest(manifest)
            return
        layout = str(manifest.get("layout", COPY))
        if layout == SYMLINK:
            try:
                self._publish_links(serial)
            except (OSError, NotImplementedError):
                layout = COPY  # links stopped working here: copies serve the same readers
        if layout == COPY:
            self._publish_copies(release)
        previous = manifest.get("serial") if manifest.get("serial") != serial else manifest.get("previous")
        files = {name: [certs.sha256((release / name).read_bytes())] for name in FILES}
        done = {k: v for k, v in manifest.items() if k != "pending"}
        done.update({"serial": serial, "previous": previous, "layout": layout, "files": files,
                     "updated_at": certs.iso(_now())})
        self._write_manifest(done)
        self._prune(serial, previous)
        _fsync_dir(self.dir)

    @staticmethod
    def _contents(key: certs.PrivateKey, certificate: x509.Certificate, chain: Sequence[x509.Certificate],
                  anchors: Sequence[x509.Certificate]) -> Dict[str, bytes]:
        presented = [certificate] + [c for c in chain if not certs.is_self_signed(c)]
        trust: List[x509.Certificate] = []
        for c in list(chain) + list(anchors):
            if c not in trust:
                trust.append(c)
        return {"cert.pem": certs.certificates_pem(presented), "key.pem": certs.key_pem(key),
                "chain.pem": certs.certificates_pem(chain), "ca_chain.pem": certs.certificates_pem(trust)}

    def _write_release(self, serial: str, contents: Dict[str, bytes]) -> Path:
        self.releases.mkdir(mode=0o700, parents=True, exist_ok=True)
        release = self.releases / serial
        staging = self.releases / (".new-%s-%d" % (serial, os.getpid()))
        _remove(staging)
        staging.mkdir(mode=0o700)
        try:
            for name, data in contents.items():
                _write_new(staging / name, data, 0o600 if name == "key.pem" else 0o644)
            _fsync_dir(staging)
            _remove(release)
            staging.rename(release)
        finally:
            _remove(staging)  # a half-written release (a full disk) never becomes one in use
        _fsync_dir(self.releases)
        return release

    def _layout(self, manifest: Optional[Dict[str, Any]]) -> str:
        if manifest is not None and manifest.get("layout") in (SYMLINK, COPY):
            return str(manifest["layout"])
        probe = self.dir / ".symlink-probe"
        try:
            _remove(probe)
            probe.symlink_to("releases", target_is_directory=True)
            probe.unlink()
            return SYMLINK
        except (OSError, NotImplementedError):
            return COPY

    def _publish_links(self, serial: str) -> None:
        self._link("current", Path("releases") / serial, directory=True)
        for name in FILES:
            self._link(name, Path("current") / name, directory=False)

    def _link(self, name: str, target: Path, directory: bool) -> None:
        path = self.dir / name
        if path.is_symlink() and Path(os.readlink(path)) == target:
            return
        tmp = self.dir / (".%s.tmp" % name)
        _remove(tmp)
        tmp.symlink_to(target, target_is_directory=directory)
        _replace(tmp, path)

    def _publish_copies(self, release: Path) -> None:
        staged = []
        for name in FILES:  # all written and synced first: the renames then follow each other closely
            tmp = self.dir / (".%s.tmp" % name)
            _remove(tmp)
            _write_new(tmp, (release / name).read_bytes(), 0o600 if name == "key.pem" else 0o644)
            staged.append((tmp, self.dir / name))
        current = self.dir / "current"
        if current.is_symlink():
            current.unlink()
        for tmp, target in staged:
            _replace(tmp, target)

    def _prune(self, serial: str, previous: Optional[str]) -> None:
        """Keeps the release in use and the one before."""
        if not self.releases.is_dir():
            return
        for entry in self.releases.iterdir():
            if entry.name not in (serial, previous) and not entry.name.startswith(".new-"):
                _remove(entry)

    def _write_manifest(self, manifest: Dict[str, Any]) -> None:
        tmp = self.dir / (".%s.tmp" % MANIFEST)
        _remove(tmp)
        _write_new(tmp, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8"), 0o644)
        _replace(tmp, self.dir / MANIFEST)


def _now() -> datetime.datetime:
    return datetime.datetime.now(tz=certs.UTC)


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """A new file with its final permissions from creation (a key is never readable by others, even briefly)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, mode)
    with open(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _replace(source: Path, target: Path) -> None:
    """An atomic rename over the target; on Windows a file another process has open refuses it for a moment."""
    for attempt in range(40):
        try:
            source.replace(target)
            return
        except PermissionError:
            if sys.platform != "win32" or attempt == 39:
                raise
            time.sleep(0.05)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def _fsync_dir(directory: Path) -> None:
    if sys.platform == "win32":
        return  # no directory handles to sync; renames are durable through the journal
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # not every file system syncs a directory; the renames are atomic either way
    finally:
        os.close(fd)
