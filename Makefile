# kpatch top-level Makefile
#
#   make                 user-space tools; kpatch.ko too when KDIR has kernel headers
#   make install         honours PREFIX (default /usr/local) and DESTDIR
#   make uninstall
#   make check           unit tests, then integration tests (QEMU, stock kernel)
#   make bench           benchmarks, printed as figures
#   make fuzz            fuzz the ELF reader (FUZZ_SECONDS, default 600)
#   make demo            the README's main job

PREFIX  ?= /usr/local
DESTDIR ?=
KDIR    ?= /lib/modules/$(shell uname -r)/build

export PREFIX DESTDIR

SUBDIRS_TOOLS = kpatch-build
SUBDIRS_INST  = kpatch-build kpatch man contrib kmod

.PHONY: all tools kmod install uninstall check check-unit check-integration \
	bench fuzz demo clean

all: tools kmod

tools:
	$(MAKE) -C kpatch-build

kmod:
	@if [ -f "$(KDIR)/Makefile" ]; then \
		$(MAKE) -C kmod KDIR="$(KDIR)"; \
	else \
		echo "kpatch: no kernel headers at $(KDIR); kpatch.ko not built (set KDIR)"; \
	fi

install: all
	for d in $(SUBDIRS_INST); do $(MAKE) -C $$d install || exit 1; done

uninstall:
	for d in $(SUBDIRS_INST); do $(MAKE) -C $$d uninstall || exit 1; done

check:
	test/run

check-unit:
	test/run --unit

check-integration:
	test/run --integration

bench: tools
	test/bench/run

fuzz:
	$(MAKE) -C test/fuzz run

demo:
	scripts/demo.sh

clean:
	for d in kpatch-build kmod; do $(MAKE) -C $$d clean || exit 1; done
