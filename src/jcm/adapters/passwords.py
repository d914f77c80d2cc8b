"""Passwords hashed with argon2id (argon2-cffi's defaults: RFC 9106's second recommended
parameter set), and TOTP codes (RFC 6238) with pyotp."""

from __future__ import annotations

from datetime import datetime

import pyotp
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ISSUER = "JCM registry"


class Argon2Passwords:
    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher(type=Type.ID)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


class PyOtpTotp:
    """30-second SHA-1 codes of 6 digits (what authenticator apps expect); one step of clock
    drift either way is accepted."""

    def new_secret(self) -> str:
        return pyotp.random_base32()

    def uri(self, secret: str, account: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)

    def verify(self, secret: str, code: str, at: datetime) -> bool:
        return bool(pyotp.TOTP(secret).verify(code.strip(), for_time=at, valid_window=1))
