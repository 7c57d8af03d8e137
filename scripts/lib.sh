# Shared set-up for scripts/run and scripts/test: the Python environment.
# Sourced, not executed.

export UV_PYTHON=python3.11 UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy
UV_VERSION=0.13.8

ensure_uv() {
    if ! command -v uv >/dev/null 2>&1 || [ "$(uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
        echo "==> installing uv $UV_VERSION"
        python3.11 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "uv==$UV_VERSION"
    fi
}

# Installs the locked dependencies into .venv (a no-op when nothing changed).
ensure_python_env() {
    ensure_uv
    echo "==> Python packages (uv sync --frozen)"
    uv sync --frozen --quiet "$@"
    export PATH="$PWD/.venv/bin:$PATH"
}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_ensure PACKAGE... installs the Debian packages that are missing.
apt_ensure() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "==> apt-get install ${missing[*]}"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

free_port() {
    python3.11 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Front-end packages (package.json, package-lock.json): the Amsterdam Design System and htmx,
# served as static files from node_modules/. Debian's npm when none is installed.
ensure_node_assets() {
    if ! command -v npm >/dev/null 2>&1; then
        apt_ensure nodejs npm
    fi
    if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.ipgar-installed-lock; then
        echo "==> front-end packages (npm ci)"
        npm ci --no-audit --no-fund --loglevel=error
        cp package-lock.json node_modules/.ipgar-installed-lock
    fi
}

# The English translation: locale/*/django.po compiled to .mo (not committed) with Debian's gettext.
ensure_translations() {
    command -v msgfmt >/dev/null 2>&1 || apt_ensure gettext
    echo "==> translations (compilemessages)"
    python manage.py compilemessages --ignore=.venv --ignore=node_modules --ignore=var >/dev/null
}
