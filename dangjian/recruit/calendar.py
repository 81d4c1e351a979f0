"""Official Chinese working days for the recruitment rules: a re-export of the calendar in
:mod:`dangjian.core.workdays` (files of holiday arrangements over the chinese-calendar
library). A day of a year neither knows raises :class:`CalendarRangeError`."""

from __future__ import annotations

from dangjian.core.workdays import CalendarRangeError, is_workday, workdays_between

__all__ = ["CalendarRangeError", "is_workday", "workdays_between"]
