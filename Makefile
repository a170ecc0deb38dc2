# Pasaporte: the two commands are `make run` and `make test`.
SHELL := /bin/bash
VENV ?= $(or $(PASAPORTE_VENV),$(shell if [ "$$(id -u)" = 0 ]; then echo /opt/pasaporte/venv; else echo $(CURDIR)/.venv; fi))
PASAPORTE := $(VENV)/bin/pasaporte
export PASAPORTE_VENV := $(VENV)

.PHONY: install run test content-check bench-lesson

install:  ## install system packages (as root), the pinned Python and Node packages, and assets
	@scripts/install.sh

run: install  ## start the portal on $$PASAPORTE_PROFILE (default local) at http://127.0.0.1:$$PASAPORTE_PORT
	@$(PASAPORTE) run

test: install  ## the whole test suite, against real parts
	@PATH="$(VENV)/bin:$$PATH" $(VENV)/bin/python -m pytest $(PYTEST_ARGS)

content-check: install  ## validate every course.toml and its notebooks
	@$(PASAPORTE) check

bench-lesson: install  ## benchmark: student login → rendered lesson (median of 5)
	@$(VENV)/bin/python bench/login_to_lesson.py
