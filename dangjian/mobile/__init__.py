"""流动党员 (members working away) and 失联党员 (members the branch cannot reach): REL-TRANSFER and
REL-LOST-CONTACT (rules.md §5)."""
