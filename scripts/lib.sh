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

# The virus scanner (documents/scanner.py): Debian's clamd on loopback with a local signature
# database. freshclam cannot reach its mirrors from every machine, so the database is our
# own: the EICAR test signature (the industry's harmless test file), made with sigtool.
# Production runs the clamav image with its own freshclam (docker-compose.yml).
EICAR='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'

# clamd_prepare DIR PORT: DIR/db/test.hdb, DIR/db/test.ndb and DIR/clamd.conf (clamd on 127.0.0.1:PORT).
clamd_prepare() {
    local dir=$1 port=$2
    apt_ensure clamav-daemon clamav  # clamav holds sigtool
    mkdir -p "$dir/db" "$dir/tmp"
    if [ ! -s "$dir/db/test.hdb" ]; then
        printf '%s' "$EICAR" >"$dir/eicar.com"
        (cd "$dir" && sigtool --md5 eicar.com >db/test.hdb)
        rm -f "$dir/eicar.com"
        # And the EICAR string anywhere in a file of any type (a body signature), so a
        # PDF that carries it is found as well.
        printf 'Eicar-Test-Body:0:*:%s\n' "$(printf '%s' "$EICAR" | od -An -tx1 | tr -d ' \n')" >"$dir/db/test.ndb"
    fi
    cat >"$dir/clamd.conf" <<CONF
Foreground yes
DatabaseDirectory $dir/db
TemporaryDirectory $dir/tmp
TCPSocket $port
TCPAddr 127.0.0.1
LogFile $dir/clamd.log
LogTime yes
StreamMaxLength 200M
MaxFileSize 200M
MaxScanSize 200M
CONF
}

# clamd_wait PORT [SECONDS]: until clamd answers PING (it loads its database first).
clamd_wait() {
    local port=$1 seconds=${2:-120}
    for _ in $(seq 1 "$((seconds * 2))"); do
        if python3.11 - "$port" <<'PY' 2>/dev/null; then return 0; fi
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
    s.sendall(b"zPING\0")
    sys.exit(0 if s.recv(16).startswith(b"PONG") else 1)
PY
        sleep 0.5
    done
    echo "clamd did not answer on 127.0.0.1:$port within ${seconds}s" >&2
    return 1
}
