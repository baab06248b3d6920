import sys

from operatorx.cli import main

sys.exit(main())
