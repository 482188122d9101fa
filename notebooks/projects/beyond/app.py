"""The lesson's application: small on purpose; the point is its dependencies."""

import numpy
import requests

print(f"numpy {numpy.__version__}, requests {requests.__version__}")
