# toolbox: one GNU Makefile, two object trees.
#   build/musl/  static toolbox-init (musl-gcc, libcap + libseccomp built for musl)
#   build/host/  toolbox launcher, unit tests, fuzz replays (host compiler, glibc)
# `make SANITIZE=1 ...` builds the host tree with ASan+UBSan into build/host-san/.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
USERUNITDIR ?= $(PREFIX)/lib/systemd/user
SYSCONFDIR ?= /etc
DESTDIR ?=

BUILD := build
CC ?= cc
MUSL_CC ?= musl-gcc
CLANG ?= clang
PKG_CONFIG ?= pkg-config

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

CFLAGS ?= -O2 -g
override CFLAGS += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-Wno-unused-parameter -fno-strict-aliasing -Ishared -DTB_VERSION='"$(VERSION)"' -MMD -MP

ifeq ($(SANITIZE),1)
HOSTDIR := $(BUILD)/host-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
HOSTDIR := $(BUILD)/host
SANFLAGS :=
endif
MUSLDIR := $(BUILD)/musl
DEPSDIR := $(abspath $(BUILD)/deps)

SHARED_SRC := $(wildcard shared/*.c)
INIT_SRC := $(wildcard init/*.c)
HOST_SRC := $(wildcard host/*.c)
UNIT_SRC := $(wildcard tests/unit/check_*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

# ---- toolbox-init (static, musl) ----
MUSL_DEPS_LIBS := $(DEPSDIR)/musl/lib/libcap.a $(DEPSDIR)/musl/lib/libseccomp.a
MUSL_CFLAGS := $(CFLAGS) -Os -ffunction-sections -fdata-sections \
	-isystem $(DEPSDIR)/musl/include -isystem $(DEPSDIR)/kheaders
MUSL_LDFLAGS := -static -Wl,--gc-sections -L$(DEPSDIR)/musl/lib
INIT_OBJ := $(patsubst %.c,$(MUSLDIR)/%.o,$(SHARED_SRC) $(INIT_SRC))

# ---- host tree (glibc) ----
HOST_LIBS := $(shell $(PKG_CONFIG) --libs json-c inih libcap libseccomp 2>/dev/null || echo -ljson-c -linih -lcap -lseccomp)
CHECK_LIBS := $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)
HOST_CFLAGS := $(CFLAGS) $(SANFLAGS) -Iinit -Ihost $(shell $(PKG_CONFIG) --cflags json-c 2>/dev/null)
HOST_LDFLAGS := $(SANFLAGS) $(LDFLAGS)
# Library objects: every module but the mains, so tests and fuzzers link the real code.
LIB_SRC := $(SHARED_SRC) $(filter-out init/main.c,$(INIT_SRC)) $(filter-out host/main.c,$(HOST_SRC))
LIB_OBJ := $(patsubst %.c,$(HOSTDIR)/%.o,$(LIB_SRC))
TOOLBOX_OBJ := $(patsubst %.c,$(HOSTDIR)/%.o,$(SHARED_SRC) $(HOST_SRC))
UNIT_BIN := $(patsubst tests/unit/%.c,$(HOSTDIR)/tests/%,$(UNIT_SRC))
FUZZ_REPLAY_BIN := $(patsubst tests/fuzz/%.c,$(HOSTDIR)/fuzz/%,$(FUZZ_SRC))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
PROBE := $(MUSLDIR)/probe
# toolbox-init linked dynamically with glibc, for valgrind only: memcheck replaces malloc
# through the dynamic loader, so the static build gets no heap checks (tests/valgrind.sh).
INIT_GLIBC := $(HOSTDIR)/toolbox-init-glibc

TARGETS := $(BUILD)/toolbox-init
ifneq ($(HOST_SRC),)
TARGETS += $(BUILD)/toolbox
endif

.PHONY: all deps check check-unit check-fuzz check-static check-valgrind check-integration \
	check-integration-san check-fmt check-man setup fmt lint man fuzz install clean \
	distclean demo
.DEFAULT_GOAL := all
# Keep intermediate objects (the unit-test and fuzz chains would delete them otherwise).
.SECONDARY:
.DELETE_ON_ERROR:

all: $(TARGETS)

# Third-party code for the static init, from Debian's source packages, cached by version.
deps: $(MUSL_DEPS_LIBS)
$(MUSL_DEPS_LIBS): scripts/build-deps.sh
	scripts/build-deps.sh $(DEPSDIR)

$(MUSLDIR)/%.o: %.c $(MUSL_DEPS_LIBS)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_CFLAGS) -c -o $@ $<

$(BUILD)/toolbox-init: $(INIT_OBJ) $(MUSL_DEPS_LIBS)
	$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $(INIT_OBJ) -lcap -lseccomp

$(PROBE): tests/probe/probe.c $(MUSL_DEPS_LIBS)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_CFLAGS) $(MUSL_LDFLAGS) -o $@ $<

$(HOSTDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c -o $@ $<

$(BUILD)/toolbox: $(TOOLBOX_OBJ)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ $(HOST_LIBS)

# The launcher of this tree (with SANITIZE=1: ASan+UBSan, for check-integration-san).
$(HOSTDIR)/toolbox: $(TOOLBOX_OBJ)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ $(HOST_LIBS)

$(INIT_GLIBC): $(patsubst %.c,$(HOSTDIR)/%.o,$(SHARED_SRC) $(INIT_SRC))
	$(CC) $(HOST_LDFLAGS) -o $@ $^ -lcap -lseccomp

$(HOSTDIR)/tests/%: $(HOSTDIR)/tests/unit/%.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ $(HOST_LIBS) $(CHECK_LIBS)

$(HOSTDIR)/fuzz/%: $(HOSTDIR)/tests/fuzz/%.o $(HOSTDIR)/tests/fuzz/replay_main.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ $(HOST_LIBS)

$(HOSTDIR)/tests/fuzz/replay_main.o: tests/fuzz/replay_main.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c -o $@ $<

# libFuzzer builds (clang); not part of `make check`, which replays the corpora.
fuzz: $(FUZZ_BIN)
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_SRC)
	@mkdir -p $(dir $@)
	$(CLANG) $(filter-out -MMD -MP -Werror,$(CFLAGS)) -Iinit -Ihost $(shell $(PKG_CONFIG) --cflags json-c 2>/dev/null) -g -O1 \
		-fsanitize=fuzzer,address,undefined -o $@ $< $(LIB_SRC) $(HOST_LIBS)

# ---- checks ----
# `make check` is the whole suite, run as root on a fresh Debian 12 machine: it installs
# what it needs (tests/setup.sh), then units, fuzz replays, static checks, integration.
check: setup
	$(MAKE) all $(PROBE)
	$(MAKE) check-fmt check-man lint check-unit check-fuzz
	$(MAKE) SANITIZE=1 check-unit check-fuzz
	$(MAKE) check-static check-valgrind
	$(MAKE) check-integration
	$(MAKE) SANITIZE=1 check-integration-san

setup:
	tests/setup.sh

check-unit: $(UNIT_BIN)
	@failed=""; for t in $(UNIT_BIN); do echo "== $$t"; CK_FORK=yes $$t || failed="$$failed $$t"; done; \
	if [ -n "$$failed" ]; then echo "check-unit: failed:$$failed"; exit 1; fi

check-fuzz: $(FUZZ_REPLAY_BIN)
	@set -e; for f in $(FUZZ_REPLAY_BIN); do n=$$(basename $$f); \
		echo "== replay $$n"; $$f tests/fuzz/corpus/$${n#fuzz_}; done

check-static: $(BUILD)/toolbox-init
	tests/check-static.sh $(BUILD)/toolbox-init

# memcheck of toolbox-init as PID 1 (unshare, chroot), of `exec` and of host-spawn, in
# the shipped static build and a glibc one; any error fails (root, about 15 s).
check-valgrind: $(BUILD)/toolbox-init $(BUILD)/toolbox $(INIT_GLIBC)
	tests/valgrind.sh $(BUILD)/toolbox-init $(BUILD)/toolbox $(INIT_GLIBC)

check-integration: $(BUILD)/toolbox-init $(PROBE)
	tests/integration/run.sh

# The host side's integration tests again, with the launcher (and the relay it starts)
# built with ASan+UBSan: any report fails the test it happens in. Rootless, the main case.
SAN_BATS := launcher_create launcher_list launcher_rm launcher_run exec_paths relay
SAN_LOGS := /var/tmp/toolbox-tests-san-logs
check-integration-san: $(BUILD)/toolbox-init $(PROBE) $(HOSTDIR)/toolbox
	rm -rf $(SAN_LOGS) && install -d -m 1777 $(SAN_LOGS)
	TB_MODES=rootless TB_STAGE_DIR=/var/tmp/toolbox-tests-san \
	TB_TOOLBOX_SRC=$(abspath $(HOSTDIR)/toolbox) \
	ASAN_OPTIONS=detect_leaks=1:log_path=$(SAN_LOGS)/asan \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(SAN_LOGS)/ubsan \
		tests/integration/run.sh $(patsubst %,tests/integration/%.bats,$(SAN_BATS))
	@# Reports, not warnings (ASan warns about the relay's clone() child on its own stack).
	@bad=$$(grep -l -E 'ERROR: |runtime error|LeakSanitizer' $(SAN_LOGS)/* 2>/dev/null); \
	if [ -n "$$bad" ]; then head -c 20000 $$bad; \
		echo "check-integration-san: sanitizer reports above"; exit 1; fi; \
	echo "check-integration-san: no sanitizer report"

check-fmt:
	@out=$$(clang-format --dry-run $(wildcard shared/*.[ch] init/*.[ch] host/*.[ch] tests/unit/*.[ch] tests/fuzz/*.[ch] tests/probe/*.[ch]) 2>&1); \
	if [ -n "$$out" ]; then echo "$$out" | head -40; echo "check-fmt: run 'make fmt'"; exit 1; fi

fmt:
	clang-format -i $(wildcard shared/*.[ch] init/*.[ch] host/*.[ch] tests/unit/*.[ch] tests/fuzz/*.[ch] tests/probe/*.[ch])

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
		--suppress=missingIncludeSystem -Ishared shared init host
	clang-tidy --quiet $(SHARED_SRC) $(INIT_SRC) $(HOST_SRC) -- -std=gnu11 -D_GNU_SOURCE -Ishared \
		-Iinit -Ihost -DTB_VERSION='"lint"' \
		$(shell $(PKG_CONFIG) --cflags json-c 2>/dev/null)

# Man pages: markdown sources in man/*.md, generated roff pages committed.
MAN_MD := $(wildcard man/*.md)
MAN_PAGES := $(MAN_MD:.md=)
man: $(MAN_PAGES)
man/%: man/%.md
	go-md2man -in $< -out $@
check-man:
	@set -e; for m in $(MAN_MD); do go-md2man -in $$m -out $(BUILD)/man.tmp; \
		if ! cmp -s $(BUILD)/man.tmp $${m%.md}; then echo "check-man: $${m%.md} is stale, run 'make man'"; exit 1; fi; done

install: all
	install -D -m 0755 $(BUILD)/toolbox-init $(DESTDIR)$(BINDIR)/toolbox-init
	if [ -f $(BUILD)/toolbox ]; then install -D -m 0755 $(BUILD)/toolbox $(DESTDIR)$(BINDIR)/toolbox; fi
	for m in $(MAN_PAGES); do s=$${m##*.}; install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/$$(basename $$m); done
	install -D -m 0644 systemd/toolbox-relay.socket $(DESTDIR)$(USERUNITDIR)/toolbox-relay.socket
	sed 's|@BINDIR@|$(BINDIR)|g' systemd/toolbox-relay.service.in >$(BUILD)/toolbox-relay.service
	install -D -m 0644 $(BUILD)/toolbox-relay.service $(DESTDIR)$(USERUNITDIR)/toolbox-relay.service
	install -D -m 0644 completion/bash/toolbox $(DESTDIR)$(PREFIX)/share/bash-completion/completions/toolbox
	install -D -m 0644 completion/fish/toolbox.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/toolbox.fish
	install -D -m 0644 profile.d/toolbox.sh $(DESTDIR)$(SYSCONFDIR)/profile.d/toolbox.sh

demo: setup all
	tests/demo.sh

clean:
	rm -rf $(BUILD)/host $(BUILD)/host-san $(BUILD)/musl $(BUILD)/fuzz $(BUILD)/toolbox-init $(BUILD)/toolbox

distclean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/host $(BUILD)/host-san $(BUILD)/musl -type f -name '*.d' 2>/dev/null)
