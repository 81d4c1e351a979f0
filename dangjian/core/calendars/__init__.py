"""The project's own working-day calendar files (one YAML file per year, format in
:mod:`dangjian.core.workdays`), shipped with the package.

A file goes here only when it copies a State Council notice (国务院办公厅关于 20XX 年部分节假日
安排的通知) that has been published; the years chinese-calendar knows need none. None is shipped
for 2027 yet: the notice had not been found when this folder was made. A city adds a year
without a release by putting the file in a folder named by ``DANGJIAN_CALENDAR_DIRS``.
"""
