# Quick start: `make pack` builds the default pack into dist/, `make test` runs the tests.
# Each installs what it needs first: Debian packages by name (fonts, the HarfBuzz subsetter,
# poppler, libunistring for writing catalogs as GNU gettext does; for the tests also MuPDF, GNU gettext,
# Chromium and Node.js with npm; translate-toolkit comes with the locked Python packages) and a .venv
# holding exactly the
# versions in requirements.lock (hash-checked), with packbuilder installed in it.
#
# Upgrading is deliberate: `make test-latest` tries today's newest versions in a throw-away venv,
# `make lock` writes them into requirements.lock (`make lock KEEP=1` keeps current pins and only
# adds what pyproject.toml newly asks for). See "Dependencies and upgrades" in README.md.

PACK_PACKAGES := fonts-noto-core fonts-noto-cjk libharfbuzz-subset0 libunistring2 poppler-utils libgs-common
TEST_PACKAGES := $(PACK_PACKAGES) mupdf-tools gettext chromium nodejs
PYTHON := python3
VENV   := .venv
LOCK   := requirements.lock
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 1735689600)

.PHONY: pack test serve system test-system venv lockcheck lock test-latest clean

pack: lockcheck system $(STAMP)
	$(VENV)/bin/packbuilder build

test: lockcheck test-system $(STAMP) tests/web/node_modules
	$(VENV)/bin/python -m pytest

# axe-core for the web app's accessibility tests, exactly as tests/web/package-lock.json says.
tests/web/node_modules: tests/web/package.json tests/web/package-lock.json
	npm ci --prefix tests/web --no-audit --no-fund
	touch $@

serve: lockcheck system $(STAMP)
	$(VENV)/bin/packbuilder serve

# Debian packages, pinned by name; installed only when one is missing.
define apt_install
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

system:
	$(call apt_install,$(PACK_PACKAGES))

test-system:
	$(call apt_install,$(TEST_PACKAGES))
	@command -v npm >/dev/null || { echo "Installing system packages: npm"; $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq npm; }

# The lock must have been made from the pyproject.toml beside it; otherwise stop and say how to fix it.
lockcheck:
	@$(PYTHON) tools/lock.py check

venv: lockcheck $(STAMP)

# Exactly the lock: a new venv, every package hash-checked, nothing resolved on the day.
$(STAMP): pyproject.toml $(LOCK) requirements-build.in
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Refresh the lock: newest versions of everything (KEEP=1: keep current pins where they still fit).
LOCK_TOOLS := .cache/lock-tools
lock:
	$(PYTHON) -m venv $(LOCK_TOOLS)
	$(LOCK_TOOLS)/bin/python -m pip install -q --upgrade pip pip-tools
	$(LOCK_TOOLS)/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --extra test \
	  --no-emit-index-url --no-emit-find-links $(if $(KEEP),,--upgrade) \
	  -o $(LOCK) pyproject.toml requirements-build.in
	$(PYTHON) tools/lock.py stamp
	@git --no-pager diff --stat -- $(LOCK) 2>/dev/null || true

# What would today's newest versions break? A throw-away venv, newest everything, the whole suite.
LATEST := .cache/latest-venv
test-latest: lockcheck test-system
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install -q --upgrade pip setuptools
	$(LATEST)/bin/python -m pip install -q --upgrade --no-build-isolation -e '.[test]'
	@$(LATEST)/bin/python -m pip freeze --all --exclude-editable > .cache/latest-freeze.txt
	@echo "Newest versions that differ from $(LOCK):"
	@$(PYTHON) tools/lock.py compare .cache/latest-freeze.txt | sed 's/^/  /' || true
	PACKBUILDER_LATEST=1 $(LATEST)/bin/python -m pytest

clean:
	rm -rf dist .cache .pytest_cache
