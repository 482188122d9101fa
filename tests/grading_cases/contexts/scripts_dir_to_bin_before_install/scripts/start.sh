#!/bin/sh
exec python /app/app.py
