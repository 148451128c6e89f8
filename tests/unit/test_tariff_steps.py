"""Each step of the tariff creation dialog is checked as it is typed (TariffEditor.check_step), without the
database: the value the dialog keeps for every field, the shop's order limit, dates read in the organizer's
zone, and a sales window whose end must come strictly after its start, whichever end is typed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from domain.errors import OrderLimitInvalid, PriceInvalid, SalesWindowInvalid
from domain.policies import HoldPolicy
from domain.services.tariff_editor import TariffEditor
from domain.tariff_fields import TariffField

MSK = ZoneInfo("Europe/Moscow")
DEC_1_10_MSK = "2026-12-01T07:00:00+00:00"  # 01.12.2026 10:00 in Moscow


@pytest.fixture
def editor(clock) -> TariffEditor:
    return TariffEditor(None, clock, HoldPolicy(hold_minutes=15, max_per_order=10), "RUB")  # type: ignore[arg-type]


def test_name_price_and_quantity_steps_keep_the_cleaned_value(editor):
    assert editor.check_step(TariffField.NAME, "  Early   bird ", MSK, {}) == "Early bird"
    assert editor.check_step(TariffField.PRICE, "1 500,50", MSK, {}) == 150_050  # kept in minor units
    assert editor.check_step(TariffField.QUANTITY, "2 500", MSK, {}) == 2500
    with pytest.raises(PriceInvalid):
        editor.check_step(TariffField.PRICE, "0", MSK, {})


def test_a_price_step_is_read_in_the_shops_currency(clock):
    yen = TariffEditor(None, clock, HoldPolicy(hold_minutes=15, max_per_order=10), "JPY")  # type: ignore[arg-type]
    assert yen.check_step(TariffField.PRICE, "1500", MSK, {}) == 1500


def test_the_order_limit_step_goes_up_to_the_shops_limit_only(editor):
    assert editor.check_step(TariffField.MAX_PER_ORDER, "10", MSK, {}) == 10
    assert editor.check_step(TariffField.MAX_PER_ORDER, "1", MSK, {}) == 1
    with pytest.raises(OrderLimitInvalid) as info:
        editor.check_step(TariffField.MAX_PER_ORDER, "11", MSK, {})
    assert info.value.params == {"max": 10}


def test_date_steps_are_read_in_the_organizers_zone_and_kept_as_utc_iso(editor):
    assert editor.check_step(TariffField.SALES_START, "01.12.2026 10:00", MSK, {}) == DEC_1_10_MSK
    assert editor.check_step(TariffField.SALES_START, "01.12 10:00", MSK, {}) == DEC_1_10_MSK
    tokyo = ZoneInfo("Asia/Tokyo")
    assert editor.check_step(TariffField.SALES_END, "01.12 16:00", tokyo, {}) == DEC_1_10_MSK


def test_either_end_of_the_sales_window_may_be_typed_alone(editor):
    assert editor.check_step(TariffField.SALES_START, "01.12.2026 10:00", MSK, {}) == DEC_1_10_MSK
    assert editor.check_step(TariffField.SALES_END, "01.12.2026 10:00", MSK, {}) == DEC_1_10_MSK


def test_a_start_at_or_after_the_kept_end_is_refused(editor):
    end = {"sales_end": DEC_1_10_MSK}
    with pytest.raises(SalesWindowInvalid):
        editor.check_step(TariffField.SALES_START, "01.12.2026 10:01", MSK, end)
    with pytest.raises(SalesWindowInvalid):
        editor.check_step(TariffField.SALES_START, "01.12.2026 10:00", MSK, end)
    assert editor.check_step(TariffField.SALES_START, "01.12.2026 09:59", MSK, end) == "2026-12-01T06:59:00+00:00"


def test_an_end_at_or_before_the_kept_start_is_refused(editor):
    start = {"sales_start": DEC_1_10_MSK}
    with pytest.raises(SalesWindowInvalid):
        editor.check_step(TariffField.SALES_END, "01.12.2026 09:59", MSK, start)
    with pytest.raises(SalesWindowInvalid):
        editor.check_step(TariffField.SALES_END, "01.12.2026 10:00", MSK, start)
    assert editor.check_step(TariffField.SALES_END, "01.12.2026 10:01", MSK, start) == "2026-12-01T07:01:00+00:00"


def test_an_end_typed_again_is_checked_against_the_start_not_the_end_it_replaces(editor):
    earlier_end = {"sales_end": DEC_1_10_MSK}
    assert editor.check_step(TariffField.SALES_END, "02.12.2026 10:00", MSK, earlier_end) == "2026-12-02T07:00:00+00:00"
    later_start = {"sales_start": "2026-12-05T07:00:00+00:00"}
    assert editor.check_step(TariffField.SALES_START, "01.12.2026 10:00", MSK, later_start) == DEC_1_10_MSK
