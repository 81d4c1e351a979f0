"""All-or-nothing imports of organizations and members from exchange files.

Every row is validated first, with the same rules as the forms (``org_validate``,
``check_child_type``, ``member_validate``) plus the checks that need the whole file: duplicate
codes and ID numbers, parents that must exist, cycles in the tree, one secretary per branch, and the
actor's scope. If anything is wrong, nothing is written and the report lists every problem as
(file, Excel row, column, value, Chinese message). Otherwise everything is written in one
transaction together with one audit entry per created or changed row. Rows are matched by
组织编码 / the keyed digest of the ID number, so a second import of the same file changes nothing.

Existing data is loaded in bulk (one query for the organizations, chunked ``IN`` queries for the
members of the file) and written in bulk (:mod:`.bulk`: ``COPY`` and one ``UPDATE … FROM`` on
PostgreSQL). A members file is streamed: read, checked and prepared in batches, spooled, and
written only once every batch has passed, with one append to the audit chain per batch
(:mod:`.members_import`), so its memory does not grow with the file.

The work is in :mod:`.orgs_import`, :mod:`.members_import` and :mod:`.report`; this module is the
interface other code uses.
"""

from __future__ import annotations

from .members_import import import_members
from .orgs_import import import_orgs
from .report import ImportReport, RowError

__all__ = ["ImportReport", "RowError", "import_members", "import_orgs"]
