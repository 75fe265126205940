"""``python -m tests.mutation [TARGET...]``: see :mod:`tests.mutation.runner`."""

import sys

from tests.mutation.runner import main

sys.exit(main())
