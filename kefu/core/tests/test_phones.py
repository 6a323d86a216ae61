"""Phone normal form (caller matching) and masking (R-CUS-1)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kefu.core.phones import mask_phone, normalize_phone


@pytest.mark.parametrize("raw", ["+86 138-0013-8000", "13800138000", "0086 138 0013 8000", "013800138000",
                                 "138/0013/8000", "86-13800138000", " 138 0013 8000 "])
def test_mobile_numbers_in_every_shape_normalize_alike(raw):
    assert normalize_phone(raw) == "13800138000"


def test_landline_keeps_its_area_code():
    assert normalize_phone("010-6552 9988") == "01065529988"


def test_r_cus_1_masking_keeps_three_and_four():
    assert mask_phone("13800131234") == "138****1234"


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_r_cus_1_a_masked_mobile_hides_the_middle_and_keeps_the_tail(number):
    masked = mask_phone(number)
    assert len(masked) == len(number)
    assert masked[:3] == number[:3] and masked[-4:] == number[-4:]
    assert set(masked[3:-4]) == {"*"}


@given(st.text(alphabet="0123456789", min_size=1, max_size=8))
def test_short_numbers_hide_at_least_four_digits_or_half(number):
    masked = mask_phone(number)
    assert masked.count("*") >= min(4, (len(number) + 1) // 2)
