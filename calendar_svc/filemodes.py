"""File permissions: the service's own files are private, the user's documents are not.

The database holds subscribers' addresses and may hold the unsubscribe secret, so it and
its directory are created for the owner alone, whatever the umask. A document the user
asks for (an export, a draft, a message preview) is created as any program would create
it, with the permissions the umask leaves (``0o666 & ~umask``).
"""

from __future__ import annotations

import os
import threading

#: The data directory of the service (the SQLite file, its journal and the feeds' default).
PRIVATE_DIR_MODE = 0o700
#: The SQLite file (its ``-wal`` and ``-shm`` files take the same permissions).
PRIVATE_FILE_MODE = 0o600

_lock = threading.Lock()


def current_umask() -> int:
    """Return the process's umask without changing it for long.

    Linux shows it in ``/proc/self/status``; elsewhere it is read by setting and restoring
    it (under a lock, so two threads here do not race).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _lock:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


def document_mode() -> int:
    """Return the permissions of a document the user writes: ``0o666`` less the umask."""
    return 0o666 & ~current_umask()
