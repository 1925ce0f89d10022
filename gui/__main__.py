"""`python -m gui [PROJECT]`: open the Ethoframe window."""

import sys

from gui.app import run

sys.exit(run(sys.argv[1:]))
