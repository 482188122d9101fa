# escape=`
# syntax=docker/dockerfile:1

FROM mcr.microsoft.com/windows/servercore:ltsc2022
WORKDIR C:\app
COPY requirements.txt C:\app\
RUN python -m pip install `
    --no-cache-dir `
    -r C:\app\requirements.txt
RUN echo done ``
RUN echo not a continuation \
CMD ["python", "C:\\app\\main.py"]
