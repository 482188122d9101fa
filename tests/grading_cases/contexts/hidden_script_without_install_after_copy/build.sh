#!/bin/sh
# Byte-compile the code; nothing is installed here.
set -e
python -m compileall -q .
