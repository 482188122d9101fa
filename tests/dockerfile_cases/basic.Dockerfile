# A plain single-stage build in the order the lesson recommends.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

# Dependencies first, so editing the code keeps this layer cached.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
EXPOSE 8000/tcp 9000
USER nobody
CMD ["python", "-m", "app"]
