"""Who is calling: an API key (``X-API-Key`` or ``Authorization: Bearer cllm_...``) or an
OAuth 2.0 JWT bearer token checked against the issuer's JWKS (signature, exp, iss, aud, scopes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt

from chainllm.serve.keys import PREFIX, KeyStore
from chainllm.serve.settings import SCOPES, JwtSettings


@dataclass(frozen=True)
class Principal:
    kind: str  # "key", "jwt" or "anonymous" (--no-auth)
    subject: str  # key id, token subject, or client address: never a secret
    scopes: frozenset[str]


class AuthFailure(Exception):
    """401 (no or bad credentials) or 403 (valid credentials, wrong scope); 503 when the
    issuer's keys cannot be fetched (we cannot tell a good token from a bad one)."""

    def __init__(self, status: int, message: str, reason: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason  # a metric label: missing, bad_key, revoked, expired, audience...


def _scopes(claims: dict[str, Any]) -> frozenset[str]:
    raw = claims.get("scope", claims.get("scp", ""))
    items = raw.split() if isinstance(raw, str) else list(raw) if isinstance(raw, list) else []
    # "chainllm:score" and "score" both grant score; anything else is ignored.
    return frozenset(
        s.split(":", 1)[-1] for s in items if isinstance(s, str) and s.split(":", 1)[-1] in SCOPES
    )


class Authenticator:
    def __init__(
        self, keys: KeyStore | None, jwt_settings: JwtSettings | None, *, no_auth: bool = False
    ) -> None:
        self.keys = keys
        self.jwt = jwt_settings
        self.no_auth = no_auth
        self._jwks = (
            jwt.PyJWKClient(jwt_settings.jwks_url, cache_keys=True, lifespan=300, timeout=5)
            if jwt_settings
            else None
        )

    def may_block(self, headers: dict[str, str]) -> bool:
        """True for a JWT bearer token (its issuer's keys may have to be fetched)."""
        auth = headers.get("authorization", "")
        return (
            self._jwks is not None and "x-api-key" not in headers and not auth[7:].strip().startswith(PREFIX)
        )

    def authenticate(self, headers: dict[str, str], client: str) -> Principal:
        """Blocking (a JWKS fetch may go to the network): call it from a worker thread."""
        if self.no_auth:
            return Principal("anonymous", client, frozenset(SCOPES))
        api_key = headers.get("x-api-key")
        auth = headers.get("authorization", "")
        bearer = auth[7:].strip() if auth[:7].lower() == "bearer " else None
        if api_key is None and bearer and bearer.startswith(PREFIX):
            api_key, bearer = bearer, None
        if api_key is not None:
            return self._key(api_key)
        if bearer:
            return self._token(bearer)
        raise AuthFailure(401, "credentials required: X-API-Key or Authorization: Bearer", "missing")

    def _key(self, key: str) -> Principal:
        if self.keys is None:
            raise AuthFailure(401, "API keys are not accepted by this server", "bad_key")
        rec = self.keys.verify(key)
        if rec is None:
            raise AuthFailure(401, "invalid or revoked API key", "bad_key")
        return Principal("key", rec.id, frozenset(rec.scopes))

    def _token(self, token: str) -> Principal:
        if self.jwt is None or self._jwks is None:
            raise AuthFailure(
                401, "bearer tokens are not accepted by this server (no issuer configured)", "bad_token"
            )
        try:
            signing = self._jwks.get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError:
            raise AuthFailure(
                503, "the token issuer's JWKS cannot be fetched; try again", "jwks_down"
            ) from None
        except (jwt.PyJWKClientError, jwt.DecodeError) as exc:
            raise AuthFailure(401, f"invalid bearer token: {exc}", "bad_token") from None
        try:
            claims = jwt.decode(
                token,
                signing.key,
                algorithms=list(self.jwt.algorithms),
                audience=self.jwt.audience,
                issuer=self.jwt.issuer,
                leeway=self.jwt.leeway_s,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthFailure(401, "bearer token expired", "expired") from None
        except jwt.InvalidAudienceError:
            raise AuthFailure(401, "bearer token is for another audience", "audience") from None
        except jwt.InvalidIssuerError:
            raise AuthFailure(401, "bearer token is from another issuer", "issuer") from None
        except jwt.InvalidTokenError as exc:
            raise AuthFailure(401, f"invalid bearer token: {exc}", "bad_token") from None
        return Principal("jwt", str(claims["sub"])[:128], _scopes(claims))


def require_scope(p: Principal, scope: str) -> None:
    if scope not in p.scopes:
        raise AuthFailure(403, f"credentials lack the {scope!r} scope", "scope")
