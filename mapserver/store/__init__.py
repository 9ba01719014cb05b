"""What is kept: data versions on disk, the indicators added to the store, and the desk's
accounts database (users, sessions, sign-in attempts, published maps, the audit log, and
the indicator versions several servers share)."""
