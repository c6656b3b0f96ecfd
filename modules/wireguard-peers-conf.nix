# WireGuard peers in the flat `wireguardPeers` shape -> wg(8) [Peer] sections (public data only:
# no private key, no listen port, so `wg addconf` leaves the device's own settings alone).
# builtins only: the Nix evaluator renders it on any machine, without nixpkgs.
peers:
let
  line = key: value: "${key} = ${value}\n";
  peer = p:
    "[Peer]\n"
    + line "PublicKey" p.PublicKey
    + (if (p.AllowedIPs or [ ]) != [ ] then line "AllowedIPs" (builtins.concatStringsSep ", " p.AllowedIPs) else "")
    + (if p ? Endpoint then line "Endpoint" p.Endpoint else "")
    + (if p ? PersistentKeepalive then line "PersistentKeepalive" (toString p.PersistentKeepalive) else "");
in
builtins.concatStringsSep "\n" (map peer peers)
