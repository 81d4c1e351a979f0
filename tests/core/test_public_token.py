"""Public tokens are typed on command lines, so none may begin with a dash."""

from __future__ import annotations

from dangjian.core import keys
from dangjian.core.keys import public_token


def test_a_token_beginning_with_a_dash_is_drawn_again(monkeypatch):
    drawn = iter(["-Ab3", "-xyz", "Qr7_"])
    monkeypatch.setattr(keys.secrets, "token_urlsafe", lambda nbytes: next(drawn))
    assert public_token(12) == "Qr7_"


def test_tokens_have_the_asked_strength():
    tokens = {public_token(12) for _ in range(200)}
    assert len(tokens) == 200
    assert all(len(t) == 16 and not t.startswith("-") for t in tokens)
