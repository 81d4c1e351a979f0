import datetime as dt

import pytest
from django.test import override_settings

from dangjian.core import crypto, idnumber


def test_encrypt_roundtrip_uses_fresh_nonce():
    a, b = crypto.encrypt("11010519491231002X"), crypto.encrypt("11010519491231002X")
    assert a != b
    assert crypto.decrypt(a) == crypto.decrypt(b) == "11010519491231002X"
    assert b"11010519491231002X" not in a


def test_decrypt_with_another_key_fails():
    blob = crypto.encrypt("13812345678")
    with (
        override_settings(DANGJIAN_FIELD_KEY="ffeeddccbbaa99887766554433221100"),
        pytest.raises(crypto.DecryptionError),
    ):
        crypto.decrypt(blob)


def test_digest_is_keyed_and_normalised():
    assert crypto.digest("11010519491231002x") == crypto.digest(" 11010519491231002X")
    other = crypto.digest("11010519491231002X")
    with override_settings(DANGJIAN_FIELD_KEY="ffeeddccbbaa99887766554433221100"):
        assert crypto.digest("11010519491231002X") != other


def test_id_check_digit_and_masks():
    assert idnumber.validate_id("11010519491231002x") == "11010519491231002X"
    with pytest.raises(idnumber.InvalidNumber, match="校验码"):
        idnumber.validate_id("110105194912310021")
    with pytest.raises(idnumber.InvalidNumber, match="18 位"):
        idnumber.validate_id("1101051949")
    assert idnumber.mask_id("11010519491231002X") == "110105********002X"
    assert idnumber.mask_phone(idnumber.normalize_phone("+86 138 1234 5678")) == "138****5678"
    assert idnumber.gender("11010519491231002X") == "女"


def test_unknown_region_code_is_named_in_the_message():
    from dangjian.core.idnumber import InvalidNumber, compose_id, validate_id

    good = compose_id("110105", dt.date(1985, 6, 1), 123)
    bad_region = "999999" + good[6:17]
    from stdnum.cn import ric

    bad_region += ric.calc_check_digit(bad_region + "0")
    with pytest.raises(InvalidNumber, match="地区码 999999"):
        validate_id(bad_region)
    bad_date = good[:10] + "13" + good[12:17]
    bad_date += ric.calc_check_digit(bad_date + "0")
    with pytest.raises(InvalidNumber, match="出生日期"):
        validate_id(bad_date)
