"""``python -m cli``: the ``carbon-market`` command line."""

import sys

from cli import main

sys.exit(main())
