"""The store: one ``Store`` over one SQLite connection, its rows reached by concept (``store.cards``, ...).

``open_store(home)`` opens and migrates it; every SQL statement of studycards lives in this package.
"""

from studycards.store.database import Store, collection_status, open_store

__all__ = ["Store", "collection_status", "open_store"]
