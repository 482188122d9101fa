#!/bin/sh
test -f /app/app.py
