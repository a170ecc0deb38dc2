# Pasaporte: the two commands are `make run` and `make test`.
SHELL := /bin/bash
VENV ?= $(or $(PASAPORTE_VENV),$(shell if [ "$$(id -u)" = 0 ]; then echo /opt/pasaporte/venv; else echo $(CURDIR)/.venv; fi))
PASAPORTE := $(VENV)/bin/pasaporte
export PASAPORTE_VENV := $(VENV)

.PHONY: install engine images run production test content-check bench-lesson bench-burst bench-grading

install:  ## install system packages (as root), the pinned Python and Node packages, and assets
	@scripts/install.sh

engine:  ## a Docker engine that answers (installs docker.io, docker-compose, debootstrap; starts dockerd)
	@scripts/docker-engine.sh

images: install engine  ## build every container image that is missing or stale, and print their sizes
	@$(PASAPORTE) images build

run: install  ## start the portal on $$PASAPORTE_PROFILE (default local) at http://127.0.0.1:$$PASAPORTE_PORT
	@if [ "$${PASAPORTE_PROFILE:-local}" = docker ]; then scripts/docker-engine.sh; fi
	@$(PASAPORTE) run

production: install engine  ## production on one server: build the images, then the hub + PostgreSQL (docker-compose)
	@$(PASAPORTE) images build
	@scripts/production.sh up

test: install engine  ## the whole test suite, against real parts (docker tests included)
	@$(PASAPORTE) images build singleuser
	@PATH="$(VENV)/bin:$$PATH" $(VENV)/bin/python -m pytest $(PYTEST_ARGS)

content-check: install  ## the content quality gate over every course (COURSES="id …" for some)
	@$(PASAPORTE) check $(COURSES)

bench-lesson: install  ## benchmark: student login → rendered lesson (median of 5)
	@$(VENV)/bin/python bench/login_to_lesson.py

bench-burst: install engine  ## benchmark: N students (default 40) log in at once, docker vs local
	@$(PASAPORTE) images build singleuser
	@$(VENV)/bin/python bench/burst.py $(BENCH_ARGS)

bench-grading: install  ## benchmark: 40 submissions, stock nbgrader autograde vs the sandboxed parallel pipeline
	@$(VENV)/bin/python bench/grading.py $(BENCH_ARGS)
