"""Making valid 统一社会信用代码 (GB 32100-2015) for generated registers: the demo district, the
benchmark and the tests. The check character is computed (python-stdnum), nothing is real."""

from __future__ import annotations

import random

from stdnum.cn import uscc

#: the characters of the organisation code part (no I, O, S, V, Z)
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

#: registration department and type: 91 工商 企业, 51 民政 社会团体, 52 民办非企业, 53 基金会
PREFIXES = {"企业": "91", "社会团体": "51", "民办非企业": "52", "基金会": "53"}


def make_uscc(rng: random.Random, region: str, prefix: str = "91") -> str:
    """A valid code of ``prefix`` (two digits) and the 6-digit ``region`` code."""
    body = prefix + region[:6] + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def numbered_uscc(number: int, region: str, prefix: str = "91") -> str:
    """A valid code for the ``number``-th unit (distinct numbers give distinct codes)."""
    digits = []
    for _ in range(9):
        number, rest = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[rest])
    body = prefix + region[:6] + "".join(reversed(digits))
    return body + uscc.calc_check_digit(body)
