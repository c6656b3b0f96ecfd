# Bring the peers of WireGuard interface $1 to those of file $2 (wg(8) [Peer] sections) one peer at
# a time: peers no longer listed are removed (`wg set IF peer KEY remove`), listed ones are added or
# updated in place (`wg addconf`). A peer that stays keeps its session and the endpoint it roamed
# to, so adding a member never interrupts the tunnels that exist. (`wg syncconf` with a file that
# names no private key would clear the device's key and port; networkd re-applying a netdev replaces
# every peer: systemd/systemd#38196, #21877.)
set -eu
iface=$1
conf=$2
# networkd creates the device asynchronously after it starts.
i=0
until wg show "$iface" peers >/dev/null 2>&1; do
  i=$((i + 1))
  if [ "$i" -gt 300 ]; then echo "WireGuard interface $iface did not appear" >&2; exit 1; fi
  sleep 0.1
done
want=$(sed -n 's/^PublicKey = //p' "$conf")
for key in $(wg show "$iface" peers); do
  if ! printf '%s\n' "$want" | grep -qxF -- "$key"; then wg set "$iface" peer "$key" remove; fi
done
[ -n "$want" ] || exit 0
wg addconf "$iface" "$conf"
# networkd (re)starting configures the netdev asynchronously, replacing its peers with none: when
# that lands after the lines above, the peers are gone. Watch for a few seconds and add them again.
i=0
while [ "$i" -lt 20 ]; do
  sleep 0.25
  have=$(wg show "$iface" peers)
  for key in $want; do
    if ! printf '%s\n' "$have" | grep -qxF -- "$key"; then
      echo "peers of $iface were replaced meanwhile (networkd configuring the netdev): adding them again" >&2
      wg addconf "$iface" "$conf"
      break
    fi
  done
  i=$((i + 1))
done
