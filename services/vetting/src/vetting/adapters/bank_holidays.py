"""England and Wales bank holidays, from the list GOV.UK publishes (the `govuk-bank-holidays`
package ships a copy; a new release of the package brings the next years).

Never fetched over the network: not at request time (a slow or absent GOV.UK must not slow
or break a report), not in tests. Years the shipped copy does not list count weekends only
(`WorkingCalendar.covers`).
"""

from __future__ import annotations

from functools import cache

from govuk_bank_holidays.bank_holidays import BankHolidays

from vetting.domain.working_days import WorkingCalendar


@cache
def england_and_wales() -> WorkingCalendar:
    """The working calendar of England and Wales, read once per process."""
    source = BankHolidays(use_cached_holidays=True)
    return WorkingCalendar.of(
        holiday["date"] for holiday in source.get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
    )
