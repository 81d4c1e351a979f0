"""Settings per environment: ``dev`` (default, SQLite under var/), ``prod``, ``test``."""
