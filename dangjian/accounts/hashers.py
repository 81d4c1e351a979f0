"""The password hasher: Argon2id with one lane and 64 MiB.

Django's default Argon2 parameters (8 lanes, 100 MiB, 2 passes) take about 220 ms of CPU per
sign-in spread over every core, so two hundred people signing in within a minute starve the
pages of everyone already at work (the load test of issue 11). One lane with 64 MiB and 2 passes
costs half the CPU on one core and is still more than three times the memory OWASP's password
storage guide asks as its floor for Argon2id (19 MiB, 2 passes, 1 lane). A hash made with other
parameters still verifies and is rehashed with these at the next sign-in (Django's
``must_update``).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2Hasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 65536  # KiB
    parallelism = 1
