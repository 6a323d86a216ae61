"""The one phone validator (kefu.core.phones.check_phone / clean_phones) that the API, the pages, the
import and the ticket's caller phone share (R-CUS-1, R-CUS-11, R-ERR; issue 8 items 2 and 8)."""

import pytest
from django.utils import translation

from kefu.core.phones import (
    MOBILE_ALLOCATION,
    MOBILE_PREFIXES,
    check_phone,
    clean_phones,
    is_mobile,
    mask_phone,
)


@pytest.mark.parametrize(("raw", "number"), [
    ("+86 138-0013-8000", "13800138000"), ("0086 138 0013 8000", "13800138000"), ("013800138000", "13800138000"),
    ("１３８００１３８０００", "13800138000"), ("010-6552 9988", "01065529988"), ("+86 10 6552 9988", "01065529988"),
    ("(0755) 8888 6666", "075588886666"), ("0216210008", "0216210008"), ("6552 9988", "65529988"),
    ("400-810-8888", "4008108888"), ("+852 9123 4567", "0085291234567"), ("19212345678", "19212345678"),
    ("16612345678", "16612345678"), ("13492000000", "13492000000"),
])
def test_r_cus_1_valid_numbers_in_their_normal_form(raw, number):
    assert check_phone(raw).number == number and check_phone(raw).ok


@pytest.mark.parametrize(("raw", "says"), [
    ("133****8968", "masked"),
    ("12012345678", "allocated"),  # 120 is no mobile network number
    ("15412345678", "allocated"),
    ("19412345678", "allocated"),
    ("14012345678", "allocated"),  # 140–144: 13-digit IoT numbers
    ("13490000000", "allocated"),  # 1349 only 2, 3 and 9 (satellite)
    ("1380013800", "11 digits"),
    ("216210008", "0216210008"),  # a landline that lost its leading 0
    ("1.38001E+10", "scientific"),
    ("138-0013-8000 转 123", "only digits"),
    ("abc", "only digits"),
    ("23456", "not a phone number"),
])
def test_r_err_invalid_numbers_are_refused_with_the_reason(raw, says):
    with translation.override("en"):
        result = check_phone(raw)
    assert not result.ok and result.number == ""
    assert says in result.error


def test_r_err_the_reason_is_in_the_users_language():
    with translation.override("zh-hans"):
        assert "不是" in check_phone("12012345678").error or "号段" in check_phone("12012345678").error
        assert "脱敏" in check_phone("133****8968").error


def test_r_cus_11_a_number_cell_that_lost_its_leading_zero_says_so():
    with translation.override("en"):
        text = check_phone("216210008", number_cell=True).error
    assert "stored as a number" in text and "0216210008" in text


def test_mobile_prefixes_are_the_miit_table_as_data():
    assert {"130", "133", "1340", "1348", "13492", "13499", "162", "165", "167", "1619", "1700", "1749", "190",
            "192", "195", "196", "197", "198", "199"} <= MOBILE_PREFIXES
    assert not {"120", "154", "160", "174", "1349", "1743", "179", "194"} & MOBILE_PREFIXES
    assert set(MOBILE_ALLOCATION) >= {"中国电信", "中国移动", "中国联通", "中国广电"}
    assert is_mobile("17400012345") and not is_mobile("17430012345")


# --- masked numbers sent back (issue 8, item 2) ---------------------------------------------------------
CURRENT = ["13312348968", "13900001111"]


def test_r_cus_1_a_masked_number_sent_back_unchanged_keeps_the_real_number():
    assert clean_phones(["133****8968"], current=CURRENT, mask=mask_phone) == (["13312348968"], [])
    # at another position, or next to a new number
    assert clean_phones(["13800138000", "139****1111", "133****8968"], current=CURRENT, mask=mask_phone) == (
        ["13800138000", "13900001111", "13312348968"], [])


def test_r_cus_1_two_numbers_with_the_same_mask_keep_their_places():
    current = ["13811111234", "13822221234"]
    assert clean_phones(["138****1234", "138****1234"], current=current, mask=mask_phone)[0] == current


def test_r_cus_1_a_masked_number_that_matches_none_is_refused():
    numbers, errors = clean_phones(["133****0000", "13800138000"], current=CURRENT, mask=mask_phone)
    assert numbers == ["13800138000"] and len(errors) == 1 and "133****0000" in errors[0]


def test_r_cus_1_a_masked_number_without_current_numbers_is_refused():
    numbers, errors = clean_phones(["138****1234"])
    assert numbers == [] and len(errors) == 1


def test_a_partial_number_typed_with_the_country_code_stays_partial_for_searches():
    from kefu.core.phones import normalize_phone

    assert normalize_phone("+86 138") == "138" and normalize_phone("+86 10 6552 9988") == "01065529988"
