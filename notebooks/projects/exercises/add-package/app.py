"""Exercise project `add-package`: numpy is the big download a cache mount can spare."""

import numpy
import requests

print(f"numpy {numpy.__version__}, requests {requests.__version__}")
print("app ok")
