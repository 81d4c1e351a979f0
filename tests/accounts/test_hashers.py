"""The password hasher's parameters (accounts/hashers.py), and the move from Django's default."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password
from django.test import override_settings

from dangjian.accounts.hashers import Argon2Hasher

PRODUCTION = ["dangjian.accounts.hashers.Argon2Hasher"]


@override_settings(PASSWORD_HASHERS=PRODUCTION)
def test_a_new_hash_is_argon2id_with_one_lane_and_64_mib():
    encoded = make_password("Zhibu-Lianxi-7")
    assert encoded.startswith("argon2$argon2id$v=19$m=65536,t=2,p=1$")
    assert check_password("Zhibu-Lianxi-7", encoded)
    assert not check_password("Zhibu-Lianxi-8", encoded)


@override_settings(PASSWORD_HASHERS=PRODUCTION)
def test_a_hash_with_django_s_default_parameters_verifies_and_is_rehashed():
    old = Argon2PasswordHasher().encode("Zhibu-Lianxi-7", Argon2PasswordHasher().salt())
    assert "m=102400,t=2,p=8" in old
    saved: list[str] = []
    assert check_password("Zhibu-Lianxi-7", old, setter=saved.append)
    # Django calls the setter with the raw password to store a new hash
    assert saved == ["Zhibu-Lianxi-7"]
    assert Argon2Hasher().must_update(old) and not Argon2Hasher().must_update(
        make_password("Zhibu-Lianxi-7")
    )


@pytest.mark.parametrize("field", ["time_cost", "memory_cost", "parallelism"])
def test_the_parameters_stay_above_the_owasp_floor(field):
    floor = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}
    assert getattr(Argon2Hasher, field) >= floor[field]
