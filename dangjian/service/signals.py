"""What the service orders tell the rest of the project (the inbox listens; nothing here knows it).

- :data:`order_moved` — sent at the end of every transition of
  :func:`dangjian.service.services._move`, inside its transaction (a receiver that writes takes
  part in it; anything leaving the process must wait for the commit). Arguments: ``order`` (as
  it is after the move), ``kind`` (:class:`~dangjian.service.choices.EventKind`),
  ``from_state``, ``actor`` (a user, the system actor, or the resident) and ``at``.
- :data:`order_due` — sent by the jobs of :mod:`dangjian.service.jobs` for a deadline coming
  (``what="due_soon"``) or passed (``what="overdue"``): ``order``, ``limit`` (``"response"`` or
  ``"resolution"``), ``due``, ``what`` and ``key`` (the same for the same deadline however
  often the job runs: the receivers' deduplication key). Whom to tell (the holders of the order,
  for an overdue one also the level above) is the receivers' business.
"""

from __future__ import annotations

from django.dispatch import Signal

order_moved = Signal()
order_due = Signal()
