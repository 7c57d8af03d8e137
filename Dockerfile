# Production image: gunicorn (web), celery worker and celery beat share it.

# The Amsterdam Design System and htmx come from npm (package-lock.json), in a build stage;
# the dev dependencies (the OpenID provider the tests start) stay out of the image.
FROM node:20-bookworm-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=ipgar.settings.production

# WeasyPrint needs Pango/HarfBuzz; postgresql-client for backups; fonts for the PDF.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        fonts-dejavu-core postgresql-client curl gettext \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
COPY --from=assets /assets/node_modules ./node_modules
# Static files are collected at build time with a throwaway key; the real
# settings come from the environment at run time.
RUN SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=build \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    sh -c 'python manage.py compilemessages --ignore=node_modules >/dev/null && \
           python manage.py collectstatic --noinput'

RUN useradd --system --home /app ipgar && mkdir -p /data/media && chown -R ipgar /data
USER ipgar
EXPOSE 8000
CMD ["gunicorn", "ipgar.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--access-logfile", "-"]
