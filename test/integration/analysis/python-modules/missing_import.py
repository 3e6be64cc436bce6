"""needs a package that is not installed"""

import numpy
import beamloom_no_such_package


class W:
    def process_event(self, event):
        return None
