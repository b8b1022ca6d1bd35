"""`python -m geomap`: the same command as `geomap`."""

import sys

from geomap.cli import main

sys.exit(main())
