# The helpline image. Two stages: the build stage has compilers and trains the NLU model; the final
# stage has only Python, the installed app, the trained model, tzdata and CA certificates.
# No secret is ever written into a layer: every HELPLINE_* secret comes from the environment at run time
# (docs/deploy.md). Build: docker build -t helpline .   Run: see docker-compose.yml.

FROM python:3.11-slim AS build
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/helpline
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY bots ./bots
COPY nlu ./nlu
COPY routing ./routing
COPY migrations ./migrations
# An editable install: the source stays in /srv/helpline, where `helpline migrate` finds alembic.ini.
RUN python -m venv /opt/helpline && /opt/helpline/bin/pip install -e .
# The shipped model, trained here (not at first start, not as the run-time user). A failure fails the build.
RUN /opt/helpline/bin/python -m nlu train --out nlu/model/helpline.pkl \
 && /opt/helpline/bin/python -c "from nlu.model import DEFAULT_MODEL_PATH, NLUModel; NLUModel.load(DEFAULT_MODEL_PATH)"

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/helpline/bin:$PATH \
    HELPLINE_ENV=production HELPLINE_DATA_DIR=/srv/helpline/var TZ=UTC
RUN apt-get update && apt-get install -y --no-install-recommends tzdata ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /srv/helpline --shell /usr/sbin/nologin helpline
COPY --from=build /opt/helpline /opt/helpline
COPY --from=build /srv/helpline /srv/helpline
# Only the data folder (the live model copy, coordinators' local copies) is writable by the app.
RUN mkdir -p /srv/helpline/var && chown helpline:helpline /srv/helpline/var
WORKDIR /srv/helpline
USER helpline
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# Migrations are the one-shot `migrate` service's job (compose); run `helpline migrate` first elsewhere.
CMD ["sh", "-c", "exec helpline serve --host 0.0.0.0 --port 8000 --workers ${WORKERS:-2}"]
