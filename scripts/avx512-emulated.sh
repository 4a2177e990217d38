#!/usr/bin/env bash
# Validates the x86 backend's AVX-512 kernels (backends/x86/*_avx512.c) on a
# CPU that has no AVX-512, by running them under Bochs, which emulates an
# AVX-512 CPU (model corei7_skylake_x: AVX-512 F/CD/BW/VL/DQ, no
# AVX512_BF16, so the avx512bf16 variants stay unsupported there).
# QEMU's TCG has no AVX-512; Bochs is the emulator that does.
#
#   1. build     a static hybench (own build dir, no optional libraries;
#                OpenMP from libgomp.a)
#   2. kernel    Debian's linux-image-cloud-amd64 (only its vmlinuz, taken
#                out of the .deb with apt-get download; nothing is installed)
#   3. initramfs busybox-static + hybench + an /init that runs the checks
#                below, prints them to the serial console and powers off
#   4. iso       isolinux boot CD: vmlinuz + initramfs, console=ttyS0
#   5. bochs     cpu model corei7_skylake_x, 1 CPU, 1 GiB, no display, COM1 to a
#                file; the host waits for the guest's end marker (and
#                power-off) with a time limit
#   6. checks    in the guest, each with its exit status on a marker line:
#                  hybench info                                   (must show
#                      "zmm (avx-512) yes" and avx512 variants usable)
#                  HYBENCH_ISA=avx512 hybench validate --backend x86 --quick
#                  HYBENCH_ISA=avx2   hybench validate --backend x86 --quick
#                  HYBENCH_ISA=avx512 hybench validate --backend x86   (full,
#                      unless HYBENCH_AVX512EMU_FULL=0)
#   7. verdict   the serial log and a summary go to the output folder; exit
#                status 0 only when every avx512 run exited 0 AND every row
#                of an avx512 (not avx512bf16) variant in it says PASS (a
#                single UNSUPPORTED avx512 row means the emulated CPU or the
#                guest kernel did not expose AVX-512, which is a failure).
#
# Time (2-vCPU AMD EPYC Zen 3 VM, Debian 12, Bochs 2.7, rough, Bochs runs
# at about 70 million guest instructions a second): build 0.5-2 min, boot
# to /init 40-45 s, quick validate 40 s each, full validate about 6.5 min;
# about 9 minutes in all, 3.5 with HYBENCH_AVX512EMU_FULL=0.
#
#   scripts/avx512-emulated.sh [OUT_DIR]
#       OUT_DIR defaults to results/runs/avx512-emulated-<date>/
#   environment:
#       HYBENCH_AVX512EMU_BUILD    build dir (default build-avx512emu)
#       HYBENCH_AVX512EMU_CPU      Bochs CPU model (default corei7_skylake_x;
#                                  tigerlake hangs Debian's 6.1 kernel, see
#                                  the Bochs step below)
#       HYBENCH_AVX512EMU_TIMEOUT  seconds Bochs may run (default 2400)
#       HYBENCH_AVX512EMU_FULL     1 (default): also the full validate
#       HYBENCH_AVX512EMU_KERNEL   a vmlinuz to use instead of downloading
#       HYBENCH_AVX512EMU_NO_APT   1: never call apt-get (packages must be
#                                  there already)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

out=${1:-results/runs/avx512-emulated-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
build=${HYBENCH_AVX512EMU_BUILD:-build-avx512emu}
cpu_model=${HYBENCH_AVX512EMU_CPU:-corei7_skylake_x}
bochs_timeout=${HYBENCH_AVX512EMU_TIMEOUT:-2400}
run_full=${HYBENCH_AVX512EMU_FULL:-1}
work="$root/$build/emu"          # initramfs tree, ISO, bochsrc, kernel
summary="$out/summary.txt"
: >"$summary"
t_start=$SECONDS

say() { echo "avx512-emulated: $*" | tee -a "$summary"; }
die() { say "FAILED: $*"; exit 1; }

# --- 0. Debian packages ---------------------------------------------------
# program -> package providing it; only missing ones are installed.
need_pkgs=()
have_file() { [ -e "$1" ] || need_pkgs+=("$2"); }
command -v bochs >/dev/null 2>&1 || need_pkgs+=(bochs)
have_file /usr/share/bochs/BIOS-bochs-latest bochsbios
have_file /usr/share/vgabios/vgabios.bin vgabios
have_file /bin/busybox busybox-static
have_file /usr/lib/ISOLINUX/isolinux.bin isolinux
have_file /usr/lib/syslinux/modules/bios/ldlinux.c32 syslinux-common
command -v xorriso >/dev/null 2>&1 || need_pkgs+=(xorriso)
command -v cpio >/dev/null 2>&1 || need_pkgs+=(cpio)
command -v cmake >/dev/null 2>&1 || need_pkgs+=(cmake)
command -v gcc >/dev/null 2>&1 || need_pkgs+=(gcc libc6-dev)
# is_static FILE: an ELF file without a program interpreter (readelf comes
# with binutils, which gcc needs anyway).
is_static() { ! readelf -l "$1" 2>/dev/null | grep -q "Requesting program interpreter"; }
if [ -x /bin/busybox ] && ! is_static /bin/busybox; then
  need_pkgs+=(busybox-static)   # /bin/busybox of the dynamic busybox package
fi
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  [ "${HYBENCH_AVX512EMU_NO_APT:-0}" = 1 ] && die "missing packages: ${need_pkgs[*]}"
  say "installing ${need_pkgs[*]}"
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends \
    "${need_pkgs[@]}" >"$out/apt.log" 2>&1 ||
    { "${sudo_cmd[@]}" apt-get update >>"$out/apt.log" 2>&1 &&
      DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends \
        "${need_pkgs[@]}" >>"$out/apt.log" 2>&1; } ||
    die "apt-get install ${need_pkgs[*]} failed (see $out/apt.log)"
fi

# --- 1. static hybench ----------------------------------------------------
t0=$SECONDS
gen=()
command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
# FindOpenMP hands the linker libgomp.so; a -static link needs libgomp.a.
libgomp_a=$(gcc -print-file-name=libgomp.a)
omp=(-DHYBENCH_WITH_OPENMP=OFF)
[ -f "$libgomp_a" ] && omp=(-DHYBENCH_WITH_OPENMP=AUTO -DOpenMP_gomp_LIBRARY="$libgomp_a")
cmake -S . -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DHYBENCH_WITH_HWLOC=OFF -DHYBENCH_WITH_PAPI=OFF -DHYBENCH_WITH_GBENCH=OFF \
  -DHYBENCH_WITH_GNUPLOT=OFF -DHYBENCH_WITH_OPENBLAS=OFF -DHYBENCH_WITH_CUDA=OFF \
  -DHYBENCH_WITH_HIP=OFF -DHYBENCH_WITH_ARM_CROSS=OFF -DHYBENCH_WITH_X86=ON \
  "${omp[@]}" -DCMAKE_EXE_LINKER_FLAGS=-static >"$out/build.log" 2>&1 &&
  cmake --build "$build" -j"$(nproc)" --target hybench >>"$out/build.log" 2>&1 ||
  die "static build failed (see $out/build.log)"
is_static "$build/hybench" || die "$build/hybench is not static"
say "build: static $build/hybench ($((SECONDS - t0)) s)"
# Which sources were tested: the commit and any uncommitted changes.
{ git rev-parse HEAD && git status --short; } >"$out/git-state.txt" 2>&1

# --- 2. kernel --------------------------------------------------------------
mkdir -p "$work"
kernel=${HYBENCH_AVX512EMU_KERNEL:-}
if [ -z "$kernel" ]; then
  kernel=$(ls "$work"/kernel/boot/vmlinuz-* 2>/dev/null | head -n 1)
fi
if [ -z "$kernel" ]; then
  # The versioned package that the linux-image-cloud-amd64 metapackage
  # points at (the cloud flavour: fewer drivers, boots faster).
  kernel_pkg() {
    apt-cache depends linux-image-cloud-amd64 2>/dev/null |
      awk '/Depends: linux-image-[0-9]/ {print $2; exit}'
  }
  kpkg=$(kernel_pkg)
  if [ -z "$kpkg" ] && [ "${HYBENCH_AVX512EMU_NO_APT:-0}" != 1 ]; then
    apt-get update >"$out/apt-update.log" 2>&1
    kpkg=$(kernel_pkg)
  fi
  [ -n "$kpkg" ] || die "apt-cache knows no linux-image-cloud-amd64 (apt-get update?)"
  rm -rf "$work/kernel" "$work"/linux-image-*.deb
  (cd "$work" && apt-get download "$kpkg") >"$out/kernel-download.log" 2>&1 ||
    die "apt-get download $kpkg failed (see $out/kernel-download.log)"
  dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel" || die "cannot unpack $kpkg"
  rm -f "$work"/linux-image-*.deb
  kernel=$(ls "$work"/kernel/boot/vmlinuz-* | head -n 1)
fi
[ -f "$kernel" ] || die "no kernel image ($kernel)"
say "kernel: $kernel"

# --- 3. initramfs ---------------------------------------------------------
rootfs="$work/rootfs"
rm -rf "$rootfs"
mkdir -p "$rootfs"/{bin,dev,proc,sys,tmp}
cp /bin/busybox "$rootfs/bin/busybox"
cp "$build/hybench" "$rootfs/bin/hybench"
# The guest's checks; every step prints "@@ begin NAME" and
# "@@ end NAME rc=N" so the host can time and judge each one.
cat >"$rootfs/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "@@ init started"
step() {
  name=\$1
  shift
  echo "@@ begin \$name: \$*"
  "\$@" 2>&1
  echo "@@ end \$name rc=\$?"
}
step uname uname -a
step cpuflags sh -c 'grep -m1 "^flags" /proc/cpuinfo | tr " " "\n" | grep -E "avx|xsave" | tr "\n" " "; echo'
step info hybench info
step validate-avx512-quick env HYBENCH_ISA=avx512 hybench validate --backend x86 --quick
step validate-avx2-quick env HYBENCH_ISA=avx2 hybench validate --backend x86 --quick
if [ "$run_full" = 1 ]; then
  step validate-avx512-full env HYBENCH_ISA=avx512 hybench validate --backend x86
fi
echo "@@ all done"
sync
# The console drains at the emulated 115200 baud: give it time before the
# power goes (guest seconds; idle time passes quickly under Bochs).
sleep 5
poweroff -f
EOF
chmod +x "$rootfs/init"
(cd "$rootfs" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz" ||
  die "cannot make the initramfs"

# --- 4. boot ISO ----------------------------------------------------------
iso_tree="$work/iso"
rm -rf "$iso_tree"
mkdir -p "$iso_tree/isolinux"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$iso_tree/isolinux/"
cp "$kernel" "$iso_tree/vmlinuz"
cp "$work/initrd.gz" "$iso_tree/initrd.gz"
# clearcpuid=pku,xsavec,xsaves works around two bugs of Bochs 2.7's CPUID
# leaf 0xD that otherwise make Linux turn XSAVE off altogether (then not
# even AVX2 is usable, let alone AVX-512):
#   - subleaf 9 (PKRU state) is compiled out by a typo (BX_SUPPPORT_PKEYS)
#     and reports size 0 at offset 0: "x86/fpu: misordered xstate";
#   - subleaf 1 EBX gives the standard-format size where the compacted
#     (XSAVEC/XSAVES) size is due: "XSAVE consistency problem".
# Without PKRU and the compacted format the kernel enables x87|SSE|AVX|
# opmask|ZMM_Hi256|Hi16_ZMM (xstate 0xe7, 2688 bytes, 'standard' format).
# nokaslr, mitigations=off: less boot work.  panic=-1: a guest panic
# reboots, and reset_on_triple_fault=0 below makes that a Bochs stop.
# The kernel log stays on (not quiet): a few seconds of boot, and it shows
# the xstate line above.
cat >"$iso_tree/isolinux/isolinux.cfg" <<'EOF'
DEFAULT hybench
PROMPT 0
TIMEOUT 0
LABEL hybench
  KERNEL /vmlinuz
  INITRD /initrd.gz
  APPEND console=ttyS0,115200 nokaslr mitigations=off clearcpuid=pku,xsavec,xsaves panic=-1 rdinit=/init
EOF
xorriso -as mkisofs -quiet -o "$work/hybench-avx512.iso" -b isolinux/isolinux.bin \
  -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table \
  "$iso_tree" >"$out/iso.log" 2>&1 || die "xorriso failed (see $out/iso.log)"

# --- 5. Bochs ---------------------------------------------------------------
serial="$out/serial.log"
: >"$serial"
# Debian's Bochs has no "nogui" display; the built-in rfb (VNC) display
# with timeout=0 starts without waiting for a viewer (it listens on a port
# in 5900-5949 while Bochs runs; nothing needs to connect).
# CPU model: corei7_skylake_x has everything the avx512 variants use
# (F, BW, VL, DQ).  tigerlake (more AVX-512 extensions, CET, PKU, UMIP,
# RDPID, GFNI, VAES...) hangs Debian's 6.1 kernel right after "LSM:
# Security Framework initializing": the CPU ends up executing data on an
# exception stack, with no oops printed; clearing pku, rdpid, umip and ibt
# did not help.
# No sound: Bochs's mixer thread aborts ("buffer overflow detected") on a
# machine without an ALSA card.  ips only sets how fast guest time runs
# (clock sync=none: guest seconds = instructions / ips); a large value
# means fewer timer interrupts per instruction.
cat >"$work/bochsrc" <<EOF
display_library: rfb, options="timeout=0"
config_interface: textconfig
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model=$cpu_model, count=1, ips=200000000, reset_on_triple_fault=0
speaker: enabled=0
sound: driver=dummy
memory: guest=1024, host=1024
pci: enabled=1, chipset=i440fx
ata0-master: type=cdrom, path=$work/hybench-avx512.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$serial
clock: sync=none, time0=local
log: $out/bochs.log
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
EOF
cp "$work/bochsrc" "$out/bochsrc"
say "bochs: cpu=$cpu_model, time limit ${bochs_timeout}s"
t_boot=$SECONDS
# Debian's Bochs is built with its debugger, which stops before the first
# instruction: the -rc file tells it to continue.  stdin is /dev/null, so
# should the debugger stop again (a Bochs panic) it reads EOF and quits.
echo c >"$work/bochs-debugger.rc"
bochs -q -f "$work/bochsrc" -rc "$work/bochs-debugger.rc" </dev/null >"$out/bochs-stdout.log" 2>&1 &
bochs_pid=$!
# Poll the serial log: note when each marker appears (host wall time),
# stop when the guest says it is done, powers off, or time runs out.
declare -A seen=()
timeline="$out/timeline.txt"
: >"$timeline"
scan_markers() {  # appends markers not seen before, with the seconds since boot
  local marker
  while IFS= read -r marker; do
    [ -n "${seen[$marker]:-}" ] && continue
    seen[$marker]=1
    echo "$((SECONDS - t_boot))s $marker" | tee -a "$timeline"
  done < <(tr -d '\r' <"$serial" | grep -a '^@@ ')
}
finished=0
while kill -0 "$bochs_pid" 2>/dev/null; do
  scan_markers
  if grep -aq '^@@ all done' "$serial"; then
    finished=1
    # Give the guest a moment to power off by itself (ACPI S5 ends Bochs).
    for _ in $(seq 30); do kill -0 "$bochs_pid" 2>/dev/null || break; sleep 1; done
    break
  fi
  if [ $((SECONDS - t_boot)) -ge "$bochs_timeout" ]; then
    say "time limit ${bochs_timeout}s reached"
    break
  fi
  sleep 5
done
if kill -0 "$bochs_pid" 2>/dev/null; then
  kill "$bochs_pid" 2>/dev/null
  sleep 2
  kill -9 "$bochs_pid" 2>/dev/null
fi
wait "$bochs_pid" 2>/dev/null
scan_markers
# The guest may have finished and powered off between two polls.
grep -aq '^@@ all done' "$serial" && finished=1
say "bochs: ran $((SECONDS - t_boot)) s, guest finished=$finished"

# --- 6./7. verdict -----------------------------------------------------------
# Splits the serial log into one file per step and judges the avx512 ones.
status=0
tr -d '\r' <"$serial" | awk -v dir="$out" '
  /^@@ begin / { name = $3; sub(/:$/, "", name); file = dir "/" name ".log"; next }
  /^@@ end /   { file = ""; next }
  file != ""   { print > file }'
step_rc() {  # step_rc NAME -> exit status the guest printed, or "none"
  local rc
  rc=$(tr -d '\r' <"$serial" | sed -n "s/^@@ end $1 rc=\([0-9]*\)$/\1/p" | tail -n 1)
  echo "${rc:-none}"
}
say "guest boot (Bochs start to /init): $(awk '/@@ init started/ {print $1}' "$timeline")"
rc=$(step_rc info)
if [ "$rc" != 0 ]; then
  say "info: rc=$rc"; status=1
elif ! grep -q "zmm (avx-512) yes" "$out/info.log"; then
  say "info: the guest does not report AVX-512 state (zmm) enabled:"
  grep -E "features|OS state" "$out/info.log" | tee -a "$summary"
  status=1
else
  say "info: $(grep -E '^ *OS state' "$out/info.log" | sed 's/^ *//')"
fi

# judge NAME: the run's exit status and its avx512 rows, per family.
judge() {
  local name=$1 log="$out/$1.log" rc
  rc=$(step_rc "$name")
  if [ ! -s "$log" ]; then
    say "$name: did not run (rc=$rc)"; status=1; return
  fi
  say "$name: rc=$rc; $(grep '^validate:' "$log" | tail -n 1)"
  [ "$rc" = 0 ] || status=1
  # Rows: backend family variant shape error tolerance result.  Per family:
  # the avx512 rows by result, their largest error, and for comparison the
  # largest error of the avx2 rows of the same run.
  awk '
    $1 == "x86" && $3 ~ /-avx2$/ && $5 != "-" && ($5 + 0) > avx2err[$2] { avx2err[$2] = $5 + 0 }
    $1 == "x86" && $3 ~ /-avx512bf16$/ { bf16[$7]++ }
    $1 == "x86" && $3 ~ /-avx512$/ {
      fam = $2; n[fam]++; res[fam, $7]++
      if ($5 != "-" && ($5 + 0) > maxerr[fam]) maxerr[fam] = $5 + 0
      if ($7 != "PASS") bad[++nbad] = $0
      total++
    }
    END {
      nfam = split("linear rmsnorm conv1d scan ssd attention moe mlp", order, " ")
      for (f in n) { known = 0; for (i = 1; i <= nfam; i++) if (order[i] == f) known = 1
                     if (!known) order[++nfam] = f }
      for (i = 1; i <= nfam; i++) if ((f = order[i]) in n)
        printf "  %-10s avx512 rows %3d: PASS %3d, FAIL %d, UNSUPPORTED %d, ERROR %d; max error %.3g (avx2 %.3g)\n",
          f, n[f], res[f, "PASS"], res[f, "FAIL"], res[f, "UNSUPPORTED"], res[f, "ERROR"], maxerr[f], avx2err[f]
      for (r in bf16)
        printf "  avx512bf16 rows: %d %s (UNSUPPORTED expected: the emulated CPU has no AVX512_BF16)\n", bf16[r], r
      for (i = 1; i <= nbad && i <= 20; i++) print "  not passed: " bad[i]
      if (nbad > 20) printf "  ... and %d more rows not passed\n", nbad - 20
      if (total == 0) { print "  no avx512 rows at all"; exit 1 }
      exit nbad > 0
    }' "$log" | tee -a "$summary"
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
}
judge validate-avx512-quick
if [ "$run_full" = 1 ]; then
  judge validate-avx512-full
fi
# The avx2-capped run is for comparison: it must pass; its avx512 rows are
# UNSUPPORTED by design (HYBENCH_ISA=avx2).
rc=$(step_rc validate-avx2-quick)
say "validate-avx2-quick: rc=$rc; $(grep '^validate:' "$out/validate-avx2-quick.log" 2>/dev/null | tail -n 1)"
[ "$rc" = 0 ] || status=1
[ "$finished" = 1 ] || { say "the guest did not finish (see $serial, $out/bochs.log)"; status=1; }

say "total $((SECONDS - t_start)) s; results in $out"
if [ "$status" = 0 ]; then say "PASS"; else say "FAIL"; fi
exit "$status"
