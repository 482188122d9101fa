"""Lesson 10's application: what matters is its dependencies, numpy above all."""

import numpy
import requests

print(f"numpy {numpy.__version__}, requests {requests.__version__}")
