#!/usr/bin/env bash
# Boots the VM image under qemu (KVM when /dev/kvm exists, else software emulation), with a copy-on-write overlay
# so the image stays as built, the first-boot answers as the systemd credential gateway.init (qemu fw_cfg), and
# the guest's port 25 forwarded to a loopback port of this host; then swaks must get 250 from the gateway inside.
# Then, over SSH with a key made for this run (the credential ssh.authorized_keys.root, guest port 22 forwarded as
# well): key login works, password login is refused, the gateway unit is active under the shipped hardening,
# unattended security upgrades are on and the firewall lets only the mail, MTA-STS and SSH ports in.
# Prints the boot time. Run as root after appliance/vm/build.sh.
#   appliance/test-vm.sh [IMAGE]   (default: the newest appliance/out/vm/*.raw)
set -euo pipefail
cd "$(dirname "$0")/.."
image=${1:-$(find appliance/out/vm -name '*.raw' -printf '%T@ %p\n' 2>/dev/null | sort -rn | head -1 | cut -d' ' -f2-)}
[ -n "$image" ] && [ -f "$image" ] || { echo "test-vm: no image; run appliance/vm/build.sh" >&2; exit 1; }
port=${GATEWAY_VM_PORT:-2625}
ssh_port=${GATEWAY_VM_SSH_PORT:-2622}
work=$(mktemp -d)
qemu_pid=
loop=
cleanup() {
  [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null || true
  if [ -n "$loop" ]; then umount "$work/root" 2>/dev/null || true; losetup -d "$loop" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The kernel and initrd the image holds, for qemu's direct kernel boot (an image built without its EFI partition
# has no boot loader; one with it boots the same way here, without firmware).
# The root partition (the x86-64 root type of the Discoverable Partitions Specification), reached by offset: a
# build container may have no device nodes for a loop device's partitions.
read -r root_index start sectors < <(sfdisk -J "$image" | python3 -c '
import json, sys
table = json.load(sys.stdin)["partitiontable"]["partitions"]
for index, p in enumerate(table, 1):
    if p["type"].upper() == "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709":
        print(index, p["start"], p["size"])
')
[ -n "$root_index" ] || { echo "test-vm: no root partition in $image" >&2; exit 1; }
loop=$(losetup -f --show -r -o $((start * 512)) --sizelimit $((sectors * 512)) "$image")
mkdir -p "$work/root"
mount -o ro "$loop" "$work/root"
cp "$(ls "$work"/root/boot/vmlinuz-* | sort -V | tail -1)" "$work/vmlinuz"
cp "$(ls "$work"/root/boot/initrd.img-* | sort -V | tail -1)" "$work/initrd"
umount "$work/root"; losetup -d "$loop"; loop=

qemu-img create -q -f qcow2 -b "$(realpath "$image")" -F raw "$work/overlay.qcow2"
cat > "$work/gateway.init" <<INIT
hostname=mx.example.test
domain=example.test
internal=10.0.2.2:2526
trusted_network=10.0.2.0/24
INIT
# A key pair for this run only (no secret in the repository), whose public half is root's authorized key.
ssh-keygen -q -t ed25519 -N '' -C gateway-vm-test -f "$work/id_test"
cp "$work/id_test.pub" "$work/authorized_keys"

# KVM only where the CPU shows its virtualisation extensions: a /dev/kvm without them (seen in a nested sandbox)
# lets qemu start and then hang in the boot loader. GATEWAY_VM_ACCEL=tcg|kvm overrides.
accel=tcg
[ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo && accel=kvm
accel=${GATEWAY_VM_ACCEL:-$accel}
echo "== booting $image ($accel), guest port 25 on 127.0.0.1:$port"
start=$(date +%s)
# -cpu max: qemu's default model (qemu64) lacks SSSE3 and SSE4, which the executable is built for (x86-64-v2).
qemu-system-x86_64 -machine pc,accel=$accel -cpu max -m 1536 -smp 2 -nographic -no-reboot \
  -kernel "$work/vmlinuz" -initrd "$work/initrd" \
  -append "root=/dev/vda$root_index rw console=ttyS0 systemd.show_status=1 systemd.journald.forward_to_console=1 net.ifnames=1" \
  -drive "if=virtio,file=$work/overlay.qcow2,format=qcow2" \
  -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:25,hostfwd=tcp:127.0.0.1:$ssh_port-:22" -device virtio-net-pci,netdev=n0,addr=0x3 \
  -fw_cfg "name=opt/io.systemd.credentials/gateway.init,file=$work/gateway.init" \
  -fw_cfg "name=opt/io.systemd.credentials/ssh.authorized_keys.root,file=$work/authorized_keys" \
  -serial "file:$work/console.log" -monitor none </dev/null >"$work/qemu.log" 2>&1 &
qemu_pid=$!

# Software emulation boots Debian and starts .NET slowly: up to 15 minutes.
deadline=$(( $(date +%s) + ${GATEWAY_VM_TIMEOUT:-900} ))
reply=
while [ "$(date +%s)" -lt "$deadline" ]; do
  kill -0 "$qemu_pid" 2>/dev/null || { cat "$work/qemu.log" >&2; tail -50 "$work/console.log" >&2; echo "test-vm: qemu exited" >&2; exit 1; }
  if reply=$(swaks --server "127.0.0.1:$port" --from sender@example.org --to user@example.test \
      --header "Subject: vm smoke" --timeout 60 2>&1); then
    break
  fi
  reply=
  sleep 10
done
if [ -z "$reply" ]; then
  tail -80 "$work/console.log" >&2
  echo "test-vm: FAIL: no 250 from the gateway in the VM within the timeout" >&2
  exit 1
fi
echo "$reply" | grep -E '^<[-~] +(220|250)' | tail -3
echo "$reply" | grep -qE '^<[-~] +250 2\.0\.0 Ok: queued as' || { echo "$reply" >&2; echo "test-vm: FAIL: no 250 for the message" >&2; exit 1; }
echo "test-vm: OK: 250 from the gateway in the VM $(( $(date +%s) - start )) s after qemu started ($accel)"
grep -E 'gateway|Gateway' "$work/console.log" | tail -5 || true

# The administrator's way in: the key from the credential, and nothing else.
ssh_opts=(-p "$ssh_port" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=30 -o LogLevel=ERROR)
# sshd makes the copy's host keys on its first start, which may still be under way: retry for up to two minutes.
ssh_deadline=$(( $(date +%s) + 120 ))
until remote=$(ssh "${ssh_opts[@]}" -i "$work/id_test" root@127.0.0.1 '
    echo "gateway: $(systemctl is-active gateway.service) (NRestarts=$(systemctl show -P NRestarts gateway.service))"
    echo "unattended-upgrades: $(systemctl is-enabled unattended-upgrades.service) $(systemctl is-active unattended-upgrades.service); $(apt-config dump APT::Periodic::Unattended-Upgrade)"
    echo "firewall tcp in: $(nft list chain inet filter input | grep -oE "dport \{[^}]*\}|dport [0-9]+" | tr "\n" " ")"
    systemd-analyze security gateway.service --no-pager | tail -1
  ' 2>&1); do
  if [ "$(date +%s)" -ge "$ssh_deadline" ] || echo "$remote" | grep -q 'Permission denied'; then
    echo "$remote" >&2
    grep -aiE 'ssh|firstboot|credential' "$work/console.log" | tail -30 >&2 || true
    echo "test-vm: FAIL: SSH login with the credential's key refused" >&2
    exit 1
  fi
  sleep 5
done
echo "$remote"
echo "$remote" | grep -q '^gateway: active' || { echo "test-vm: FAIL: gateway.service not active" >&2; exit 1; }
echo "$remote" | grep -q '^unattended-upgrades: enabled active; APT::Periodic::Unattended-Upgrade "1";' \
  || { echo "test-vm: FAIL: unattended upgrades not on" >&2; exit 1; }
if ssh "${ssh_opts[@]}" -o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive root@127.0.0.1 true 2>"$work/ssh-password.log"; then
  echo "test-vm: FAIL: a login without a key was let in" >&2
  exit 1
fi
grep -q 'Permission denied (publickey)' "$work/ssh-password.log" \
  || { cat "$work/ssh-password.log" >&2; echo "test-vm: FAIL: password login not refused as publickey-only" >&2; exit 1; }
echo "test-vm: OK: SSH by key only (password login: $(tr -d '\r' < "$work/ssh-password.log" | tail -1))"
