#!/bin/sh
# Installs the Python dependencies of the app.
set -e
pip install --no-cache-dir -r requirements.txt
