# Quick start: `make pack` builds the default pack into dist/, `make test` runs the tests.
# Each installs what it needs first: Debian packages (fonts, HarfBuzz subsetter, poppler;
# MuPDF for the tests)
# and a .venv with packbuilder in it.

SYSTEM_PACKAGES := fonts-noto-core fonts-noto-cjk libharfbuzz-subset0 poppler-utils mupdf-tools
VENV   := .venv
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 1735689600)

.PHONY: pack test system venv clean

pack: system $(STAMP)
	$(VENV)/bin/packbuilder build

test: system $(STAMP)
	$(VENV)/bin/python -m pytest

system:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

venv: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf dist .cache .pytest_cache
