"""Mosquitto 2.0: password hashes, the generated configuration, password file and ACL, and
reloading the broker this product started.

Hashes come from ``mosquitto_passwd`` itself (PBKDF2-SHA512, the ``$7$`` format Mosquitto
2.0 reads), run with ``-U`` on a private temporary file so that the password never appears
on a command line. Writing the format with hashlib would mean keeping a copy of the
broker's format in step with the broker; the tool made for it cannot drift.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from jcm.adapters.files import private_directory, write_atomic
from jcm.domain.errors import InvalidInput
from jcm.domain.mrv.broker import SUBSCRIBER_USER, TOPIC_FILTER, BrokerSettings
from jcm.service_layer.mrv.broker_ports import BrokerFilesWritten

CONFIG = "mosquitto.conf"
PASSWORDS = "passwords"
ACL = "acl"
PID = "mosquitto.pid"
LOG = "mosquitto.log"
_PASSWD_TIMEOUT = 30.0


def _tool_error(message: str) -> InvalidInput:
    return InvalidInput("D8_BROKER_TOOL", message, tool="mosquitto_passwd")


class MosquittoPasswords:
    """Password hashes made by ``mosquitto_passwd`` (Debian package mosquitto)."""

    def __init__(self, tool: str = "mosquitto_passwd") -> None:
        self._tool = tool

    def hash(self, password: str) -> str:
        tool = shutil.which(self._tool) or shutil.which(self._tool, path="/usr/bin:/usr/sbin")
        if tool is None:
            raise _tool_error(f"{self._tool} is not installed (Debian package mosquitto).")
        with tempfile.TemporaryDirectory(prefix="jcm-mqtt-") as scratch:
            plain = Path(scratch) / "passwords"
            fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(f"x:{password}\n")
            try:
                done = subprocess.run(
                    [tool, "-U", str(plain)],
                    capture_output=True,
                    timeout=_PASSWD_TIMEOUT,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as error:
                raise _tool_error(f"{self._tool} could not run: {error}.") from None
            line = plain.read_text(encoding="utf-8").strip()
        hashed = line.partition(":")[2]
        if done.returncode != 0 or not hashed.startswith("$7$"):
            raise _tool_error(f"{self._tool} -U failed (exit {done.returncode}).")
        return hashed


def config_text(directory: Path, settings: BrokerSettings) -> str:
    """mosquitto.conf for one local listener, no anonymous access, durable sessions."""
    d = directory.resolve()
    lines = [
        "# Written by `jcm mrv broker-config`; regenerate rather than edit.",
        "per_listener_settings false",
        f"listener {settings.port} {settings.host}",
        "allow_anonymous false",
        f"password_file {d / PASSWORDS}",
        f"acl_file {d / ACL}",
        # Sessions and queued QoS 1 messages survive a restart (saved at shutdown and every
        # autosave_interval seconds).
        "persistence true",
        f"persistence_location {d}/",
        "persistence_file mosquitto.db",
        f"autosave_interval {settings.autosave_interval}",
        f"pid_file {d / PID}",
        f"log_dest file {d / LOG}",
        "log_type error",
        "log_type warning",
        "log_type notice",
        "connection_messages true",
        # QoS 1 bursts: a wide in-flight window each way, and deep bounded queues for
        # persistent sessions (a subscriber that is down queues, it does not lose).
        f"max_inflight_messages {settings.max_inflight_messages}",
        f"max_queued_messages {settings.max_queued_messages}",
        "max_queued_bytes 0",
        "queue_qos0_messages false",
        "persistent_client_expiration 14d",
        "max_packet_size 1100000",  # an envelope is at most 1 MiB
        "set_tcp_nodelay true",
        # Started as root (CI), the broker would switch to the user "mosquitto", which
        # cannot read this private directory: it keeps the invoking user.
        f"user {pwd.getpwuid(os.geteuid()).pw_name}",
    ]
    return "\n".join(lines) + "\n"


def acl_text() -> str:
    """Each device may only publish to its own topic; the subscriber may only read."""
    return "\n".join(
        [
            "# Written by `jcm mrv broker-config`.",
            f"user {SUBSCRIBER_USER}",
            f"topic read {TOPIC_FILTER}",
            f"topic read $share/+/{TOPIC_FILTER}",
            "",
            "# Every other account is a device, logged in as its device id.",
            "pattern write jcm/meters/%u/readings",
            "",
        ]
    )


class MosquittoFiles:
    """The broker's files, and the subscriber's secret at ``secret_path``."""

    def __init__(self, secret_path: Path) -> None:
        self._secret = secret_path

    def subscriber_password(self) -> str:
        try:
            text = self._secret.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            text = ""
        if text:
            return text
        private_directory(self._secret.parent)
        # Written aside, then linked into place: two processes starting at once agree on
        # the first one's password (a link never replaces an existing file).
        fresh = self._secret.with_name(f"{self._secret.name}.{secrets.token_hex(6)}")
        write_atomic(fresh, (secrets.token_urlsafe(32) + "\n").encode(), 0o600)
        try:
            os.link(fresh, self._secret)
        except FileExistsError:
            pass
        finally:
            fresh.unlink()
        return self._secret.read_text(encoding="utf-8").strip()

    def write(
        self,
        directory: Path,
        settings: BrokerSettings,
        hashes: list[tuple[str, str]],
        subscriber_hash: str,
    ) -> BrokerFilesWritten:
        private_directory(directory)
        lines = [f"{SUBSCRIBER_USER}:{subscriber_hash}"]
        lines += [f"{device}:{hashed}" for device, hashed in hashes]
        passwords, acl, config = directory / PASSWORDS, directory / ACL, directory / CONFIG
        write_atomic(passwords, ("\n".join(lines) + "\n").encode(), 0o600)
        write_atomic(acl, acl_text().encode(), 0o600)
        write_atomic(config, config_text(directory, settings).encode(), 0o600)
        return BrokerFilesWritten(config, passwords, acl, len(lines))

    def reload(self, directory: Path) -> int | None:
        pid = running_broker(directory)
        if pid is not None:
            os.kill(pid, signal.SIGHUP)  # Mosquitto re-reads its password file and ACL
        return pid


def running_broker(directory: Path) -> int | None:
    """The pid of a live Mosquitto started with ``directory``'s configuration (from its pid
    file), or None: a stale pid file or another process with that pid is never signalled."""
    try:
        pid = int((directory / PID).read_text(encoding="ascii").strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return None
    config = str((directory / CONFIG).resolve()).encode()
    if not cmdline or not cmdline[0].endswith(b"mosquitto") or config not in cmdline:
        return None
    return pid
