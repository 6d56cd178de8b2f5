# kpatch top-level Makefile
#
#   make                 user-space tools; kpatch.ko too when KDIR has kernel headers
#   make install         honours PREFIX (default /usr/local) and DESTDIR
#   make uninstall
#   make check           unit tests, then integration tests (QEMU, stock kernel)
#   make bench           benchmarks, printed as figures
#   make fuzz            fuzz the ELF reader (FUZZ_SECONDS, default 600)
#   make demo            the README's main job
#
# Subdirectories without a Makefile yet are skipped with a note.

PREFIX  ?= /usr/local
DESTDIR ?=
KDIR    ?= /lib/modules/$(shell uname -r)/build

export PREFIX DESTDIR

SUBDIRS_TOOLS = kpatch-build kpatch
SUBDIRS_INST  = kpatch-build kpatch man contrib kmod
SUBDIRS_CLEAN = kpatch-build kpatch kmod

# $(call each-subdir,DIRS,TARGET): make TARGET in every DIR that has a Makefile.
define each-subdir
	@for d in $(1); do \
		if [ -f "$$d/Makefile" ]; then \
			$(MAKE) -C "$$d" $(2) || exit 1; \
		else \
			echo "kpatch: $$d has no Makefile; skipping $(if $(2),'$(2)',the build) there"; \
		fi; \
	done
endef

.PHONY: all tools kmod install uninstall check check-unit check-integration \
	bench fuzz demo deps clean

all: tools kmod

deps:
	scripts/deps.sh

tools:
	$(call each-subdir,$(SUBDIRS_TOOLS),)

kmod:
	@if [ ! -f kmod/Makefile ]; then \
		echo "kpatch: kmod has no Makefile; kpatch.ko not built"; \
	elif [ -f "$(KDIR)/Makefile" ]; then \
		$(MAKE) -C kmod KDIR="$(KDIR)"; \
	else \
		echo "kpatch: no kernel headers at $(KDIR); kpatch.ko not built (set KDIR)"; \
	fi

install: all
	$(call each-subdir,$(SUBDIRS_INST),install)

uninstall:
	$(call each-subdir,$(SUBDIRS_INST),uninstall)

# test/run and scripts/demo.sh install what is missing themselves.
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
	$(call each-subdir,$(SUBDIRS_CLEAN),clean)
