"""`python -m gui [PROJECT]`: open the Ethoframe window."""

import sys

from gui.launch import run

if __name__ == "__main__":  # the analysis helper process imports this module too: no window there
    sys.exit(run(sys.argv[1:]))
